"""The benchmarked workloads written with autograd_core's public API only.

Each mirrors a baseline in ``baselines/`` line for line, so that the timings
compare engines, not programs.
"""

from __future__ import annotations

import numpy as np

import autograd_core as ag
from autograd_core import Tensor


# --- a) tensor MLP training step --------------------------------------------------------------
class AgMLP:
    """Same step as :class:`baselines.numpy_mlp.NumpyMLP`, through the engine."""

    def __init__(self, params, X, y, lr=0.01):
        self.params = [Tensor(p.copy(), requires_grad=True) for p in params]  # NumPy or CuPy arrays
        self.X = Tensor(X)
        self.y = y  # integer labels, a plain array
        self.lr = np.float32(lr) if X.dtype == np.float32 else lr

    def step(self) -> float:
        ps, lr = self.params, self.lr
        h = self.X
        n_layers = len(ps) // 2
        for i in range(n_layers - 1):
            h = ag.relu(h @ ps[2 * i] + ps[2 * i + 1])
        logits = h @ ps[-2] + ps[-1]
        loss = ag.cross_entropy(logits, self.y)  # mean over the batch
        loss.backward()
        for p in ps:
            step = p.grad.data  # the leaf owns its gradient array (the engine never aliases it),
            step *= lr          # so the update is done in place, as the NumPy baseline does
            p.data -= step
            p.grad = None
        return loss.item()


# --- b) chain of small operations -------------------------------------------------------------
def make_chain(x0, n_blocks):
    """``n_blocks`` repeats of ``x = tanh(x * 1.01 + 0.1) - 0.05`` (4 ops each).

    Returns ``(forward, forward_backward)``; the forward records the graph,
    as it would for training.
    """
    leaf = Tensor(x0.copy(), requires_grad=True)  # NumPy or CuPy

    def forward():
        x = leaf
        for _ in range(n_blocks):
            x = ag.tanh(x * 1.01 + 0.1) - 0.05
        return x

    def forward_backward():
        x = leaf
        for _ in range(n_blocks):
            x = ag.tanh(x * 1.01 + 0.1) - 0.05
        x.sum().backward()
        grad = leaf.grad
        leaf.grad = None
        return grad

    return forward, forward_backward


# --- c) scalar (neuron-level) MLP -------------------------------------------------------------
# These three classes mirror micrograd.nn (and baselines/micrograd_mlp.py) with
# one 0-d Tensor per scalar weight.
class Neuron:
    def __init__(self, weights, bias, nonlin=True):
        self.w = [Tensor(w, requires_grad=True) for w in weights]
        self.b = Tensor(bias, requires_grad=True)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return ag.tanh(act) if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, neurons, nonlin=True):
        self.neurons = [Neuron(w, b, nonlin=nonlin) for w, b in neurons]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, layers):
        last = len(layers) - 1
        self.layers = [Layer(neurons, nonlin=i != last) for i, neurons in enumerate(layers)]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


class ScalarTrainer:
    """Full-batch SGD on the moons with the mean hinge loss, one 0-d Tensor per scalar."""

    def __init__(self, layers, X, y, lr=0.05):
        self.model = MLP(layers)
        self.params = self.model.parameters()
        self.inputs = [[Tensor(float(v)) for v in row] for row in X]
        self.labels = [float(v) for v in y]
        self.lr = lr

    def step(self) -> float:
        scores = [self.model(x) for x in self.inputs]
        losses = [ag.relu(1 + -yi * si) for yi, si in zip(self.labels, scores)]
        loss = sum(losses) * (1.0 / len(losses))
        loss.backward()
        lr = self.lr
        for p in self.params:
            p.data -= lr * p.grad.data
            p.grad = None
        return loss.item()


# --- d) deep chain ----------------------------------------------------------------------------
def build_deep_chain(n):
    """``x = x * 1.0001`` and ``x = x + 0.0001`` alternately, ``n`` ops on a 0-d tensor.

    Returns ``(leaf, output)``; d output / d leaf is ``1.0001 ** ceil(n / 2)``.
    """
    x0 = Tensor(1.0, requires_grad=True)
    x = x0
    for i in range(n):
        x = x * 1.0001 if i % 2 == 0 else x + 0.0001
    return x0, x


def build_deep_chain_collector_paused(n):
    """``build_deep_chain(n)`` inside ``ag.collector_paused()``: the forward without the collector's walks."""
    with ag.collector_paused():
        return build_deep_chain(n)


def backward_deep_chain(x0, x):
    x.backward()
    return x0.grad.item()


# --- f) path-sum ------------------------------------------------------------------------------
def build_path_graph(depth, w_value=1.0):
    """The exponential-paths graph: ``2 ** depth`` paths from the output to ``w``.

    Layer 1 has two units, each ``w * 1.0``; each unit of layer k+1 is the
    product of the two units of layer k; the output is the product of the two
    units of the last layer. So the output is ``w ** (2 ** depth)`` (at depth 5,
    ``w ** 32`` over 32 paths), and at ``w = 1`` its derivative is ``2 ** depth``.
    """
    w = Tensor(w_value, requires_grad=True)
    a, b = w * 1.0, w * 1.0
    for _ in range(depth - 1):
        a, b = a * b, a * b
    return w, a * b


def _first(grads):
    g = grads[0] if isinstance(grads, (list, tuple)) else grads
    return g.item() if isinstance(g, Tensor) else float(np.asarray(g))


def count_paths(o, w):
    return int(ag.count_paths(o, w))


def first_path_length(o, w):
    """The set-up of ``ag.paths`` (graph, counts) and its first path; returns that path's length."""
    return len(next(iter(ag.paths(o, w))))


def grad_paths(o, w, max_paths):
    return _first(ag.grad(o, [w], method="paths", max_paths=max_paths))


def grad_dp(o, w):
    return _first(ag.grad(o, [w]))
