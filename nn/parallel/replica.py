"""A model replica living in a worker process: the body of the Ray actors of the data-parallel schemes.

It builds its model with ``model_fn``, loads the weights it is given (so that
every replica starts from the driver's), computes the gradient of its shard of
a batch, and applies gradients with its own optimiser. Arrays cross the
process boundary as NumPy arrays; on a GPU replica (``device="cuda"``) they
are moved on arrival and copied back to the host before leaving.
"""
import time

import numpy

import autograd_core as ag

from ..arrays import to_numpy
from .cluster import Actor
from .compression import decode, encode, make_codec


class Replica(Actor):
    """One worker's copy of the model and its optimiser."""

    def __init__(self, model_fn, optimizer_fn, loss_fn, state, device="cpu", compression=None):
        self.model = model_fn()
        self.model.load_state_dict(state)
        self.model.to(device)
        self.device = device
        self.parameters = [parameter for _, parameter in self.model.named_parameters()]
        self.optimizer = optimizer_fn(self.parameters) if optimizer_fn is not None else None
        self.loss_fn = loss_fn
        self.codec = make_codec(compression)
        self.pending = None

    def load_state_dict(self, state):
        self.model.load_state_dict(state)
        self.model.to(self.device)

    def state_dict(self):
        return self.model.state_dict()

    def gradient(self, X, y, weight, return_output=False):
        """The gradient of weight * loss_fn(model(X), y), encoded for sending, the weighted loss and the seconds.

        ``weight`` is the shard's share of the batch, n_k / n, so that the
        gradients of all shards add up to the gradient of the batch's mean loss.
        """
        started = time.perf_counter()
        self.model.train()
        for parameter in self.parameters:
            parameter.grad = None
        inputs = ag.Tensor(X, device=self.device)
        targets = ag.Tensor(y, device=self.device).data
        output = self.model(inputs)
        loss = self.loss_fn(output, targets) * weight
        loss.backward()
        gradients = [to_numpy(parameter.grad) if parameter.grad is not None else numpy.zeros(parameter.shape,
                                                                                                  parameter.dtype)
                     for parameter in self.parameters]
        message = encode(self.codec, gradients)
        result = (message, float(loss.item()), time.perf_counter() - started)
        return result + (to_numpy(output),) if return_output else result

    def apply(self, message):
        """Set every parameter's gradient to the decoded message and take one optimiser step; the seconds."""
        started = time.perf_counter()
        for parameter, gradient in zip(self.parameters, decode(message)):
            # a copy: arrays received from the object store are read-only
            parameter.grad = ag.Tensor(numpy.array(gradient, dtype=parameter.dtype), device=self.device)
        self.optimizer.step()
        return time.perf_counter() - started
