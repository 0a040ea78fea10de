"""Activation layers: the nonlinear half of the decoupled view of Section 3.2.6.

Each module applies one of the engine's activation functions elementwise;
``LeakyReLU`` implements Eq. 3.39, Phi(v) = v for v > 0 and alpha v
otherwise, where alpha may be a learned parameter (the parametric ReLU).
"""
import numpy

import autograd_core as ag

from .defaults import resolve_dtype
from .module import Module, Parameter


class Identity(Module):
    """Phi(v) = v."""

    def forward(self, x):
        return x


class Sigmoid(Module):
    """Phi(v) = 1 / (1 + exp(-v))."""

    def forward(self, x):
        return ag.sigmoid(x)


class Tanh(Module):
    """Phi(v) = (exp(2v) - 1) / (exp(2v) + 1)."""

    def forward(self, x):
        return ag.tanh(x)


class ReLU(Module):
    """Phi(v) = max(v, 0)."""

    def forward(self, x):
        return ag.relu(x)


class HardTanh(Module):
    """Phi(v) = max(min(v, 1), -1)."""

    def forward(self, x):
        return ag.hard_tanh(x)


class LeakyReLU(Module):
    """Phi(v) = v for v > 0, alpha v otherwise (Eq. 3.39); ``learnable=True`` makes alpha a Parameter."""

    def __init__(self, alpha=0.01, learnable=False, dtype=None):
        super().__init__()
        self.learnable = bool(learnable)
        if self.learnable:
            self.alpha = Parameter(numpy.asarray(alpha, dtype=resolve_dtype(dtype)))
        else:
            self.alpha = float(alpha)

    def forward(self, x):
        return ag.leaky_relu(x, self.alpha)

    def extra_repr(self):
        alpha = float(self.alpha.item()) if self.learnable else self.alpha
        return f"alpha={alpha:g}, learnable={self.learnable}"


class Softmax(Module):
    """o_k = exp(v_k) / sum_j exp(v_j) over ``axis``."""

    def __init__(self, axis=-1):
        super().__init__()
        self.axis = axis

    def forward(self, x):
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
}


def make_activation(activation):
    """A fresh activation module from a name (see ``ACTIVATIONS``), a Module class, or a factory."""
    if isinstance(activation, Module):
        raise TypeError("pass the activation's name or class, not an instance: each layer needs its own "
                        "(a learnable LeakyReLU would otherwise share alpha between layers)")
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
        return ACTIVATIONS[activation]()
    return activation()
