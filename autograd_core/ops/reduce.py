"""Reductions and normalisers: sum, mean, var, max, min, norm, logsumexp, softmax, log_softmax.

Reductions take NumPy's ``axis=`` (None, an int or a tuple) and ``keepdims=``.
The gradient of max goes to the maximal entry (Table 3.1); where several
entries tie for the maximum, it is split evenly between them.
"""
import builtins

import numpy

from ..function import Function


def _normalize_axes(axis, ndim):
    """The reduced axes as sorted non-negative indices.

    A 0-d tensor accepts axis 0 or -1 (and reduces over nothing), as NumPy's
    ``sum`` does and PyTorch does for every reduction; this rule holds for
    every reduction here, so ``sum``, ``mean``, ``max`` and ``logsumexp`` agree.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    normalized = []
    for item in axes:
        if isinstance(item, bool) or not isinstance(item, (int, numpy.integer)):
            raise TypeError(f"axis must be None, an integer or a tuple of integers, got {axis!r}")
        bound = builtins.max(ndim, 1)  # this module's max is the reduction
        if not -bound <= item < bound:
            raise ValueError(f"axis {item} is out of range for a tensor with {ndim} dimensions "
                             f"(valid: {-bound} to {bound - 1})")
        if ndim:
            normalized.append(int(item) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"axis {axis} repeats an axis")
    return tuple(sorted(normalized))


def _numpy_axis(axis, ndim):
    """The axis to hand the array module: None for a 0-d tensor (whose only axes, 0 and -1, reduce nothing)."""
    if ndim == 0:
        _normalize_axes(axis, 0)
        return None
    return axis


def _kept_shape(shape, axes):
    """The shape of the reduced result with keepdims=True."""
    return tuple(1 if i in axes else size for i, size in enumerate(shape))


def _expand(ctx, grad_output):
    """Bring a reduced gradient back to the input's shape (the reduced axes broadcast)."""
    return ctx.F.broadcast_to(grad_output.reshape(ctx.kept_shape), ctx.input_shape)


class Sum(Function):
    """out = sum of a over axes; d out/d a_i = 1 for every summed entry."""

    differentiable_backward = True

    def forward(ctx, a, axis=None, keepdims=False):
        ctx.input_shape = a.shape
        ctx.kept_shape = _kept_shape(a.shape, _normalize_axes(axis, a.ndim))
        return ctx.xp.sum(a, axis=_numpy_axis(axis, a.ndim), keepdims=keepdims)

    def backward(ctx, grad_output):
        return (_expand(ctx, grad_output),)


class _Extremum(Function):
    """max or min over axes; the gradient goes to the extremal entries, split evenly among ties."""

    differentiable_backward = True
    reduce_name = ""

    def forward(ctx, a, axis=None, keepdims=False):
        if a.size == 0:
            raise ValueError(f"{ctx.reduce_name} of an empty tensor of shape {a.shape}")
        ctx.input_shape = a.shape
        ctx.axes = _normalize_axes(axis, a.ndim)
        ctx.kept_shape = _kept_shape(a.shape, ctx.axes)
        out = getattr(ctx.xp, ctx.reduce_name)(a, axis=_numpy_axis(axis, a.ndim), keepdims=keepdims)
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, grad_output):
        a, out = ctx.saved_tensors
        F = ctx.F
        is_extremal = a == F.broadcast_to(out.reshape(ctx.kept_shape), ctx.input_shape)
        ties = F.sum(is_extremal, axis=ctx.axes, keepdims=True)
        return (_expand(ctx, grad_output) * is_extremal / ties,)


class Max(_Extremum):
    reduce_name = "max"


class Min(_Extremum):
    reduce_name = "min"


class Norm(Function):
    """out = ||a||_2 = sqrt(sum_i a_i^2) over axes; d out/d a_i = a_i / out, and 0 where out = 0.

    At a = 0 the norm has a kink; 0 is a subgradient there (any vector of the
    unit ball is one). The composite ``sqrt((a * a).sum())`` cannot give it:
    its chain rule multiplies sqrt's infinite slope at 0 by 2a = 0, which is NaN.
    """

    differentiable_backward = True

    def forward(ctx, a, axis=None, keepdims=False):
        ctx.input_shape = a.shape
        ctx.kept_shape = _kept_shape(a.shape, _normalize_axes(axis, a.ndim))
        out = ctx.xp.sqrt(ctx.xp.sum(a * a, axis=_numpy_axis(axis, a.ndim), keepdims=keepdims))
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, grad_output):
        a, out = ctx.saved_tensors
        F = ctx.F
        expanded_out = F.broadcast_to(out.reshape(ctx.kept_shape), ctx.input_shape)
        nonzero = expanded_out > 0
        direction = F.where(nonzero, a / F.where(nonzero, expanded_out, 1.0), 0.0)
        return (_expand(ctx, grad_output) * direction,)


class LogSumExp(Function):
    """out = log sum_j exp(a_j); d out/d a_j = exp(a_j - out) (the softmax).

    Computed with the maximum shifted out; a slice that is all -inf gives
    -inf with gradient 0, never NaN.
    """

    differentiable_backward = True

    def forward(ctx, a, axis=None, keepdims=False):
        ctx.input_shape = a.shape
        ctx.kept_shape = _kept_shape(a.shape, _normalize_axes(axis, a.ndim))
        out = ctx.F.logsumexp(a, axis=_numpy_axis(axis, a.ndim), keepdims=keepdims)
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, grad_output):
        a, out = ctx.saved_tensors
        F = ctx.F
        expanded_out = F.broadcast_to(out.reshape(ctx.kept_shape), ctx.input_shape)
        finite = expanded_out > -float("inf")
        weights = F.exp(a - F.where(finite, expanded_out, 0.0))
        return (_expand(ctx, grad_output) * weights,)


class Softmax(Function):
    """o_i = exp(v_i) / sum_j exp(v_j); the vector-Jacobian product is o * (g - sum(g o))."""

    differentiable_backward = True

    def forward(ctx, a, axis=-1):
        ctx.axis = axis
        out = ctx.F.softmax(a, axis=axis)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        weighted = ctx.F.sum(grad_output * out, axis=ctx.axis, keepdims=True)
        return (out * (grad_output - weighted),)


class LogSoftmax(Function):
    """out_i = v_i - logsumexp(v); the vector-Jacobian product is g - softmax(v) sum(g)."""

    differentiable_backward = True

    def forward(ctx, a, axis=-1):
        ctx.axis = axis
        out = ctx.F.log_softmax(a, axis=axis)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        F = ctx.F
        return (grad_output - F.exp(out) * F.sum(grad_output, axis=ctx.axis, keepdims=True),)


def sum(a, axis=None, keepdims=False):
    return Sum.apply(a, axis=axis, keepdims=keepdims)


def _count(shape, axis):
    """How many entries a reduction over ``axis`` combines."""
    count = 1
    for index in _normalize_axes(axis, len(shape)):
        count *= shape[index]
    return count


def _reciprocal(count):
    """1 / count, and NaN for no entries: a mean of nothing is NaN, as in NumPy and PyTorch."""
    return 1.0 / count if count > 0 else float("nan")


def mean(a, axis=None, keepdims=False):
    """The arithmetic mean over ``axis``: the sum divided by the number of entries summed (NaN for none)."""
    return Sum.apply(a, axis=axis, keepdims=keepdims) * _reciprocal(_count(a.shape, axis))


def var(a, axis=None, keepdims=False, ddof=0):
    """The variance over ``axis`` (``ddof=0``: divide by n, as batch normalisation does in Eq. 3.59).

    Over an empty axis it is NaN, as in NumPy and PyTorch; ddof >= n > 0 is an
    error (it would divide by zero or a negative count).
    """
    if isinstance(ddof, bool) or not isinstance(ddof, (int, numpy.integer)) or ddof < 0:
        raise ValueError(f"var: ddof must be an integer >= 0, got {ddof!r}")
    centred = a - mean(a, axis=axis, keepdims=True)
    count = _count(a.shape, axis)
    if 0 < count <= ddof:
        raise ValueError(f"var over {count} entries with ddof={ddof} divides by {count - ddof}")
    return Sum.apply(centred * centred, axis=axis, keepdims=keepdims) * _reciprocal(count - ddof)


def max(a, axis=None, keepdims=False):
    return Max.apply(a, axis=axis, keepdims=keepdims)


def min(a, axis=None, keepdims=False):
    return Min.apply(a, axis=axis, keepdims=keepdims)


def norm(a, axis=None, keepdims=False):
    """The Euclidean (L2) norm over ``axis``, with the subgradient 0 at the zero vector."""
    return Norm.apply(a, axis=axis, keepdims=keepdims)


def logsumexp(a, axis=None, keepdims=False):
    return LogSumExp.apply(a, axis=axis, keepdims=keepdims)


def softmax(a, axis=-1):
    return Softmax.apply(a, axis=axis)


def log_softmax(a, axis=-1):
    return LogSoftmax.apply(a, axis=axis)
