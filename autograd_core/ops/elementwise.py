"""Elementwise functions and activations with their local derivatives (Table 3.1, Section 3.2.5).

Where a derivative jumps (abs, ReLU, hard tanh at its corners, maximum at a
tie) the backward uses a documented subgradient, never NaN.
"""
import numpy

from ..backend import get_array_module
from ..function import Function
from ..tensor import Tensor


class Exp(Function):
    """out = exp(a); d out/d a = out."""

    differentiable_backward = True

    def forward(ctx, a):
        out = ctx.xp.exp(a)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return (grad_output * out,)


class Log(Function):
    """out = log(a); d out/d a = 1 / a."""

    differentiable_backward = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log(a)

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return (grad_output / a,)


class Sqrt(Function):
    """out = sqrt(a); d out/d a = 1 / (2 out)."""

    differentiable_backward = True

    def forward(ctx, a):
        out = ctx.xp.sqrt(a)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return (grad_output / (2.0 * out),)


class Sin(Function):
    """out = sin(a); d out/d a = cos(a)."""

    differentiable_backward = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.sin(a)

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return (grad_output * ctx.F.cos(a),)


class Cos(Function):
    """out = cos(a); d out/d a = -sin(a) (Figure 3.1)."""

    differentiable_backward = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.cos(a)

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return (-grad_output * ctx.F.sin(a),)


class Tanh(Function):
    """out = tanh(a); d out/d a = 1 - out^2 (Section 3.2.5)."""

    differentiable_backward = True

    def forward(ctx, a):
        out = ctx.xp.tanh(a)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return (grad_output * (1.0 - out * out),)


class Sigmoid(Function):
    """out = 1 / (1 + exp(-a)); d out/d a = out (1 - out) (Section 3.2.5).

    Computed from exp(-|a|) (see ``ArrayNamespace.sigmoid``): accurate to a few
    ulp for every a in float32 and float64, and it neither overflows nor warns at |a| = 1000.
    """

    differentiable_backward = True

    def forward(ctx, a):
        out = ctx.F.sigmoid(a)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return (grad_output * out * (1.0 - out),)


class LogSigmoid(Function):
    """out = log sigma(a) = min(a, 0) - log(1 + exp(-|a|)); d out/d a = 1 - sigma(a) = sigma(-a).

    The stable form of log(sigmoid(a)): log_sigmoid(-40) is -40 (not -inf), and
    log_sigmoid(40) is -4.2e-18 (not 0), in float64; no exp overflows.
    """

    differentiable_backward = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        xp = ctx.xp
        return xp.minimum(a, 0) - xp.log1p(xp.exp(-xp.abs(a)))

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return (grad_output * ctx.F.sigmoid(-a),)


class ReLU(Function):
    """out = max(a, 0); d out/d a = 1 where a > 0, else 0 (the subgradient 0 at a = 0).

    The mask a > 0 is read off the output (out > 0 exactly where a > 0), so
    the input need not be kept: the next layer keeps the output anyway.
    """

    differentiable_backward = True

    def forward(ctx, a):
        out = ctx.xp.maximum(a, 0)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return (grad_output * (out > 0),)


class LeakyReLU(Function):
    """out = a where a > 0, alpha a otherwise (Eq. 3.39); alpha may be a Tensor and learned.

    d out/d a = 1 or alpha; d out/d alpha = 0 or a. At a = 0 the slope alpha is used.
    """

    differentiable_backward = True
    broadcasts = True

    def forward(ctx, a, alpha):
        ctx.save_for_backward(a, alpha)
        return ctx.xp.where(a > 0, a, alpha * a)

    def backward(ctx, grad_output):
        a, alpha = ctx.saved_tensors
        F = ctx.F
        positive = a > 0
        need_a, need_alpha = ctx.needs_input_grad
        grad_a = F.where(positive, grad_output, grad_output * alpha) if need_a else None
        grad_alpha = F.where(positive, 0.0, grad_output * a) if need_alpha else None
        return grad_a, grad_alpha


class HardTanh(Function):
    """out = max(min(a, 1), -1); d out/d a = 1 on (-1, 1), 0 outside and at the corners (Section 3.2.5)."""

    differentiable_backward = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.clip(a, -1.0, 1.0)

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return (grad_output * ((a > -1.0) & (a < 1.0)),)


class Abs(Function):
    """out = |a|; d out/d a = sign(a), with the subgradient 0 at a = 0."""

    differentiable_backward = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.abs(a)

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return (grad_output * ctx.F.sign(a),)


class Maximum(Function):
    """out = max(a, b) elementwise; the gradient goes to the larger input, split evenly at a tie."""

    differentiable_backward = True
    broadcasts = True

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.maximum(a, b)

    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return _split_between(ctx, grad_output, a > b, a == b)


class Minimum(Function):
    """out = min(a, b) elementwise; the gradient goes to the smaller input, split evenly at a tie."""

    differentiable_backward = True
    broadcasts = True

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.minimum(a, b)

    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return _split_between(ctx, grad_output, a < b, a == b)


def _split_between(ctx, grad_output, first_wins, tie):
    share_first = first_wins + 0.5 * tie
    need_a, need_b = ctx.needs_input_grad
    return (grad_output * share_first if need_a else None,
            grad_output * (1.0 - share_first) if need_b else None)


class Where(Function):
    """out = a where condition else b; the gradient is routed to the chosen input."""

    differentiable_backward = True
    broadcasts = True

    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        return ctx.xp.where(condition, a, b)

    def backward(ctx, grad_output):
        (condition,) = ctx.saved_tensors
        F = ctx.F
        _, need_a, need_b = ctx.needs_input_grad
        return (None,
                F.where(condition, grad_output, 0.0) if need_a else None,
                F.where(condition, 0.0, grad_output) if need_b else None)


class Clip(Function):
    """out = min(max(a, low), high); d out/d a = 1 where low <= a <= high, else 0."""

    differentiable_backward = True

    def forward(ctx, a, low=None, high=None):
        ctx.save_for_backward(a)
        ctx.low, ctx.high = low, high
        return ctx.xp.clip(a, low, high)

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        inside = True
        if ctx.low is not None:
            inside = inside & (a >= ctx.low)
        if ctx.high is not None:
            inside = inside & (a <= ctx.high)
        return (grad_output * inside,)


class AsType(Function):
    """A copy with another floating-point dtype; the gradient is cast back."""

    differentiable_backward = True

    def forward(ctx, a, dtype):
        ctx.input_dtype = a.dtype
        return a.astype(dtype)

    def backward(ctx, grad_output):
        return (grad_output.astype(ctx.input_dtype),)


def exp(a):
    return Exp.apply(a)


def log(a):
    return Log.apply(a)


def sqrt(a):
    return Sqrt.apply(a)


def sin(a):
    return Sin.apply(a)


def cos(a):
    return Cos.apply(a)


def tanh(a):
    return Tanh.apply(a)


def sigmoid(a):
    return Sigmoid.apply(a)


def log_sigmoid(a):
    """log sigma(a), computed stably (log(sigmoid(a)) is -inf for a below about -745 in float64)."""
    return LogSigmoid.apply(a)


def relu(a):
    return ReLU.apply(a)


def leaky_relu(a, alpha=0.01):
    """Leaky ReLU of Eq. 3.39; ``alpha`` is a number or a Tensor (then it can be learned)."""
    return LeakyReLU.apply(a, alpha)


def hard_tanh(a):
    return HardTanh.apply(a)


def abs(a):
    return Abs.apply(a)


def maximum(a, b):
    return Maximum.apply(a, b)


def minimum(a, b):
    return Minimum.apply(a, b)


def where(condition, a, b):
    """Elementwise choice: ``a`` where ``condition`` holds, else ``b``."""
    if isinstance(condition, Tensor):
        condition = condition.data
    return Where.apply(condition, a, b)


def clip(a, low=None, high=None):
    if low is None and high is None:
        raise ValueError("clip needs at least one of low and high")
    return Clip.apply(a, low=low, high=high)


def astype(a, dtype):
    """A copy with another dtype: recorded for a floating-point dtype, a constant for an integer or boolean one.

    Rounding to integers or booleans has derivative 0 almost everywhere and no
    useful gradient, so, as in PyTorch, such a cast is not differentiable.
    """
    dtype = numpy.dtype(dtype)
    if dtype.kind == "f":
        return AsType.apply(a, dtype=dtype)
    if dtype.kind not in "biu":
        raise TypeError(f"astype: tensors hold booleans, integers or floating-point numbers, not {dtype}")
    data = a.data if isinstance(a, Tensor) else get_array_module(a).asarray(a)
    return Tensor._make(data.astype(dtype), False, None)


def sign(a):
    """sign(a) as a constant tensor (its derivative is 0 almost everywhere)."""
    data = a.data if isinstance(a, Tensor) else a
    xp = get_array_module(data)
    return Tensor._make(xp.asarray(xp.sign(data)), False, None)
