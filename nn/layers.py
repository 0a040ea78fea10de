"""Linear layers: the weighted half of the decoupled view of Section 3.2.6.

In the decoupled view a layer of neurons is split into a linear layer
(v = x W + b) and an activation layer (h = Phi(v)), each its own node of the
computational graph; activations live in ``nn.activations``. ``Maxout``
(Section 3.4.3.2) fuses the two: each unit is the maximum of several linear
pieces, max(W_1 x, W_2 x, ...), a learned piecewise-linear activation that
neither saturates nor dies.
"""
import numpy

import autograd_core as ag

from . import init as init_schemes
from .checks import features_last, positive_int
from .module import Module, Parameter


class Linear(Module):
    """v = x W + b with W of shape (in_features, out_features), b of shape (out_features,).

    ``init`` names a scheme of ``nn.init`` (Section 3.3.3) or is a function
    (shape, rng, dtype) -> array; biases start at zero. ``rng`` is a NumPy
    Generator or a seed.
    """

    def __init__(self, in_features, out_features, bias=True, init="he", rng=None, dtype=numpy.float64):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features", "Linear")
        self.out_features = positive_int(out_features, "out_features", "Linear")
        generator = init_schemes.as_generator(rng)
        scheme = init_schemes.get(init)
        self.weight = Parameter(scheme((self.in_features, self.out_features), generator, dtype))
        self.bias = Parameter(init_schemes.zeros((self.out_features,), dtype=dtype)) if bias else None

    def forward(self, x):
        features_last(x, "the input x", f"Linear({self.in_features}, {self.out_features})", self.in_features)
        v = x @ self.weight
        return v + self.bias if self.bias is not None else v

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Maxout(Module):
    """h_j = max_k (x W_k + b_k)_j over ``pieces`` linear pieces (Section 3.4.3.2).

    With two pieces and one of them fixed at zero this would be the ReLU; with
    both learned, the unit learns its own convex piecewise-linear activation.
    The gradient of the maximum goes to the winning piece.
    """

    def __init__(self, in_features, out_features, pieces=2, bias=True, init="xavier", rng=None,
                 dtype=numpy.float64):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features", "Maxout")
        self.out_features = positive_int(out_features, "out_features", "Maxout")
        self.pieces = positive_int(pieces, "pieces", "Maxout")
        self.linear = Linear(in_features, out_features * pieces, bias=bias, init=init, rng=rng, dtype=dtype)

    def forward(self, x):
        features_last(x, "the input x", f"Maxout({self.in_features}, {self.out_features})", self.in_features)
        v = self.linear(x)
        # piece k of unit j sits in column k * out_features + j
        width = self.out_features
        h = v[..., 0:width]
        for piece in range(1, self.pieces):
            h = ag.maximum(h, v[..., piece * width:(piece + 1) * width])
        return h

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, pieces={self.pieces}"
