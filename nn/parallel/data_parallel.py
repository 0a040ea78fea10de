"""Synchronous data parallelism on Ray (Section 3.7.2): replicas on workers, gradients averaged every step.

Each worker (a Ray actor) holds a replica of the model. ``step(X, y)`` cuts
the batch into N shards of sizes n_k, worker k computes the gradient g_k of
(n_k / n) L_k (L_k its shard's mean loss), and the all-reduce forms

    g = sum_k g_k = gradient of the batch's mean loss,

which every replica applies with its own copy of the optimiser, so the
replicas stay identical and one step equals one single-process step on the
whole batch (exactly, up to the order of floating-point sums).

The all-reduce goes through Ray's object store, reduced at the driver: the
workers' gradients come back as objects, the driver adds them in worker order
and puts the sum in the store once, and every worker reads that one object.
On one machine the store is shared memory, so the broadcast costs one copy;
every replica adds nothing itself, so all apply bit-identical gradients. A
ring of actors moves fewer bytes per worker when N is large (2 (N-1)/N P
against 2 P, see ``cost_model``) but needs 2 (N-1) rounds of messages; at the
few workers this code targets the single reduce is simpler and as fast.

With ``compression="int8"`` both directions carry 8-bit values with a scale
per tensor and error feedback (``compression.py``): each worker's codec
quantises what it sends up, the driver's codec quantises the sum it sends
down, and every replica decodes the same bytes.

BatchNorm layers normalise over each worker's shard (as in PyTorch's
DataParallel without synchronised statistics), so with them a step is not the
single-process step; ``loss_fn`` must average over the examples.
"""
import time

import numpy

from autograd_core.extras import ray_session

from .. import functional
from .cluster import check_batch, check_workers, shard_slices, start_actors, stop_actors
from .compression import decode, encode, make_codec, message_bytes
from .replica import Replica


class DataParallel:
    """Synchronous data-parallel training of ``model_fn()`` on ``workers`` Ray actors.

    ``model_fn()`` builds the model and ``optimizer_fn(parameters)`` its
    optimiser; both are sent to the workers, so they must be picklable (a
    ``functools.partial`` of library classes, or functions of an importable
    module or of the script being run). The driver builds one model too, and
    every replica starts from its weights. ``loss_fn(output, y)``: the mean loss.
    ``num_gpus=1`` and ``device="cuda"`` give each replica a GPU.
    """

    def __init__(self, model_fn, optimizer_fn, workers=2, loss_fn=functional.cross_entropy, compression=None,
                 address=None, num_cpus=None, num_gpus=0, device="cpu"):
        self.workers = check_workers(workers)
        self.loss_fn = loss_fn
        self.compression = compression
        self.codec = make_codec(compression)  # the driver's, for the averaged gradient it sends down
        self.ray = ray_session(address)
        state = model_fn().state_dict()
        self.actors = start_actors(self.ray, Replica, self.workers, num_cpus, num_gpus,
                                   args=(model_fn, optimizer_fn, loss_fn, state, device, compression))
        self.bytes_by_kind = {"data": 0, "gradients up": 0, "gradients down": 0, "weights": 0}
        self.steps = 0
        self.communication_seconds = 0.0
        self.computation_seconds = 0.0

    @property
    def bytes_sent(self):
        """Every byte of array data that crossed between processes so far (batches, gradients, weights)."""
        return sum(self.bytes_by_kind.values())

    def step(self, X, y, return_output=False):
        """One synchronous step on the batch (X, y); the batch's mean loss (and the model's output if asked)."""
        if not self.actors:
            raise RuntimeError("this DataParallel was shut down; make a new one to train again")
        X, y = check_batch(X, y)
        ray = self.ray
        started = time.perf_counter()
        slices = shard_slices(len(X), self.workers)
        self.bytes_by_kind["data"] += int(X.nbytes + y.nbytes)
        results = ray.get([actor.gradient.remote(X[part], y[part], (part.stop - part.start) / len(X), return_output)
                           for actor, part in zip(self.actors, slices)])
        total = None
        for message, *_ in results:
            self.bytes_by_kind["gradients up"] += message_bytes(message)
            gradients = decode(message)
            total = gradients if total is None else [sum_ + gradient for sum_, gradient in zip(total, gradients)]
        down = encode(self.codec, total)
        self.bytes_by_kind["gradients down"] += message_bytes(down) * self.workers
        down_ref = ray.put(down)
        apply_seconds = ray.get([actor.apply.remote(down_ref) for actor in self.actors])
        elapsed = time.perf_counter() - started
        computing = max(result[2] for result in results) + max(apply_seconds)
        self.computation_seconds += computing
        self.communication_seconds += max(elapsed - computing, 0.0)
        self.steps += 1
        loss = sum(result[1] for result in results)
        if not return_output:
            return loss
        return loss, numpy.concatenate([result[3] for result in results])

    def state_dict(self):
        """The weights (every replica holds the same; worker 0's are fetched)."""
        state = self.ray.get(self.actors[0].state_dict.remote())
        self.bytes_by_kind["weights"] += sum(int(value.nbytes) for value in state.values())
        return state

    def load_state_dict(self, state):
        """Give every replica these weights (from ``Module.state_dict()``)."""
        self.ray.get([actor.load_state_dict.remote(state) for actor in self.actors])
        self.bytes_by_kind["weights"] += sum(int(value.nbytes) for value in state.values()) * self.workers

    def shutdown(self):
        """End the workers; the object cannot step afterwards."""
        stop_actors(self.ray, self.actors)
        self.actors = []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.shutdown()
