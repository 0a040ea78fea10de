"""Model parallelism on Ray (Section 3.7.2): a layer's units divided across workers, on the same batch.

``ModelParallelLinear`` splits the units of a linear layer v = x W + b over N
worker actors; worker k holds only its columns W_k, b_k. The layer is one
engine operation (a custom ``ag.Function``) whose forward sends x to every
worker and gathers the slices v_k = x W_k + b_k,

    v = [v_1, ..., v_N],

and whose backward scatters dL/dv by columns: worker k accumulates
dL/dW_k = x^T dL/dv_k and dL/db_k = sum_rows dL/dv_k where its weights live,
and returns its part of the derivative for the layer below,
dL/dx = sum_k dL/dv_k W_k^T. The rest of the graph sees an ordinary node, so
the split model's loss and gradients are the unsplit model's.

``cross_connections=False`` is the variant the text mentions, a different
model: the connections between units on different workers are dropped, so W
is block-diagonal. Worker k sees only its slice x_k of the inputs and holds
W_kk, and v = [x_1 W_11 + b_1, ..., x_N W_NN + b_N]: less to send (x_k, not
all of x) and fewer weights, at the price of a less expressive layer.
``from_linear`` keeps the diagonal blocks of the given layer's W and drops
the rest.
"""
import itertools
from collections import OrderedDict

import numpy

import autograd_core as ag
from autograd_core.extras import ray_session

from ..arrays import array_module, to_numpy
from ..module import Module
from .cluster import Actor, check_workers, shard_slices, start_actors, stop_actors

#: How many forward passes a worker remembers inputs of, waiting for their backward (graphs dropped without a
#: backward would otherwise leave their inputs on the workers).
MAX_PENDING = 16


class SliceHolder(Actor):
    """The Ray actor of one worker: column slices of the weights of one or more layers, and their gradients."""

    def __init__(self):
        self.layers = {}
        self.inputs = OrderedDict()

    def add_layer(self, key, weight, bias, optimizer_fn=None):
        weight = ag.Tensor(numpy.array(weight), requires_grad=True)
        bias = ag.Tensor(numpy.array(bias), requires_grad=True) if bias is not None else None
        parameters = [weight] if bias is None else [weight, bias]
        optimizer = optimizer_fn(parameters) if optimizer_fn is not None else None
        self.layers[key] = (weight, bias, optimizer)

    def forward(self, key, call, x, keep):
        """v_k = x W_k + b_k; x is kept for the backward of this call when ``keep``."""
        weight, bias, _ = self.layers[key]
        if keep:
            self.inputs[(key, call)] = x
            while len(self.inputs) > MAX_PENDING:
                self.inputs.popitem(last=False)
        v = x @ weight.data
        return v + bias.data if bias is not None else v

    def backward(self, key, call, grad_v, need_grad_x, x=None):
        """Accumulate dL/dW_k = x^T g and dL/db_k = sum_rows g; return g W_k^T (the worker's part of dL/dx).

        ``x`` is the forward's input kept here (and dropped now), unless the
        driver sends it again (a second backward through the same graph).
        """
        if x is None:
            x = self.inputs.pop((key, call), None)
        if x is None:
            raise RuntimeError(f"the input of forward call {call} is no longer held (a worker keeps the last "
                               f"{MAX_PENDING}); run backward soon after forward")
        weight, bias, _ = self.layers[key]
        xp = array_module(x)
        _accumulate(weight, x.T @ grad_v)
        if bias is not None:
            _accumulate(bias, xp.sum(grad_v, axis=0))
        return grad_v @ weight.data.T if need_grad_x else None

    def pending(self):
        """How many forward inputs this worker holds, waiting for their backward."""
        return len(self.inputs)

    def gradients(self, key):
        return [to_numpy(parameter.grad) if parameter.grad is not None else numpy.zeros(parameter.shape)
                for parameter in self._parameters(key)]

    def weights(self, key):
        return [to_numpy(parameter).copy() for parameter in self._parameters(key)]

    def zero_grad(self, key):
        for parameter in self._parameters(key):
            parameter.grad = None

    def step(self, key):
        """One step of this slice's optimiser (elementwise optimisers split exactly by columns)."""
        optimizer = self.layers[key][2]
        if optimizer is None:
            raise RuntimeError("this model-parallel layer was made without an optimizer_fn, so it cannot step")
        optimizer.step()

    def _parameters(self, key):
        weight, bias, _ = self.layers[key]
        return [weight] if bias is None else [weight, bias]


def _accumulate(parameter, gradient):
    parameter.grad = ag.Tensor(gradient) if parameter.grad is None else ag.Tensor(parameter.grad.data + gradient)


class AcrossWorkers(ag.Function):
    """The engine operation of a model-parallel layer: forward gathers the slices, backward scatters dL/dv.

    Its inputs are x and the layer's handle (a tensor of size 0 that stands for
    the weights on the workers, so that the node is recorded even when x is
    data); ``layer`` is the ``ModelParallelLinear``.
    """

    @staticmethod
    def forward(ctx, x, weights_handle, layer):
        ctx.layer, ctx.call, ctx.backward_runs = layer, next(layer.calls), 0
        keep = ag.is_grad_enabled()
        ctx.save_for_backward(x)  # sent again only if the graph is backpropagated a second time
        parts = layer.input_parts(x)
        outputs = layer.ray.get([actor.forward.remote(layer.key, ctx.call, part, keep)
                                 for actor, part in zip(layer.actors, parts)])
        layer.bytes_by_kind["activations forward"] += sum(int(output.nbytes) for output in outputs)
        return array_module(x).asarray(numpy.concatenate(outputs, axis=-1))

    @staticmethod
    def backward(ctx, grad_output):
        layer = ctx.layer
        grad_host = to_numpy(grad_output)
        parts = [numpy.ascontiguousarray(grad_host[:, part]) for part in layer.out_slices]
        need_grad_x = ctx.needs_input_grad[0]
        (x,) = ctx.saved_tensors  # raises the engine's error if the graph was released by an earlier backward
        inputs = layer.input_parts(x) if ctx.backward_runs else [None] * layer.workers
        ctx.backward_runs += 1
        layer.bytes_by_kind["gradients backward"] += sum(int(part.nbytes) for part in parts)
        results = layer.ray.get([actor.backward.remote(layer.key, ctx.call, part, need_grad_x, x_part)
                                 for actor, part, x_part in zip(layer.actors, parts, inputs)])
        if not need_grad_x:
            return None, None
        layer.bytes_by_kind["gradients backward"] += sum(int(result.nbytes) for result in results)
        if layer.in_slices:
            grad_x = numpy.concatenate(results, axis=-1)
        else:
            grad_x = results[0]
            for result in results[1:]:
                grad_x = grad_x + result
        return array_module(grad_output).asarray(grad_x), None


class ModelParallelLinear(Module):
    """A drop-in linear layer whose units live on ``workers`` Ray actors (build it with ``from_linear``).

    ``gradients()`` gathers dL/dW and dL/db as arrays (zeros off the blocks
    without cross connections); ``weights()`` gathers W and b; ``step()``
    applies each slice's optimiser (``optimizer_fn`` given to ``from_linear``)
    where the slice lives; ``zero_grad()`` clears the slices' gradients.
    """

    _keys = itertools.count()

    @classmethod
    def from_linear(cls, linear, workers=2, cross_connections=True, optimizer_fn=None, actors=None, address=None,
                    num_cpus=None, num_gpus=0):
        """Split ``linear``'s output units (and, without cross connections, its inputs) over the workers.

        ``actors``: existing ``SliceHolder`` actors to place the slices on (layers of one model share them).
        """
        workers = check_workers(workers)
        weight = to_numpy(linear.weight)
        bias = to_numpy(linear.bias) if getattr(linear, "bias", None) is not None else None
        if weight.ndim != 2:
            raise ValueError(f"from_linear needs a layer with a 2-D weight, got shape {weight.shape}")
        layer = cls(weight.shape[0], weight.shape[1], workers, cross_connections, bias is not None)
        layer.ray = ray_session(address)
        layer.owns_actors = actors is None
        layer.actors = list(actors) if actors is not None else start_actors(layer.ray, SliceHolder, workers,
                                                                            num_cpus, num_gpus)
        if len(layer.actors) != workers:
            raise ValueError(f"{len(layer.actors)} actors given for {workers} workers")
        in_parts = layer.in_slices or [slice(None)] * workers
        layer.ray.get([actor.add_layer.remote(layer.key, weight[rows, columns],
                                              bias[columns] if bias is not None else None, optimizer_fn)
                       for actor, rows, columns in zip(layer.actors, in_parts, layer.out_slices)])
        return layer

    def __init__(self, in_features, out_features, workers, cross_connections, has_bias):
        super().__init__()
        if out_features < workers or (not cross_connections and in_features < workers):
            raise ValueError(f"a layer of {in_features} inputs and {out_features} units cannot be split across "
                             f"{workers} workers: each needs at least one unit"
                             + ("" if cross_connections else " and one input"))
        self.in_features, self.out_features, self.workers = in_features, out_features, workers
        self.cross_connections, self.has_bias = cross_connections, has_bias
        self.out_slices = shard_slices(out_features, workers)
        self.in_slices = None if cross_connections else shard_slices(in_features, workers)
        self.key = next(self._keys)
        self.calls = itertools.count()
        self.weights_handle = ag.Tensor(numpy.zeros(0), requires_grad=True)
        self.bytes_by_kind = {"activations forward": 0, "gradients backward": 0}

    def forward(self, x):
        if not self.actors:
            raise RuntimeError("this ModelParallelLinear was shut down")
        if x.ndim != 2 or x.shape[-1] != self.in_features:
            raise ValueError(f"ModelParallelLinear expects inputs of shape (batch, {self.in_features}), "
                             f"got {tuple(x.shape)}")
        return AcrossWorkers.apply(x, self.weights_handle, layer=self)

    @property
    def bytes_sent(self):
        return sum(self.bytes_by_kind.values())

    def input_parts(self, x):
        """What each worker gets of x: all of it, or without cross connections its slice of the columns."""
        x_host = to_numpy(x)
        parts = [x_host[:, part] for part in self.in_slices] if self.in_slices else [x_host] * self.workers
        self.bytes_by_kind["activations forward"] += sum(int(part.nbytes) for part in parts)
        return parts

    def gradients(self):
        """[dL/dW, dL/db] (or [dL/dW] without a bias) gathered from the workers as NumPy arrays."""
        return self._gather(self.ray.get([actor.gradients.remote(self.key) for actor in self.actors]))

    def weights(self):
        """[W, b] (or [W]) gathered from the workers; zeros off the diagonal blocks without cross connections."""
        return self._gather(self.ray.get([actor.weights.remote(self.key) for actor in self.actors]))

    def zero_grad(self):
        self.ray.get([actor.zero_grad.remote(self.key) for actor in self.actors])

    def step(self):
        self.ray.get([actor.step.remote(self.key) for actor in self.actors])

    def shutdown(self):
        """End the workers (when this layer started them)."""
        if self.owns_actors:
            stop_actors(self.ray, self.actors)
        self.actors = []

    def _gather(self, per_worker):
        weight = numpy.zeros((self.in_features, self.out_features))
        in_parts = self.in_slices or [slice(None)] * self.workers
        for rows, columns, arrays in zip(in_parts, self.out_slices, per_worker):
            weight[rows, columns] = arrays[0]
        if not self.has_bias:
            return [weight]
        return [weight, numpy.concatenate([arrays[1] for arrays in per_worker])]

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, workers={self.workers}, "
                f"cross_connections={self.cross_connections}")
