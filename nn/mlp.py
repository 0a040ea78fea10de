"""The multilayer perceptron in one line, with batch normalisation before or after the activation.

``MLP([64, 128, 10])`` is Linear(64, 128), an activation, Linear(128, 10):
the decoupled view of Section 3.2.6, with raw scores (logits) at the output
for ``nn.functional.cross_entropy``. ``batch_norm="pre"`` normalises each
hidden layer's pre-activation value v before the activation Phi
(Figure 3.18b: Linear, BatchNorm, Phi); ``batch_norm="post"`` normalises the
post-activation h (Figure 3.18a: Linear, Phi, BatchNorm). With "pre" the
linear layer's bias is dropped: BatchNorm's beta takes its place, since
subtracting the batch mean would cancel any bias.
"""
from . import init as init_schemes
from .activations import check_activation, make_activation
from .checks import describe, positive_int
from .defaults import resolve_dtype
from .layers import Linear
from .module import Sequential
from .normalization import BatchNorm, LayerNorm

BATCH_NORM_PLACES = (None, "pre", "post")


class MLP(Sequential):
    """A stack of Linear layers of ``sizes`` [d_in, h_1, ..., d_out] with an activation between them.

    ``activation``: a name from ``nn.activations.ACTIVATIONS`` or a Module
    class. ``batch_norm``: None, "pre" or "post" (Figure 3.18).
    ``layer_norm=True`` adds LayerNorm where batch_norm would go (pre).
    ``init``: a scheme of ``nn.init`` for the weights (He by default, for
    rectifiers). ``rng``: a Generator or seed, shared by all layers in order.
    ``dtype``: of every layer, ``nn.get_default_dtype()`` (float32) unless given.
    """

    def __init__(self, sizes, activation="relu", batch_norm=None, layer_norm=False, init="he", rng=None,
                 momentum=0.1, eps=1e-5, dtype=None):
        super().__init__()
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise TypeError(f"MLP: sizes must be a list of positive integers [d_in, h_1, ..., d_out], "
                            f"got {describe(sizes)}")
        sizes = [positive_int(size, f"sizes[{index}]", "MLP") for index, size in enumerate(sizes)]
        if len(sizes) < 2:
            raise ValueError(f"MLP needs at least an input and an output size, got sizes={sizes}")
        if batch_norm not in BATCH_NORM_PLACES:
            raise ValueError(f"batch_norm must be one of {BATCH_NORM_PLACES}, got {batch_norm!r}")
        if batch_norm and layer_norm:
            raise ValueError("choose batch_norm or layer_norm, not both")
        check_activation(activation)
        self.sizes = sizes
        self.batch_norm = batch_norm
        dtype = resolve_dtype(dtype)
        generator = init_schemes.as_generator(rng)
        for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            last = index == len(sizes) - 2
            normalise_before = not last and (batch_norm == "pre" or layer_norm)
            self.append(Linear(fan_in, fan_out, bias=not normalise_before, init=init, rng=generator,
                               dtype=dtype))
            if last:
                break
            if batch_norm == "pre":
                self.append(BatchNorm(fan_out, eps=eps, momentum=momentum, dtype=dtype))
            elif layer_norm:
                self.append(LayerNorm(fan_out, eps=eps, dtype=dtype))
            self.append(make_activation(activation))
            if batch_norm == "post":
                self.append(BatchNorm(fan_out, eps=eps, momentum=momentum, dtype=dtype))

    def extra_repr(self):
        return f"sizes={self.sizes}, batch_norm={self.batch_norm!r}"
