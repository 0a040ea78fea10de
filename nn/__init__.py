"""nn: layers, models, losses, initialisation, normalisation, data and training on autograd_core's public API.

>>> from autograd_core import nn
>>> model = nn.MLP([64, 128, 10], batch_norm="pre", rng=0)
>>> loss = nn.functional.cross_entropy(model(X_batch), y_batch)
>>> loss.backward()
"""
if __name__ != "autograd_core.nn":
    # The checkout keeps nn/ at the top level, but it is installed and imported only as
    # autograd_core.nn; a second copy under another name would make two incompatible classes.
    raise ImportError(f"import this package as 'from autograd_core import nn', not as {__name__!r}")

from . import data, datasets, diagnostics, functional, init, parallel, preprocessing
from .activations import ELU, GELU, SELU, HardTanh, Identity, LeakyReLU, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh
from .containers import ModuleDict, ModuleList
from .data import DataLoader, train_test_split
from .defaults import get_default_dtype, set_default_dtype
from .hashed import HashedLinear
from .layers import Dropout, Flatten, Linear, Maxout
from .losses import ActivityPenalty, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, MSELoss
from .mlp import MLP
from .module import Module, Parameter, Sequential
from .normalization import BatchNorm, LayerNorm, compute_population_statistics
from .serialization import load, save
from .training import History, MomentumSGD, accuracy, evaluate, fit, predict
from . import compress  # last: it builds on the modules above

__all__ = [
    "ActivityPenalty", "BCEWithLogitsLoss", "BatchNorm", "CrossEntropyLoss", "DataLoader", "HardTanh", "HingeLoss",
    "HashedLinear", "History", "Identity", "LayerNorm", "LeakyReLU", "Linear", "MLP", "MSELoss", "Maxout", "Module",
    "MomentumSGD", "Parameter", "ReLU", "Sequential", "Sigmoid", "Softmax", "Tanh", "accuracy",
    "compress", "compute_population_statistics", "data", "datasets", "diagnostics", "evaluate", "fit", "functional",
    "init", "load", "parallel",
    "predict", "preprocessing", "save", "train_test_split",
    "Dropout", "ELU", "Flatten", "GELU", "ModuleDict", "ModuleList", "SELU", "SiLU", "Softplus", "get_default_dtype",
    "set_default_dtype",
]
