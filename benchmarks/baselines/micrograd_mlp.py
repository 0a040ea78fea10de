"""Scalar (one node per number) MLP with micrograd, the reference for the
neuron-level benchmark, and micrograd's limit on graph depth.

The network is 2-16-16-1 with tanh hidden units and a linear output, trained
full-batch on 100 two-moons points with the mean hinge loss
``max(0, 1 - y * score)``. One step is: forward over the 100 points, backward,
SGD update. The model classes mirror micrograd's ``Neuron``/``Layer``/``MLP``
(``micrograd.nn``) line for line, with tanh instead of ReLU in hidden layers.

micrograd is optional: it is imported only when a function here is called, and
:func:`available` says whether it can be (``pip install micrograd``).

The micrograd release on PyPI (0.1.0) has no ``tanh`` on ``Value``, so
:func:`tanh` adds one written exactly like micrograd's own operations (one
new ``Value`` and a closure that accumulates the local derivative).

Run on its own: ``python benchmarks/baselines/micrograd_mlp.py``.
"""

from __future__ import annotations

import math
import sys

MISSING = "micrograd not installed (pip install micrograd)"


def available() -> bool:
    try:
        import micrograd.engine  # noqa: F401
    except ImportError:
        return False
    return True


def info() -> dict:
    try:
        from importlib.metadata import version

        return {"version": version("micrograd")}
    except Exception:  # pragma: no cover - metadata missing
        return {"version": "unknown"}


def tanh(v):
    """tanh for a micrograd ``Value``, in micrograd's own style."""
    if hasattr(v, "tanh"):
        return v.tanh()
    from micrograd.engine import Value

    t = math.tanh(v.data)
    out = Value(t, (v,), "tanh")

    def _backward():
        v.grad += (1 - t * t) * out.grad

    out._backward = _backward
    return out


class Neuron:
    def __init__(self, weights, bias, nonlin=True):
        from micrograd.engine import Value

        self.w = [Value(w) for w in weights]
        self.b = Value(bias)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return tanh(act) if self.nonlin else act

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
    """``layers`` comes from :func:`problems.scalar_mlp_weights`."""

    def __init__(self, layers):
        last = len(layers) - 1
        self.layers = [Layer(neurons, nonlin=i != last) for i, neurons in enumerate(layers)]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


class MicrogradTrainer:
    """Full-batch SGD on the moons with the mean hinge loss."""

    def __init__(self, layers, X, y, lr=0.05):
        from micrograd.engine import Value

        self.model = MLP(layers)
        self.params = self.model.parameters()
        # Inputs are Values too, one per scalar, as in micrograd's demo.
        self.inputs = [[Value(float(v)) for v in row] for row in X]
        self.labels = [float(v) for v in y]
        self.lr = lr

    def step(self) -> float:
        scores = [self.model(x) for x in self.inputs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(self.labels, scores)]
        loss = sum(losses) * (1.0 / len(losses))
        for p in self.params:
            p.grad = 0
        loss.backward()
        for p in self.params:
            p.data -= self.lr * p.grad
        return loss.data


def deep_chain(n: int = 100_000) -> dict:
    """Build ``x = x * 1.0001`` / ``x = x + 0.0001`` alternately ``n`` times and
    backpropagate; report whether micrograd's recursive topological sort hits
    Python's recursion limit."""
    from micrograd.engine import Value

    x0 = Value(1.0)
    x = x0
    for i in range(n):
        x = x * 1.0001 if i % 2 == 0 else x + 0.0001
    result = {"ops": n, "recursion_limit": sys.getrecursionlimit()}
    try:
        x.backward()
    except RecursionError as exc:
        result.update(raised="RecursionError", message=str(exc)[:80])
    else:
        result.update(raised=None, grad=x0.grad)
    return result


def main():
    import os

    if not available():
        print(MISSING)
        return
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from baselines.problems import make_moons, scalar_mlp_weights
    from timing import measure

    X, y = make_moons(100)
    trainer = MicrogradTrainer(scalar_mlp_weights(), X, y)
    t = measure(trainer.step, repeats=5, warmup=1)
    print(f"micrograd scalar MLP 2-16-16-1, 100 points: {t.median:.3f} s/step "
          f"(loss {trainer.step():.4f})")
    print("micrograd deep chain:", deep_chain(100_000))


if __name__ == "__main__":
    main()
