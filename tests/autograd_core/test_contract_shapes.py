"""Contract: every gradient has its input's shape, losses never broadcast, and shape rules follow NumPy.

The engine checks each gradient against its input's shape centrally, whatever
produced it: a built-in backward, a custom ``Function``'s ``backward`` or
``jacobian``, or a hook. Casts to integers are not differentiable. Axes are
validated as NumPy validates them, also for 0-d tensors.
"""
import re
import warnings

import numpy as np
import pytest

import autograd_core as ag


def leaf(*shape, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


# --- every gradient has its input's shape ------------------------------------------------------
class WrongShape(ag.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad_output):
        return np.ones(5)


class NumberGradient(ag.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad_output):
        return 2.0


class BroadcastGradient(ag.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad_output):
        return 2.0 * grad_output[None, :]  # shape (1, 3) for a (3,) input: summed back like broadcasting


class WrongJacobian(ag.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def jacobian(ctx):
        return np.eye(4)


def test_a_custom_backward_with_the_wrong_shape_is_an_error_naming_operation_input_and_shapes():
    x = leaf(3)
    x.name = "x"
    with pytest.raises(ValueError, match=r"WrongShape.backward returned a gradient of shape \(5,\) for its input 0 "
                                         r"'x' of shape \(3,\)"):
        WrongShape.apply(x).sum().backward()
    assert x.grad is None


def test_a_custom_backward_may_return_a_number_for_a_scalar_input_or_a_broadcast_shape():
    s = ag.tensor(1.5, requires_grad=True)
    NumberGradient.apply(s).backward()
    assert s.grad.item() == 2.0 and s.grad.shape == ()
    x = leaf(3)
    BroadcastGradient.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 2.0))
    with pytest.raises(ValueError, match=r"NumberGradient.backward returned a gradient of shape \(\) for its input 0 "
                                         r"of shape \(3,\)"):
        NumberGradient.apply(leaf(3)).sum().backward()


def test_a_custom_jacobian_with_the_wrong_shape_is_an_error():
    with pytest.raises(ValueError, match=r"WrongJacobian.jacobian returned a matrix of shape \(4, 4\)"):
        WrongJacobian.apply(leaf(3)).sum().backward()


def test_a_hook_that_changes_the_gradient_shape_is_an_error():
    x = leaf(3)
    x.register_hook(lambda grad: ag.tensor(np.ones(5)))
    with pytest.raises(ValueError, match=r"hook <lambda> on a leaf returned a gradient of shape \(5,\); it must keep "
                                         r"the gradient's shape \(3,\)"):
        (x * 2.0).sum().backward()
    y = leaf(3)
    hidden = y * 2.0
    hidden.register_hook(lambda grad: grad.reshape(3, 1))
    with pytest.raises(ValueError, match=r"on the output of Mul returned a gradient of shape \(3, 1\)"):
        hidden.sum().backward()


def test_a_hook_keeping_the_shape_still_replaces_the_gradient():
    x = leaf(3)
    x.register_hook(lambda grad: grad * 10.0)
    (x * 2.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 20.0))


# --- losses never broadcast ---------------------------------------------------------------------
def test_mse_refuses_a_prediction_and_target_of_different_shapes():
    prediction = leaf(3, 1)
    with pytest.raises(ValueError, match=r"mse: the prediction has shape \(3, 1\) but the target has shape \(3,\)"):
        ag.mse(prediction, np.zeros(3))
    with pytest.raises(ValueError, match="mse"):
        ag.mse(prediction, ag.tensor(np.zeros((1, 3))))
    with pytest.raises(TypeError, match="target must be a Tensor"):
        ag.mse(prediction, None)
    loss = ag.mse(prediction, np.zeros((3, 1)))
    assert loss.item() == pytest.approx(np.mean(prediction.numpy() ** 2))


# --- casts ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [int, np.int32, np.int64, np.uint8, bool])
def test_a_cast_to_integers_or_booleans_is_not_differentiable(dtype):
    x = leaf(3)
    cast = x.astype(dtype)
    assert not cast.requires_grad and cast.grad_fn is None
    assert cast.dtype == np.dtype(dtype)


def test_a_cast_between_floating_point_dtypes_is_recorded():
    x = leaf(3)
    single = x.astype(np.float32)
    assert single.requires_grad and single.dtype == np.float32
    (single * 2.0).sum().backward()
    assert x.grad.dtype == np.float64
    with pytest.raises(TypeError, match="complex"):
        x.astype(np.complex128)


# --- bugs other engines' test suites found ---------------------------------------------------------
def test_transpose_with_negative_axes_back_propagates_the_right_permutation():
    x = leaf(3, 4)
    weights = np.arange(12.0).reshape(4, 3)
    (ag.transpose(x, (-1, 0)) * weights).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), weights.T)
    y = leaf(3, 4, 5, 6)
    out = ag.transpose(y, (-2, -1, 1, 0))
    assert out.shape == (5, 6, 4, 3)
    (out * out).sum().backward()
    assert y.grad.shape == (3, 4, 5, 6)
    np.testing.assert_allclose(y.grad.numpy(), 2 * y.numpy())
    ag.gradcheck(lambda t: ag.transpose(t, (-2, -1, 1, 0)), [leaf(2, 3, 2, 2)])
    with pytest.raises(ValueError, match="not a permutation"):
        ag.transpose(x, (0, 0))
    with pytest.raises(ValueError, match="out of range"):
        ag.transpose(x, (0, 2))


def test_the_gradient_of_x_to_the_power_0_at_0_is_0():
    x = ag.tensor([0.0, 2.0], requires_grad=True)
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])
    y = ag.tensor([0.0, 2.0, 0.0], requires_grad=True)
    exponent = ag.tensor([0.0, 0.0, 2.0], requires_grad=True)
    (y ** exponent).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [0.0, 0.0, 0.0])
    assert np.all(np.isfinite(exponent.grad.numpy()))


@pytest.mark.parametrize("reduce", [ag.mean, ag.var])
def test_mean_and_var_over_an_empty_axis_are_nan(reduce):
    x = ag.tensor(np.ones((0, 3)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning either
        out = reduce(x, axis=0)
        assert out.shape == (3,)
        assert np.all(np.isnan(out.numpy()))
        assert np.isnan(reduce(x).item())
        reduce(x).backward()
    assert x.grad.shape == (0, 3)


ZERO_D_REDUCTIONS = {
    "sum": ag.sum, "mean": ag.mean, "max": ag.max, "min": ag.min, "logsumexp": ag.logsumexp, "var": ag.var,
    "norm": ag.norm,
}


@pytest.mark.parametrize("name", sorted(ZERO_D_REDUCTIONS))
@pytest.mark.parametrize("axis", [0, -1, (0,), None])
def test_every_reduction_of_a_0d_tensor_accepts_axis_0_and_minus_1(name, axis):
    s = ag.tensor(1.5, requires_grad=True)
    out = ZERO_D_REDUCTIONS[name](s, axis=axis)
    expected = {"var": 0.0}.get(name, 1.5)
    assert out.shape == () and out.item() == pytest.approx(expected)
    out.backward()
    assert s.grad.shape == ()


@pytest.mark.parametrize("name", sorted(ZERO_D_REDUCTIONS))
def test_every_reduction_of_a_0d_tensor_refuses_other_axes(name):
    with pytest.raises(ValueError, match="axis 1 is out of range for a tensor with 0 dimensions"):
        ZERO_D_REDUCTIONS[name](ag.tensor(1.5), axis=1)


def test_squeeze_of_a_0d_tensor():
    s = ag.tensor(2.0, requires_grad=True)
    assert ag.squeeze(s, 0).shape == () and ag.squeeze(s, -1).shape == ()
    ag.squeeze(s, 0).backward()
    assert s.grad.item() == 1.0
    with pytest.raises(ValueError, match="out of range"):
        ag.squeeze(s, 1)


def test_expand_dims_refuses_an_axis_out_of_range():
    x = leaf(3)
    assert ag.expand_dims(x, 1).shape == (3, 1) and ag.expand_dims(x, -2).shape == (1, 3)
    for axis in (5, 2, -3):
        with pytest.raises(ValueError, match=f"expand_dims: axis {axis} is out of range"):
            ag.expand_dims(x, axis)


def test_reshape_accepts_only_minus_1_for_an_unknown_size():
    x = leaf(2, 3)
    assert x.reshape(-1).shape == (6,) and x.reshape(3, -1).shape == (3, 2)
    for shape in [(-5,), (-2, 3), (-1, -1), (2.0, 3)]:
        with pytest.raises(ValueError, match="reshape"):
            x.reshape(*shape)


# --- inputs that are not tensors, at the engine's level -----------------------------------------------------
@pytest.mark.parametrize("call, named", [
    (lambda: ag.relu(None), "ReLU: argument 1 must be a Tensor, an array or a number, got NoneType"),
    (lambda: ag.sigmoid([1.0, 2.0]), "wrap a list with ag.tensor"),
    (lambda: ag.sum(None), "Sum: argument 1"),
    (lambda: ag.tensor(1.0) + None, "Add: argument 2"),
    (lambda: ag.tensor(1.0) * "a", "Mul: argument 2 must be a Tensor, an array or a number, got str"),
    (lambda: ag.cross_entropy(None, np.array([0])), "CrossEntropy: argument 1"),
    (lambda: ag.cross_entropy([[1.0, 2.0]], np.array([0])), "CrossEntropy: argument 1"),
])
def test_none_strings_and_lists_where_a_tensor_belongs_are_named(call, named):
    with pytest.raises(TypeError, match=re.escape(named)):
        call()


def test_concatenate_refuses_an_axis_out_of_range_and_0d_tensors():
    a = ag.tensor(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"concatenate: axis 5 is out of range for a tensor with 2 dimensions"):
        ag.concatenate([a, a], axis=5)
    with pytest.raises(ValueError, match="0-d tensors have no axis"):
        ag.concatenate([ag.tensor(1.0), ag.tensor(2.0)])
    np.testing.assert_array_equal(ag.concatenate([a, a], axis=-1).numpy(), np.ones((2, 4)))


def test_cross_entropy_over_an_empty_batch_is_nan_like_every_mean_and_its_gradient_is_empty():
    logits = ag.tensor(np.zeros((0, 3)), requires_grad=True)
    loss = ag.cross_entropy(logits, np.zeros(0, dtype=np.int64))
    assert np.isnan(loss.item())
    loss.backward()
    assert logits.grad.shape == (0, 3)
