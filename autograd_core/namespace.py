"""The two namespaces a backward is written over: arrays, or recorded Tensor operations.

A built-in operation's ``backward`` calls ``ctx.F.exp``, ``ctx.F.where``,
``ctx.F.softmax`` ... In an ordinary backward pass ``F`` is an
``ArrayNamespace`` over NumPy or CuPy (plain array arithmetic, no graph); with
``create_graph=True`` it is the package's own operations (``autograd_core.ops``),
so the same code records a differentiable graph of the backward pass. Both
offer the same names with NumPy's signatures.
"""
import math

import numpy

NUMPY_NAMES = (
    "exp", "log", "sqrt", "sin", "cos", "tanh", "abs", "sign", "where", "maximum", "minimum",
    "matmul", "swapaxes", "transpose", "broadcast_to", "reshape", "sum", "expand_dims", "clip",
    "cumsum", "flip", "tril", "triu", "einsum", "prod",
)


class ArrayNamespace:
    """NumPy's (or CuPy's) functions, plus the few composite ones that backward passes share."""

    def __init__(self, xp):
        self.xp = xp
        for name in NUMPY_NAMES:
            setattr(self, name, getattr(xp, name))

    def sigmoid(self, x):
        """sigma(x) = 1 / (1 + exp(-x)) for x >= 0 and exp(x) / (1 + exp(x)) for x < 0.

        Both forms take exp of -|x| <= 0, which never overflows, and neither
        subtracts nearly equal numbers, so the result is accurate to a few ulp
        over the whole range in float32 and float64 (the tanh form loses all
        relative precision for x below about -17 in float32 and -37 in float64).
        """
        xp = self.xp
        decay = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1.0 / (1.0 + decay), decay / (1.0 + decay))

    def erf(self, x):
        """erf(x), from SciPy (cupyx on the GPU) when installed, else the C library's ``math.erf`` per entry."""
        if self.xp is numpy:
            return _numpy_erf(x)
        from cupyx.scipy.special import erf

        return erf(x)

    def logsumexp(self, x, axis=None, keepdims=False):
        """log sum exp(x), shifted by the maximum; rows that are all -inf give -inf, not NaN."""
        xp = self.xp
        shift = xp.max(x, axis=axis, keepdims=True)
        shift = xp.where(xp.isfinite(shift), shift, 0.0)
        with numpy.errstate(divide="ignore"):
            out = xp.log(xp.sum(xp.exp(x - shift), axis=axis, keepdims=True)) + shift
        return out if keepdims else _drop_axes(out, axis)

    def log_softmax(self, x, axis=-1):
        return x - self.logsumexp(x, axis=axis, keepdims=True)

    def softmax(self, x, axis=-1):
        xp = self.xp
        shifted = xp.exp(x - xp.max(x, axis=axis, keepdims=True))
        return shifted / xp.sum(shifted, axis=axis, keepdims=True)

    def scatter_add(self, values, index, shape):
        """An array of zeros of ``shape`` with ``values`` added at ``index`` (repeated indices accumulate)."""
        out = self.xp.zeros(shape, dtype=values.dtype)
        if _is_basic_index(index):
            out[index] = values
        elif hasattr(self.xp.add, "at"):
            self.xp.add.at(out, index, values)
        else:  # CuPy versions without ufunc.at
            import cupyx

            cupyx.scatter_add(out, index, values)
        return out


def _numpy_erf(x):
    try:
        from scipy.special import erf
    except ImportError:  # SciPy is optional: the C library's erf is exact, only slower
        x = numpy.asarray(x)
        dtype = x.dtype if x.dtype.kind == "f" else numpy.float64
        return numpy.asarray(numpy.frompyfunc(math.erf, 1, 1)(x), dtype=dtype)
    return erf(x)


def _drop_axes(array, axis):
    if axis is None:
        return array.reshape(())
    return array.squeeze(axis=axis)


def _is_basic_index(index):
    """True when ``index`` selects each element at most once (ints, slices, None, Ellipsis)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(item, (int, slice, type(None), type(Ellipsis))) for item in items)


_namespaces = {}


def array_namespace(xp):
    """The shared ``ArrayNamespace`` of an array module."""
    namespace = _namespaces.get(xp)
    if namespace is None:
        namespace = _namespaces[xp] = ArrayNamespace(xp)
    return namespace
