"""Quantisation and weight sharing (Section 3.7.3, [168]): each layer's weights drawn from a codebook of 2^b values.

``quantize(model, bits)`` is linear (uniform) quantisation: the codebook is
2^b evenly spaced levels between the smallest and the largest kept weight
of each layer, and each weight is rounded to the nearest level.
``share_weights(model, bits)`` is k-means weight sharing: the codebook is
the 2^b centroids found by k-means on the layer's kept weights (started, as
Han et al. recommend, from the evenly spaced levels).

Either replaces every ``Linear`` of the model by a ``SharedWeightLinear``
that stores, per position, the index k_ij of its codebook entry and computes
W_ij = c_{k_ij}. The centroids c are Parameters: each is one weight used at
many positions, so its gradient is the sum of the gradients of the weights
that share it, dL/dc_k = sum_{(i,j): k_ij = k} dL/dW_ij (the shared-weights
rule of Section 3.2.9, which the engine's indexing does in its backward
pass), and fine-tuning moves the centroids. A pruned weight (mask 0) is not
in the codebook: it is exactly zero, before and after fine-tuning.
"""
import numpy

import autograd_core as ag

from ..arrays import to_numpy
from ..layers import Linear
from ..module import Module, Parameter
from .pruning import mask_buffer_name

MAX_BITS = 16


class SharedWeightLinear(Module):
    """v = x W + b with W_ij = c_{k_ij} where the mask keeps (i, j) and W_ij = 0 where it was pruned.

    ``centroids`` c: the codebook (a Parameter of 2^b values); ``indices`` k:
    an integer matrix (in_features x out_features) of codebook positions;
    ``mask``: a boolean matrix, True where the weight is kept; ``bias``: the
    bias vector or None. Indices and mask are buffers, saved with the model.
    """

    def __init__(self, centroids, indices, mask=None, bias=None):
        super().__init__()
        centroids = numpy.asarray(to_numpy(centroids))
        indices = numpy.asarray(to_numpy(indices))
        if centroids.ndim != 1 or centroids.size < 1 or centroids.dtype.kind != "f":
            raise ValueError(f"centroids must be a non-empty 1-D floating-point array, got shape {centroids.shape} "
                             f"and dtype {centroids.dtype}")
        if indices.ndim != 2 or indices.dtype.kind not in "iu":
            raise ValueError(f"indices must be a 2-D integer array, got shape {indices.shape} and dtype "
                             f"{indices.dtype}")
        if indices.size and (int(indices.min()) < 0 or int(indices.max()) >= centroids.size):
            raise ValueError(f"indices must lie in [0, {centroids.size}), got values from {int(indices.min())} to "
                             f"{int(indices.max())}")
        mask = numpy.ones(indices.shape, dtype=bool) if mask is None else numpy.asarray(to_numpy(mask))
        if mask.shape != indices.shape or mask.dtype != bool:
            raise ValueError(f"mask must be a boolean array of the indices' shape {indices.shape}, got shape "
                             f"{mask.shape} and dtype {mask.dtype}")
        self.in_features, self.out_features = indices.shape
        self.centroids = Parameter(centroids.copy())
        self.register_buffer("indices", indices.astype(numpy.int64))
        self.register_buffer("mask", mask.copy())
        if bias is not None:
            bias = numpy.asarray(to_numpy(bias))
            if bias.shape != (self.out_features,):
                raise ValueError(f"bias must have shape ({self.out_features},), got {bias.shape}")
            self.bias = Parameter(bias.astype(centroids.dtype))
        else:
            self.bias = None

    def weight(self):
        """W as a Tensor of the graph: c indexed by k, then zero where pruned."""
        return ag.where(self.mask, self.centroids[self.indices], 0.0)

    def dense_weight(self):
        """W as an array (in_features x out_features)."""
        return self.weight().data

    def forward(self, x):
        if x.shape[-1] != self.in_features:
            raise ValueError(f"SharedWeightLinear expects inputs with {self.in_features} features in the last "
                             f"axis, got shape {tuple(x.shape)}")
        v = x @ self.weight()
        return v + self.bias if self.bias is not None else v

    @property
    def bits(self):
        """ceil(log2(codebook size)): the bits of one index before Huffman coding."""
        return max(1, int(numpy.ceil(numpy.log2(self.centroids.size))))

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"codebook={self.centroids.size}, kept={int(to_numpy(self.mask).sum())}/{self.mask.size}, "
                f"bias={self.bias is not None}")


def _check_bits(bits):
    if isinstance(bits, bool) or not isinstance(bits, (int, numpy.integer)) or not 1 <= bits <= MAX_BITS:
        raise ValueError(f"bits must be an integer from 1 to {MAX_BITS}, got {bits!r}")
    return int(bits)


def uniform_levels(values, count):
    """``count`` evenly spaced levels from min(values) to max(values)."""
    return numpy.linspace(values.min(), values.max(), count)


def nearest(values, centroids):
    """k = argmin_k |value - c_k| for each value (``centroids`` sorted ascending): cut at the midpoints."""
    return numpy.searchsorted((centroids[1:] + centroids[:-1]) / 2, values).astype(numpy.int64)


def kmeans_1d(values, count, iterations=100):
    """Lloyd's k-means on a 1-D array: (sorted centroids, index of each value's centroid).

    Starts from ``count`` evenly spaced levels (linear initialisation); a
    centroid that loses all its values stays where it is.
    """
    centroids = uniform_levels(values, count)
    for _ in range(iterations):
        assignment = nearest(values, centroids)
        sums = numpy.bincount(assignment, weights=values, minlength=count)
        counts = numpy.bincount(assignment, minlength=count)
        updated = numpy.where(counts > 0, sums / numpy.maximum(counts, 1), centroids)
        updated.sort()
        if numpy.array_equal(updated, centroids):
            break
        centroids = updated
    return centroids, nearest(values, centroids)


def _codebook_layer(linear, bits, method):
    """A SharedWeightLinear standing in for ``linear`` (a Linear or a SharedWeightLinear)."""
    if isinstance(linear, SharedWeightLinear):
        weight = to_numpy(linear.dense_weight())
        mask = to_numpy(linear.mask).copy()
        bias = linear.bias
    else:
        weight = to_numpy(linear.weight.data)
        mask_name = mask_buffer_name("weight")
        mask = to_numpy(linear._buffers[mask_name]).copy() if mask_name in linear._buffers else \
            numpy.ones(weight.shape, dtype=bool)
        bias = linear.bias
    if not numpy.isfinite(weight[mask]).all():
        raise ValueError("cannot quantise a layer whose kept weights are not all finite")
    kept = weight[mask].astype(numpy.float64)
    count = 2 ** bits
    if kept.size == 0:
        centroids, assignment = numpy.zeros(1), numpy.zeros(0, dtype=numpy.int64)
    elif method == "uniform":
        centroids = uniform_levels(kept, count)
        assignment = nearest(kept, centroids)
    else:
        centroids, assignment = kmeans_1d(kept, count)
    indices = numpy.zeros(weight.shape, dtype=numpy.int64)
    indices[mask] = assignment
    layer = SharedWeightLinear(centroids.astype(weight.dtype), indices, mask,
                               None if bias is None else to_numpy(bias.data))
    device = linear.centroids.device if isinstance(linear, SharedWeightLinear) else linear.weight.device
    return layer.to(device) if device != "cpu" else layer


def _replace_linears(model, bits, method):
    bits = _check_bits(bits)
    if not isinstance(model, Module):
        raise TypeError(f"expected an nn.Module, got {type(model).__name__}")
    if isinstance(model, (Linear, SharedWeightLinear)):
        return _codebook_layer(model, bits, method)
    replaced = 0
    for _, module in list(model.named_modules()):
        for name, child in list(module._modules.items()):
            if isinstance(child, (Linear, SharedWeightLinear)):
                # assign in the table itself: setattr would move the child to the end of a Sequential
                module._modules[name] = _codebook_layer(child, bits, method)
                replaced += 1
    if not replaced:
        raise ValueError(f"{type(model).__name__} has no Linear layer to quantise")
    return model


def quantize(model, bits):
    """Linear quantisation to ``bits`` bits per weight: each Linear becomes a SharedWeightLinear, in place.

    Level l of 2^b is c_l = w_min + l (w_max - w_min) / (2^b - 1) over the
    layer's kept weights; each kept weight becomes its nearest level. Returns
    ``model`` (or the new layer when ``model`` is itself a Linear).
    """
    return _replace_linears(model, bits, "uniform")


def share_weights(model, bits):
    """k-means weight sharing with 2^bits centroids per layer: each Linear becomes a SharedWeightLinear, in place.

    The centroids minimise sum_ij (w_ij - c_{k_ij})^2 over the layer's kept
    weights (Lloyd's algorithm from evenly spaced levels). Returns ``model``
    (or the new layer when ``model`` is itself a Linear). Fine-tune afterwards
    with any optimiser: the centroids are the Parameters. Since a centroid's
    gradient sums over every weight that shares it (thousands, in a large
    layer), its step should be correspondingly smaller than a weight's.
    """
    return _replace_linears(model, bits, "kmeans")
