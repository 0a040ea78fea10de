"""Bad input gets a clear error that says what was wrong, never a wrong answer."""
import re

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Function, Tensor, backend


def leaf(*shape):
    return Tensor(np.ones(shape), requires_grad=True)


SHAPE_MISMATCHES = [
    ("Add", lambda: leaf(2, 3) + leaf(4), ["(2, 3)", "(4,)"]),
    ("Add", lambda: np.ones(4) + leaf(2, 3), ["(4,)", "(2, 3)"]),
    ("Sub", lambda: leaf(2, 3) - np.ones((3, 2)), ["(2, 3)", "(3, 2)"]),
    ("Mul", lambda: leaf(2, 3) * leaf(2, 2), ["(2, 3)", "(2, 2)"]),
    ("Div", lambda: leaf(5) / leaf(3), ["(5,)", "(3,)"]),
    ("Pow", lambda: leaf(2, 3) ** leaf(2), ["(2, 3)", "(2,)"]),
    ("Maximum", lambda: ag.maximum(leaf(2, 3), leaf(4)), ["(2, 3)", "(4,)"]),
    ("Minimum", lambda: ag.minimum(leaf(3), np.ones(2)), ["(3,)", "(2,)"]),
    ("Where", lambda: ag.where(np.ones(4, bool), leaf(2, 3), 0.0), ["(4,)", "(2, 3)"]),
    ("LeakyReLU", lambda: ag.leaky_relu(leaf(2, 3), leaf(4)), ["(2, 3)", "(4,)"]),
    ("matmul", lambda: leaf(2, 3) @ leaf(2, 3), ["(2, 3)", "(2, 3)"]),
    ("matmul", lambda: leaf(3) @ leaf(2, 4, 2), ["(3,)", "(2, 4, 2)"]),
    ("concatenate", lambda: ag.concatenate([leaf(2, 3), leaf(2, 4)]), ["(2, 3)", "(2, 4)"]),
    ("stack", lambda: ag.stack([leaf(2, 3), leaf(3, 2)]), ["(2, 3)", "(3, 2)"]),
    ("reshape", lambda: leaf(2, 3).reshape(4), ["(2, 3)", "(4,)"]),
    ("broadcast_to", lambda: leaf(2, 3).broadcast_to((4, 3)), ["(2, 3)", "(4, 3)"]),
    ("mse", lambda: ag.mse(leaf(2, 3), np.ones(4)), ["(2, 3)", "(4,)"]),
    ("cross_entropy", lambda: ag.cross_entropy(leaf(2, 3), np.array([0, 1, 2])), ["(3,)", "(2,)"]),
    ("cross_entropy", lambda: ag.cross_entropy(leaf(2, 3), np.ones((2, 4)) / 4), ["(2, 4)", "(2, 3)"]),
    ("binary_cross_entropy", lambda: ag.binary_cross_entropy(leaf(2, 3), np.ones(3)), ["(3,)", "(2, 3)"]),
]


@pytest.mark.parametrize("operation, make, shapes", SHAPE_MISMATCHES,
                         ids=[f"{operation}-{number}" for number, (operation, _, _) in enumerate(SHAPE_MISMATCHES)])
def test_shape_mismatch_names_both_shapes_and_the_operation(operation, make, shapes):
    with pytest.raises(ValueError) as error:
        make()
    message = str(error.value)
    assert operation in message
    for shape in shapes:
        assert shape in message


@pytest.mark.parametrize("make", [
    lambda: Tensor([1, 2, 3], requires_grad=True),
    lambda: Tensor(np.array([True, False]), requires_grad=True),
    lambda: ag.tensor(np.arange(3, dtype=np.int32), requires_grad=True),
    lambda: Tensor(np.array([1.5, 2.5]), dtype=np.int64, requires_grad=True),
    lambda: Tensor(7, requires_grad=True),
], ids=["int list", "bool array", "int32 via ag.tensor", "float data cast to int", "Python int"])
def test_integer_and_boolean_tensors_cannot_require_grad(make):
    with pytest.raises(TypeError, match=r"only floating-point tensors can require gradients, got dtype (int|bool)"):
        make()


def test_integer_data_with_a_float_dtype_may_require_grad():
    t = Tensor([1, 2, 3], dtype=np.float64, requires_grad=True)
    assert t.dtype == np.float64 and t.requires_grad


@pytest.mark.parametrize("data, dtype_text", [
    (np.array([1 + 2j]), "complex128"),
    (np.array([None, 1.0], dtype=object), "object"),
    ("text", "<U4"),
    (["a", "bc"], "<U2"),
    (np.array([b"x"]), "|S1"),
    (np.array(["2024-01-01"], dtype="datetime64[D]"), "datetime64"),
], ids=["complex", "object", "string", "strings", "bytes", "datetime"])
def test_unsupported_dtypes_are_refused_naming_the_dtype(data, dtype_text):
    with pytest.raises(TypeError, match=re.escape(f"unsupported dtype {dtype_text}")):
        Tensor(data)


def test_backward_on_a_non_scalar_without_a_gradient():
    y = leaf(2, 3) * 2.0
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\) needs its gradient"):
        y.backward()
    with pytest.raises(RuntimeError, match="needs its gradient"):
        ag.grad(y, y)


def test_backward_with_a_gradient_of_the_wrong_shape():
    y = leaf(3) * 2.0
    with pytest.raises(ValueError, match=r"gradient has shape \(2,\) but the output has shape \(3,\)"):
        y.backward(np.ones(2))


def test_backward_through_a_released_graph():
    x = leaf(3)
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="second time.*released.*retain_graph=True"):
        loss.backward()


def test_grad_through_a_released_graph():
    x = leaf(3)
    loss = ag.exp(x).sum()
    ag.grad(loss, x)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        ag.grad(loss, x)


def test_item_on_a_many_element_tensor():
    with pytest.raises(ValueError, match=r"exactly one element.*shape \(2, 3\) \(6 elements\)"):
        leaf(2, 3).item()
    assert leaf(1, 1).item() == 1.0


def test_truth_value_and_length_of_ambiguous_tensors():
    with pytest.raises(ValueError, match="ambiguous"):
        bool(leaf(2))
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))


def test_count_paths_between_unconnected_nodes_is_zero_not_an_error():
    a = Tensor(1.0, requires_grad=True)
    b = Tensor(2.0, requires_grad=True)
    out = a * 3.0 + 1.0
    assert ag.count_paths(out, b) == 0
    assert list(ag.paths(out, b)) == []
    assert ag.count_paths(b, a) == 0  # b is a leaf: nothing leads into it


def test_path_sum_above_the_limit_states_the_count_and_the_way_out():
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(12):
        y = y * y  # 2^12 paths
    assert ag.count_paths(y, x) == 4096
    with pytest.raises(ValueError, match="4096 paths, more than max_paths=100.*max_paths=4096"):
        ag.grad(y, x, method="paths", max_paths=100)
    with pytest.raises(ValueError, match="max_paths=1000000"):
        y2 = x
        for _ in range(21):
            y2 = y2 * y2
        ag.grad(y2, x, method="paths")  # the default limit is 10**6


def test_in_place_change_of_a_saved_input_is_detected_at_backward():
    x = leaf(3)
    loss = (x * x).sum()
    with ag.no_grad():
        x += 1  # a versioned in-place change (writes through x.data bypass the engine)
    with pytest.raises(RuntimeError, match=r"Mul saved for backward was modified in place.*version is now 1"):
        loss.backward()


def test_an_optimiser_style_update_before_backward_is_detected():
    W = Tensor(np.ones((2, 2)), requires_grad=True)
    W.grad = Tensor(np.ones((2, 2)))
    loss = (Tensor(np.ones(2)) @ W).sum() * 1.0
    with ag.no_grad():
        W -= 0.1 * W.grad
    with pytest.raises(RuntimeError, match="MatMul saved for backward was modified in place"):
        loss.backward()


def test_in_place_change_of_a_saved_output_is_detected():
    x = leaf(3)
    y = ag.exp(x)  # exp saves its output
    loss = y.sum()
    with ag.no_grad():
        y *= 2
    with pytest.raises(RuntimeError, match="Exp saved for backward was modified in place"):
        loss.backward()


def test_in_place_change_is_detected_in_the_path_sum_mode_too():
    x = leaf(3)
    loss = (x * x).sum()
    with ag.no_grad():
        x.add_(1)
    with pytest.raises(RuntimeError, match="modified in place"):
        ag.grad(loss, x, method="paths")


def test_in_place_change_of_a_tensor_that_was_not_saved_is_harmless():
    x = leaf(3)
    loss = (x + 1.0).sum()  # addition saves nothing: its derivative does not depend on x
    with ag.no_grad():
        x += 1
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(3))


def test_rebinding_data_leaves_the_saved_arrays_of_the_forward_pass_intact():
    x = leaf(3)
    loss = (x * x).sum()
    x.data = x.data + 1.0  # a new array: the forward pass's array is unchanged
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 2.0))  # 2x at the x of the forward pass


def test_assigning_into_a_tensor_is_refused():
    with pytest.raises(TypeError, match="cannot be assigned to by indexing"):
        leaf(3)[0] = 5.0


def test_a_list_of_tensors_is_not_silently_detached():
    with pytest.raises(TypeError, match="ag.stack"):
        Tensor([leaf(), leaf()])


def test_gradients_of_outputs_that_record_nothing():
    constant = Tensor(np.ones(3))
    with pytest.raises(RuntimeError, match="does not require gradients"):
        (constant * 2.0).sum().backward()
    x = leaf(3)
    with ag.no_grad():
        y = (x * 2.0).sum()
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()


def test_grad_inputs_must_require_grad_and_be_connected():
    x, unused = leaf(3), leaf(2)
    with pytest.raises(ValueError, match="requires_grad=True"):
        ag.grad((x * 2.0).sum(), Tensor(np.ones(3)))
    with pytest.raises(ValueError, match=r"shape \(2,\) is not connected.*allow_unused=True"):
        ag.grad((x * 2.0).sum(), [x, unused])


def test_grad_output_count_and_method_name_are_checked():
    x = leaf(3)
    with pytest.raises(ValueError, match="got 2 outputs but 1 output gradients"):
        ag.backward([(x * 2.0).sum(), (x * 3.0).sum()], [None])
    with pytest.raises(ValueError, match="method must be 'dp' or 'paths', got 'forward'"):
        ag.grad(x.sum(), x, method="forward")


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: leaf(2, 3).sum(axis=2), ValueError, "axis 2 is out of range for a tensor with 2 dimensions"),
    (lambda: leaf(2, 3).max(axis=(0, -3)), ValueError, "axis -3 is out of range"),
    (lambda: ag.logsumexp(leaf(2), axis=1), ValueError, "axis 1 is out of range"),
    (lambda: leaf(0, 3).max(), ValueError, r"max of an empty tensor of shape \(0, 3\)"),
    (lambda: leaf(1).var(ddof=1), ValueError, "ddof=1 divides by 0"),
    (lambda: leaf(2, 3).squeeze(0), ValueError, r"axis 0 of shape \(2, 3\) has size 2, not 1"),
    (lambda: leaf(3)[5], IndexError, r"index 5 into a tensor of shape \(3,\)"),
    (lambda: Tensor(1.0) @ leaf(3), ValueError, "at least one dimension"),
    (lambda: ag.clip(leaf(3)), ValueError, "at least one of low and high"),
    (lambda: ag.concatenate([]), ValueError, "at least one tensor"),
    (lambda: ag.stack([]), ValueError, "at least one tensor"),
    (lambda: ag.mse(leaf(3), np.ones(3), reduction="avg"), ValueError, "reduction must be one of"),
    (lambda: ag.cross_entropy(leaf(2, 3), np.array([0, 3])), ValueError, r"labels must lie in \[0, 2\]"),
    (lambda: ag.cross_entropy(leaf(2, 3), leaf(2, 3)), ValueError, "targets are constants"),
], ids=["sum axis", "max axis tuple", "logsumexp axis", "empty max", "var ddof", "squeeze", "index",
        "matmul 0-d", "clip", "concatenate empty", "stack empty", "reduction", "labels", "target requires grad"])
def test_bad_arguments_to_operations(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


def test_unknown_devices_and_a_missing_gpu(monkeypatch):
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        Tensor(1.0, device="tpu")
    with pytest.raises(ValueError, match="cuda:x"):
        Tensor(1.0).to("cuda:x")
    monkeypatch.setattr(backend, "cupy_module", lambda: None)
    with pytest.raises(RuntimeError, match="CuPy is not installed or no CUDA device is visible"):
        Tensor(1.0).to("cuda")


def test_hooks_need_a_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match="does not require gradients"):
        Tensor(np.ones(2)).register_hook(lambda grad: grad)


def test_custom_functions_must_define_their_derivatives():
    with pytest.raises(TypeError, match="must define backward.*or jacobian"):
        type("NoDerivative", (Function,), {"forward": staticmethod(lambda ctx, a: a)})
    with pytest.raises(TypeError, match="must define forward"):
        type("NoForward", (Function,), {"backward": staticmethod(lambda ctx, g: g)})


def test_custom_function_returning_the_wrong_number_of_gradients():
    class TwoGradients(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, grad_output

    with pytest.raises(RuntimeError, match="TwoGradients.backward returned 2 gradients for 1 inputs"):
        TwoGradients.apply(leaf(3)).sum().backward()


def test_custom_jacobian_of_the_wrong_shape():
    class WrongJacobian(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def jacobian(ctx):
            return np.eye(2)

    with pytest.raises(ValueError, match=r"shape \(2, 2\); expected \(output size, input size\) = \(3, 3\)"):
        WrongJacobian.apply(leaf(3)).sum().backward()


def test_functional_and_gradcheck_arguments_are_checked():
    x = leaf(3)
    with pytest.raises(ValueError, match="hessian needs a scalar function"):
        ag.hessian(lambda t: t * 2.0, x)
    with pytest.raises(ValueError, match=r"v has shape \(2,\) but x has shape \(3,\)"):
        ag.hvp(lambda t: (t * t).sum(), x, np.ones(2))
    with pytest.raises(ValueError, match="'exact' or 'finite_difference'"):
        ag.hvp(lambda t: (t * t).sum(), x, np.ones(3), method="secant")
    with pytest.raises(ValueError, match="'central' or 'forward'"):
        ag.gradcheck(lambda t: t.sum(), x, method="backward")
    with pytest.raises(ValueError, match="input 0 must be a Tensor with requires_grad=True"):
        ag.gradcheck(lambda t: t.sum(), Tensor(np.ones(3)))
