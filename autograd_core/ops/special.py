"""Elementwise special functions beyond Table 3.1: log1p, expm1, log2, log10, exp2, erf, and rounding.

Each is one row in the style of Table 3.1: the forward on arrays and the
local derivative d out/d a beside it. ``log1p`` and ``expm1`` keep their
precision near 0 where log(1 + a) and exp(a) - 1 would lose it. ``floor``,
``ceil`` and ``round`` are piecewise constant: their derivative is 0 wherever
it exists, and 0 is used at the jumps too (PyTorch's choice), so a graph
through them stays connected and passes on zero gradient.
"""
import math

from ..function import Function

LN2 = math.log(2.0)
LN10 = math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Log1p(Function):
    """out = log(1 + a); d out/d a = 1 / (1 + a)."""

    differentiable_backward = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log1p(a)

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return (grad_output / (1.0 + a),)


class Expm1(Function):
    """out = exp(a) - 1; d out/d a = exp(a) = out + 1."""

    differentiable_backward = True

    def forward(ctx, a):
        out = ctx.xp.expm1(a)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return (grad_output * (out + 1.0),)


class Log2(Function):
    """out = log_2(a); d out/d a = 1 / (a ln 2)."""

    differentiable_backward = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log2(a)

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return (grad_output / (a * LN2),)


class Log10(Function):
    """out = log_10(a); d out/d a = 1 / (a ln 10)."""

    differentiable_backward = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log10(a)

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return (grad_output / (a * LN10),)


class Exp2(Function):
    """out = 2^a; d out/d a = 2^a ln 2 = out ln 2."""

    differentiable_backward = True

    def forward(ctx, a):
        out = ctx.xp.exp2(a)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return (grad_output * out * LN2,)


class Erf(Function):
    """out = erf(a) = (2 / sqrt(pi)) int_0^a exp(-t^2) dt; d out/d a = (2 / sqrt(pi)) exp(-a^2)."""

    differentiable_backward = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.F.erf(a)

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return (grad_output * (TWO_OVER_SQRT_PI * ctx.F.exp(-(a * a))),)


def _zero_gradient(ctx, grad_output):
    """The backward of a rounding function: d out/d a = 0 (also taken as 0 at its jumps)."""
    return (grad_output * 0.0,)


class Floor(Function):
    """out = the largest integer <= a; d out/d a = 0."""

    differentiable_backward = True
    backward = _zero_gradient

    def forward(ctx, a):
        return ctx.xp.floor(a)


class Ceil(Function):
    """out = the smallest integer >= a; d out/d a = 0."""

    differentiable_backward = True
    backward = _zero_gradient

    def forward(ctx, a):
        return ctx.xp.ceil(a)


class Round(Function):
    """out = a rounded to ``decimals`` places, halves to even (NumPy's and PyTorch's rule); d out/d a = 0."""

    differentiable_backward = True
    backward = _zero_gradient

    def forward(ctx, a, decimals=0):
        return ctx.xp.round(a, decimals)


def log1p(a):
    """log(1 + a), precise for small a."""
    return Log1p.apply(a)


def expm1(a):
    """exp(a) - 1, precise for small a."""
    return Expm1.apply(a)


def log2(a):
    return Log2.apply(a)


def log10(a):
    return Log10.apply(a)


def exp2(a):
    """2 ** a."""
    return Exp2.apply(a)


def erf(a):
    """The error function; SciPy's (or CuPy's) when installed, else the C library's entry by entry."""
    return Erf.apply(a)


def floor(a):
    return Floor.apply(a)


def ceil(a):
    return Ceil.apply(a)


def round(a, decimals=0):
    """Round to ``decimals`` places (halves to even); the gradient is 0."""
    if not isinstance(decimals, int):
        raise TypeError(f"round: decimals must be an int, got {decimals!r}")
    return Round.apply(a, decimals=decimals)
