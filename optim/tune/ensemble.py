"""An ensemble of the best few runs of a search, averaged at prediction (Section 3.3.1: "a few winners").

The text suggests keeping a few of the best configurations of a search rather
than one, and averaging their predictions. ``Study.ensemble(k, build)``
returns an ``Ensemble`` of the k best runs' models.
"""
from autograd_core import nn


class Ensemble(nn.Module):
    """y = (1/k) sum_i f_i(x): the mean of the members' outputs (for classifiers, of their scores)."""

    def __init__(self, models):
        super().__init__()
        models = list(models)
        if not models:
            raise ValueError("an Ensemble needs at least one model")
        for index, model in enumerate(models):
            if not isinstance(model, nn.Module):
                raise TypeError(f"ensemble member {index} must be an nn.Module, got {type(model).__name__}")
            setattr(self, f"member_{index}", model)

    def forward(self, x):
        members = self.children()
        total = members[0](x)
        for member in members[1:]:
            total = total + member(x)
        return total * (1.0 / len(members))

    def extra_repr(self):
        return f"members={len(self.children())}"
