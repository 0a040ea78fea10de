"""Property-based tests: random broadcastable shapes, random computational graphs.

For every drawn case the dynamic-programming gradient, the path-sum gradient
(Lemma 3.2.1) and central finite differences must agree, and each gradient
must have its operand's shape.
"""
import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import autograd_core as ag
from autograd_core import Tensor

SETTINGS = settings(max_examples=30, deadline=None)

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": lambda a, b: ag.maximum(a, b),
}


def _operands(shapes, seed, operation):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1.5, 1.5, size=shapes[0])
    b = rng.uniform(-1.5, 1.5, size=shapes[1])
    if operation == "div":  # keep the denominator away from 0
        b = np.where(b < 0, b - 0.5, b + 0.5)
    return a, b


def _check_against_finite_differences(function, leaves, gradients, eps=1e-6):
    """Central differences of sum(r * function(...)) against the given gradients."""
    output = function(*leaves)
    direction = np.random.default_rng(0).standard_normal(output.shape)
    for leaf, gradient in zip(leaves, gradients):
        estimate = np.zeros(leaf.shape)
        for index in np.ndindex(*leaf.shape):
            original = leaf.data[index]
            leaf.data[index] = original + eps
            plus = float(np.sum(direction * function(*leaves).numpy()))
            leaf.data[index] = original - eps
            minus = float(np.sum(direction * function(*leaves).numpy()))
            leaf.data[index] = original
            estimate[index] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(gradient, estimate, rtol=1e-6, atol=1e-7)
    return direction


@SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       operation=st.sampled_from(sorted(BINARY)), seed=st.integers(0, 2**32 - 1))
def test_broadcast_binary_operations(shapes, operation, seed):
    input_shapes = shapes.input_shapes
    if operation == "maximum":
        # draw values without ties on the broadcast shape, then keep one operand in its own shape
        rng = np.random.default_rng(seed)
        a = rng.uniform(-1.5, 1.5, size=input_shapes[0])
        b = rng.uniform(-1.5, 1.5, size=input_shapes[1])
        gaps = np.abs(np.subtract(*np.broadcast_arrays(a, b)))
        assume(np.all(gaps >= 0.05))
    else:
        a, b = _operands(input_shapes, seed, operation)
    leaves = [Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)]
    function = BINARY[operation]
    output = function(*leaves)
    assert output.shape == shapes.result_shape
    direction = np.random.default_rng(0).standard_normal(output.shape)
    by_dp = ag.grad(output, leaves, grad_outputs=direction, retain_graph=True)
    by_paths = ag.grad(output, leaves, grad_outputs=direction, method="paths")
    for leaf, dp, path_sum in zip(leaves, by_dp, by_paths):
        assert dp.shape == leaf.shape and path_sum.shape == leaf.shape
        np.testing.assert_allclose(path_sum.numpy(), dp.numpy(), rtol=1e-10, atol=1e-12)
    _check_against_finite_differences(function, leaves, [g.numpy() for g in by_dp])


@SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3),
       seed=st.integers(0, 2**32 - 1))
def test_broadcast_where(shapes, seed):
    condition_shape, a_shape, b_shape = shapes.input_shapes
    rng = np.random.default_rng(seed)
    condition = rng.random(condition_shape) < 0.5
    leaves = [Tensor(rng.standard_normal(a_shape), requires_grad=True),
              Tensor(rng.standard_normal(b_shape), requires_grad=True)]

    def function(a, b):
        return ag.where(condition, a, b)

    output = function(*leaves)
    assert output.shape == shapes.result_shape
    direction = np.random.default_rng(0).standard_normal(output.shape)
    by_dp = ag.grad(output, leaves, grad_outputs=direction, retain_graph=True)
    by_paths = ag.grad(output, leaves, grad_outputs=direction, method="paths")
    for leaf, dp, path_sum in zip(leaves, by_dp, by_paths):
        assert dp.shape == leaf.shape
        np.testing.assert_allclose(path_sum.numpy(), dp.numpy(), rtol=1e-10, atol=1e-12)
    _check_against_finite_differences(function, leaves, [g.numpy() for g in by_dp])


UNARY = {
    "sin": ag.sin,
    "cos": ag.cos,
    "tanh": ag.tanh,
    "sigmoid": ag.sigmoid,
    "exp": ag.exp,
    "log(1 + x^2)": lambda x: ag.log(1.0 + x * x),
    "square": lambda x: x * x,
    "scale": lambda x: x * -0.7,
    "shift": lambda x: 0.3 - x,
    "sum keepdims": lambda x: x.sum(axis=-1, keepdims=True) if x.ndim else x * 1.0,
    "softmax": lambda x: ag.softmax(x) if x.ndim else ag.sigmoid(x),
}
BINARY_NODES = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div by 1 + b^2": lambda a, b: a / (1.0 + b * b),
}


@st.composite
def random_graphs(draw):
    """A recipe for a random DAG: leaf shapes, then operations whose operands are any earlier nodes."""
    shape = draw(st.sampled_from([(), (2,), (2, 2)]))
    leaf_count = draw(st.integers(1, 3))
    leaf_shapes = [draw(st.sampled_from([shape, shape[1:]])) for _ in range(leaf_count)]
    steps = []
    for step in range(draw(st.integers(1, 7))):
        available = leaf_count + step
        if draw(st.booleans()):
            steps.append(("unary", draw(st.sampled_from(sorted(UNARY))), draw(st.integers(0, available - 1))))
        else:
            steps.append(("binary", draw(st.sampled_from(sorted(BINARY_NODES))),
                          draw(st.integers(0, available - 1)), draw(st.integers(0, available - 1))))
    seed = draw(st.integers(0, 2**32 - 1))
    return leaf_shapes, steps, seed


def _build(leaves, steps):
    nodes = list(leaves)
    for step in steps:
        if step[0] == "unary":
            nodes.append(UNARY[step[1]](nodes[step[2]]))
        else:
            nodes.append(BINARY_NODES[step[1]](nodes[step[2]], nodes[step[3]]))
    # the output also reads an earlier node, so that nodes have several consumers
    return (nodes[-1] * 1.0).sum() + nodes[len(nodes) // 2].sum() * 0.5


@SETTINGS
@given(recipe=random_graphs())
def test_random_graphs_dp_path_sum_and_finite_differences_agree(recipe):
    leaf_shapes, steps, seed = recipe
    rng = np.random.default_rng(seed)
    leaves = [Tensor(rng.uniform(-1.2, 1.2, size=shape), requires_grad=True, name=f"x{number}")
              for number, shape in enumerate(leaf_shapes)]
    output = _build(leaves, steps)
    assume(np.isfinite(output.item()) and abs(output.item()) < 1e3)
    assume(all(ag.count_paths(output, leaf) <= 2_000 for leaf in leaves))
    by_dp = ag.grad(output, leaves, retain_graph=True, allow_unused=True)
    report = ag.compare(output, leaves, function=lambda: _build(leaves, steps))
    for leaf, dp, row in zip(leaves, by_dp, report.rows):
        _, count, dp_in_report, path_sum, finite = row
        assert count == ag.count_paths(output, leaf)
        if dp is None:
            assert count == 0
            continue
        assert dp.shape == leaf.shape
        np.testing.assert_allclose(dp_in_report, dp.numpy(), rtol=1e-14, atol=0)
        np.testing.assert_allclose(path_sum, dp.numpy(), rtol=1e-9, atol=1e-11)
        scale = 1.0 + abs(output.item())
        np.testing.assert_allclose(finite, dp.numpy(), rtol=1e-5, atol=1e-6 * scale)


@SETTINGS
@given(recipe=random_graphs())
def test_random_graphs_count_paths_matches_enumeration(recipe):
    leaf_shapes, steps, seed = recipe
    rng = np.random.default_rng(seed)
    leaves = [Tensor(rng.uniform(-1.2, 1.2, size=shape), requires_grad=True) for shape in leaf_shapes]
    with np.errstate(over="ignore", invalid="ignore"):  # only the graph's shape matters here
        output = _build(leaves, steps)
    for leaf in leaves:
        count = ag.count_paths(output, leaf)
        assume(count <= 2_000)
        enumerated = list(ag.paths(output, leaf))
        assert len(enumerated) == count
        assert all(path[0] is leaf and path[-1] is output for path in enumerated)
        for path in enumerated:
            for before, after in zip(path, path[1:]):
                assert any(value is before for value in after.grad_fn.inputs)
