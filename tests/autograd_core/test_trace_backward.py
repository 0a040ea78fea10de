"""trace_backward: the dynamic programme and the sum over paths written out, agreeing with the engine exactly."""
import numpy as np
import pytest
from hypothesis import assume, given, settings

import autograd_core as ag
from autograd_core import Tensor, backend
from autograd_core.engine import topological_order
from autograd_core.examples import figure_3_3, figure_3_4, mlp, scalar_mlp

from test_properties import _build, random_graphs  # the random graphs of the property tests


def test_figure_3_3_steps_follow_eq_3_8():
    w, o = figure_3_3(0.7)
    y = o.grad_fn.inputs[0].grad_fn.inputs[0]
    steps = ag.trace_backward(o)
    assert [step.number for step in steps] == list(range(5))
    assert [step.name for step in steps] == ["o", "q", "p", "y", "w"]
    assert steps[0].is_output and float(steps[0].grad) == 1.0
    y_step = steps[3]
    assert y_step.node is y
    locals_by_operation = {term.operation.name: term.local for term in y_step.contributions}
    assert locals_by_operation == pytest.approx({"Sin": np.cos(0.49), "Cos": -np.sin(0.49)}, rel=1e-15)
    for term in y_step.contributions:
        assert float(term.grad_output) == 1.0 and float(term.product) == pytest.approx(term.local, rel=1e-15)
    assert float(y_step.grad) == pytest.approx(np.cos(0.49) - np.sin(0.49), rel=1e-15)
    w_step = steps[4]
    assert w_step.node is w and w_step.is_leaf
    assert [term.local for term in w_step.contributions] == pytest.approx([1.4])
    assert float(w_step.grad) == pytest.approx(1.4 * (np.cos(0.49) - np.sin(0.49)), rel=1e-15)
    assert str(y_step) == ("step 3: ∂o/∂y = ∂o/∂q · z(y, q) + ∂o/∂p · z(y, p) = 1 × (-0.4706) + 1 × 0.8823 "
                           "= 0.4117")
    assert str(steps[0]) == "step 0: o is the output: ∂o/∂o = 1"
    assert str(steps).splitlines()[-1] == "w: ∂o/∂w = 0.5764"


def test_the_trace_writes_no_grad_and_releases_nothing():
    w, o = figure_3_3(0.7)
    y = o.grad_fn.inputs[0]
    y.retain_grad()
    steps = ag.trace_backward(o)
    assert w.grad is None and y.grad is None and o.grad is None
    o.backward()  # still possible: the trace kept the saved values
    assert np.array_equal(w.grad.numpy(), steps[-1].grad)
    assert y.grad.item() == float(next(step.grad for step in steps if step.node is y))


def test_non_leaf_steps_come_in_the_engines_order_and_leaves_after_their_last_consumer():
    weights, o, _ = scalar_mlp(depth=3, width=2)
    steps = ag.trace_backward(o)
    order = topological_order([o.grad_fn])
    assert [step.node.grad_fn for step in steps if not step.is_leaf] == order
    position = {id(step.node.grad_fn): step.number for step in steps if not step.is_leaf}
    for step in steps:
        if step.is_leaf:
            consumers = [position[id(term.consumer.grad_fn)] for term in step.contributions]
            assert step.number == max(consumers) + 1 or steps[step.number - 1].is_leaf
            assert all(steps[number].is_leaf for number in range(max(consumers) + 1, step.number))
    assert {id(step.node) for step in steps if step.is_leaf} == {id(weight) for weight in weights}


def test_each_gradient_is_the_sum_of_its_contributions_in_the_engines_order():
    weights, o, _ = scalar_mlp(depth=2, width=3)
    for step in ag.trace_backward(o):
        if step.is_output:
            continue
        total = None
        for term in step.contributions:
            total = term.product if total is None else total + term.product
            assert term.product == pytest.approx(term.grad_output * term.local, rel=1e-14)
        assert np.array_equal(total, step.grad)


def test_an_operation_that_uses_its_input_twice_contributes_twice():
    x = Tensor(1.5, requires_grad=True, name="x")
    square = x * x
    square.name = "s"
    (step,) = [step for step in ag.trace_backward(square) if step.node is x]
    assert [(term.operation.name, term.input_index, term.local) for term in step.contributions] == [
        ("Mul", 0, 1.5), ("Mul", 1, 1.5)]
    assert float(step.grad) == 3.0


def test_a_leaf_output_is_one_step():
    w = Tensor(2.0, requires_grad=True, name="w")
    (step,) = ag.trace_backward(w)
    assert step.node is w and step.is_leaf and step.is_output and float(step.grad) == 1.0


def test_tensor_graph_agrees_with_backward_and_summarises_values():
    parameters, loss, _ = mlp(depth=2, width=3)
    trace = ag.trace_backward(loss, inputs=parameters)
    loss.backward()
    for parameter, gradient in zip(parameters, trace.gradients):
        assert np.array_equal(parameter.grad.numpy(), gradient)
    text = str(trace)
    assert "J(W1, " in text and "ᵀ ∂L/∂" in text
    assert "[3x3, norm " in text  # shape, norm and the first entries, not the whole matrix
    w1_step = next(step for step in trace if step.node is parameters[0])
    assert not w1_step.contributions[0].is_scalar
    assert w1_step.contributions[0].local.operation.name == "MatMul"


def test_non_scalar_output_needs_its_gradient_as_backward_does():
    x = Tensor(np.arange(4.0).reshape(2, 2), requires_grad=True, name="x")
    y = (x * x).sum(axis=0)
    with pytest.raises(ValueError, match=r"an output of shape \(2,\) needs grad_output="):
        ag.trace_backward(y)
    trace = ag.trace_backward(y, grad_output=np.array([1.0, -2.0]))
    expected = 2 * x.numpy() * np.array([1.0, -2.0])
    assert np.array_equal(trace.gradients[0], expected)
    assert "the given gradient" in str(trace[0])


def test_bad_arguments_raise_clear_errors():
    w, o = figure_3_3(0.7)
    with pytest.raises(TypeError, match="output must be a Tensor, got float"):
        ag.trace_backward(0.5)
    with pytest.raises(ValueError, match="mode must be 'dp' or 'paths', got 'bfs'"):
        ag.trace_backward(o, mode="bfs")
    with pytest.raises(ValueError, match=r"inputs\[0\] must be a Tensor with requires_grad=True"):
        ag.trace_backward(o, inputs=[Tensor(1.0)])
    with pytest.raises(ValueError, match="max_paths must be a non-negative int"):
        ag.trace_backward(o, mode="paths", max_paths=-1)
    with pytest.raises(RuntimeError, match="does not require gradients"):
        ag.trace_backward(Tensor(1.0) * 2)


def test_hooks_are_refused_rather_than_skipped_silently():
    w, o = figure_3_3(0.7)
    handle = w.register_hook(lambda grad: grad * 2)
    with pytest.raises(ValueError, match="'w' has 1 gradient hook"):
        ag.trace_backward(o)
    handle.remove()
    assert len(ag.trace_backward(o)) == 5


def test_nan_values_are_traced_and_shown():
    w = Tensor(-1.0, requires_grad=True, name="w")
    with np.errstate(invalid="ignore"):
        o = w.sqrt() * 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        trace = ag.trace_backward(o)
    assert np.isnan(trace.gradients[0])
    assert "nan" in str(trace)


def test_paths_mode_figure_3_3_ends_equal_to_dp():
    w, o = figure_3_3(0.7)
    trace = ag.trace_backward(o, mode="paths")
    assert len(trace) == 2 and trace.mode == "paths"
    expected = [list(path) for path in ag.paths(o, w)]
    assert [[id(t) for t in step.path] for step in trace] == [[id(t) for t in path] for path in expected]
    first, second = trace
    assert first.locals == pytest.approx([1.4, np.cos(0.49), 1.0])
    assert float(first.product) == pytest.approx(1.4 * np.cos(0.49), rel=1e-15)
    assert float(second.running_sum) == pytest.approx(float(first.product) + float(second.product), rel=1e-15)
    (check,) = trace.checks
    assert check.agrees and check.path_count == 2
    assert float(check.path_sum) == pytest.approx(ag.grad(o, w, retain_graph=True).item(), rel=1e-14)
    assert str(first) == ("path 0 (1 of 2 from w): w → y → p → o: z(w, y) · z(y, p) · z(p, o) = 1.4 × 0.8823 × 1 "
                          "= 1.235; running sum 1.235")
    assert str(trace).splitlines()[-1].startswith("w: sum over 2 paths = 0.5764 = 0.5764 by dynamic programming")


def test_paths_mode_follows_ag_paths_on_figure_3_4_and_the_mlp():
    w, o = figure_3_4(depth=3, width=2)
    trace = ag.trace_backward(o, mode="paths")
    assert len(trace) == 8 == ag.count_paths(o, w)
    assert float(trace[-1].running_sum) == pytest.approx(ag.grad(o, w, retain_graph=True).item(), rel=1e-13)
    weights, o, _ = scalar_mlp(depth=2, width=2)
    trace = ag.trace_backward(o, inputs=weights, mode="paths")
    assert len(trace) == sum(ag.count_paths(o, weight) for weight in weights)
    for weight, check in zip(weights, trace.checks):
        assert check.input is weight and check.agrees
        assert [[id(t) for t in step.path] for step in trace if step.input is weight] == [
            [id(t) for t in path] for path in ag.paths(o, weight)]


def test_paths_mode_on_a_tensor_graph_multiplies_jacobians():
    parameters, loss, _ = mlp(depth=1, width=2, features=2, batch=3)
    trace = ag.trace_backward(loss, inputs=parameters, mode="paths")
    dp = ag.grad(loss, parameters, retain_graph=True)
    for parameter, gradient, check in zip(parameters, dp, trace.checks):
        assert check.agrees
        np.testing.assert_allclose(check.path_sum, gradient.numpy(), rtol=1e-12, atol=1e-15)
        assert check.path_sum.shape == parameter.shape
    assert "product of" in str(trace[0]) and "Jacobians" in str(trace[0])


def test_paths_mode_refuses_too_many_paths_like_grad():
    w, o = figure_3_4(depth=5, width=2)
    with pytest.raises(ValueError, match=r"32 paths, more than max_paths=10; pass max_paths=32") as traced:
        ag.trace_backward(o, mode="paths", max_paths=10)
    with pytest.raises(ValueError, match=r"32 paths, more than max_paths=10; pass max_paths=32"):
        ag.grad(o, w, method="paths", max_paths=10)
    assert "trace_backward(..., mode='paths')" in str(traced.value)
    assert len(ag.trace_backward(o, mode="paths", max_paths=32)) == 32


def test_paths_mode_with_an_unconnected_input_reports_zero_paths():
    w, o = figure_3_3(0.7)
    other = Tensor(3.0, requires_grad=True, name="other")
    trace = ag.trace_backward(o, inputs=[w, other], mode="paths")
    assert len(trace) == 2
    assert trace.checks[1].path_count == 0 and trace.checks[1].dp is None and trace.checks[1].agrees
    assert "0 (not connected)" in str(trace.checks[1])


@settings(max_examples=30, deadline=None)
@given(recipe=random_graphs())
def test_random_graphs_trace_agrees_with_backward_exactly(recipe):
    leaf_shapes, steps, seed = recipe
    rng = np.random.default_rng(seed)
    leaves = [Tensor(rng.uniform(-1.2, 1.2, size=shape), requires_grad=True, name=f"x{number}")
              for number, shape in enumerate(leaf_shapes)]
    output = _build(leaves, steps)
    assume(np.isfinite(output.item()) and abs(output.item()) < 1e3)
    trace = ag.trace_backward(output, inputs=leaves)
    assert all(leaf.grad is None for leaf in leaves)
    non_leaves = {id(step.node.grad_fn): step for step in trace if not step.is_leaf}
    for step in non_leaves.values():
        step.node.retain_grad()
    output.backward(retain_graph=True)
    for leaf, gradient in zip(leaves, trace.gradients):
        if gradient is None:
            assert leaf.grad is None
        else:
            assert np.array_equal(leaf.grad.numpy(), gradient)
    for step in non_leaves.values():
        assert np.array_equal(step.node.grad.numpy(), step.grad)
    assert [step.number for step in trace] == list(range(len(trace)))
    assume(all(ag.count_paths(output, leaf) <= 500 for leaf in leaves))
    by_paths = ag.trace_backward(output, inputs=leaves, mode="paths")
    assert all(check.agrees for check in by_paths.checks)
    for leaf in leaves:
        assert [[id(t) for t in step.path] for step in by_paths if step.input is leaf] == [
            [id(t) for t in path] for path in ag.paths(output, leaf)]


def test_tensor_leaves_finished_by_the_same_operation_each_get_a_step():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True, name="a")
    b = Tensor(np.array([3.0, -1.0]), requires_grad=True, name="b")
    trace = ag.trace_backward((a * b).sum())
    assert [step.name for step in trace[-2:]] == ["a", "b"]
    assert np.array_equal(trace[-2].grad, b.numpy()) and np.array_equal(trace[-1].grad, a.numpy())


@pytest.mark.gpu
def test_a_cupy_graph_is_traced_on_the_device():
    cp = backend.cupy_module()
    x = Tensor(cp.asarray([0.3, -1.2]), requires_grad=True, name="x")
    w = Tensor(cp.asarray(0.7), requires_grad=True, name="w")
    o = ((x * w).sin() + w * w).sum()
    trace = ag.trace_backward(o, inputs=[x, w])
    assert all(backend.device_of(step.grad).startswith("cuda") for step in trace)
    assert "∂o/∂w = " in str(trace)
    o.backward(retain_graph=True)
    assert cp.array_equal(x.grad.data, trace.gradients[0]) and cp.array_equal(w.grad.data, trace.gradients[1])
    by_paths = ag.trace_backward(o, inputs=[x, w], mode="paths")
    assert [check.path_count for check in by_paths.checks] == [1, 3] and all(check.agrees for check in by_paths.checks)
