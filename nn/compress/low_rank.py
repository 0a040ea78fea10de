"""Leveraging redundancies: a trained weight matrix replaced by a low-rank factorisation (Section 3.7.3, [94]).

A trained m1 x m2 matrix W is often close to a matrix of much lower rank k.
Its singular value decomposition W = P Sigma Q^T gives the best rank-k
approximation W ~ U V^T with U = P_k (m1 x k) and V^T = Sigma_k Q_k^T
(k x m2) (Eckart-Young); the layer x W becomes two layers, x U then V^T,
with k (m1 + m2) weights instead of m1 m2, a reduction by the factor
m1 m2 / (k (m1 + m2)) = HARMONIC-MEAN(m1, m2) / (2k). The text's refinement
keeps U fixed and learns V by fine-tuning; the text's warning is that the
same factorised architecture trained from scratch does worse.
"""
import numpy

from ..arrays import to_numpy
from ..layers import Linear
from ..module import Module, Parameter


def parameter_ratio(m1, m2, k):
    """m1 m2 / (k (m1 + m2)) = HARMONIC-MEAN(m1, m2) / (2k): how many times fewer weights the factorisation has."""
    harmonic_mean = 2.0 * m1 * m2 / (m1 + m2)
    return harmonic_mean / (2.0 * k)


class LowRankLinear(Module):
    """v = (x U) V^T + b: a linear layer of rank at most k (U: m1 x k, V^T: k x m2).

    With ``fix_U`` (the text's refinement) U is a buffer, saved but not
    learned, so an optimiser given ``parameters()`` learns only V^T and b;
    otherwise U is a Parameter too.
    """

    def __init__(self, U, Vt, bias=None, fix_U=True):
        super().__init__()
        U, Vt = numpy.asarray(to_numpy(U)), numpy.asarray(to_numpy(Vt))
        if U.ndim != 2 or Vt.ndim != 2 or U.shape[1] != Vt.shape[0] or U.dtype.kind != "f" or Vt.dtype != U.dtype:
            raise ValueError(f"LowRankLinear needs floating-point U (m1 x k) and V^T (k x m2) of one dtype, got "
                             f"shapes {U.shape} and {Vt.shape}, dtypes {U.dtype} and {Vt.dtype}")
        self.in_features, self.rank = U.shape
        self.out_features = Vt.shape[1]
        self.fix_U = bool(fix_U)
        if self.fix_U:
            self.register_buffer("U", U.copy())
        else:
            self.U = Parameter(U.copy())
        self.Vt = Parameter(Vt.copy())
        if bias is not None:
            bias = numpy.asarray(to_numpy(bias), dtype=U.dtype)
            if bias.shape != (self.out_features,):
                raise ValueError(f"bias must have shape ({self.out_features},), got {bias.shape}")
            self.bias = Parameter(bias.copy())
        else:
            self.bias = None

    def dense_weight(self):
        """U V^T as an array (m1 x m2)."""
        return to_numpy(self.U) @ to_numpy(self.Vt)

    def forward(self, x):
        if x.shape[-1] != self.in_features:
            raise ValueError(f"LowRankLinear expects inputs with {self.in_features} features in the last axis, "
                             f"got shape {tuple(x.shape)}")
        v = (x @ self.U) @ self.Vt
        return v + self.bias if self.bias is not None else v

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, rank={self.rank}, "
                f"fix_U={self.fix_U}, bias={self.bias is not None}")


def factorize(linear, k, fix_U=True):
    """The LowRankLinear of rank k closest to ``linear`` (U = P_k, V^T = Sigma_k Q_k^T from W's SVD)."""
    rows, columns = linear.in_features, linear.out_features
    if isinstance(k, bool) or not isinstance(k, (int, numpy.integer)) or not 1 <= k <= min(rows, columns):
        raise ValueError(f"k must be an integer from 1 to min(m1, m2) = {min(rows, columns)}, got {k!r}")
    weight = to_numpy(linear.weight.data)
    if not numpy.isfinite(weight).all():
        raise ValueError("cannot factorise a weight matrix that is not all finite")
    P, sigma, Qt = numpy.linalg.svd(weight.astype(numpy.float64), full_matrices=False)
    U = P[:, :k].astype(weight.dtype)
    Vt = (sigma[:k, None] * Qt[:k]).astype(weight.dtype)
    bias = None if linear.bias is None else to_numpy(linear.bias.data)
    layer = LowRankLinear(U, Vt, bias, fix_U=fix_U)
    return layer.to(linear.weight.device) if linear.weight.device != "cpu" else layer


def low_rank(module, k, fix_U=True):
    """Replace trained Linear layers by rank-k factorisations; returns the new layer or the changed model.

    ``module`` a Linear: returns its LowRankLinear. A container: every Linear
    whose rank k is below min(m1, m2) (so the factorisation saves something:
    k (m1 + m2) < m1 m2) is replaced in place, and the container is returned.
    """
    if isinstance(module, Linear):
        return factorize(module, k, fix_U)
    if not isinstance(module, Module):
        raise TypeError(f"expected an nn.Module, got {type(module).__name__}")
    if isinstance(k, bool) or not isinstance(k, (int, numpy.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    replaced = 0
    for _, parent in list(module.named_modules()):
        for name, child in list(parent._modules.items()):
            if isinstance(child, Linear) and k * (child.in_features + child.out_features) < \
                    child.in_features * child.out_features:
                # assign in the table itself: setattr would move the child to the end of a Sequential
                parent._modules[name] = factorize(child, k, fix_U)
                replaced += 1
    if not replaced:
        raise ValueError(f"{type(module).__name__} has no Linear layer that a rank of {k} would make smaller")
    return module
