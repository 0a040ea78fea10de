"""The engine's public API: Tensor, backward and grad, modes, higher order, the path-sum tools, custom functions."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Function, Tensor
from autograd_core.examples import figure_3_3
from autograd_core.gradcheck import GradcheckError, relative_ratio


# --- Tensor -------------------------------------------------------------------------------------------
def test_tensor_attributes():
    data = np.arange(6.0).reshape(2, 3)
    t = Tensor(data, requires_grad=True)
    assert t.data is not None and np.array_equal(t.data, data)
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6
    assert t.dtype == np.float64
    assert t.device == "cpu"
    assert t.requires_grad and t.is_leaf and t.grad is None and t.grad_fn is None
    y = t * 2.0
    assert not y.is_leaf and y.requires_grad and y.grad_fn.name == "Mul"
    assert Tensor(data).requires_grad is False


def test_tensor_from_python_values_and_dtypes():
    assert Tensor(0.7).shape == () and Tensor(0.7).dtype == np.float64
    assert Tensor([1.0, 2.0], dtype=np.float32).dtype == np.float32
    assert ag.tensor([[1.0], [2.0]], requires_grad=True).shape == (2, 1)
    assert Tensor(Tensor(np.ones(2))).shape == (2,)


def test_numpy_item_tolist_and_conversions():
    t = Tensor(np.array([[1.5]]), requires_grad=True)
    array = t.numpy()
    assert isinstance(array, np.ndarray) and array.shape == (1, 1)
    assert t.item() == 1.5 and isinstance(t.item(), float)
    assert float(t) == 1.5 and int(Tensor(np.array([3]))) == 3
    assert Tensor(np.array([1.0, 2.0])).tolist() == [1.0, 2.0]
    assert len(Tensor(np.ones((4, 2)))) == 4
    assert [row.shape for row in Tensor(np.ones((3, 2)))] == [(2,), (2,), (2,)]


def test_detach_shares_data_and_cuts_the_graph():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x * 3.0
    detached = y.detach()
    assert detached.is_leaf and not detached.requires_grad
    assert detached.data is y.data
    with pytest.raises(ValueError, match="not connected"):
        ag.grad((detached * x).sum(), [x, y])


def test_to_cpu_is_the_same_tensor():
    t = Tensor(np.ones(2), requires_grad=True)
    assert t.to("cpu") is t
    assert t.cpu() is t


def test_zero_grad_and_accumulation_across_calls():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    for calls in (1, 2, 3):
        (x * x).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), calls * 2 * x.numpy())
    x.zero_grad()
    assert x.grad is None
    (x * 5.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])


def test_backward_with_an_explicit_gradient():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    (x * x).backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 0.0, -6.0])
    x.zero_grad()
    (x * x).backward(Tensor(np.array([1.0, 1.0, 1.0])))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0, 6.0])


def test_backward_create_graph_makes_grad_differentiable():
    x = Tensor(1.5, requires_grad=True)
    with pytest.warns(UserWarning, match="reference cycle"):
        (x ** 3).backward(create_graph=True)
    first = x.grad
    assert first.requires_grad and first.item() == pytest.approx(3 * 1.5 ** 2)
    x.zero_grad()
    first.backward()
    assert x.grad.item() == pytest.approx(6 * 1.5)


def test_backward_retain_graph_allows_a_second_pass():
    x = Tensor(0.3, requires_grad=True)
    y = ag.sin(x) * ag.exp(x)
    y.backward(retain_graph=True)
    y.backward()
    expected = np.exp(0.3) * (np.cos(0.3) + np.sin(0.3))
    assert x.grad.item() == pytest.approx(2 * expected)


def test_hook_that_replaces_the_gradient_of_a_non_leaf():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    hidden = a * 3.0
    seen = []
    hidden.register_hook(lambda grad: seen.append(grad.numpy().copy()))
    hidden.register_hook(lambda grad: grad * 10.0)
    (hidden * hidden).sum().backward()
    np.testing.assert_array_equal(seen[0], [6.0, 12.0])  # 2 * hidden
    np.testing.assert_array_equal(a.grad.numpy(), [180.0, 360.0])  # 10 * 2 * hidden * 3


def test_hook_that_replaces_the_gradient_of_a_leaf_and_its_removal():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    handle = a.register_hook(lambda grad: grad * 0.0 + 7.0)
    (a * a).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [7.0, 7.0])
    handle.remove()
    a.zero_grad()
    (a * a).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [2.0, 4.0])


def test_leaf_hook_sees_the_total_gradient_of_all_uses():
    a = Tensor(2.0, requires_grad=True)
    seen = []
    a.register_hook(lambda grad: seen.append(grad.item()))
    (a * a + a * 3.0).backward()
    assert seen == [2 * 2.0 + 3.0]


def test_hooks_apply_with_create_graph():
    x = Tensor(1.5, requires_grad=True)
    y = x * x
    y.register_hook(lambda grad: grad * 2.0)
    first = ag.grad(y * x, x, create_graph=True)  # d(x^3)/dx with the hook doubling dL/dy = x: 2x*x*2 + x^2
    assert first.item() == pytest.approx(5 * 1.5 ** 2)


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    hidden = x * 2.0
    hidden.retain_grad()
    other = x * 4.0
    (hidden * hidden + other).sum().backward()
    np.testing.assert_array_equal(hidden.grad.numpy(), 2 * hidden.numpy())
    assert other.grad is None
    x.retain_grad()  # a leaf keeps its gradient anyway
    np.testing.assert_array_equal(x.grad.numpy(), 8 * x.numpy() + 4.0)


def test_repr_is_readable():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True, name="x")
    assert repr(x) == "Tensor([1., 2.], requires_grad=True, name='x')"
    assert repr(x * 2.0) == "Tensor([2., 4.], grad_fn=Mul)"
    assert repr(Tensor(3.0)) == "Tensor(3.)"
    assert "dtype=float32" in repr(Tensor(np.ones(2, np.float32)))
    assert "dtype=int64" in repr(Tensor(np.array([1, 2], dtype=np.int64)))
    assert "..." in repr(Tensor(np.zeros(1000)))


# --- backward and grad ---------------------------------------------------------------------------------
def test_backward_of_several_losses_including_one_on_a_hidden_node():
    """Section 3.2.7: a loss attached to a hidden node adds its gradient to the output loss's."""
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    W = Tensor(np.array([[1.0, 2.0], [0.5, -0.5]]), requires_grad=True)
    hidden = ag.tanh(x @ W)
    output_loss = (hidden * hidden).sum()
    hidden_loss = 0.1 * ag.abs(hidden).sum()  # a penalty on the hidden layer
    ag.backward([output_loss, hidden_loss], retain_graph=True)
    combined = ag.grad(output_loss + hidden_loss, [x, W])
    np.testing.assert_allclose(x.grad.numpy(), combined[0].numpy(), rtol=1e-14)
    np.testing.assert_allclose(W.grad.numpy(), combined[1].numpy(), rtol=1e-14)


def test_backward_of_a_hidden_node_that_is_also_a_loss_with_its_own_seed():
    x = Tensor(2.0, requires_grad=True)
    hidden = x * x
    out = hidden * 3.0
    ag.backward([out, hidden], [Tensor(1.0), Tensor(10.0)])
    assert x.grad.item() == pytest.approx(3 * 2 * 2.0 + 10 * 2 * 2.0)


def test_shared_weights_get_the_sum_of_their_uses():
    """Section 3.2.9: one weight used by two units receives the sum of both gradients."""
    w = Tensor(0.5, requires_grad=True)
    x1, x2 = 2.0, -3.0
    o = ag.tanh(w * x1) + ag.sigmoid(w * x2)
    o.backward()
    sigma = 1 / (1 + np.exp(-0.5 * x2))
    expected = x1 * (1 - np.tanh(0.5 * x1) ** 2) + x2 * sigma * (1 - sigma)
    assert w.grad.item() == pytest.approx(expected, rel=1e-12)
    assert ag.grad(ag.tanh(w * x1) + ag.sigmoid(w * x2), w, method="paths").item() == pytest.approx(expected)


def test_grad_with_several_outputs_and_grad_outputs():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = Tensor(3.0, requires_grad=True)
    outputs = [x * y, (x * x).sum()]
    grad_x, grad_y = ag.grad(outputs, [x, y], grad_outputs=[np.array([1.0, -1.0]), Tensor(2.0)])
    np.testing.assert_array_equal(grad_x.numpy(), np.array([1.0, -1.0]) * 3.0 + 2.0 * 2 * x.numpy())
    assert grad_y.item() == 1.0 * 1.0 - 1.0 * 2.0
    assert x.grad is None and y.grad is None  # grad returns, it does not accumulate
    by_paths = ag.grad([x * y, (x * x).sum()], [x, y], grad_outputs=[np.array([1.0, -1.0]), Tensor(2.0)],
                       method="paths")
    np.testing.assert_allclose(by_paths[0].numpy(), grad_x.numpy())
    assert by_paths[1].item() == pytest.approx(grad_y.item())


def test_grad_of_a_single_input_returns_a_tensor_not_a_list():
    x = Tensor(2.0, requires_grad=True)
    assert isinstance(ag.grad(x * x, x), Tensor)
    assert isinstance(ag.grad(x * x, [x]), list)


def test_grad_with_respect_to_a_hidden_node():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    hidden = x * 3.0
    loss = (hidden * hidden).sum()
    grad_hidden, grad_x = ag.grad(loss, [hidden, x])
    np.testing.assert_array_equal(grad_hidden.numpy(), 2 * hidden.numpy())
    np.testing.assert_array_equal(grad_x.numpy(), 18 * x.numpy())


def test_allow_unused_gives_none():
    x = Tensor(1.0, requires_grad=True)
    unused = Tensor(np.ones(2), requires_grad=True)
    grad_x, grad_unused = ag.grad(x * 2.0, [x, unused], allow_unused=True)
    assert grad_x.item() == 2.0 and grad_unused is None
    assert ag.grad(x * 2.0, [x, unused], allow_unused=True, method="paths")[1] is None


def test_gradient_of_a_leaf_with_respect_to_itself():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    np.testing.assert_array_equal(ag.grad(x, x, grad_outputs=np.array([3.0, 4.0])).numpy(), [3.0, 4.0])


# --- modes ---------------------------------------------------------------------------------------------
def test_no_grad_and_enable_grad_as_context_managers():
    x = Tensor(1.0, requires_grad=True)
    assert ag.is_grad_enabled()
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        y = x * 2.0
        with ag.enable_grad():
            z = x * 3.0
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None


def test_no_grad_and_enable_grad_as_decorators():
    x = Tensor(1.0, requires_grad=True)

    @ag.no_grad()
    def evaluate(t):
        """Evaluate without a graph."""
        return t * 2.0

    @ag.enable_grad()
    def train(t):
        return t * 2.0

    assert evaluate.__doc__ == "Evaluate without a graph."
    assert not evaluate(x).requires_grad
    with ag.no_grad():
        assert train(x).requires_grad
    assert ag.is_grad_enabled()


def test_no_grad_is_restored_after_an_exception():
    with pytest.raises(KeyError):
        with ag.no_grad():
            raise KeyError("raised inside no_grad")
    assert ag.is_grad_enabled()


def test_detect_anomaly_names_the_forward_operation():
    x = Tensor(np.array([1.0, -1.0]), requires_grad=True)
    with np.errstate(invalid="ignore"), ag.detect_anomaly():
        with pytest.raises(FloatingPointError, match="forward pass of Log produced NaN"):
            ag.log(x)


def test_detect_anomaly_names_the_backward_operation():
    x = Tensor(np.array([0.0, 4.0]), requires_grad=True)
    y = ag.sqrt(x).sum()  # finite forward, infinite slope at 0
    with np.errstate(divide="ignore"), ag.detect_anomaly():
        with pytest.raises(FloatingPointError, match="backward pass of Sqrt produced NaN or infinity"):
            y.backward()


def test_without_anomaly_mode_the_same_graphs_run_through():
    x = Tensor(np.array([0.0, 4.0]), requires_grad=True)
    with np.errstate(divide="ignore"):
        ag.sqrt(x).sum().backward()
    assert x.grad.numpy()[0] == np.inf


def test_detect_anomaly_as_a_decorator_and_is_switched_off_afterwards():
    @ag.detect_anomaly()
    def forward(t):
        return ag.exp(t)

    with np.errstate(over="ignore"), pytest.raises(FloatingPointError, match="Exp"):
        forward(Tensor(1000.0, requires_grad=True))
    with np.errstate(over="ignore"):
        assert ag.exp(Tensor(1000.0)).item() == np.inf


# --- Jacobians, Hessians, Hessian-vector products ------------------------------------------------------
def test_jacobian_of_an_elementwise_and_a_matrix_function():
    x = np.array([0.5, -1.0, 2.0])
    J = ag.jacobian(lambda t: ag.sin(t), x)
    np.testing.assert_allclose(J.numpy(), np.diag(np.cos(x)))
    A = np.arange(6.0).reshape(2, 3)
    J = ag.jacobian(lambda t: Tensor(A) @ t * 2.0, Tensor(x))
    np.testing.assert_allclose(J.numpy(), 2 * A)
    J = ag.jacobian(lambda t: t.sum() * t, x)  # d (s x_i) / d x_j = s delta_ij + x_i
    np.testing.assert_allclose(J.numpy(), x.sum() * np.eye(3) + x[:, None])


def test_jacobian_shape_for_matrix_input_and_output():
    X = np.arange(6.0).reshape(2, 3)
    J = ag.jacobian(lambda t: t.T * 1.0, X)
    assert J.shape == (3, 2, 2, 3)
    assert J.numpy()[2, 1, 1, 2] == 1.0 and J.numpy()[2, 1, 0, 2] == 0.0


def test_hessian_matches_the_analytic_one():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.4, -0.7])

    def f(t):
        return 0.5 * (t @ (Tensor(A) @ t)) + (t ** 3).sum() + ag.sin(t[0] * t[1])

    H = ag.hessian(f, x).numpy()
    p = x[0] * x[1]
    analytic = A + np.diag(6 * x) + np.array([[-np.sin(p) * x[1] ** 2, np.cos(p) - np.sin(p) * p],
                                              [np.cos(p) - np.sin(p) * p, -np.sin(p) * x[0] ** 2]])
    np.testing.assert_allclose(H, analytic, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(H, H.T)


def test_hvp_exact_against_finite_difference_eq_3_51():
    rng = np.random.default_rng(4)
    A = rng.standard_normal((4, 4))
    x = rng.standard_normal(4)
    v = rng.standard_normal(4)

    def f(t):
        return ag.logsumexp(Tensor(A) @ t) + 0.5 * (t * t).sum()

    exact = ag.hvp(f, x, v).numpy()
    H = ag.hessian(f, x).numpy()
    np.testing.assert_allclose(exact, H @ v, rtol=1e-12, atol=1e-12)
    estimate = ag.hvp(f, x, v, method="finite_difference").numpy()
    np.testing.assert_allclose(estimate, exact, rtol=1e-5, atol=1e-6)
    coarse = ag.hvp(f, x, v, method="finite_difference", delta=1e-3).numpy()
    np.testing.assert_allclose(coarse, exact, rtol=1e-2, atol=1e-3)


def test_hvp_of_a_quadratic_is_exact_either_way():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    v = np.array([1.0, -1.0])
    exact = ag.hvp(lambda t: 0.5 * (t @ (Tensor(A) @ t)), np.array([0.2, 0.3]), v)
    np.testing.assert_allclose(exact.numpy(), A @ v)
    estimate = ag.hvp(lambda t: 0.5 * (t @ (Tensor(A) @ t)), np.array([0.2, 0.3]), v, method="finite_difference")
    np.testing.assert_allclose(estimate.numpy(), A @ v, rtol=1e-6)


# --- the path-sum tools --------------------------------------------------------------------------------
def test_paths_of_figure_3_3_are_two_lists_from_w_to_o():
    w, o = figure_3_3(0.7)
    found = list(ag.paths(o, w))
    assert len(found) == 2 == ag.count_paths(o, w)
    for path in found:
        assert path[0] is w and path[-1] is o
        assert all(isinstance(node, Tensor) for node in path)
        assert len(path) == 4  # w -> w^2 -> sin or cos -> o
    assert {path[2].name for path in found} == {"p", "q"}
    assert found[0][1] is found[1][1]  # both go through the one node y = w^2


def test_paths_lists_both_edges_of_a_repeated_input():
    x = Tensor(1.0, requires_grad=True)
    y = x * x
    found = list(ag.paths(y, x))
    assert len(found) == 2
    assert all(path == [x, y] for path in found)


def test_compare_reports_dp_path_sum_and_finite_differences():
    w, o = figure_3_3(0.7)
    report = ag.compare(o, w)
    expected = 2 * 0.7 * np.cos(0.49) - 2 * 0.7 * np.sin(0.49)
    name, count, dp, path_sum, finite = report.rows[0]
    assert name == "w" and count == 2 and report.path_counts == [2]
    assert float(dp) == pytest.approx(expected, rel=1e-12)
    assert float(path_sum) == pytest.approx(expected, rel=1e-12)
    assert float(finite) == pytest.approx(expected, rel=1e-7)
    assert report.largest_disagreement < 1e-7
    assert set(report.seconds) == {"dp", "paths", "finite differences"}
    text = str(report)
    for piece in ("dp gradient", "path-sum gradient", "finite difference", "largest disagreement", "w ", "ms"):
        assert piece in text


def test_compare_with_tensor_inputs_and_a_function():
    x = Tensor(np.array([0.3, -0.2]), requires_grad=True, name="x")
    W = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True, name="W")

    def loss():
        return ag.tanh(x @ W).sum()

    report = ag.compare(loss(), [x, W], function=loss)
    assert report.largest_disagreement < 1e-7
    assert "[2 values]" in str(report) and "[4 values]" in str(report)


# --- custom functions ----------------------------------------------------------------------------------
class Cube(Function):
    """x^3 given by its vector-Jacobian product."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * grad_output


class Rotate(Function):
    """A rotation of the plane given by its Jacobian (the engine forms J^T g, Eq. 3.24)."""

    @staticmethod
    def forward(ctx, x, angle):
        c, s = np.cos(angle), np.sin(angle)
        ctx.matrix = np.array([[c, -s], [s, c]])
        return ctx.matrix @ x

    @staticmethod
    def jacobian(ctx):
        return ctx.matrix


class WeightedProduct(Function):
    """out = a * b * weight, with two tensor inputs and a Jacobian for each."""

    @staticmethod
    def forward(ctx, a, b, weight=1.0):
        ctx.save_for_backward(a, b)
        ctx.weight = weight
        return a * b * weight

    @staticmethod
    def jacobian(ctx):
        a, b = ctx.saved_tensors
        return np.diag(b * ctx.weight), np.diag(a * ctx.weight)


class SmoothCube(Function):
    """x^3 with a backward written over ctx.F, so it can be differentiated again."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * ctx.F.exp(2 * ctx.F.log(ctx.F.abs(x))) * grad_output


def test_custom_function_with_a_vector_jacobian_product():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn.name == "Cube"
    np.testing.assert_array_equal(y.numpy(), [1.0, -8.0])
    assert ag.gradcheck(Cube.apply, x)
    np.testing.assert_array_equal(ag.grad(y.sum(), x, method="paths").numpy(), [3.0, 12.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 12.0])


def test_custom_function_with_a_jacobian_eq_3_24():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = Rotate.apply(x, 0.3)
    g = np.array([1.0, -1.0])
    gradient = ag.grad(y, x, grad_outputs=g)
    c, s = np.cos(0.3), np.sin(0.3)
    np.testing.assert_allclose(gradient.numpy(), np.array([[c, -s], [s, c]]).T @ g)
    assert ag.gradcheck(lambda t: Rotate.apply(t, 0.3), x)
    np.testing.assert_allclose(ag.grad(Rotate.apply(x, 0.3), x, grad_outputs=g, method="paths").numpy(),
                               gradient.numpy())


def test_custom_function_with_one_jacobian_per_tensor_input():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([3.0, -1.0]), requires_grad=True)
    assert ag.gradcheck(lambda p, q: WeightedProduct.apply(p, q, weight=0.5), [a, b])
    grad_a, grad_b = ag.grad(WeightedProduct.apply(a, b, weight=0.5).sum(), [a, b])
    np.testing.assert_array_equal(grad_a.numpy(), 0.5 * b.numpy())
    np.testing.assert_array_equal(grad_b.numpy(), 0.5 * a.numpy())
    constant_b = ag.grad(WeightedProduct.apply(a, Tensor(b.numpy()), weight=0.5).sum(), a)
    np.testing.assert_array_equal(constant_b.numpy(), 0.5 * b.numpy())


def test_custom_function_with_differentiable_backward_supports_second_derivatives():
    x = Tensor(np.array([0.5, -1.5]), requires_grad=True)
    first = ag.grad(SmoothCube.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(first.numpy(), 3 * x.numpy() ** 2)
    second = ag.grad(first.sum(), x)
    np.testing.assert_allclose(second.numpy(), 6 * x.numpy())
    hessian = ag.hessian(lambda t: SmoothCube.apply(t).sum(), x.numpy())
    np.testing.assert_allclose(hessian.numpy(), np.diag(6 * x.numpy()))


def test_custom_function_context_attributes():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b, scale=2.0):
            seen["needs"] = ctx.needs_input_grad
            seen["xp"] = ctx.xp
            return a * b * scale

        @staticmethod
        def backward(ctx, grad_output):
            seen["inputs"] = ctx.inputs
            b = ctx.inputs[1]
            return grad_output * b.data * 2.0, None

    x = Tensor(np.ones(2), requires_grad=True)
    constant = Tensor(np.array([3.0, 4.0]))
    Probe.apply(x, constant).sum().backward()
    assert seen["needs"] == (True, False) and seen["xp"] is np
    assert seen["inputs"][0] is x and seen["inputs"][1] is constant
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 8.0])


# --- gradcheck -----------------------------------------------------------------------------------------
class WrongSign(Function):
    """sin with the wrong sign on its derivative: G_e = -G_a, so G_e + G_a = 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return -np.cos(x) * grad_output


class SlightlyOff(Function):
    """exp with a derivative 1% too large."""

    @staticmethod
    def forward(ctx, x):
        return np.exp(x)

    @staticmethod
    def backward(ctx, grad_output):
        return 1.01 * np.exp(ctx.inputs[0].data) * grad_output


def test_gradcheck_passes_and_reports():
    x = Tensor(np.array([0.1, 0.7, -0.4]), requires_grad=True)
    report = ag.gradcheck(lambda t: ag.tanh(t) * t, x)
    assert report and report.passed
    assert isinstance(report, ag.GradcheckReport)
    assert report.checked == 3 and report.method == "central" and report.threshold == 1e-6
    assert report.worst_ratio < 1e-6
    assert str(report).startswith("gradcheck passed: 3 entries checked by central differences")


def test_gradcheck_raises_by_default_naming_the_worst_entries():
    x = Tensor(np.array([0.1, 0.7, -0.4]), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"(?s)gradcheck FAILED.*input 0 entry \(\d,\)") as error:
        ag.gradcheck(SlightlyOff.apply, x)
    assert error.value.report.worst_ratio == pytest.approx(0.01 / 2.01, rel=1e-4)
    assert isinstance(error.value, AssertionError)


def test_gradcheck_returns_a_false_report_when_asked_not_to_raise():
    x = Tensor(np.array([0.1, 0.7]), requires_grad=True)
    report = ag.gradcheck(SlightlyOff.apply, x, raise_exception=False)
    assert not report and not report.passed
    assert "FAILED" in str(report)
    assert ag.gradcheck(SlightlyOff.apply, x, rtol=0.01)  # a looser threshold lets it pass


def test_gradcheck_when_g_e_plus_g_a_is_zero():
    x = Tensor(np.array([0.3, 1.2]), requires_grad=True)
    report = ag.gradcheck(WrongSign.apply, x, raise_exception=False)
    # opposite signs: |G_e + G_a| is rounding noise, so the ratio is huge (never NaN) and the check fails
    assert not report and report.worst_ratio > 1e6
    assert relative_ratio(0.0, 0.0) == 0.0  # both zero: they agree
    assert relative_ratio(1e-12, 3e-12) == 0.0  # both negligible, same sign
    assert relative_ratio(1e-12, -1e-12) == np.inf  # opposite signs disagree, however small
    assert relative_ratio(1.0, -1.0) == np.inf
    flat = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert ag.gradcheck(lambda t: t * 0.0 + 3.0, flat)  # a zero gradient passes


def test_gradcheck_thresholds_for_kinks():
    x = Tensor(np.array([0.5, -0.5]), requires_grad=True)
    report = ag.gradcheck(SlightlyOff.apply, x, kinks=True, raise_exception=False)
    assert report.threshold == 1e-3 and not report  # 1% off still fails
    assert ag.gradcheck(ag.relu, x, kinks=True).threshold == 1e-3


def test_gradcheck_samples_entries_of_large_inputs():
    x = Tensor(np.linspace(-1.0, 1.0, 50).reshape(5, 10), requires_grad=True)
    y = Tensor(np.linspace(0.5, 1.5, 10), requires_grad=True)
    report = ag.gradcheck(lambda a, b: ag.sin(a) * b, [x, y], sample=4)
    assert report.checked == 8
    assert len({(entry[0], entry[1]) for entry in report.entries}) == 8
    assert ag.gradcheck(lambda a: ag.sin(a), x, sample=1000).checked == 50


def test_gradcheck_forward_differences():
    x = Tensor(np.array([0.3, -0.8]), requires_grad=True)
    report = ag.gradcheck(lambda t: t * t * 3.0, x, method="forward", rtol=1e-5)
    assert report.method == "forward" and "forward differences" in str(report)
    assert report.worst_ratio > 0.0  # forward differences are first-order accurate: an O(eps) error remains
    central = ag.gradcheck(lambda t: t * t * 3.0, x)
    assert central.worst_ratio < report.worst_ratio


def test_gradcheck_refuses_float32():
    x = Tensor(np.ones(2, np.float32), requires_grad=True)
    with pytest.raises(TypeError, match="float32.*float64"):
        ag.gradcheck(ag.exp, x)


def test_gradcheck_restores_the_input_data():
    values = np.array([0.25, -1.5])
    x = Tensor(values.copy(), requires_grad=True)
    ag.gradcheck(ag.exp, x)
    np.testing.assert_array_equal(x.numpy(), values)


def test_a_recorded_result_sets_every_attribute_a_tensor_has():
    """Function.apply builds its result without Tensor._make (it is the hot path): the two must agree."""
    x = Tensor(np.ones(3), requires_grad=True)
    made_by_operation = x * 2.0
    made_directly = Tensor._make(np.ones(3), True, made_by_operation.grad_fn)
    for slot in Tensor.__slots__:
        if slot != "__weakref__":
            assert hasattr(made_by_operation, slot), slot
            assert hasattr(made_directly, slot), slot


def test_no_two_handed_out_gradients_share_memory():
    """Add passes one gradient array to both inputs; each leaf must get its own (so in-place changes stay local)."""
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 4.0], requires_grad=True)
    (a + b).backward(ag.tensor([1.0, 1.0]))  # the seed array itself reaches both leaves
    assert not np.shares_memory(a.grad.data, b.grad.data)
    a.grad.mul_(10.0)
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])
    first, second, again = ag.grad(a + b, [a, b, a], grad_outputs=ag.tensor([1.0, 1.0]))
    arrays = [first.data, second.data, again.data]
    assert not any(np.shares_memory(x, y) for i, x in enumerate(arrays) for y in arrays[i + 1:])
