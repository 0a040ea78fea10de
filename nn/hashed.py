"""HashedLinear: the hashing trick for compressing a linear layer (Section 3.7.3, hash-based compression).

The m1 x m2 weight matrix W is not stored: a fixed hash h maps each position
(i, j) to one of B buckets, and W_ij = w_{h(i, j)} for a vector w of B learned
weights. Every weight of a bucket is the same parameter used in many places,
so its gradient is the sum of the gradients of all the positions that share
it (the shared-weights rule of Section 3.2.9); the engine's indexing
operation does exactly that in its backward pass. The hash is a fixed
function of (i, j, seed), so only the B weights and the seed need saving.
"""
import numpy

import autograd_core as ag

from . import init as init_schemes
from .module import Module, Parameter

_MIX_1 = numpy.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = numpy.uint64(0x94D049BB133111EB)
_GOLDEN = numpy.uint64(0x9E3779B97F4A7C15)


def _splitmix64(values):
    """The SplitMix64 finaliser: a fixed bijection of 64-bit integers that scatters nearby inputs."""
    values = values + _GOLDEN
    values = (values ^ (values >> numpy.uint64(30))) * _MIX_1
    values = (values ^ (values >> numpy.uint64(27))) * _MIX_2
    return values ^ (values >> numpy.uint64(31))


def bucket_indices(in_features, out_features, buckets, seed=0):
    """h(i, j) in [0, buckets) for every position of an in_features x out_features matrix (an int64 array).

    h(i, j) = splitmix64(splitmix64(seed) + i * out_features + j) mod buckets: the same on every machine.
    """
    with numpy.errstate(over="ignore"):
        key = _splitmix64(numpy.asarray([seed], dtype=numpy.uint64))[0]
        positions = numpy.arange(in_features * out_features, dtype=numpy.uint64)
        hashed = _splitmix64(positions + key)
    return (hashed % numpy.uint64(buckets)).astype(numpy.int64).reshape(in_features, out_features)


class HashedLinear(Module):
    """v = x W + b with W_ij = w_{h(i, j)}: an in_features x out_features layer with only ``buckets`` weights.

    ``seed`` fixes the hash; ``init`` names a scheme of ``nn.init`` applied as
    if the weights were the full matrix (so He's sqrt(2 / in_features) by
    default); ``rng`` seeds it. The text's example: ``HashedLinear(100, 100,
    buckets=1000)`` has the 1000 weights of a 100 x 10 layer but keeps all 100
    outputs.
    """

    def __init__(self, in_features, out_features, buckets, seed=0, bias=True, init="he", rng=None,
                 dtype=numpy.float64):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features), ("buckets", buckets)):
            if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < 1:
                raise ValueError(f"HashedLinear needs a positive integer {name}, got {value!r}")
        if buckets > in_features * out_features:
            raise ValueError(f"HashedLinear with buckets={buckets} has more buckets than the "
                             f"{in_features * out_features} positions of its matrix; use nn.Linear")
        if isinstance(seed, bool) or not isinstance(seed, (int, numpy.integer)) or not 0 <= seed < 2 ** 63:
            raise ValueError(f"HashedLinear needs an integer seed in [0, 2^63), got {seed!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.buckets = int(buckets)
        self.seed = int(seed)
        self.bucket_index = bucket_indices(self.in_features, self.out_features, self.buckets, self.seed)
        generator = init_schemes.as_generator(rng)
        # draw as for the full matrix (the scheme's fan-in is in_features), keep one value per bucket
        full = init_schemes.get(init)((self.in_features, self.out_features), generator, dtype)
        self.weight = Parameter(full.reshape(-1)[:self.buckets].copy())
        self.bias = Parameter(init_schemes.zeros((self.out_features,), dtype=dtype)) if bias else None

    def dense_weight(self):
        """The virtual matrix W (in_features x out_features) as an array, W_ij = w_{h(i, j)}."""
        return self.weight.data[self._index_on_device()]

    def _index_on_device(self):
        """The bucket index on the weights' device (copied there once per device, not on every call)."""
        device = self.weight.device
        if device == "cpu":
            return self.bucket_index
        cached = self.__dict__.get("_device_index")
        if cached is None or cached[0] != device:
            cached = (device, ag.Tensor(self.bucket_index, device=device).data)
            self._device_index = cached
        return cached[1]

    def forward(self, x):
        if x.shape[-1] != self.in_features:
            raise ValueError(f"HashedLinear expects inputs with {self.in_features} features in the last axis, "
                             f"got shape {tuple(x.shape)}")
        v = x @ self.weight[self._index_on_device()]
        return v + self.bias if self.bias is not None else v

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, buckets={self.buckets}, "
                f"seed={self.seed}, bias={self.bias is not None}")
