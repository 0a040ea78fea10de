"""Index-valued operations: argmax, argmin, the maximum with its indices, gather, one_hot.

``argmax``, ``argmin`` and ``one_hot`` give constant integer tensors (their
derivative is 0 almost everywhere, so nothing is recorded). ``gather``
(PyTorch's ``gather(input, dim, index)``) picks entries along an axis; it is
indexing, so its backward scatters the gradient and adds where an index
repeats (an entry picked k times receives k contributions, as in Section
3.2's sum over outgoing edges). ``max_with_indices`` returns PyTorch's pair
(values, indices); its gradient goes to the entry the index names, the first
maximal one, whereas ``max`` splits it among ties.
"""
from collections import namedtuple

from .. import backend
from ..tensor import Tensor
from .shape import getitem, squeeze

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _data(value):
    return value.data if isinstance(value, Tensor) else value


def _constant(array):
    xp = backend.get_array_module(array)
    return Tensor._make(xp.asarray(array), False, None)


def _check_axis(name, axis, ndim):
    if not isinstance(axis, int) or not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(f"{name}: axis must be an int in [-{max(ndim, 1)}, {max(ndim, 1)}) for a tensor with "
                         f"{ndim} dimensions, got {axis!r}")


def _arg_extremum(name, a, axis, keepdims):
    data = _data(a)
    xp = backend.get_array_module(data)
    data = xp.asarray(data)
    if data.size == 0:
        raise ValueError(f"{name} of an empty tensor of shape {data.shape}")
    if axis is not None:
        _check_axis(name, axis, data.ndim)
    return _constant(getattr(xp, name)(data, axis=axis, keepdims=keepdims))


def argmax(a, axis=None, keepdims=False):
    """The index of the (first) largest entry, over the flattened tensor or along ``axis``."""
    return _arg_extremum("argmax", a, axis, keepdims)


def argmin(a, axis=None, keepdims=False):
    """The index of the (first) smallest entry, over the flattened tensor or along ``axis``."""
    return _arg_extremum("argmin", a, axis, keepdims)


def gather(a, axis, index):
    """out[i][j][k] = a[index[i][j][k]][j][k] for axis 0 (and likewise for the other axes), as PyTorch's.

    ``index`` is an integer array or Tensor with as many dimensions as ``a``,
    no larger than ``a`` on the other axes; the result has ``index``'s shape.
    """
    data = _data(a)
    index = _data(index)
    xp = backend.get_array_module(data)
    index = xp.asarray(index)
    _check_axis("gather", axis, data.ndim)
    if index.dtype.kind not in "iu":
        raise TypeError(f"gather: index must hold integers, got dtype {index.dtype}")
    if index.ndim != data.ndim:
        raise ValueError(f"gather: index must have as many dimensions as the input ({data.ndim}), "
                         f"got shape {index.shape} for an input of shape {data.shape}")
    if data.ndim == 0:  # PyTorch's rule: a 0-d input takes only the index 0
        if int(index) != 0:
            raise ValueError(f"gather: a 0-d input takes only the index 0, got {int(index)}")
        return getitem(a, ())
    axis %= data.ndim
    for position, (wanted, available) in enumerate(zip(index.shape, data.shape)):
        if position != axis and wanted > available:
            raise ValueError(f"gather: index of shape {index.shape} is larger than the input {data.shape} "
                             f"on axis {position}")
    if index.size and (int(index.min()) < 0 or int(index.max()) >= data.shape[axis]):
        raise ValueError(f"gather: indices along axis {axis} must lie in [0, {data.shape[axis] - 1}], got values "
                         f"from {int(index.min())} to {int(index.max())}")
    # an open grid over the other axes (what numpy.indices(..., sparse=True) gives; CuPy's has no sparse form)
    positions = [xp.arange(size).reshape([-1 if other == position else 1 for other in range(index.ndim)])
                 for position, size in enumerate(index.shape)]
    positions[axis] = index
    return getitem(a, tuple(positions))


def max_with_indices(a, axis, keepdims=False):
    """(values, indices) of the maximum along ``axis``, PyTorch's ``max(dim=...)``; the values are differentiable."""
    return _extremum_with_indices("max_with_indices", argmax, a, axis, keepdims)


def min_with_indices(a, axis, keepdims=False):
    """(values, indices) of the minimum along ``axis``, PyTorch's ``min(dim=...)``; the values are differentiable."""
    return _extremum_with_indices("min_with_indices", argmin, a, axis, keepdims)


def _extremum_with_indices(name, arg_function, a, axis, keepdims):
    ndim = _data(a).ndim
    _check_axis(name, axis, ndim)
    if ndim == 0:
        zero_index = backend.get_array_module(_data(a)).zeros((), dtype="int64")
        return ValuesIndices(getitem(a, ()), _constant(zero_index))
    indices = arg_function(a, axis=axis, keepdims=True)
    values = gather(a, axis, indices)
    if not keepdims:
        values = squeeze(values, axis)
        indices = _constant(indices.data.squeeze(axis))
    return ValuesIndices(values, indices)


def one_hot(labels, num_classes=None, dtype="int64"):
    """Rows e_y of the identity: out[..., k] = 1 where labels == k, else 0 (a constant tensor).

    ``num_classes`` defaults to max(labels) + 1; ``dtype`` is int64 as in
    PyTorch (pass ``dtype=numpy.float64`` for targets of a loss).
    """
    data = _data(labels)
    xp = backend.get_array_module(data)
    data = xp.asarray(data)
    if data.dtype.kind not in "iu":
        raise TypeError(f"one_hot: labels must be integers, got dtype {data.dtype}")
    smallest = int(data.min()) if data.size else 0
    largest = int(data.max()) if data.size else -1
    if num_classes is None:
        num_classes = largest + 1
    if smallest < 0 or largest >= num_classes:
        raise ValueError(f"one_hot: labels must lie in [0, {num_classes - 1}], got values from {smallest} "
                         f"to {largest}")
    return _constant((data[..., None] == xp.arange(num_classes)).astype(dtype))
