"""Model compression (Section 3.7.3): make a trained model small, measure it, save it and load it back.

- ``prune``: magnitude pruning with masks that hold through fine-tuning.
- ``quantize`` and ``share_weights``: a codebook of 2^b values per layer (uniform levels or k-means
  centroids), the centroids Parameters fine-tuned by the summed gradients of the weights that share them.
- ``huffman``: canonical Huffman coding of the codebook indices and of the gaps between kept positions.
- ``low_rank``: a trained Linear replaced by its rank-k SVD factorisation, U fixed and V learned.
- ``distill``: a mimic model trained on a teacher's (or an ensemble's) soft targets, without labels.
- ``save`` and ``load``: the compressed file (no pickle; bounded and checked on load).
"""
from . import huffman
from .distillation import distill, distillation_loss, soft_targets
from .file_format import load, save
from .low_rank import LowRankLinear, low_rank, parameter_ratio
from .pruning import MaskedParameter, prune, sparsity
from .quantization import SharedWeightLinear, kmeans_1d, quantize, share_weights

__all__ = ["LowRankLinear", "MaskedParameter", "SharedWeightLinear", "distill", "distillation_loss", "huffman",
           "kmeans_1d", "load", "low_rank", "parameter_ratio", "prune", "quantize", "save", "share_weights",
           "soft_targets", "sparsity"]
