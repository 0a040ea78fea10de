"""nn.parallel: data, model and hybrid parallelism on Ray (Section 3.7.2).

>>> from autograd_core import nn, optim
>>> from functools import partial
>>> trainer = nn.parallel.DataParallel(partial(nn.MLP, [64, 32, 10], rng=0), partial(optim.SGD, lr=0.1), workers=2)
>>> loss = trainer.step(X_batch, y_batch)
>>> trainer.shutdown()

Ray is an optional extra (``pip install -e ".[distributed]"``), imported when
a scheme starts; everything reuses a running Ray or starts one locally, or
joins a cluster with ``address=``.
"""
from . import compression, cost_model
from .data_parallel import DataParallel
from .hybrid import HybridParallel
from .model_parallel import ModelParallelLinear
from .parameter_server import ParameterServer

__all__ = ["DataParallel", "HybridParallel", "ModelParallelLinear", "ParameterServer", "compression", "cost_model"]
