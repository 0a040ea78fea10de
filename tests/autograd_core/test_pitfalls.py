"""Pitfalls that other autodiff engines shipped as bugs, one test each.

pytest turns every RuntimeWarning into an error (pyproject.toml), so a test
that merely runs also checks that no overflow, division by zero or invalid
value was hit along the way.
"""
import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Function, Tensor


def test_tensor_used_twice_and_backward_twice_sums_correctly():
    a = Tensor(3.0, requires_grad=True)
    b = a + a
    c = b + b
    assert ag.count_paths(c, a) == 4
    c.backward(retain_graph=True)
    assert a.grad.item() == 4.0
    c.backward()  # leaf gradients accumulate across calls
    assert a.grad.item() == 8.0


def test_tensor_used_twice_in_products_and_backward_twice():
    a = Tensor(1.5, requires_grad=True)
    b = a * a
    c = b * b  # a^4
    assert ag.grad(c, a, method="paths").item() == pytest.approx(4 * 1.5 ** 3)
    c.backward(retain_graph=True)
    assert a.grad.item() == pytest.approx(4 * 1.5 ** 3)
    c.backward()
    assert a.grad.item() == pytest.approx(8 * 1.5 ** 3)


@pytest.mark.parametrize("operand_shape", [(), (1,), (3,), (1, 3), (2, 1), (1, 1), (4, 1, 3)])
def test_gradient_of_a_broadcast_operand_has_the_operand_shape(operand_shape):
    matrix = Tensor(np.arange(6.0).reshape(2, 3) + 1.0, requires_grad=True)
    operand = Tensor(np.full(operand_shape, 2.0), requires_grad=True)
    for combine in (lambda m, o: m + o, lambda m, o: m * o, lambda m, o: o - m, lambda m, o: m / o,
                    lambda m, o: ag.maximum(m, o), lambda m, o: ag.where(m.data > 2.5, m, o)):
        result = combine(matrix, operand)
        grad_matrix, grad_operand = ag.grad(result.sum(), [matrix, operand])
        assert grad_operand.shape == operand_shape
        assert grad_matrix.shape == (2, 3)
        by_paths = ag.grad(combine(matrix, operand).sum(), operand, method="paths")
        np.testing.assert_allclose(by_paths.numpy(), grad_operand.numpy(), rtol=1e-12)


def test_zero_dimensional_operand_against_a_matrix_gets_the_summed_gradient():
    scale = Tensor(2.0, requires_grad=True)
    matrix = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    (scale * matrix).sum().backward()
    assert scale.grad.shape == ()
    assert scale.grad.item() == 15.0
    np.testing.assert_array_equal(matrix.grad.numpy(), np.full((2, 3), 2.0))


def test_float32_graph_keeps_float32_gradients():
    rng = np.random.default_rng(0)
    W = Tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    b = Tensor(np.zeros(3, np.float32), requires_grad=True)
    x = Tensor(rng.standard_normal((5, 4)).astype(np.float32))
    hidden = ag.tanh(x @ W + b) * 0.5 + 1.0   # Python numbers do not promote float32
    hidden.retain_grad()
    loss = ag.cross_entropy(hidden, np.array([0, 1, 2, 0, 1])) + ag.mse(hidden, np.zeros((5, 3), np.float32))
    assert loss.dtype == np.float32
    loss.backward()
    for gradient in (W.grad, b.grad, hidden.grad):
        assert gradient.dtype == np.float32
    assert ag.grad(ag.sigmoid(W).sum(), W).dtype == np.float32


def test_float32_leaf_gets_float32_gradient_when_mixed_with_float64_constants():
    w = Tensor(np.ones(3, np.float32), requires_grad=True)
    result = (w * np.array([1.0, 2.0, 3.0])).sum()  # NumPy promotes the product to float64
    assert result.dtype == np.float64
    result.backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 2.0, 3.0])


def test_explicit_seed_gradient_takes_the_output_dtype():
    w = Tensor(np.ones(3, np.float32), requires_grad=True)
    (w * 2.0).backward(np.array([1.0, 1.0, 1.0]))  # a float64 seed
    assert w.grad.dtype == np.float32


def test_numpy_scalar_and_array_on_the_left_return_tensors():
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    product = np.float64(2) * t
    total = np.array([10.0, 20.0]) + t
    assert isinstance(product, Tensor) and isinstance(total, Tensor)
    (product.sum() + total.sum()).backward()
    np.testing.assert_array_equal(t.grad.numpy(), [3.0, 3.0])


def test_elementwise_equality_cannot_break_graph_traversal():
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)  # equal values, different nodes
    equal = a == b
    assert isinstance(equal, Tensor) and equal.all()  # == is elementwise and gives a tensor
    copies = [a * 1.0 for _ in range(4)]  # four equal-valued nodes
    total = sum(copies[1:], copies[0]) + b * 3.0 + copies[0] * copies[1]
    assert ag.count_paths(total.sum(), a) == 6
    grad_a, grad_b = ag.grad(total.sum(), [a, b])
    np.testing.assert_array_equal(grad_a.numpy(), np.full(3, 6.0))
    np.testing.assert_array_equal(grad_b.numpy(), np.full(3, 3.0))


def test_the_engine_never_compares_or_hashes_tensors(monkeypatch):
    """Graph traversal keys nodes by identity: a tensor's __eq__ and __hash__ are never called."""
    def refuse(*args):
        raise AssertionError("the engine compared or hashed a Tensor")

    x = Tensor(np.array([0.5, -0.3]), requires_grad=True)
    W = Tensor(np.array([[1.0, 0.5], [-0.5, 2.0]]), requires_grad=True)
    monkeypatch.setattr(Tensor, "__eq__", refuse)
    monkeypatch.setattr(Tensor, "__hash__", refuse)

    def loss(a, b):
        hidden = ag.tanh(a @ b)
        return (hidden * hidden).sum() + ag.logsumexp(hidden) + hidden[np.array([0, 0])].sum()

    output = loss(x, W)
    assert ag.count_paths(output, x) == len(list(ag.paths(output, x)))
    by_paths = ag.grad(output, [x, W], method="paths", retain_graph=True)
    by_dp = ag.grad(output, [x, W], create_graph=True)
    for path_sum, dp in zip(by_paths, by_dp):
        np.testing.assert_allclose(path_sum.numpy(), dp.numpy(), rtol=1e-12)
    ag.grad(by_dp[0].sum(), [x, W])
    assert ag.gradcheck(loss, [x, W])
    assert ag.compare(loss(x, W), [x, W]).largest_disagreement < 1e-6
    assert ag.hessian(lambda t: loss(t, W), x).shape == (2, 2)


def test_tensors_work_as_dictionary_keys_and_set_members_by_identity():
    a = Tensor(np.ones(2))
    b = Tensor(np.ones(2))
    table = {a: "a", b: "b"}
    assert table[a] == "a" and table[b] == "b"
    assert len({a, b, a}) == 2


def test_l2_norm_at_zero_has_subgradient_zero():
    x = Tensor(np.zeros(3), requires_grad=True)
    norm = ag.norm(x)
    assert norm.item() == 0.0
    norm.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(3))


def test_l2_norm_rows_with_one_zero_row_and_its_second_derivative():
    x = Tensor(np.array([[0.0, 0.0], [3.0, 4.0]]), requires_grad=True)
    gradient = ag.grad(ag.norm(x, axis=1).sum(), x, create_graph=True)
    np.testing.assert_allclose(gradient.numpy(), [[0.0, 0.0], [0.6, 0.8]])
    second = ag.grad(gradient.sum(), x)
    assert np.all(np.isfinite(second.numpy()))
    # d/dx of (x + y) / r at (3, 4): (r^2 - x (x + y)) / r^3 and (r^2 - y (x + y)) / r^3
    np.testing.assert_allclose(second.numpy()[1], [(25 - 21) / 125, (25 - 28) / 125])


def test_l2_norm_agrees_with_the_composite_away_from_zero():
    values = np.array([0.3, -1.2, 2.0])
    x = Tensor(values, requires_grad=True)
    composite = ag.grad(ag.sqrt((x * x).sum()), x)
    direct = ag.grad(ag.norm(x), x)
    np.testing.assert_allclose(direct.numpy(), composite.numpy(), rtol=1e-14)
    np.testing.assert_allclose(direct.numpy(), values / np.linalg.norm(values))


@pytest.mark.parametrize("function", [ag.abs, ag.relu, lambda t: abs(t)], ids=["abs", "relu", "abs operator"])
def test_abs_and_relu_at_zero_give_subgradient_zero(function):
    x = Tensor(np.array([0.0, 0.0]), requires_grad=True)
    function(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])
    scalar = Tensor(0.0, requires_grad=True)
    assert ag.grad(function(scalar), scalar).item() == 0.0
    assert ag.grad(function(scalar), scalar, method="paths").item() == 0.0


def test_documented_subgradients_at_the_other_kinks():
    x = Tensor(np.array([-1.0, 1.0, 0.0]), requires_grad=True)
    np.testing.assert_array_equal(ag.grad(ag.hard_tanh(x).sum(), x).numpy(), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(ag.grad(ag.leaky_relu(x, 0.1).sum(), x).numpy(), [0.1, 1.0, 0.1])
    np.testing.assert_array_equal(ag.grad(ag.clip(x, -1.0, 1.0).sum(), x).numpy(), [1.0, 1.0, 1.0])


def test_logsumexp_of_all_minus_infinity_has_no_nan_gradient():
    x = Tensor(np.full(4, -np.inf), requires_grad=True)
    value = ag.logsumexp(x)
    assert value.item() == -np.inf
    value.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(4))


def test_logsumexp_rows_all_minus_infinity_beside_finite_rows():
    x = Tensor(np.array([[-np.inf, -np.inf], [0.0, np.log(3.0)]]), requires_grad=True)
    gradient = ag.grad(ag.logsumexp(x, axis=1).sum(), x, create_graph=True)
    np.testing.assert_allclose(gradient.numpy(), [[0.0, 0.0], [0.25, 0.75]])
    second = ag.grad((gradient * np.array([[1.0, 2.0], [3.0, 4.0]])).sum(), x)
    assert np.all(np.isfinite(second.numpy()))
    np.testing.assert_allclose(second.numpy()[1], [-0.1875, 0.1875])  # softmax Jacobian applied to (3, 4)


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_tanh_and_sigmoid_of_plus_minus_1000_neither_overflow_nor_warn(name):
    function = getattr(ag, name)
    x = Tensor(np.array([-1000.0, 1000.0]), requires_grad=True)
    out = function(x)
    expected = [-1.0, 1.0] if name == "tanh" else [0.0, 1.0]
    np.testing.assert_array_equal(out.numpy(), expected)
    gradient = ag.grad(out.sum(), x, create_graph=True)
    np.testing.assert_array_equal(gradient.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(np.abs(ag.grad(gradient.sum(), x).numpy()), [0.0, 0.0])


def test_tanh_and_sigmoid_of_plus_minus_1000_in_float32():
    x = Tensor(np.array([-1000.0, 1000.0], np.float32), requires_grad=True)
    (ag.tanh(x) + ag.sigmoid(x)).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


def test_pow_with_negative_base_and_integer_exponent():
    x = Tensor(np.array([-2.0, -1.5, -0.5]), requires_grad=True)
    np.testing.assert_allclose(ag.grad((x ** 3).sum(), x).numpy(), 3 * x.numpy() ** 2)
    np.testing.assert_allclose(ag.grad((x ** 2).sum(), x).numpy(), 2 * x.numpy())
    np.testing.assert_allclose(ag.grad((x ** -1).sum(), x).numpy(), -x.numpy() ** -2.0)
    second = ag.grad(ag.grad((x ** 3).sum(), x, create_graph=True).sum(), x)
    np.testing.assert_allclose(second.numpy(), 6 * x.numpy())
    assert ag.gradcheck(lambda t: t ** 3, x)


def test_pow_with_negative_base_and_integer_valued_tensor_exponent():
    base = Tensor(-2.0, requires_grad=True)
    exponent = Tensor(3.0, requires_grad=True)
    result = base ** exponent
    assert result.item() == -8.0
    grad_base, grad_exponent = ag.grad(result, [base, exponent])
    assert grad_base.item() == 12.0
    assert grad_exponent.item() == 0.0  # (-2)^b is not real for non-integer b: the documented value is 0


class RawCube(Function):
    """x^3 with a vector-Jacobian product on raw arrays (not differentiable again)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * grad_output


def test_double_backward_through_a_raw_array_custom_function_raises():
    x = Tensor(2.0, requires_grad=True)
    first = ag.grad(RawCube.apply(x), x, create_graph=True)
    assert first.item() == 12.0  # the first derivative is right
    with pytest.raises(RuntimeError, match="custom function RawCube.*differentiable_backward = True"):
        ag.grad(first, x)


def _mlp_step(params, x, labels, learning_rate=0.1):
    W1, b1, W2, b2 = params
    hidden = ag.relu(x @ W1 + b1)
    loss = ag.cross_entropy(hidden @ W2 + b2, labels)
    loss.backward()
    with ag.no_grad():
        for param in params:
            param.data -= learning_rate * param.grad.data
            param.zero_grad()
    return weakref.ref(loss.grad_fn), loss.item()


def _count_graph_objects():
    """Live Tensors and Function nodes (both are tracked by the garbage collector)."""
    return sum(isinstance(item, (Tensor, Function)) for item in gc.get_objects())


def test_training_a_small_mlp_for_1000_steps_does_not_grow_memory():
    rng = np.random.default_rng(0)
    params = [Tensor(rng.standard_normal((4, 16)) * 0.5, requires_grad=True), Tensor(np.zeros(16), requires_grad=True),
              Tensor(rng.standard_normal((16, 3)) * 0.5, requires_grad=True), Tensor(np.zeros(3), requires_grad=True)]
    x = Tensor(rng.standard_normal((8, 4)))
    labels = rng.integers(0, 3, size=8)
    gc.collect()
    gc_was_enabled = gc.isenabled()
    gc.disable()  # only reference counting frees memory now: a graph kept alive by a cycle would stay
    tracemalloc.start()
    try:
        first_node, first_loss = _mlp_step(params, x, labels)
        live_after_one_step = _count_graph_objects()
        memory_after_one_step, _ = tracemalloc.get_traced_memory()
        for _ in range(999):
            node, loss = _mlp_step(params, x, labels)
            assert node() is None, "the graph outlived its step: something keeps it alive"
        memory_at_the_end, _ = tracemalloc.get_traced_memory()
        live_at_the_end = _count_graph_objects()
    finally:
        tracemalloc.stop()
        if gc_was_enabled:
            gc.enable()
    assert first_node() is None
    assert loss < first_loss  # it did train
    assert live_at_the_end == live_after_one_step
    # The interpreter's free lists (up to 2000 tuples of each size) may fill up; a graph kept per step
    # (kilobytes of arrays and nodes) would add megabytes.
    growth = memory_at_the_end - memory_after_one_step
    assert growth < 256 * 1024, f"memory grew by {growth} bytes over 1000 steps"


def test_backward_and_create_graph_leave_no_reference_cycles():
    gc.collect()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        x = Tensor(np.array([0.3, -0.4]), requires_grad=True)
        y = (ag.tanh(x * x) @ np.array([1.0, 2.0])).sum()
        gradient = ag.grad(y, x, create_graph=True)
        second = ag.grad(gradient.sum(), x)
        nodes = [weakref.ref(y.grad_fn), weakref.ref(gradient.grad_fn)]
        del y, gradient, second
        assert [node() for node in nodes] == [None, None]
    finally:
        if gc_was_enabled:
            gc.enable()


def test_a_chain_of_200000_operations_backpropagates():
    """No recursion anywhere: ordering, backward and freeing a long chain (the benchmark runs 1,000,000)."""
    length = 200_000
    factor = 1.0 + 1e-6
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(length):
        y = y * factor
    y.backward()
    assert x.grad.item() == pytest.approx(factor ** length, rel=1e-9)
    assert ag.count_paths(y, x) == 1
    del y  # freeing the chain must not recurse either
