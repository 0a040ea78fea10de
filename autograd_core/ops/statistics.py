"""The standard deviation, and ``any``/``all`` along an axis.

``std`` is NumPy's: the square root of ``var`` with ``ddof=0`` (divide by
n) unless told otherwise; PyTorch's ``correction=`` (its name for ddof) and
``unbiased=`` (ddof 1 or 0) are accepted too. It is computed as
||a - mean(a)||_2 / sqrt(n - ddof) through the norm, whose subgradient at 0
makes the derivative at a constant slice 0 instead of the 0 * inf = NaN of
sqrt(var) (the same kink as the norm's, Section 3.2's subgradients).
"""
from .. import backend
from ..tensor import Tensor
from .reduce import _normalize_axes, mean, norm


def std(a, axis=None, keepdims=False, ddof=0, correction=None, unbiased=None):
    """sqrt(sum_i (a_i - mean)^2 / (n - ddof)) over ``axis``; ``correction`` or ``unbiased`` set ddof as in PyTorch."""
    given = [name for name, value in (("correction", correction), ("unbiased", unbiased)) if value is not None]
    if ddof != 0:
        given.append("ddof")
    if len(given) > 1:
        raise TypeError(f"std: give at most one of ddof=, correction= and unbiased=, got {', '.join(given)}")
    if correction is not None:
        ddof = correction
    elif unbiased is not None:
        ddof = 1 if unbiased else 0
    shape = tuple(a.shape)
    count = 1
    for index in _normalize_axes(axis, len(shape)):
        count *= shape[index]
    if count - ddof <= 0:
        raise ValueError(f"std over {count} entries with ddof={ddof} divides by {count - ddof}")
    centred = a - mean(a, axis=axis, keepdims=True)
    return norm(centred, axis=axis, keepdims=keepdims) * (1.0 / (count - ddof)) ** 0.5


def _logical(name, a, axis, keepdims):
    data = a.data if isinstance(a, Tensor) else a
    xp = backend.get_array_module(data)
    result = getattr(xp, name)(xp.asarray(data), axis=axis, keepdims=keepdims)
    if axis is None and not keepdims:
        return bool(result)
    return Tensor._make(xp.asarray(result), False, None)


def any(a, axis=None, keepdims=False):
    """Whether any entry is non-zero: a Python bool overall, a boolean tensor along ``axis``."""
    return _logical("any", a, axis, keepdims)


def all(a, axis=None, keepdims=False):
    """Whether every entry is non-zero: a Python bool overall, a boolean tensor along ``axis``."""
    return _logical("all", a, axis, keepdims)
