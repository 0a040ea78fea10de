"""autograd-core: reverse-mode automatic differentiation that shows its work.

A ``Tensor`` records each operation as it runs; ``backward()`` walks the
recorded graph in topological order and applies the multivariable chain rule
by dynamic programming (Eq. 3.8). ``grad(..., method="paths")`` computes the
same gradient by summing products of local derivatives over every path
(Lemma 3.2.1), and ``count_paths`` counts those paths in linear time.
"""
from .backend import gpu_available
from .collector import collector_paused
from .creation import (arange, default_generator, eye, full, full_like, linspace, manual_seed, ones, ones_like, rand,
                       randn, randn_like, zeros, zeros_like)
from .engine import backward, grad
from .function import Function
from .functional import hessian, hvp, jacobian
from .gradcheck import GradcheckReport, gradcheck
from .modes import detect_anomaly, enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .ops import (abs, binary_cross_entropy, broadcast_to, clip, concatenate, cos, cross_entropy, exp,
                  expand_dims, hard_tanh, leaky_relu, log, log_softmax, logsumexp, matmul, max, maximum, mean,
                  min, minimum, mse, norm, relu, reshape, sigmoid, sign, sin, softmax, sqrt, squeeze, stack, sum,
                  swapaxes, tanh, transpose, var, where)
from .ops import (all, any, argmax, argmin, cat, ceil, clone, cumsum, einsum, elu, erf, exp2, expm1, flatten, flip,
                  floor, gather, gelu, log1p, log2, log10, max_with_indices, min_with_indices, one_hot, permute,
                  pow, prod, round, selu, silu, softplus, std, tril, triu, unsqueeze, view)
from .ops import log_sigmoid
from .paths import compare, count_paths, paths
from .tensor import Tensor, as_tensor, from_numpy, tensor
from .trace import trace_backward
from .viz import draw

__version__ = "0.1.0"


def __getattr__(name):
    """``ag.nn`` and ``ag.optim`` import on first use (they build on this package, so not at its import)."""
    if name in ("nn", "optim"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "Function", "GradcheckReport", "Tensor", "abs", "backward", "binary_cross_entropy", "broadcast_to", "clip",
    "compare", "concatenate", "cos", "count_paths", "cross_entropy", "detect_anomaly", "draw", "enable_grad",
    "exp", "expand_dims", "gpu_available", "grad", "gradcheck", "hard_tanh", "hessian", "hvp", "is_grad_enabled",
    "jacobian", "leaky_relu", "log", "log_softmax", "logsumexp", "matmul", "max", "maximum", "mean", "min",
    "minimum", "mse", "no_grad", "norm", "paths", "relu", "reshape", "sigmoid", "sign", "sin", "softmax", "sqrt",
    "squeeze", "stack", "sum", "swapaxes", "tanh", "tensor", "trace_backward", "transpose", "var", "where",
    # the names a PyTorch or NumPy user reaches for
    "all", "any", "arange", "argmax", "argmin", "cat", "ceil", "clone", "cumsum", "default_generator", "einsum",
    "elu", "erf", "exp2", "expm1", "eye", "flatten", "flip", "floor", "full", "full_like", "gather", "gelu",
    "inference_mode", "linspace", "log10", "log1p", "log2", "manual_seed", "max_with_indices", "min_with_indices",
    "one_hot", "ones", "ones_like", "permute", "pow", "prod", "rand", "randn", "randn_like", "round", "selu",
    "set_grad_enabled", "silu", "softplus", "std", "tril", "triu", "unsqueeze", "view", "zeros", "zeros_like",
]
__all__ += ["as_tensor", "from_numpy", "log_sigmoid"]
__all__ += ["collector_paused"]
