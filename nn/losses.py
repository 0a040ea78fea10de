"""Loss modules wrapping ``nn.functional``, and a penalty layer on hidden nodes (Section 3.2.7).

A loss module is called as ``loss_fn(output, target)``. ``ActivityPenalty``
sits inside a model, passes its input through unchanged, and records a
penalty on that hidden activation (for example an L1 sparsity penalty,
lambda sum |h|), which ``nn.fit`` adds to the loss: a loss attached to a
hidden node, whose gradient the engine adds to the one flowing back from
the output.
"""
from . import functional
from .checks import real_number
from .module import Module


class MSELoss(Module):
    """Mean-squared error (``nn.functional.mse``); the target must have the prediction's shape."""

    def __init__(self, reduction="mean"):
        super().__init__()
        functional.check_reduction(reduction)
        self.reduction = reduction

    def forward(self, prediction, target):
        return functional.mse(prediction, target, reduction=self.reduction)


class CrossEntropyLoss(Module):
    """Softmax cross-entropy from logits, with integer labels, one-hot or soft targets."""

    def __init__(self, reduction="mean"):
        super().__init__()
        functional.check_reduction(reduction)
        self.reduction = reduction

    def forward(self, logits, target):
        return functional.cross_entropy(logits, target, reduction=self.reduction)


class BCEWithLogitsLoss(Module):
    """Binary cross-entropy from logits."""

    def __init__(self, reduction="mean"):
        super().__init__()
        functional.check_reduction(reduction)
        self.reduction = reduction

    def forward(self, logits, target):
        return functional.binary_cross_entropy(logits, target, reduction=self.reduction)


class HingeLoss(Module):
    """Binary or multiclass hinge loss (``nn.functional.hinge``)."""

    def __init__(self, margin=1.0, reduction="mean"):
        super().__init__()
        functional.check_reduction(reduction)
        self.margin = real_number(margin, "margin", "HingeLoss")
        self.reduction = reduction

    def forward(self, scores, target):
        return functional.hinge(scores, target, margin=self.margin, reduction=self.reduction)


class ActivityPenalty(Module):
    """Identity in the forward pass that records l1 sum|h| + l2 sum h^2 / batch on its input h while training.

    The penalty is averaged over the batch so that its weight does not depend
    on the batch size. ``nn.functional.hidden_penalties(model)`` collects it.
    """

    def __init__(self, l1=0.0, l2=0.0):
        super().__init__()
        self.l1 = real_number(l1, "l1", "ActivityPenalty", minimum=0)
        self.l2 = real_number(l2, "l2", "ActivityPenalty", minimum=0)
        self.last_penalty = None

    def forward(self, h):
        if not self.training:
            self.last_penalty = None
            return h
        batch = h.shape[0] if h.ndim else 1
        penalty = 0.0
        if self.l1:
            penalty = penalty + functional.l1_penalty(h) * (self.l1 / batch)
        if self.l2:
            penalty = penalty + functional.l2_penalty(h) * (self.l2 / batch)
        self.last_penalty = penalty if self.l1 or self.l2 else None
        return h

    def extra_repr(self):
        return f"l1={self.l1:g}, l2={self.l2:g}"
