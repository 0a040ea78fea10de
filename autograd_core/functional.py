"""Derivatives of functions as wholes: Jacobians, Hessians, Hessian-vector products (Section 3.5.6).

Each builds on ``grad``; the Hessian and the exact Hessian-vector product
differentiate the gradient again (``create_graph=True``). The
finite-difference Hessian-vector product is Eq. 3.51:
H v ~ [grad L(W + delta v) - grad L(W)] / delta.
"""
import numpy

from . import backend
from .engine import grad
from .tensor import Tensor


def _as_input(x):
    """A fresh leaf holding x's values, so the derivatives are taken at x without touching x's graph."""
    return Tensor(x.data if isinstance(x, Tensor) else x, requires_grad=True)


def jacobian(f, x, create_graph=False):
    """J[i..., j...] = d f(x)[i...] / d x[j...], a Tensor of shape f(x).shape + x.shape."""
    x = _as_input(x)
    out = f(x)
    xp = backend.get_array_module(x.data)
    rows = []
    flat = out.reshape(-1)
    for k in range(flat.size):
        row = grad(flat[k], x, retain_graph=True, create_graph=create_graph, allow_unused=True)
        rows.append(row if row is not None else Tensor(xp.zeros(x.shape, dtype=x.dtype)))
    if not rows:
        return Tensor(xp.zeros(out.shape + x.shape, dtype=x.dtype))
    from .ops import stack

    return stack(rows).reshape(out.shape + x.shape)


def hessian(f, x):
    """H[i..., j...] = d^2 f / d x[i...] d x[j...] for a scalar f, a Tensor of shape x.shape + x.shape."""
    x = _as_input(x)
    value = f(x)
    if value.size != 1:
        raise ValueError(f"hessian needs a scalar function, got an output of shape {value.shape}")
    gradient = grad(value.reshape(()), x, create_graph=True).reshape(-1)
    rows = []
    for k in range(gradient.size):
        row = grad(gradient[k], x, retain_graph=True, allow_unused=True)
        rows.append(row.data if row is not None else backend.get_array_module(x.data).zeros(x.shape))
    xp = backend.get_array_module(x.data)
    return Tensor(xp.stack(rows).reshape(x.shape + x.shape))


def hvp(f, x, v, method="exact", delta=None):
    """The Hessian-vector product H v of a scalar f at x, without forming H.

    ``method="exact"`` differentiates (grad f . v) once more (Pearlmutter's
    trick); ``method="finite_difference"`` uses Eq. 3.51 with step ``delta``
    (default: sqrt of machine epsilon, scaled by |x| / |v|).
    """
    x = _as_input(x)
    v_data = v.data if isinstance(v, Tensor) else backend.get_array_module(x.data).asarray(v, dtype=x.dtype)
    if v_data.shape != x.shape:
        raise ValueError(f"hvp: v has shape {v_data.shape} but x has shape {x.shape}")
    if method == "exact":
        gradient = grad(f(x), x, create_graph=True)
        return grad((gradient * v_data).sum(), x)
    if method == "finite_difference":
        xp = backend.get_array_module(x.data)
        if delta is None:
            scale = float(xp.linalg.norm(x.data)) + 1.0
            delta = float(numpy.sqrt(numpy.finfo(x.dtype).eps)) * scale / max(float(xp.linalg.norm(v_data)), 1e-30)
        base = grad(f(x), x).data
        shifted = Tensor(x.data + delta * v_data, requires_grad=True)
        moved = grad(f(shifted), shifted).data
        return Tensor((moved - base) / delta)
    raise ValueError(f"method must be 'exact' or 'finite_difference', got {method!r}")
