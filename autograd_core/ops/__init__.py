"""The operations, grouped by kind; also the namespace ``F`` of a backward that records a graph.

Every name here that shares a NumPy function's name also shares its
signature, so a backward written over ``ctx.F`` runs on arrays or on Tensors
(see ``namespace.py``). Functions that take ``axis=``/``keepdims=`` also take
PyTorch's ``dim=``/``keepdim=`` (see ``keywords.py``).
"""
from ..keywords import accept_torch_keywords
from .activations import elu, gelu, selu, silu, softplus
from .arithmetic import add, div, mul, neg, pow, sub
from .cumulative import cumsum, prod
from .einsum import einsum
from .elementwise import (abs, astype, clip, cos, exp, hard_tanh, leaky_relu, log, log_sigmoid, maximum,
                          minimum, relu, sigmoid, sign, sin, sqrt, tanh, where)
from .indexing import ValuesIndices, argmax, argmin, gather, max_with_indices, min_with_indices, one_hot
from .layout import cat, clone, flatten, flip, permute, tril, triu, unsqueeze, view
from .linalg import matmul
from .losses import binary_cross_entropy, cross_entropy, mse
from .reduce import log_softmax, logsumexp, max, mean, min, norm, softmax, sum, var
from .shape import (broadcast_to, concatenate, expand_dims, getitem, reshape, scatter_add, squeeze, stack,
                    swapaxes, to_device, transpose)
from .special import ceil, erf, exp2, expm1, floor, log1p, log2, log10, round
from .statistics import all, any, std

(sum, mean, var, max, min, norm, logsumexp, softmax, log_softmax, concatenate, stack, expand_dims, squeeze,
 cat, cumsum, prod, flip, unsqueeze, std, any, all, argmax, argmin, gather, max_with_indices,
 min_with_indices) = map(accept_torch_keywords, (
    sum, mean, var, max, min, norm, logsumexp, softmax, log_softmax, concatenate, stack, expand_dims, squeeze,
    cat, cumsum, prod, flip, unsqueeze, std, any, all, argmax, argmin, gather, max_with_indices,
    min_with_indices))

__all__ = [
    "ValuesIndices", "abs", "add", "all", "any", "argmax", "argmin", "astype", "binary_cross_entropy",
    "broadcast_to", "cat", "ceil", "clip", "clone", "concatenate", "cos", "cross_entropy", "cumsum", "div",
    "einsum", "elu", "erf", "exp", "exp2", "expand_dims", "expm1", "flatten", "flip", "floor", "gather", "gelu",
    "getitem", "hard_tanh", "leaky_relu", "log", "log10", "log1p", "log2", "log_sigmoid", "log_softmax", "logsumexp",
    "matmul",
    "max", "max_with_indices", "maximum", "mean", "min", "min_with_indices", "minimum", "mse", "mul", "neg",
    "norm", "one_hot", "permute", "pow", "prod", "relu", "reshape", "round", "scatter_add", "selu", "sigmoid",
    "sign", "silu", "sin", "softmax", "softplus", "sqrt", "squeeze", "stack", "std", "sub", "sum", "swapaxes",
    "tanh", "to_device", "transpose", "tril", "triu", "unsqueeze", "var", "view", "where",
]
