"""Running sums and products: ``cumsum`` and ``prod``, with their local derivatives.

For out_i = sum_{j <= i} a_j the vector-Jacobian product is the reversed
running sum, g_in_j = sum_{i >= j} g_i. For out = prod_j a_j the derivative
d out/d a_i is the product of the other entries, prod_{j != i} a_j; it is
out / a_i where a_i != 0, and is formed without dividing where a slice holds
a zero, so a zero entry never turns the gradient into NaN.
"""
from ..function import Function
from .reduce import _kept_shape, _normalize_axes


class CumSum(Function):
    """out_i = sum_{j <= i} a_j along ``axis`` (the flattened array for None); g_in_j = sum_{i >= j} g_i."""

    differentiable_backward = True

    def forward(ctx, a, axis=None):
        ctx.axis = axis
        ctx.input_shape = a.shape
        return ctx.xp.cumsum(a, axis=axis)

    def backward(ctx, grad_output):
        F = ctx.F
        axis = 0 if ctx.axis is None else ctx.axis
        reversed_sum = F.flip(F.cumsum(F.flip(grad_output, axis), axis), axis)
        return (reversed_sum.reshape(ctx.input_shape),)


class Prod(Function):
    """out = prod_j a_j over axes; d out/d a_i = prod_{j != i} a_j (0 * inf never arises, even at a_i = 0).

    Where a slice has no zero, the derivative is out / a_i. Where it has
    exactly one zero, every other entry's derivative is 0 and the zero's is
    the product of the non-zero entries. With two or more zeros all are 0.
    Second derivatives are exact too, except at slices with two or more
    zeros, where recording the backward raises rather than return a wrong value.
    """

    differentiable_backward = True

    def forward(ctx, a, axis=None, keepdims=False):
        ctx.input_shape = a.shape
        ctx.axes = _normalize_axes(axis, a.ndim)
        ctx.kept_shape = _kept_shape(a.shape, ctx.axes)
        out = ctx.xp.prod(a, axis=axis, keepdims=keepdims)
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, grad_output):
        a, out = ctx.saved_tensors
        F = ctx.F
        expand = _expander(F, ctx.kept_shape, ctx.input_shape)
        is_zero = a == 0
        zero_count = F.sum(is_zero, axis=ctx.axes, keepdims=True)
        if not bool((zero_count > 0).any()):
            return (expand(grad_output) * expand(out) / a,)
        if not bool((zero_count < 2).all()) and not _is_array(a):
            raise ValueError("prod: second derivatives at a slice with two or more zero entries are not supported; "
                             "the first derivative there is 0, the second is not")
        others_of_zero = F.prod(F.where(is_zero, 1.0, a), axis=ctx.axes, keepdims=True) * (zero_count == 1)
        others = F.where(is_zero, expand(others_of_zero), expand(out) / F.where(is_zero, 1.0, a))
        return (expand(grad_output) * others,)


def _expander(F, kept_shape, input_shape):
    def expand(value):
        return F.broadcast_to(value.reshape(kept_shape), input_shape)

    return expand


def _is_array(value):
    return hasattr(value, "__array_interface__") or hasattr(value, "__cuda_array_interface__")


def cumsum(a, axis=None):
    """Running sums along ``axis`` (over the flattened array when ``axis`` is None, as NumPy does)."""
    return CumSum.apply(a, axis=axis)


def prod(a, axis=None, keepdims=False):
    """The product of the entries over ``axis``."""
    return Prod.apply(a, axis=axis, keepdims=keepdims)
