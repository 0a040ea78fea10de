"""Linear layers (the weighted half of the decoupled view of Section 3.2.6), Dropout and Flatten.

In the decoupled view a layer of neurons is split into a linear layer
(v = x W + b) and an activation layer (h = Phi(v)), each its own node of the
computational graph; activations live in ``nn.activations``. ``Maxout``
(Section 3.4.3.2) fuses the two: each unit is the maximum of several linear
pieces, max(W_1 x, W_2 x, ...), a learned piecewise-linear activation that
neither saturates nor dies.

``Dropout`` is inverted dropout: in training each entry is kept with
probability 1 - p and scaled by 1 / (1 - p), so that its expected value is
unchanged and evaluation (``model.eval()``) is the identity. ``Flatten``
merges the axes after the batch axis, as before a Linear layer.
"""
import autograd_core as ag

from . import init as init_schemes
from .checks import features_last, positive_int
from .arrays import cast_to
from .defaults import resolve_dtype
from .module import Module, Parameter


class Linear(Module):
    """v = x W + b with W of shape (in_features, out_features), b of shape (out_features,).

    ``init`` names a scheme of ``nn.init`` (Section 3.3.3) or is a function
    (shape, rng, dtype) -> array; biases start at zero. ``rng`` is a NumPy
    Generator or a seed. ``dtype`` defaults to ``nn.get_default_dtype()``
    (float32); a floating input of another dtype is cast to it.
    """

    def __init__(self, in_features, out_features, bias=True, init="he", rng=None, dtype=None):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features", "Linear")
        self.out_features = positive_int(out_features, "out_features", "Linear")
        generator = init_schemes.as_generator(rng)
        scheme = init_schemes.get(init)
        dtype = resolve_dtype(dtype)
        self.weight = Parameter(scheme((self.in_features, self.out_features), generator, dtype))
        self.bias = Parameter(init_schemes.zeros((self.out_features,), dtype=dtype)) if bias else None

    def forward(self, x):
        features_last(x, "the input x", f"Linear({self.in_features}, {self.out_features})", self.in_features)
        v = cast_to(x, self.weight.dtype) @ self.weight
        return v + self.bias if self.bias is not None else v

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Maxout(Module):
    """h_j = max_k (x W_k + b_k)_j over ``pieces`` linear pieces (Section 3.4.3.2).

    With two pieces and one of them fixed at zero this would be the ReLU; with
    both learned, the unit learns its own convex piecewise-linear activation.
    The gradient of the maximum goes to the winning piece.
    """

    def __init__(self, in_features, out_features, pieces=2, bias=True, init="xavier", rng=None, dtype=None):
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


class Dropout(Module):
    """h = x * mask / (1 - p) in training, each mask entry 1 with probability 1 - p; h = x in evaluation.

    ``rng``: a NumPy Generator or seed for the masks (on the GPU CuPy's
    generator draws them); by default the package's generator, which
    ``ag.manual_seed`` seeds.
    """

    def __init__(self, p=0.5, rng=None):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p is the probability of dropping an entry and must lie in [0, 1], got {p}")
        self.p = float(p)
        self.generator = None if rng is None else init_schemes.as_generator(rng)

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * 0.0
        device = x.device if isinstance(x, ag.Tensor) else ag.tensor(x).device
        if self.generator is not None and device == "cpu":
            uniform = self.generator.random(x.shape)
        else:
            uniform = ag.rand(*x.shape, device=device).data
        keep = uniform >= self.p
        return x * (keep * (1.0 / (1.0 - self.p))).astype(x.dtype)

    def extra_repr(self):
        return f"p={self.p:g}"


class Flatten(Module):
    """Axes ``start_dim`` to ``end_dim`` merged into one (by default all but the batch axis), as PyTorch's."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = int(start_dim)
        self.end_dim = int(end_dim)

    def forward(self, x):
        return ag.flatten(x if isinstance(x, ag.Tensor) else ag.Tensor(x), self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
