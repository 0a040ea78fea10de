"""Shape operations: reshape, transpose, broadcast, concatenate, stack, indexing, device moves.

Their local derivatives only move gradient entries around: reshape and
transpose undo themselves, indexing scatters the gradient back and adds
(so an index repeated k times receives k contributions), concatenation
slices it apart.
"""
import numpy

from .. import backend
from ..function import Function
from ..tensor import Tensor


class Reshape(Function):
    """The same entries in a new shape; the gradient is reshaped back."""

    differentiable_backward = True

    def forward(ctx, a, shape):
        ctx.input_shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} ({a.size} entries) "
                             f"into shape {shape}") from None

    def backward(ctx, grad_output):
        return (grad_output.reshape(ctx.input_shape),)


class Transpose(Function):
    """Axes permuted; the gradient is permuted back by the inverse permutation."""

    differentiable_backward = True

    def forward(ctx, a, axes=None):
        if axes is None:
            axes = tuple(reversed(range(a.ndim)))
        axes = tuple(axis % a.ndim for axis in axes)  # a negative axis counts from the end
        ctx.inverse = tuple(numpy.argsort(axes))
        return ctx.xp.transpose(a, axes)

    def backward(ctx, grad_output):
        return (ctx.F.transpose(grad_output, ctx.inverse),)


class BroadcastTo(Function):
    """Entries repeated along new or size-1 axes; the engine sums the gradient back (its one helper)."""

    differentiable_backward = True

    def forward(ctx, a, shape):
        try:
            return ctx.xp.broadcast_to(a, shape)
        except ValueError:
            raise ValueError(f"broadcast_to: cannot broadcast shape {a.shape} to {shape}") from None

    def backward(ctx, grad_output):
        return (grad_output,)


class Concatenate(Function):
    """Inputs joined along ``axis``; each gets back its slice of the gradient."""

    differentiable_backward = True

    def forward(ctx, *arrays, axis=0):
        if arrays[0].ndim == 0:
            raise ValueError("concatenate: 0-d tensors have no axis to join along; use stack, or reshape them to (1,)")
        axis = _axis_in_range(axis, arrays[0].ndim, "concatenate")
        ctx.axis = axis
        ctx.sizes = [array.shape[axis] for array in arrays]
        try:
            return ctx.xp.concatenate(arrays, axis=axis)
        except ValueError as error:
            shapes = ", ".join(str(array.shape) for array in arrays)
            raise ValueError(f"concatenate along axis {axis}: shapes {shapes} do not fit ({error})") from None

    def backward(ctx, grad_output):
        axis = ctx.axis % grad_output.ndim
        grads, start = [], 0
        for size, needed in zip(ctx.sizes, ctx.needs_input_grad):
            if needed:
                grads.append(grad_output[(slice(None),) * axis + (slice(start, start + size),)])
            else:
                grads.append(None)
            start += size
        return tuple(grads)


class GetItem(Function):
    """Indexing and slicing; the backward scatters the gradient and adds where indices repeat."""

    differentiable_backward = True

    def forward(ctx, a, index):
        ctx.index = index
        ctx.input_shape = a.shape
        try:
            out = a[index]
        except IndexError as error:
            raise IndexError(f"index {index!r} into a tensor of shape {a.shape}: {error}") from None
        if isinstance(out, numpy.generic):  # NumPy copies one entry out as a scalar; a 0-d view instead, so that
            out = a[(index if isinstance(index, tuple) else (index,)) + (Ellipsis,)]  # t[0].fill_(1) changes t
        return out

    def backward(ctx, grad_output):
        return (ctx.F.scatter_add(grad_output, ctx.index, ctx.input_shape),)


class ScatterAdd(Function):
    """Zeros of ``shape`` with ``values`` added at ``index``: the adjoint of indexing."""

    differentiable_backward = True

    def forward(ctx, values, index, shape):
        ctx.index = index
        return ctx.F.scatter_add(values, index, shape)

    def backward(ctx, grad_output):
        return (grad_output[ctx.index],)


class ToDevice(Function):
    """A copy on another device; the gradient is copied back to the input's device."""

    differentiable_backward = True

    def forward(ctx, a, device):
        ctx.source_device = backend.device_of(a)
        return backend.move_to(a, device)

    def backward(ctx, grad_output):
        if isinstance(grad_output, Tensor):
            return (grad_output.to(ctx.source_device),)
        return (backend.move_to(grad_output, ctx.source_device),)


def _view_of(result, a):
    """The result of a view operation shares ``a``'s version counter when it shares its memory."""
    if isinstance(a, Tensor):
        result._share_memory_version(a)
    return result


def reshape(a, *shape):
    """``reshape(t, (2, 3))`` or ``t.reshape(2, 3)``; one entry may be -1 (an unknown size), no other negative."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    shape = tuple(shape)
    for size in shape:
        if isinstance(size, bool) or not isinstance(size, (int, numpy.integer)) or size < -1:
            raise ValueError(f"reshape: sizes must be integers >= 0, or -1 for one unknown size; got {shape}")
    if shape.count(-1) > 1:
        raise ValueError(f"reshape: only one size may be -1 (unknown), got {shape}")
    return _view_of(Reshape.apply(a, shape=shape), a)


def _axis_in_range(axis, ndim, operation):
    """``axis`` as a non-negative index of a tensor with ``ndim`` axes (NumPy's rule), else a ValueError."""
    if isinstance(axis, bool) or not isinstance(axis, (int, numpy.integer)):
        raise TypeError(f"{operation}: an axis must be an integer, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{operation}: axis {axis} is out of range for a tensor with {ndim} dimensions "
                         f"(valid: {-ndim} to {ndim - 1})")
    return int(axis) % ndim


def transpose(a, axes=None):
    """Permute the axes (reverse them when ``axes`` is None); negative axes count from the end."""
    if axes is not None:
        ndim = numpy.ndim(a.data if isinstance(a, Tensor) else a)
        axes = tuple(_axis_in_range(axis, ndim, "transpose") for axis in axes)
        if sorted(axes) != list(range(ndim)):
            raise ValueError(f"transpose: axes {axes} are not a permutation of the {ndim} axes of the tensor")
    return _view_of(Transpose.apply(a, axes=axes), a)


def swapaxes(a, axis1, axis2):
    axes = list(range(a.ndim))
    axis1, axis2 = _axis_in_range(axis1, a.ndim, "swapaxes"), _axis_in_range(axis2, a.ndim, "swapaxes")
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return _view_of(Transpose.apply(a, axes=tuple(axes)), a)


def broadcast_to(a, shape):
    return _view_of(BroadcastTo.apply(a, shape=tuple(shape)), a)


def expand_dims(a, axis):
    """A new size-1 axis at ``axis``, which may range from -(ndim + 1) to ndim (NumPy's rule)."""
    shape = list(a.shape)
    position = _axis_in_range(axis, len(shape) + 1, "expand_dims")
    shape.insert(position, 1)
    return _view_of(Reshape.apply(a, shape=tuple(shape)), a)


def squeeze(a, axis=None):
    """Remove size-1 axes (all of them, or those at ``axis``); a 0-d tensor accepts axis 0 or -1, as in NumPy."""
    shape = a.shape
    if axis is None:
        new_shape = tuple(size for size in shape if size != 1)
    else:
        requested = axis if isinstance(axis, tuple) else (axis,)
        if not shape:
            for index in requested:
                _axis_in_range(index, 1, "squeeze")
            return _view_of(Reshape.apply(a, shape=()), a)
        axes = {_axis_in_range(index, len(shape), "squeeze") for index in requested}
        for index in axes:
            if shape[index] != 1:
                raise ValueError(f"squeeze: axis {index} of shape {shape} has size {shape[index]}, not 1")
        new_shape = tuple(size for index, size in enumerate(shape) if index not in axes)
    return _view_of(Reshape.apply(a, shape=new_shape), a)


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concatenate needs at least one tensor, got an empty sequence")
    return Concatenate.apply(*tensors, axis=axis)


def stack(tensors, axis=0):
    """Join tensors of one shape along a new axis."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack needs at least one tensor, got an empty sequence")
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack needs tensors of one shape, got {sorted(shapes)}")
    return Concatenate.apply(*(expand_dims(_as_tensor(t), axis) for t in tensors), axis=axis)


def getitem(a, index):
    return _view_of(GetItem.apply(a, index=_plain_index(index, a)), a)


def scatter_add(values, index, shape):
    return ScatterAdd.apply(values, index=_plain_index(index, values), shape=tuple(shape))


def to_device(a, device):
    return ToDevice.apply(a, device=backend.normalize_device(device))


def _as_tensor(value):
    return value if isinstance(value, Tensor) else Tensor(value)


def _plain_index(index, indexed):
    """Replace Tensors and lists inside an index by arrays of the indexed tensor's module (NumPy or CuPy)."""
    xp = backend.get_array_module(indexed.data if isinstance(indexed, Tensor) else indexed)
    if isinstance(index, tuple):
        return tuple(_plain_index_item(item, xp) for item in index)
    return _plain_index_item(index, xp)


def _plain_index_item(item, xp):
    if isinstance(item, Tensor):
        return item.data
    if isinstance(item, list):
        return xp.asarray(item)
    return item
