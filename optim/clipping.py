"""Gradient clipping against exploding gradients and cliffs (Section 3.5.5, Figure 3.13).

``clip_grad_value`` clips each partial derivative into [-c, c]; ``clip_grad_norm``
rescales all the gradients together when their global L2 norm
||g|| = sqrt(sum over every parameter of sum g^2) exceeds ``max_norm``::

    g <- g * max_norm / ||g||       if ||g|| > max_norm

Both replace ``param.grad`` with a new tensor rather than writing into its
array, which may be shared with other gradients or saved elsewhere. The norm
is computed as m * ||g / m|| with m the largest |g|, so gradients of 1e200
give their norm instead of overflowing to infinity.
"""
import math

import autograd_core as ag
from autograd_core.backend import get_array_module

from .optimizer import parameter_list


def _with_grads(params):
    return [param for param in parameter_list(params) if param.grad is not None]


def clip_grad_value(params, clip_value):
    """Clip every partial derivative of ``params`` (Tensors, or a model) into [-clip_value, clip_value]."""
    if not clip_value > 0:
        raise ValueError(f"clip_value must be > 0, got {clip_value!r}")
    for param in _with_grads(params):
        grad = param.grad.data
        param.grad = ag.Tensor(get_array_module(grad).clip(grad, -clip_value, clip_value))


def grad_norm(params, norm_type=2.0):
    """The global norm of the gradients of ``params``: L2 by default, ``float("inf")`` for the largest |g|.

    ||g||_p = m (sum |g / m|^p)^(1/p) with m = max |g|: the scaling keeps every
    term at most 1, so finite gradients never overflow (1e200 squared would).
    """
    if not (norm_type == math.inf or norm_type > 0):
        raise ValueError(f"norm_type must be > 0 or inf, got {norm_type!r}")
    grads = [param.grad.data for param in _with_grads(params)]
    peaks = [float(abs(grad).max()) for grad in grads if grad.size]
    if any(math.isnan(peak) for peak in peaks):
        return math.nan
    largest = max(peaks, default=0.0)
    if norm_type == math.inf or largest == 0.0 or largest == math.inf:
        return largest
    total = sum(float((abs(grad / largest) ** norm_type).sum()) for grad in grads)
    return largest * total ** (1.0 / norm_type)


def clip_grad_norm(params, max_norm, norm_type=2.0):
    """Rescale the gradients of ``params`` so that their global norm is at most ``max_norm``.

    Returns the norm before clipping (useful to log, and to watch for cliffs).
    Gradients are left alone when the norm is within bounds; a NaN or infinite
    norm raises FloatingPointError, since no rescaling can repair it.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be > 0, got {max_norm!r}")
    norm = grad_norm(params, norm_type)
    if not math.isfinite(norm):
        raise FloatingPointError(f"the gradient norm is {norm}: some gradient holds NaN or infinity, and "
                                 "clipping cannot repair it; look for the operation with ag.detect_anomaly()")
    if norm > max_norm:
        scale = max_norm / norm
        for param in _with_grads(params):
            param.grad = ag.Tensor(param.grad.data * scale)
    return norm
