"""Losses computed from raw scores in one numerically stable step (Section 3.2.6, Eq. 3.22).

``cross_entropy`` fuses softmax and the negative log-likelihood, so its
derivative with respect to the scores is simply o - y (Eq. 3.22) and logits of
1e4 neither overflow nor produce NaN. ``binary_cross_entropy`` does the same
for the logistic sigmoid: its derivative is sigma(v) - y.
"""
import numpy

from .. import backend
from ..function import Function
from ..tensor import Tensor
from .reduce import mean

REDUCTIONS = ("mean", "sum", "none")


class CrossEntropy(Function):
    """L_i = -sum_k y_ik log softmax(v_i)_k, reduced over the batch; d L/d v_i = softmax(v_i) sum_k y_ik - y_i.

    For one-hot or probability targets sum_k y_ik = 1 and the derivative is
    o - y (Eq. 3.22); soft targets whose rows do not sum to 1 get the general
    form. Classes with y_ik = 0 contribute nothing, also where a logit is -inf
    (where y log o would be 0 * -inf = NaN).
    """

    differentiable_backward = True

    def forward(ctx, logits, target, reduction="mean"):
        xp = ctx.xp
        if logits.ndim == 0:
            raise ValueError("cross_entropy: the logits must have a class axis (shape (classes,) or (batch, classes)), "
                             "got a 0-d tensor")
        log_probabilities, probabilities = _log_softmax_and_softmax(ctx, logits)
        if target.dtype.kind in "iu":
            labels = target
            is_label = _label_mask(xp, labels, logits)
            target = is_label.astype(logits.dtype)
            ctx.target_mass = None  # one-hot rows sum to 1
            if xp is numpy:  # each row's label entry: the mask is the cheapest gather on the host
                picked = log_probabilities[is_label]
                if picked.size != labels.size:  # a label outside [0, classes) leaves its row of the mask empty
                    _raise_label_outside(labels, logits)
                per_example = -picked.reshape(labels.shape)
            else:  # on a GPU a boolean mask makes CuPy wait for the device to count it; gather instead
                if labels.size and bool(((labels < 0) | (labels >= logits.shape[-1])).any()):  # one device wait
                    _raise_label_outside(labels, logits)
                per_example = -xp.take_along_axis(log_probabilities, labels[..., None], axis=-1)[..., 0]
        elif target.shape != logits.shape:
            raise ValueError(f"cross_entropy: soft or one-hot targets of shape {target.shape} must match "
                             f"the logits' shape {logits.shape}")
        else:
            ctx.target_mass = xp.sum(target, axis=-1, keepdims=True)
            per_example = -xp.sum(target * xp.where(target != 0, log_probabilities, 0.0), axis=-1)
        ctx.reduction = reduction
        examples = logits.size // logits.shape[-1] if logits.shape[-1] else 0
        # the mean over no example is NaN, as NumPy's and mse's are (nn's losses refuse an empty batch)
        ctx.scale = (1.0 / examples if examples else float("nan")) if reduction == "mean" else 1.0
        # the softmax is kept for the backward, which would otherwise compute it again from the logits
        ctx.save_for_backward(logits, target, probabilities)
        return _reduce(xp, per_example, reduction)

    def backward(ctx, grad_output):
        logits, target, probabilities = ctx.saved_tensors
        if ctx.reduction == "none":
            grad_output = grad_output[..., None]
        if probabilities is None or isinstance(grad_output, Tensor):
            # not kept by the forward, or recording the backward (create_graph), where the softmax must be
            # computed from the logits Tensor so that the recorded graph reaches them
            probabilities = ctx.F.softmax(logits, axis=-1)
        if ctx.target_mass is not None:
            probabilities = probabilities * ctx.target_mass
        grad = (probabilities - target) * (grad_output * ctx.scale)
        return grad, None


class BinaryCrossEntropy(Function):
    """L = -[y log sigma(v) + (1 - y) log(1 - sigma(v))] from logits v; d L/d v = sigma(v) - y.

    Written as max(v, 0) - v y + log(1 + exp(-|v|)), stable for any v.
    """

    differentiable_backward = True

    def forward(ctx, logits, target, reduction="mean"):
        xp = ctx.xp
        if target.shape != logits.shape:
            raise ValueError(f"binary_cross_entropy: targets of shape {target.shape} must match "
                             f"the logits' shape {logits.shape}")
        ctx.reduction = reduction
        ctx.scale = 1.0 / logits.size if reduction == "mean" else 1.0
        ctx.save_for_backward(logits, target)
        per_entry = xp.maximum(logits, 0) - logits * target + xp.log1p(xp.exp(-xp.abs(logits)))
        return _reduce(xp, per_entry, reduction)

    def backward(ctx, grad_output):
        logits, target = ctx.saved_tensors
        grad = (ctx.F.sigmoid(logits) - target) * (grad_output * ctx.scale)
        return grad, None


def _log_softmax_and_softmax(ctx, logits):
    """log softmax(v) and softmax(v) along the last axis, from one shift by each row's maximum.

    log softmax(v)_k = v_k - (log sum_j exp(v_j - m) + m) and softmax(v)_k =
    exp(v_k - m) / sum_j exp(v_j - m), m = max_j v_j: the same numbers as
    ``F.log_softmax`` and ``F.softmax``. Logits with a row whose maximum is
    not finite (all -inf, +inf or NaN) still go through those two, and so do
    logits on a GPU, where testing the maximum would make the host wait for
    the device: the softmax is then None and the backward computes it.
    """
    xp = ctx.xp
    if xp is not numpy:
        return ctx.F.log_softmax(logits, axis=-1), None
    shift = xp.max(logits, axis=-1, keepdims=True)
    if not xp.isfinite(shift).all():
        return ctx.F.log_softmax(logits, axis=-1), None
    exponentials = xp.exp(logits - shift)
    total = xp.sum(exponentials, axis=-1, keepdims=True)  # at least 1: the maximum contributes exp(0)
    return logits - (xp.log(total) + shift), exponentials / total


def _label_mask(xp, labels, logits):
    """A boolean one-hot mask: True at each example's label, none in the row of a label outside the classes."""
    if labels.shape != logits.shape[:-1]:
        raise ValueError(f"cross_entropy: integer labels of shape {labels.shape} must have the logits' shape "
                         f"without the class axis, {logits.shape[:-1]}")
    return labels[..., None] == xp.arange(logits.shape[-1])


def _raise_label_outside(labels, logits):
    raise ValueError(f"cross_entropy: labels must lie in [0, {logits.shape[-1] - 1}], got values from "
                     f"{int(labels.min())} to {int(labels.max())}")


def _reduce(xp, values, reduction):
    if reduction == "mean":
        if values.size == 0:  # NaN without NumPy's "mean of empty slice" warning
            return xp.full((), xp.nan, dtype=values.dtype)
        if xp is numpy and values.dtype.itemsize >= 4:
            # what numpy.mean computes in float32 and float64 (float16 sums in float32), without its Python wrapper
            return values.sum() / values.size
        return xp.mean(values)
    if reduction == "sum":
        return xp.sum(values)
    return values


def _check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _target_array(target, logits):
    if isinstance(target, Tensor):
        if target.requires_grad:
            raise ValueError("targets are constants here; detach() them if they come from a graph")
        target = target.data
    if not hasattr(target, "dtype"):  # a list or a number: put it on the logits' device
        target = backend.get_array_module(logits.data if isinstance(logits, Tensor) else logits).asarray(target)
    if target.dtype.kind == "f" and target.dtype != logits.dtype:
        target = target.astype(logits.dtype)
    return target


def cross_entropy(logits, target, reduction="mean"):
    """Softmax cross-entropy from raw scores (Eq. 3.22); ``target`` holds integer labels or probabilities."""
    _check_reduction(reduction)
    return CrossEntropy.apply(logits, _target_array(target, logits), reduction=reduction)


def binary_cross_entropy(logits, target, reduction="mean"):
    """Logistic loss from raw scores: -y log sigma(v) - (1 - y) log(1 - sigma(v))."""
    _check_reduction(reduction)
    return BinaryCrossEntropy.apply(logits, _target_array(target, logits), reduction=reduction)


def _shape_of(value, argument):
    if isinstance(value, Tensor) or hasattr(value, "shape"):
        return tuple(value.shape)
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"mse: the {argument} must be a Tensor, an array or a number, got {type(value).__name__}")
    return numpy.shape(value)


def mse(prediction, target, reduction="mean"):
    """Squared error (prediction - target)^2, averaged (``mean``), summed, or per entry (``none``).

    The prediction and the target must have the same shape.
    """
    _check_reduction(reduction)
    prediction_shape, target_shape = _shape_of(prediction, "prediction"), _shape_of(target, "target")
    if prediction_shape != target_shape:
        raise ValueError(f"mse: the prediction has shape {prediction_shape} but the target has shape {target_shape}; "
                         "they must be equal (a loss never broadcasts one against the other: a (3, 1) prediction "
                         "and a (3,) target would give 9 differences). Reshape one of them.")
    difference = prediction - target
    squared = difference * difference
    if reduction == "mean":
        return mean(squared)
    if reduction == "sum":
        return squared.sum()
    return squared
