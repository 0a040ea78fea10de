"""Losses and penalties as functions of Tensors (Sections 3.2.6-3.2.7).

- ``mse``: squared error (prediction - target)^2.
- ``cross_entropy``: softmax cross-entropy from raw scores with integer
  labels, one-hot rows or soft targets (probability rows, as a mimic model
  trained on another model's outputs uses); d L/d v = o - y (Eq. 3.22).
- ``binary_cross_entropy``: the logistic loss from raw scores.
- ``hinge``: max(0, 1 - y v) for labels y in {-1, +1}, or the multiclass
  (Weston-Watkins) hinge sum_{j != c} max(0, 1 + v_j - v_c) for integer labels.
- Penalties: ``l1_penalty`` and ``l2_penalty`` of any Tensor (an L1
  sparsity penalty on a hidden activation is a loss on a hidden node,
  Section 3.2.7), ``weight_penalty`` over a module's weights, and
  ``hidden_penalties``, the sum of what ``nn.ActivityPenalty`` layers
  recorded in the last forward pass.

Every loss takes ``reduction``: ``"mean"`` (over examples), ``"sum"`` or ``"none"``.
"""
import numpy

import autograd_core as ag

from .arrays import array_module, raw

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _reduce(per_example, reduction):
    if reduction == "none":
        return per_example
    total = per_example.sum()
    return total * (1.0 / max(per_example.size, 1)) if reduction == "mean" else total


def mse(prediction, target, reduction="mean"):
    """L = (prediction - target)^2 per entry, averaged over all entries by default."""
    _check_reduction(reduction)
    return ag.mse(prediction, raw(target), reduction=reduction)


def cross_entropy(logits, target, reduction="mean"):
    """L_i = -sum_k y_ik log softmax(v_i)_k; ``target`` holds integer labels, one-hot or soft rows."""
    _check_reduction(reduction)
    return ag.cross_entropy(logits, target, reduction=reduction)


def binary_cross_entropy(logits, target, reduction="mean"):
    """L = -y log sigma(v) - (1 - y) log(1 - sigma(v)) from raw scores v, targets y in [0, 1]."""
    _check_reduction(reduction)
    return ag.binary_cross_entropy(logits, raw(target), reduction=reduction)


def hinge(scores, target, margin=1.0, reduction="mean"):
    """The hinge loss of the support vector machine.

    Binary: ``target`` in {-1, +1} with the shape of ``scores``; L = max(0, margin - y v).
    Multiclass: integer ``target`` of shape scores.shape[:-1];
    L_i = sum_{j != c_i} max(0, margin + v_ij - v_ic_i).
    """
    _check_reduction(reduction)
    target = raw(target)
    xp = array_module(scores)
    target = xp.asarray(target)
    if target.dtype.kind in "iu" and target.shape == tuple(scores.shape[:-1]) and scores.ndim == 2:
        classes = scores.shape[-1]
        if target.size and (int(target.min()) < 0 or int(target.max()) >= classes):
            raise ValueError(f"hinge: labels must lie in [0, {classes - 1}], got values from {int(target.min())} "
                             f"to {int(target.max())}")
        one_hot = (target[:, None] == xp.arange(classes)).astype(raw(scores).dtype)
        true_score = (scores * one_hot).sum(axis=-1, keepdims=True)
        margins = ag.relu(scores - true_score + margin) * (1.0 - one_hot)
        return _reduce(margins.sum(axis=-1), reduction)
    if target.shape != tuple(scores.shape):
        raise ValueError(f"hinge: binary targets must have the scores' shape {tuple(scores.shape)}, got "
                         f"{target.shape}; multiclass targets are integer labels of shape "
                         f"{tuple(scores.shape[:-1])} with 2-D scores")
    if target.size and not bool(xp.all(xp.abs(target) == 1)):
        raise ValueError("hinge: binary targets must be -1 or +1")
    return _reduce(ag.relu(margin - scores * target.astype(raw(scores).dtype)), reduction)


def l1_penalty(tensor):
    """sum |x|: drives entries to exactly zero (sparsity)."""
    return ag.abs(tensor).sum()


def l2_penalty(tensor):
    """sum x^2 (weight decay when applied to weights)."""
    return (tensor * tensor).sum()


def weight_penalty(module, l1=0.0, l2=0.0):
    """l1 sum |W| + l2 sum W^2 over the module's weight matrices (parameters with 2 or more axes).

    Biases, BatchNorm's gamma and beta, and a learned leaky slope are vectors
    or scalars and are left unpenalised, as is usual.
    """
    terms = []
    for weight in (parameter for parameter in module.parameters() if parameter.ndim >= 2):
        if l1:
            terms.append(l1_penalty(weight) * l1)
        if l2:
            terms.append(l2_penalty(weight) * l2)
    if terms:
        return _total(terms)
    parameters = list(module.parameters())  # no weight matrix: a zero on the module's device
    return ag.Tensor(array_module(parameters[0]).zeros(()) if parameters else numpy.zeros(()))


def hidden_penalties(module):
    """The sum of the penalties that ``ActivityPenalty`` layers recorded in the last training forward pass.

    Returns None when there are none, so ``loss + penalty`` is only formed when needed.
    """
    terms = [child.last_penalty for child in module.modules()
             if getattr(child, "last_penalty", None) is not None]
    return _total(terms) if terms else None


def _total(terms):
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total
