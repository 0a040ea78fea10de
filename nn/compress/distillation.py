"""Mimic models (Section 3.7.3, [13, 55]): a small student trained on a large teacher's soft targets.

The teacher (or an ensemble of teachers, their probabilities averaged)
labels unlabeled inputs with its softmax probabilities at temperature T,
p_k = mean over teachers of exp(z_k / T) / sum_j exp(z_j / T); the student
is trained by cross-entropy against these soft targets, without the
original labels. Soft targets carry the teacher's knowledge of which wrong
classes are nearly right, which is why a student trained on them can beat
the same network trained on the labels. A temperature T > 1 softens them
further; the loss is multiplied by T^2 so that its gradients keep their
scale as T changes (Hinton et al.).
"""
import numbers

import autograd_core as ag

from ..arrays import array_module, raw
from ..module import Module
from ..training import fit, predict


def _check_temperature(temperature):
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or \
            not 0.0 < float(temperature) < float("inf"):
        raise ValueError(f"temperature must be a positive finite number, got {temperature!r}")
    return float(temperature)


def _teachers(teacher):
    teachers = list(teacher) if isinstance(teacher, (list, tuple)) else [teacher]
    if not teachers or not all(isinstance(member, Module) for member in teachers):
        raise TypeError(f"teacher must be an nn.Module or a non-empty list of them, got {teacher!r}")
    return teachers


def soft_targets(teacher, X, temperature=1.0, batch_size=512):
    """p = (1 / |teachers|) sum_t softmax(z_t(X) / T): the rows the student learns from (an array)."""
    temperature = _check_temperature(temperature)
    total = None
    for member in _teachers(teacher):
        logits = predict(member, X, batch_size=batch_size)
        if logits.ndim != 2:
            raise ValueError(f"a teacher must give 2-D scores (examples, classes), got shape {logits.shape}")
        probabilities = ag.softmax(ag.Tensor(logits / temperature), axis=-1).data
        if total is not None and probabilities.shape != total.shape:
            raise ValueError(f"the teachers of an ensemble disagree on the number of classes: {total.shape} and "
                             f"{probabilities.shape}")
        total = probabilities if total is None else total + probabilities
    return total / len(_teachers(teacher))


def distillation_loss(logits, targets, temperature=1.0):
    """L = T^2 * mean_i ( -sum_k p_ik log softmax(z_i / T)_k ): cross-entropy of the student against soft targets."""
    temperature = _check_temperature(temperature)
    return ag.cross_entropy(logits / temperature, raw(targets)) * (temperature ** 2)


def distill(teacher, student, unlabeled_X, epochs=10, temperature=1.0, batch_size=32, optimizer=None, lr=0.1,
            momentum=0.9, seed=0, validation=None, metrics=None, progress=False):
    """Train ``student`` to mimic ``teacher`` (a Module or a list of them) on ``unlabeled_X``; returns the History.

    The targets are ``soft_targets(teacher, unlabeled_X, temperature)``; no
    labels are used. ``optimizer``, ``lr``, ``momentum``, ``batch_size``,
    ``seed``, ``validation`` ((X, y) with labels, to watch accuracy) and
    ``metrics`` are passed to ``nn.fit``; validation is scored with the same
    loss, which takes integer labels as well as probability rows.
    """
    if not isinstance(student, Module):
        raise TypeError(f"student must be an nn.Module, got {type(student).__name__}")
    X = raw(unlabeled_X)
    if not hasattr(X, "ndim") or X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"unlabeled_X must be a 2-D array with at least one row, got "
                         f"{getattr(X, 'shape', type(X).__name__)}")
    if not bool(array_module(X).isfinite(X).all()):
        raise ValueError("unlabeled_X holds NaN or infinite values")
    temperature = _check_temperature(temperature)
    targets = soft_targets(teacher, X, temperature)
    return fit(student, (X, targets), loss_fn=lambda logits, target: distillation_loss(logits, target, temperature),
               optimizer=optimizer, epochs=epochs, batch_size=batch_size, validation=validation, metrics=metrics,
               seed=seed, progress=progress, lr=lr, momentum=momentum)
