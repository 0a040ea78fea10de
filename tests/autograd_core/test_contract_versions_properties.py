"""Property: random graphs with in-place updates inside ``no_grad`` and random view chains.

Each drawn program builds a graph from a leaf through random operations and
views, changes tensors in place inside ``no_grad`` (through random chains of
views: reshape, transpose, slicing, expand_dims, detach) both while the graph
is being built and between the forward pass and the backward pass, then
backpropagates. The same program is replayed from scratch on plain NumPy
arrays, with the same views and the same in-place changes, and differentiated
by central differences. Either backward raises the version error, exactly when
some change hit the memory of an array that a node of the graph had saved
before the change, or its gradient equals the recomputed one.
"""
import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.engine import topological_order

UNARY = {
    "tanh": (ag.tanh, np.tanh),
    "sin": (ag.sin, np.sin),
    "sigmoid": (ag.sigmoid, lambda a: 1.0 / (1.0 + np.exp(-a))),
    "square": (lambda t: t * t, lambda a: a * a),
    "scale": (lambda t: t * 1.3, lambda a: a * 1.3),
    "shift": (lambda t: t + 0.4, lambda a: a + 0.4),
}
VIEWS = ("reshape", "T", "transpose", "expand_dims", "flip", "broadcast")
ROUTES = ("reshape", "T", "flip", "expand_dims", "detach")
CHANGES = ("add", "mul", "zero", "sub")


def _view(value, kind, rng_choice, engine):
    """One view of ``value`` (a Tensor when ``engine``, else an array), the same for both."""
    shape = value.shape
    if kind == "reshape":
        size = int(np.prod(shape))
        options = [(size,), (1, size)] + ([(2, size // 2), (size // 2, 2)] if size % 2 == 0 else [])
        return value.reshape(options[rng_choice % len(options)])
    if kind == "T":
        return value.T
    if kind == "transpose":
        axes = tuple(range(-1, -len(shape) - 1, -1))  # negative axes, reversed
        return ag.transpose(value, axes) if engine else np.transpose(value, axes)
    if kind == "expand_dims":
        return ag.expand_dims(value, 0) if engine else np.expand_dims(value, 0)
    if kind == "flip":
        return value[::-1]
    if kind == "broadcast":
        return ag.broadcast_to(value, (2,) + shape) if engine else np.broadcast_to(value, (2,) + shape)
    if kind == "detach":
        return value.detach() if engine else value
    raise AssertionError(kind)


def _change(value, kind, amount, engine):
    """One in-place change of ``value`` (through the engine's methods, or NumPy's out=)."""
    if engine:
        {"add": lambda: value.add_(amount), "sub": lambda: value.sub_(amount),
         "mul": lambda: value.mul_(amount), "zero": value.zero_}[kind]()
    else:
        {"add": lambda: np.add(value, amount, out=value), "sub": lambda: np.subtract(value, amount, out=value),
         "mul": lambda: np.multiply(value, amount, out=value), "zero": lambda: value.fill(0.0)}[kind]()


@st.composite
def programs(draw):
    steps = []
    count = 1  # values so far: the leaf
    for _ in range(draw(st.integers(2, 7))):
        action = draw(st.sampled_from(["unary", "unary", "view", "binary", "change"]))
        target = draw(st.integers(0, count - 1))
        if action == "unary":
            steps.append(("unary", target, draw(st.sampled_from(sorted(UNARY)))))
        elif action == "view":
            steps.append(("view", target, draw(st.sampled_from(VIEWS)), draw(st.integers(0, 3))))
        elif action == "binary":
            steps.append(("binary", target, draw(st.integers(0, count - 1))))
        else:  # a change while the graph is built: an addition, whose derivative is the identity
            route = draw(st.lists(st.tuples(st.sampled_from(ROUTES), st.integers(0, 3)), max_size=2))
            steps.append(("change", target, route, "add", draw(st.sampled_from([0.5, -0.25]))))
            continue
        count += 1
    after = draw(st.lists(st.tuples(st.integers(0, 50), st.lists(st.tuples(st.sampled_from(ROUTES),
                                                                              st.integers(0, 3)), max_size=2),
                                    st.sampled_from(CHANGES), st.sampled_from([0.5, 2.0])), max_size=2))
    return steps, after, draw(st.integers(0, 2**16))


def _run(steps, x0, engine, record_saved=None):
    """Run the program's forward part; returns the values and the loss (a Tensor, or a float)."""
    values = [x0]
    for step in steps:
        kind = step[0]
        if kind == "unary":
            function = UNARY[step[2]][0 if engine else 1]
            values.append(function(values[step[1]]))
        elif kind == "view":
            values.append(_view(values[step[1]], step[2], step[3], engine))
        elif kind == "binary":
            a, b = values[step[1]], values[step[2]]
            if a.size == b.size:
                values.append(a * b.reshape(a.shape))
            else:
                values.append(a.sum() * b)
        else:
            _, target, route, change, amount = step
            with ag.no_grad():
                value = values[target]
                for view_kind, choice in route:
                    value = _view(value, view_kind, choice, engine)
            if engine and not value.data.flags.writeable or not engine and not value.flags.writeable:
                continue  # a broadcast view: read-only, tested elsewhere
            if record_saved is not None:
                record_saved(values, target, route)
            with ag.no_grad():
                _change(value, change, amount, engine)
    weights = [1.0 + 0.1 * number for number in range(len(values))]
    loss = sum(((value * value).sum() * weight for value, weight in zip(values, weights)), 0.0)
    return values, loss


def _root(array):
    while isinstance(array, np.ndarray) and array.base is not None:
        array = array.base
    return array


class SavedLog:
    """For each change: the memory it touches and the arrays saved by the nodes that existed before it."""

    def __init__(self):
        self.changes = []

    def record(self, values, target, route, loss=None):
        roots = [value.grad_fn for value in values if isinstance(value, ag.Tensor)]
        nodes = topological_order(roots + ([loss.grad_fn] if loss is not None else []))
        saved = [array for node in nodes for array in (node._saved or ()) if isinstance(array, np.ndarray)]
        value = values[target]
        with ag.no_grad():
            for view_kind, choice in route:
                value = _view(value, view_kind, choice, True)
        self.changes.append((_root(value.data), {id(node) for node in nodes}, saved))

    def hits_saved_memory(self, loss):
        reachable = {id(node) for node in topological_order([loss.grad_fn])}
        return any(any(_root(array) is touched for array in saved) and nodes & reachable
                   for touched, nodes, saved in self.changes)


@given(programs())
@settings(max_examples=120, deadline=None)
def test_random_graphs_with_in_place_changes_and_view_chains(program):
    steps, after, seed = program
    start = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(2, 3))
    x = ag.tensor(start, requires_grad=True)
    log = SavedLog()
    values, loss = _run(steps, x, engine=True, record_saved=log.record)
    for target, route, change, amount in after:
        log.record(values, target % len(values), route, loss)
        with ag.no_grad():
            value = values[target % len(values)]
            for view_kind, choice in route:
                value = _view(value, view_kind, choice, True)
            if value.data.flags.writeable:
                _change(value, change, amount, True)
            else:
                log.changes.pop()
    should_raise = log.hits_saved_memory(loss)
    try:
        loss.backward()
    except RuntimeError as error:
        assert "modified in place" in str(error)
        assert should_raise, f"a false alarm: no change hit a saved array ({error})"
        event("backward raised the version error")
        return
    assert not should_raise, "a change hit an array saved for backward, and backward did not raise"

    def replayed_loss(point):
        return float(_run(steps, point.copy(), engine=False)[1])

    eps = 1e-6
    expected = np.zeros_like(start)
    for index in np.ndindex(start.shape):
        step = np.zeros_like(start)
        step[index] = eps
        expected[index] = (replayed_loss(start + step) - replayed_loss(start - step)) / (2 * eps)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-5, atol=1e-6)
    event(f"gradient checked, {len(log.changes)} in-place change(s)")


def test_the_property_sees_both_outcomes():
    """A program whose post-forward change hits a saved array, and one whose change is harmless."""
    x = ag.tensor(np.ones((2, 3)), requires_grad=True)
    hidden = x * 2.0
    loss = (ag.tanh(hidden) * hidden).sum()
    with ag.no_grad():
        hidden.T.add_(1.0)
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()
    y = ag.tensor(np.ones((2, 3)), requires_grad=True)
    loss = (y + 1.0).sum()
    with ag.no_grad():
        y.reshape(6)[::-1].mul_(3.0)
    loss.backward()
    np.testing.assert_array_equal(y.grad.numpy(), np.ones((2, 3)))
