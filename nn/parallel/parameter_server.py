"""Asynchronous data parallelism with a parameter server on Ray (Section 3.7.2, the text's [91]).

A server actor holds the weights and the optimiser. Each worker actor owns a
shard of the training data and loops, with no locks and no waiting for the
others: pull the current weights, compute the gradient of a mini-batch, push
it. The server applies each push as it arrives (an actor runs one call at a
time, so pushes never interleave). A gradient computed on weights of version
v and applied when the server is at version v' is stale by v' - v updates;
``ParameterServer.staleness`` records that number for every update.

With ``compression="int8"`` both directions are 8-bit with a per-tensor scale
(``compression.py``): a worker quantises its gradient with error feedback;
the server sends each worker the change of the weights since that worker's
last pull, quantised against the copy the worker holds, so the rounding
error of one pull is part of the next change and the worker's copy never
drifts from the server's weights by more than one message's rounding.
"""
import numpy

import autograd_core as ag
from autograd_core.extras import ray_session

from .. import functional
from ..arrays import to_numpy
from ..data import DataLoader
from .cluster import Actor, check_batch, check_workers, start_actors, stop_actors
from .compression import Int8Codec, decode, encode, make_codec, message_bytes


class Server(Actor):
    """The parameter-server actor: the weights, the optimiser, the update count and the staleness of each update."""

    def __init__(self, model_fn, optimizer_fn, state, workers, compression):
        self.model = model_fn()
        self.model.load_state_dict(state)
        self.parameters = [parameter for _, parameter in self.model.named_parameters()]
        self.optimizer = optimizer_fn(self.parameters)
        self.version = 0
        self.staleness = []
        self.compression = make_codec(compression) is not None
        # what each worker holds, so that the changes sent down can be quantised against it
        self.worker_views = [[to_numpy(p).copy() for p in self.parameters] for _ in range(workers)] \
            if self.compression else None
        self.down_codecs = [Int8Codec() for _ in range(workers)] if self.compression else None
        self.bytes_by_kind = {"weights down": 0, "gradients up": 0}

    def pull(self, worker):
        """The weights for ``worker`` (their change since its last pull, in int8) and their version."""
        weights = [to_numpy(parameter) for parameter in self.parameters]
        if self.compression:
            view = self.worker_views[worker]
            message = self.down_codecs[worker].encode([weight - held for weight, held in zip(weights, view)])
            for held, change in zip(view, decode(message)):
                held += change
        else:
            message = [weight.copy() for weight in weights]
        self.bytes_by_kind["weights down"] += message_bytes(message)
        return message, self.version

    def push(self, message, version):
        """Apply one worker's gradient, computed on the weights of ``version``, and record its staleness."""
        self.bytes_by_kind["gradients up"] += message_bytes(message)
        for parameter, gradient in zip(self.parameters, decode(message)):
            parameter.grad = ag.Tensor(numpy.array(gradient, dtype=parameter.dtype))  # received arrays are read-only
        self.optimizer.step()
        self.staleness.append(self.version - version)
        self.version += 1

    def applied(self):
        """The number of updates applied so far."""
        return self.version

    def report(self):
        return self.model.state_dict(), list(self.staleness), dict(self.bytes_by_kind)


class Worker(Actor):
    """One asynchronous worker: a copy of the model to compute gradients with, and its shard of the data."""

    def __init__(self, model_fn, loss_fn, state, compression):
        self.model = model_fn()
        self.model.load_state_dict(state)
        self.parameters = [parameter for _, parameter in self.model.named_parameters()]
        self.loss_fn = loss_fn
        self.codec = make_codec(compression)

    def run(self, server, index, X, y, epochs, batch_size, seed):
        """Pull, compute, push for every mini-batch of ``epochs`` passes over the shard; the number of pushes."""
        import ray

        pushes = 0
        loader = DataLoader(X, y, batch_size=batch_size, shuffle=True, seed=seed, drop_last=False)
        for _ in range(epochs):
            for X_batch, y_batch in loader:
                message, version = ray.get(server.pull.remote(index))
                self._receive(message)
                for parameter in self.parameters:
                    parameter.grad = None
                self.model.train()
                self.loss_fn(self.model(ag.Tensor(X_batch)), y_batch).backward()
                gradients = [to_numpy(p.grad) if p.grad is not None else numpy.zeros(p.shape, p.dtype)
                             for p in self.parameters]
                server.push.remote(encode(self.codec, gradients), version)  # no wait: the next pull queues behind
                pushes += 1
        ray.get(server.applied.remote())  # returns after the last push has been applied
        return pushes

    def _receive(self, message):
        values = decode(message)
        if self.codec is None:
            for parameter, value in zip(self.parameters, values):
                parameter.data = value
        else:
            for parameter, change in zip(self.parameters, values):
                parameter.data = parameter.data + change


class ParameterServer:
    """Asynchronous training of ``model_fn()`` by ``workers`` Ray actors and one parameter-server actor.

    ``fit(X, y, epochs, batch_size)`` cuts the data into one shard per worker;
    each worker makes ``epochs`` passes over its shard, so the server applies
    about as many updates as a single process would with the same batch size.
    ``model_fn`` and ``optimizer_fn`` are picklable callables as for
    ``DataParallel``; ``loss_fn(output, y)`` is the mean loss.
    """

    def __init__(self, model_fn, optimizer_fn, workers=2, loss_fn=functional.cross_entropy, compression=None,
                 address=None, num_cpus=None):
        self.workers = check_workers(workers)
        make_codec(compression)  # rejects an unknown compression before any actor starts
        self.ray = ray_session(address)
        state = model_fn().state_dict()
        self.server = start_actors(self.ray, Server, 1, num_cpus,
                                   args=(model_fn, optimizer_fn, state, self.workers, compression))[0]
        self.actors = start_actors(self.ray, Worker, self.workers, num_cpus,
                                   args=(model_fn, loss_fn, state, compression))
        self.staleness = []
        self.bytes_by_kind = {"data": 0, "weights down": 0, "gradients up": 0}
        self.updates = 0

    @property
    def bytes_sent(self):
        """Every byte of array data that crossed between processes so far."""
        return sum(self.bytes_by_kind.values())

    def fit(self, X, y, epochs=1, batch_size=32, seed=0):
        """Train asynchronously; returns self. ``staleness`` then lists one integer per applied update."""
        if not self.actors:
            raise RuntimeError("this ParameterServer was shut down; make a new one to train again")
        X, y = check_batch(X, y)
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        order = numpy.random.default_rng(seed).permutation(len(X))
        shards = numpy.array_split(order, self.workers)
        if any(len(shard) == 0 for shard in shards):
            raise ValueError(f"{len(X)} examples cannot be shared by {self.workers} workers")
        self.bytes_by_kind["data"] += int(X.nbytes + y.nbytes)
        pushes = self.ray.get([actor.run.remote(self.server, index, X[shard], y[shard], epochs, batch_size,
                                                seed + 1 + index)
                               for index, (actor, shard) in enumerate(zip(self.actors, shards))])
        self.updates += sum(pushes)
        _, self.staleness, server_bytes = self.ray.get(self.server.report.remote())
        self.bytes_by_kind.update(server_bytes)
        return self

    def state_dict(self):
        """The server's weights."""
        return self.ray.get(self.server.report.remote())[0]

    def shutdown(self):
        """End the server and the workers."""
        stop_actors(self.ray, [self.server, *self.actors])
        self.actors = []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.shutdown()
