"""Smooth activations beyond the chapter's (Section 3.2.5 lists sigmoid, tanh, ReLU, hard tanh).

softplus, ELU, SELU, GELU and SiLU, each with its local derivative d out/d a
beside the forward, written over ``ctx.F`` so that second derivatives work.
Each is computed in a form that neither overflows nor warns for |a| = 1000.
"""
import math

from ..function import Function

#: SELU's constants (Klambauer et al., 2017): they make zero mean and unit variance a fixed point.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SQRT_HALF = math.sqrt(0.5)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_TANH_CUBIC = 0.044715
GELU_APPROXIMATIONS = ("none", "tanh")


class Softplus(Function):
    """out = (1/beta) log(1 + exp(beta a)); d out/d a = sigmoid(beta a).

    Computed as max(a, 0) + log1p(exp(-beta |a|)) / beta, stable for any a.
    """

    differentiable_backward = True

    def forward(ctx, a, beta=1.0):
        xp = ctx.xp
        ctx.beta = beta
        ctx.save_for_backward(a)
        return xp.maximum(a, 0) + xp.log1p(xp.exp(-beta * xp.abs(a))) / beta

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return (grad_output * ctx.F.sigmoid(ctx.beta * a),)


class ELU(Function):
    """out = scale a for a > 0, scale alpha (exp(a) - 1) otherwise; d out/d a = scale or scale alpha exp(a).

    With scale = 1 this is the ELU; with SELU's constants it is the SELU. At
    a = 0 the slope of the negative side is used. The exponential is taken of
    min(a, 0), so large positive inputs never overflow in the branch not chosen.
    """

    differentiable_backward = True

    def forward(ctx, a, alpha=1.0, scale=1.0):
        xp = ctx.xp
        ctx.alpha, ctx.scale = alpha, scale
        ctx.save_for_backward(a)
        return scale * xp.where(a > 0, a, alpha * xp.expm1(xp.minimum(a, 0)))

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        F = ctx.F
        negative_slope = (ctx.scale * ctx.alpha) * F.exp(F.minimum(a, 0.0))
        return (grad_output * F.where(a > 0, ctx.scale, negative_slope),)


class GELU(Function):
    """out = a Phi(a), Phi the standard normal distribution function, Phi(a) = (1 + erf(a / sqrt 2)) / 2.

    d out/d a = Phi(a) + a phi(a), phi(a) = exp(-a^2 / 2) / sqrt(2 pi).
    """

    differentiable_backward = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * (0.5 + 0.5 * ctx.F.erf(SQRT_HALF * a))

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        F = ctx.F
        cdf = 0.5 + 0.5 * F.erf(SQRT_HALF * a)
        pdf = INV_SQRT_2PI * F.exp(-0.5 * (a * a))
        return (grad_output * (cdf + a * pdf),)


class GELUTanh(Function):
    """out = a (1 + tanh(u)) / 2, u = sqrt(2 / pi) (a + 0.044715 a^3): GELU's tanh approximation.

    d out/d a = (1 + tanh u) / 2 + a (1 - tanh^2 u) sqrt(2 / pi) (1 + 3 * 0.044715 a^2) / 2.
    """

    differentiable_backward = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return 0.5 * a * (1.0 + ctx.xp.tanh(SQRT_2_OVER_PI * (a + GELU_TANH_CUBIC * a * a * a)))

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        squared = a * a
        t = ctx.F.tanh(SQRT_2_OVER_PI * (a + GELU_TANH_CUBIC * squared * a))
        du_da = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_CUBIC * squared)
        return (grad_output * (0.5 * (1.0 + t) + 0.5 * a * (1.0 - t * t) * du_da),)


class SiLU(Function):
    """out = a sigmoid(a) (also called swish); d out/d a = sigmoid(a) (1 + a (1 - sigmoid(a)))."""

    differentiable_backward = True

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * ctx.F.sigmoid(a)

    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        s = ctx.F.sigmoid(a)
        return (grad_output * (s * (1.0 + a * (1.0 - s))),)


def softplus(a, beta=1.0):
    """A smooth ReLU: (1/beta) log(1 + exp(beta a))."""
    if not beta > 0:
        raise ValueError(f"softplus: beta must be positive, got {beta!r}")
    return Softplus.apply(a, beta=float(beta))


def elu(a, alpha=1.0):
    """The exponential linear unit: a for a > 0, alpha (exp(a) - 1) otherwise."""
    return ELU.apply(a, alpha=float(alpha), scale=1.0)


def selu(a):
    """The scaled ELU with the self-normalising constants ``SELU_ALPHA`` and ``SELU_SCALE``."""
    return ELU.apply(a, alpha=SELU_ALPHA, scale=SELU_SCALE)


def gelu(a, approximate="none"):
    """a Phi(a), exactly (``approximate="none"``, PyTorch's default) or by its tanh form (``"tanh"``)."""
    if approximate == "none":
        return GELU.apply(a)
    if approximate == "tanh":
        return GELUTanh.apply(a)
    raise ValueError(f"gelu: approximate must be one of {GELU_APPROXIMATIONS}, got {approximate!r}")


def silu(a):
    """a sigmoid(a), the sigmoid-weighted linear unit (swish)."""
    return SiLU.apply(a)
