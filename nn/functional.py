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
  recorded in the last forward pass (``release_hidden_penalties`` forgets it).

Every loss takes ``reduction``: ``"mean"`` (over examples), ``"sum"`` or ``"none"``. A loss
never broadcasts a prediction against a target of another shape (a (3, 1)
prediction and a (3,) target would silently average a (3, 3) table): shapes
must match as each loss states, and the mean over an empty batch is an error.

Activations and dropout under PyTorch's names and argument names
(``relu``, ``sigmoid``, ``tanh``, ``softmax(x, dim=-1)``, ``log_softmax``,
``leaky_relu(x, negative_slope=0.01)``, ``hardtanh``, ``elu``, ``selu``,
``gelu(x, approximate="none")``, ``silu``, ``softplus(x, beta=1)``,
``dropout(x, p=0.5, training=True)``, ``one_hot``), each the engine's operation.
"""
import numpy

import autograd_core as ag

from .arrays import array_module, raw
from .checks import tensor_like

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _check_scores(scores, name, loss, reduction, min_ndim=0):
    """The prediction or scores of a loss: a Tensor or array, not empty when the loss is a mean."""
    tensor_like(scores, name, loss, min_ndim=min_ndim)
    if reduction == "mean" and scores.size == 0:
        raise ValueError(f"{loss}: {name} is an empty batch (shape {tuple(scores.shape)}); the mean over no "
                         "examples is undefined (use reduction='sum' or 'none', or skip empty batches)")


def _target_array(target, loss):
    """The array behind a target (a Tensor, an array, or a number or nested list of numbers)."""
    if target is None or isinstance(target, (str, bytes, dict)):
        raise TypeError(f"{loss}: target must be a Tensor, an array or numbers, got {type(target).__name__}")
    target = raw(target)
    return target if hasattr(target, "shape") else numpy.asarray(target)


def _reduce(per_example, reduction):
    if reduction == "none":
        return per_example
    total = per_example.sum()
    return total * (1.0 / max(per_example.size, 1)) if reduction == "mean" else total


def mse(prediction, target, reduction="mean"):
    """L = (prediction - target)^2 per entry, averaged over all entries by default.

    ``target`` must have the prediction's shape: no broadcasting.
    """
    check_reduction(reduction)
    _check_scores(prediction, "prediction", "mse", reduction)
    target = _target_array(target, "mse")
    if tuple(target.shape) != tuple(prediction.shape):
        raise ValueError(f"mse: target of shape {tuple(target.shape)} does not match prediction of shape "
                         f"{tuple(prediction.shape)}; reshape one of them (a loss never broadcasts)")
    return ag.mse(prediction, target, reduction=reduction)


def cross_entropy(logits, target, reduction="mean"):
    """L_i = -sum_k y_ik log softmax(v_i)_k; ``target`` holds integer labels, one-hot or soft rows.

    ``logits`` has the classes in its last axis; integer labels have the logits'
    shape without it, one-hot and soft rows the logits' shape.
    """
    check_reduction(reduction)
    _check_scores(logits, "logits", "cross_entropy", reduction, min_ndim=1)
    target = _target_array(target, "cross_entropy")
    if tuple(target.shape) not in (tuple(logits.shape), tuple(logits.shape[:-1])):
        raise ValueError(f"cross_entropy: target of shape {tuple(target.shape)} does not match logits of shape "
                         f"{tuple(logits.shape)}: integer labels need shape {tuple(logits.shape[:-1])}, one-hot "
                         f"or soft rows shape {tuple(logits.shape)}")
    return ag.cross_entropy(logits, target, reduction=reduction)


def binary_cross_entropy(logits, target, reduction="mean"):
    """L = -y log sigma(v) - (1 - y) log(1 - sigma(v)) from raw scores v, targets y in [0, 1] of v's shape."""
    check_reduction(reduction)
    _check_scores(logits, "logits", "binary_cross_entropy", reduction)
    target = _target_array(target, "binary_cross_entropy")
    if tuple(target.shape) != tuple(logits.shape):
        raise ValueError(f"binary_cross_entropy: target of shape {tuple(target.shape)} does not match logits of "
                         f"shape {tuple(logits.shape)}; reshape one of them (a loss never broadcasts)")
    return ag.binary_cross_entropy(logits, target, reduction=reduction)


def hinge(scores, target, margin=1.0, reduction="mean"):
    """The hinge loss of the support vector machine.

    Binary: ``target`` in {-1, +1} with the shape of ``scores``; L = max(0, margin - y v).
    Multiclass: integer ``target`` of shape scores.shape[:-1];
    L_i = sum_{j != c_i} max(0, margin + v_ij - v_ic_i).
    """
    check_reduction(reduction)
    _check_scores(scores, "scores", "hinge", reduction)
    target = _target_array(target, "hinge")
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


def release_hidden_penalties(module):
    """Forget what ``ActivityPenalty`` layers recorded, so their graphs (and the batch's activations) can be freed.

    ``nn.fit`` calls it after each backward pass.
    """
    for child in module.modules():
        if getattr(child, "last_penalty", None) is not None:
            child.last_penalty = None


def _total(terms):
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


# --- activations under PyTorch's names (Section 3.2.5 and beyond) ------------------------------------
def relu(input):
    """max(v, 0)."""
    return ag.relu(input)


def sigmoid(input):
    """1 / (1 + exp(-v))."""
    return ag.sigmoid(input)


def tanh(input):
    return ag.tanh(input)


def softmax(input, dim=-1):
    """exp(v_k) / sum_j exp(v_j) along ``dim``."""
    return ag.softmax(input, axis=dim)


def log_softmax(input, dim=-1):
    """v_k - log sum_j exp(v_j) along ``dim``."""
    return ag.log_softmax(input, axis=dim)


def log_sigmoid(input):
    """log sigma(v) = -log(1 + exp(-v)), stable for any v (``log_sigmoid(-1000) = -1000``)."""
    return ag.log_sigmoid(input)


def leaky_relu(input, negative_slope=0.01):
    """v for v > 0, negative_slope v otherwise (Eq. 3.39)."""
    return ag.leaky_relu(input, negative_slope)


def hardtanh(input):
    """max(min(v, 1), -1)."""
    return ag.hard_tanh(input)


def elu(input, alpha=1.0):
    return ag.elu(input, alpha)


def selu(input):
    return ag.selu(input)


def gelu(input, approximate="none"):
    """v Phi(v) (exact, PyTorch's default) or its tanh approximation (``approximate="tanh"``)."""
    return ag.gelu(input, approximate)


def silu(input):
    """v sigmoid(v)."""
    return ag.silu(input)


def softplus(input, beta=1.0):
    """(1/beta) log(1 + exp(beta v))."""
    return ag.softplus(input, beta)


def dropout(input, p=0.5, training=True, rng=None):
    """Inverted dropout (see ``nn.Dropout``): identity when ``training`` is False."""
    from .layers import Dropout

    layer = Dropout(p, rng=rng)
    layer.train(training)
    return layer(input)


def one_hot(labels, num_classes=None):
    """Rows of the identity for integer labels, as int64 (``ag.one_hot`` takes a dtype)."""
    return ag.one_hot(labels, num_classes)
