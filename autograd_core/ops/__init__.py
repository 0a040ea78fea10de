"""The operations, grouped by kind; also the namespace ``F`` of a backward that records a graph.

Every name here that shares a NumPy function's name also shares its
signature, so a backward written over ``ctx.F`` runs on arrays or on Tensors
(see ``namespace.py``).
"""
from .arithmetic import add, div, mul, neg, pow, sub
from .elementwise import (abs, astype, clip, cos, exp, hard_tanh, leaky_relu, log, log_sigmoid, maximum,
                          minimum, relu, sigmoid, sign, sin, sqrt, tanh, where)
from .linalg import matmul
from .losses import binary_cross_entropy, cross_entropy, mse
from .reduce import log_softmax, logsumexp, max, mean, min, norm, softmax, sum, var
from .shape import (broadcast_to, concatenate, expand_dims, getitem, reshape, scatter_add, squeeze, stack,
                    swapaxes, to_device, transpose)

__all__ = [
    "abs", "add", "astype", "binary_cross_entropy", "broadcast_to", "clip", "concatenate", "cos",
    "cross_entropy", "div", "exp", "expand_dims", "getitem", "hard_tanh", "leaky_relu", "log", "log_sigmoid",
    "log_softmax",
    "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "mse", "mul", "neg", "norm", "pow",
    "relu", "reshape", "scatter_add", "sigmoid", "sign", "sin", "softmax", "sqrt", "squeeze", "stack", "sub",
    "sum", "swapaxes", "tanh", "to_device", "transpose", "var", "where",
]
