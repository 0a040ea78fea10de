"""Hybrid parallelism on Ray (Section 3.7.2): data parallelism for the early layers, model parallelism for
the later, wide ones.

``HybridParallel(model_fn, optimizer_fn, workers=N, split_at=k)`` takes a
``Sequential`` model (an ``nn.MLP``, say). Its first k modules run
data-parallel: N replica actors each take a shard of the batch and send up
their activations h_k; the driver joins them into the whole batch's h. Every
later ``Linear`` becomes a ``ModelParallelLinear`` whose units are split over N
slice actors, which see the whole batch; the other later modules
(activations) run at the driver on the gathered outputs. Backward reverses
the path: the slices accumulate their weight gradients where they live, the
driver sends each replica the rows of dL/dh that belong to its shard, and the
replicas' gradients are all-reduced as in ``DataParallel``. Every replica and
every slice applies its own optimiser, so one step equals one sequential step
on the whole batch (for optimisers that act elementwise, as SGD, Adam and
RMSProp do). ``cost_model.hybrid`` gives the bytes per step.
"""
import numpy

import autograd_core as ag
from autograd_core.extras import ray_session

from .. import functional
from ..arrays import to_numpy
from ..layers import Linear
from ..module import Sequential
from .cluster import check_batch, check_workers, shard_slices, start_actors, stop_actors
from .compression import message_bytes
from .model_parallel import ModelParallelLinear, SliceHolder
from .replica import Replica


class EarlyReplica(Replica):
    """A replica of the first ``split_at`` modules: forward on its shard, then backward from the driver's dL/dh."""

    def __init__(self, model_fn, optimizer_fn, state, split_at):
        full_model = model_fn()
        full_model.load_state_dict(state)
        self.full_model = full_model
        super().__init__(lambda: full_model[:split_at], optimizer_fn, None, full_model[:split_at].state_dict())
        self.output = None

    def forward(self, X):
        self.model.train()
        self.output = self.model(ag.Tensor(X))
        return to_numpy(self.output)

    def backward(self, grad_output):
        """The gradients of this shard's part of the loss with respect to the early parameters."""
        for parameter in self.parameters:
            parameter.grad = None
        self.output.backward(ag.Tensor(numpy.array(grad_output)))
        self.output = None
        return [to_numpy(p.grad) if p.grad is not None else numpy.zeros(p.shape, p.dtype) for p in self.parameters]

    def state_dict(self):
        return self.full_model.state_dict()  # the later layers' entries are stale; HybridParallel replaces them


class HybridParallel:
    """Data-parallel early layers and model-parallel later layers of ``model_fn()`` (a Sequential) on Ray.

    ``split_at``: how many leading modules run data-parallel (default: up to
    the last ``Linear`` with the most weights, which goes model-parallel with
    everything after it). Other arguments as for ``DataParallel``.
    """

    def __init__(self, model_fn, optimizer_fn, workers=2, loss_fn=functional.cross_entropy, split_at=None,
                 address=None, num_cpus=None):
        self.workers = check_workers(workers)
        template = model_fn()
        if not isinstance(template, Sequential):
            raise TypeError(f"HybridParallel needs model_fn to build a Sequential (an nn.MLP, say), "
                            f"got {type(template).__name__}")
        modules = list(template)
        split_at = _widest_linear(modules) if split_at is None else split_at
        if not 1 <= split_at < len(modules):
            raise ValueError(f"split_at must lie in 1..{len(modules) - 1} for a model of {len(modules)} modules, "
                             f"got {split_at}")
        self.split_at, self.loss_fn, self.template = split_at, loss_fn, template
        self.ray = ray_session(address)
        state = template.state_dict()
        self.replicas = start_actors(self.ray, EarlyReplica, self.workers, num_cpus,
                                     args=(model_fn, optimizer_fn, state, split_at))
        self.slice_actors = start_actors(self.ray, SliceHolder, self.workers, num_cpus)
        self.late_names, late = [], []
        for index, module in enumerate(modules[split_at:], start=split_at):
            if isinstance(module, Linear):
                module = ModelParallelLinear.from_linear(module, self.workers, optimizer_fn=optimizer_fn,
                                                         actors=self.slice_actors)
                self.late_names.append((str(index), module))
            elif any(True for _ in module.parameters()):
                raise ValueError(f"module {index} ({type(module).__name__}) after split_at has parameters; only "
                                 "Linear layers are split by units")
            late.append(module)
        self.late = Sequential(*late)
        self.own_bytes = {"data": 0, "gradients up": 0, "gradients down": 0, "activations forward": 0,
                              "gradients backward": 0}
        self.steps = 0

    @property
    def bytes_by_kind(self):
        """Bytes that crossed between processes, by kind: the driver's own plus those of the split layers."""
        merged = dict(self.own_bytes)
        for _, layer in self.late_names:
            for kind, count in layer.bytes_by_kind.items():
                merged[kind] += count
        return merged

    @property
    def bytes_sent(self):
        return sum(self.bytes_by_kind.values())

    def step(self, X, y):
        """One step on the batch (X, y); the batch's mean loss."""
        if not self.replicas:
            raise RuntimeError("this HybridParallel was shut down; make a new one to train again")
        X, y = check_batch(X, y)
        ray = self.ray
        slices = shard_slices(len(X), self.workers)
        self.own_bytes["data"] += int(X.nbytes)
        parts = ray.get([replica.forward.remote(X[part]) for replica, part in zip(self.replicas, slices)])
        self.own_bytes["activations forward"] += sum(int(part.nbytes) for part in parts)
        boundary = ag.Tensor(numpy.concatenate(parts), requires_grad=True)
        for _, layer in self.late_names:
            layer.zero_grad()
        self.late.train()
        loss = self.loss_fn(self.late(boundary), y)
        loss.backward()
        grad_boundary = to_numpy(boundary.grad)
        self.own_bytes["gradients backward"] += int(grad_boundary.nbytes)
        gradients = ray.get([replica.backward.remote(grad_boundary[part])
                             for replica, part in zip(self.replicas, slices)])
        total = gradients[0]
        for more in gradients[1:]:
            total = [sum_ + gradient for sum_, gradient in zip(total, more)]
        self.own_bytes["gradients up"] += sum(message_bytes(message) for message in gradients)
        self.own_bytes["gradients down"] += message_bytes(total) * self.workers
        total_ref = ray.put(total)
        ray.get([replica.apply.remote(total_ref) for replica in self.replicas])
        for _, layer in self.late_names:
            layer.step()
        self.steps += 1
        return float(loss.item())

    def state_dict(self):
        """The weights under the names of ``model_fn()``'s state_dict."""
        state = self.ray.get(self.replicas[0].state_dict.remote())
        for name, layer in self.late_names:
            arrays = layer.weights()
            state[f"{name}.weight"] = arrays[0]
            if layer.has_bias:
                state[f"{name}.bias"] = arrays[1]
        return state

    def shutdown(self):
        stop_actors(self.ray, [*self.replicas, *self.slice_actors])
        self.replicas, self.slice_actors = [], []
        for _, layer in self.late_names:
            layer.actors = []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.shutdown()


def _widest_linear(modules):
    """The index of the Linear layer with the most weights (the later one on a tie)."""
    sizes = [(module.in_features * module.out_features, index) for index, module in enumerate(modules)
             if isinstance(module, Linear)]
    if not sizes:
        raise ValueError("HybridParallel needs at least one Linear layer to split by units")
    return max(sizes)[1]
