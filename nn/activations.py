"""Activation layers: the nonlinear half of the decoupled view of Section 3.2.6.

Each module applies one of the engine's activation functions elementwise
(Softplus, ELU, SELU, GELU and SiLU are the smooth ones beyond the chapter's);
``LeakyReLU`` implements Eq. 3.39, Phi(v) = v for v > 0 and alpha v
otherwise, where alpha may be a learned parameter (the parametric ReLU).
"""
import numbers

import numpy

import autograd_core as ag

from .checks import describe, real_number, tensor_like
from .defaults import resolve_dtype
from .module import Module, Parameter


class Identity(Module):
    """Phi(v) = v."""

    def forward(self, x):
        return x


class Sigmoid(Module):
    """Phi(v) = 1 / (1 + exp(-v))."""

    def forward(self, x):
        tensor_like(x, "the input x", type(self).__name__)
        return ag.sigmoid(x)


class Tanh(Module):
    """Phi(v) = (exp(2v) - 1) / (exp(2v) + 1)."""

    def forward(self, x):
        tensor_like(x, "the input x", type(self).__name__)
        return ag.tanh(x)


class ReLU(Module):
    """Phi(v) = max(v, 0)."""

    def forward(self, x):
        tensor_like(x, "the input x", type(self).__name__)
        return ag.relu(x)


class HardTanh(Module):
    """Phi(v) = max(min(v, 1), -1)."""

    def forward(self, x):
        tensor_like(x, "the input x", type(self).__name__)
        return ag.hard_tanh(x)


class LeakyReLU(Module):
    """Phi(v) = v for v > 0, alpha v otherwise (Eq. 3.39); ``learnable=True`` makes alpha a Parameter."""

    def __init__(self, alpha=0.01, learnable=False, dtype=None):
        super().__init__()
        self.learnable = bool(learnable)
        alpha = real_number(alpha, "alpha", "LeakyReLU")
        if self.learnable:
            self.alpha = Parameter(numpy.asarray(alpha, dtype=resolve_dtype(dtype)))
        else:
            self.alpha = alpha

    def forward(self, x):
        tensor_like(x, "the input x", type(self).__name__)
        return ag.leaky_relu(x, self.alpha)

    def extra_repr(self):
        alpha = float(self.alpha.item()) if self.learnable else self.alpha
        return f"alpha={alpha:g}, learnable={self.learnable}"


class Softplus(Module):
    """Phi(v) = (1/beta) log(1 + exp(beta v)), a smooth ReLU."""

    def __init__(self, beta=1.0):
        super().__init__()
        self.beta = float(beta)

    def forward(self, x):
        return ag.softplus(x, self.beta)

    def extra_repr(self):
        return f"beta={self.beta:g}"


class ELU(Module):
    """Phi(v) = v for v > 0, alpha (exp(v) - 1) otherwise."""

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, x):
        return ag.elu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha:g}"


class SELU(Module):
    """Phi(v) = scale * ELU(v) with the self-normalising constants of ``ag.selu``."""

    def forward(self, x):
        return ag.selu(x)


class GELU(Module):
    """Phi(v) = v Phi_N(v), Phi_N the standard normal distribution function (``approximate="tanh"``: its tanh form)."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate
        ag.gelu(ag.zeros(()), approximate)  # reject an unknown approximation now, not at the first forward

    def forward(self, x):
        return ag.gelu(x, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """Phi(v) = v sigmoid(v) (swish)."""

    def forward(self, x):
        return ag.silu(x)


class Softmax(Module):
    """o_k = exp(v_k) / sum_j exp(v_j) over ``axis``."""

    def __init__(self, axis=-1):
        super().__init__()
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"Softmax: axis must be an integer, got {describe(axis)}")
        self.axis = int(axis)

    def forward(self, x):
        tensor_like(x, "the input x", type(self).__name__)
        return ag.softmax(x, axis=self.axis)

    def extra_repr(self):
        return f"axis={self.axis}"


ACTIVATIONS = {
    "identity": Identity,
    "linear": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "hard_tanh": HardTanh,
    "leaky_relu": LeakyReLU,
    "softmax": Softmax,
    "softplus": Softplus,
    "elu": ELU,
    "selu": SELU,
    "gelu": GELU,
    "silu": SiLU,
}


def check_activation(activation):
    """Raise unless ``activation`` is a name from ``ACTIVATIONS``, a Module class or a factory of Modules."""
    if isinstance(activation, Module):
        raise TypeError("pass the activation's name or class, not an instance: each layer needs its own "
                        "(a learnable LeakyReLU would otherwise share alpha between layers)")
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    elif not callable(activation):
        raise TypeError(f"activation must be a name from {sorted(ACTIVATIONS)}, a Module class or a function "
                        f"returning a Module, got {describe(activation)}")


def make_activation(activation):
    """A fresh activation module from a name (see ``ACTIVATIONS``), a Module class, or a factory."""
    check_activation(activation)
    if isinstance(activation, str):
        return ACTIVATIONS[activation]()
    module = activation()
    if not isinstance(module, Module):
        raise TypeError(f"the activation factory {activation!r} returned {describe(module)}, not a Module")
    return module
