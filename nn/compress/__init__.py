"""Model compression (Section 3.7.3): make a trained model small, measure it, save it and load it back.

- ``prune``: magnitude pruning with masks that hold through fine-tuning.
"""
from .pruning import MaskedParameter, prune, sparsity

__all__ = ["MaskedParameter", "prune", "sparsity"]
