"""Layout operations a PyTorch user reaches for: flip, tril, triu, clone, and shape conveniences.

``flip``, ``tril`` and ``triu`` are linear maps that only move or mask
entries, so each is its own adjoint: the gradient is flipped or masked the
same way. ``clone`` is the identity, recorded. ``view``, ``unsqueeze``,
``flatten``, ``permute`` and ``cat`` are PyTorch's names for reshapes,
transposes and concatenation, built on those operations (``ops/shape.py``).
"""
import operator

from ..function import Function
from .shape import Reshape, concatenate, transpose


class Flip(Function):
    """The entries in reverse order along ``axis`` (every axis when None); the gradient is flipped back."""

    differentiable_backward = True

    def forward(ctx, a, axis=None):
        ctx.axis = axis
        return ctx.xp.flip(a, axis)

    def backward(ctx, grad_output):
        return (ctx.F.flip(grad_output, ctx.axis),)


class _Triangle(Function):
    """Entries on one side of the k-th diagonal kept, the others set to 0; the gradient is masked alike."""

    differentiable_backward = True
    side = ""

    def forward(ctx, a, k=0):
        if a.ndim < 2:
            raise ValueError(f"{ctx.side} needs a tensor with at least 2 dimensions, got shape {a.shape}")
        ctx.k = k
        return getattr(ctx.xp, ctx.side)(a, k)

    def backward(ctx, grad_output):
        return (getattr(ctx.F, ctx.side)(grad_output, ctx.k),)


class Tril(_Triangle):
    """out_ij = a_ij where j - i <= k, else 0 (the lower triangle)."""

    side = "tril"


class Triu(_Triangle):
    """out_ij = a_ij where j - i >= k, else 0 (the upper triangle)."""

    side = "triu"


class Clone(Function):
    """A copy with its own array, recorded: out = a, d out/d a = 1."""

    differentiable_backward = True

    def forward(ctx, a):
        return a.copy()

    def backward(ctx, grad_output):
        return (grad_output,)


def flip(m, axis=None):
    """Reverse the order of entries along ``axis`` (an int, a tuple, or None for every axis)."""
    return Flip.apply(m, axis=axis)


def tril(m, k=0):
    """The lower triangle of the last two axes: entries with j - i <= k, zeros elsewhere."""
    return Tril.apply(m, k=operator.index(k))


def triu(m, k=0):
    """The upper triangle of the last two axes: entries with j - i >= k, zeros elsewhere."""
    return Triu.apply(m, k=operator.index(k))


def clone(a):
    """A copy that owns its array; gradients flow through it unchanged."""
    return Clone.apply(a)


def view(a, *shape):
    """PyTorch's name for ``reshape`` (the result here never shares memory that could later be written)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return Reshape.apply(a, shape=tuple(shape))


def unsqueeze(a, axis):
    """PyTorch's name for ``expand_dims``: a new size-1 axis at ``axis`` (-1 appends one)."""
    ndim = len(a.shape) + 1
    if not -ndim <= axis < ndim:
        raise ValueError(f"unsqueeze: axis {axis} is out of range for a result with {ndim} dimensions")
    shape = list(a.shape)
    shape.insert(axis % ndim, 1)
    return Reshape.apply(a, shape=tuple(shape))


def flatten(a, start_dim=0, end_dim=-1):
    """Axes ``start_dim`` to ``end_dim`` (inclusive) merged into one, as PyTorch's; by default a 1-D tensor."""
    shape = tuple(a.shape)
    ndim = max(len(shape), 1)
    for name, value in (("start_dim", start_dim), ("end_dim", end_dim)):
        if not -ndim <= value < ndim:
            raise ValueError(f"flatten: {name}={value} is out of range for a tensor of shape {shape}")
    start, end = start_dim % ndim, end_dim % ndim
    if start > end:
        raise ValueError(f"flatten: start_dim={start_dim} comes after end_dim={end_dim} for shape {shape}")
    if not shape:
        return Reshape.apply(a, shape=(1,))
    merged = 1
    for size in shape[start:end + 1]:
        merged *= size
    return Reshape.apply(a, shape=shape[:start] + (merged,) + shape[end + 1:])


def permute(a, *axes):
    """PyTorch's name for ``transpose`` with an explicit order: ``permute(t, 2, 0, 1)`` or ``permute(t, (2, 0, 1))``."""
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = axes[0]
    ndim = len(a.shape)
    normalized = [axis % ndim if -ndim <= axis < ndim else axis for axis in axes]
    if sorted(normalized) != list(range(ndim)):
        raise ValueError(f"permute: axes {tuple(axes)} are not a permutation of the {ndim} axes of shape "
                         f"{tuple(a.shape)}")
    return transpose(a, tuple(normalized))


def cat(tensors, axis=0):
    """PyTorch's name for ``concatenate``."""
    return concatenate(tensors, axis=axis)
