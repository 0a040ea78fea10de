"""The benchmarked workloads written with MyGrad, an automatic-differentiation engine on NumPy.

MyGrad is optional and never a dependency of the project (``pip install
mygrad``): it is imported only when a function here is called, and
:func:`available` says whether it can be. Each workload mirrors the one in
``autograd_core_impl.py`` line for line.
"""

from __future__ import annotations

MISSING = "MyGrad not installed"


def available() -> bool:
    try:
        import mygrad  # noqa: F401
    except ImportError:
        return False
    return True


def make_chain(x0, n_blocks):
    """``n_blocks`` repeats of ``x = tanh(x * 1.01 + 0.1) - 0.05``; returns ``(forward, forward_backward)``."""
    import mygrad as mg

    leaf = mg.tensor(x0.copy())

    def forward():
        x = leaf
        for _ in range(n_blocks):
            x = mg.tanh(x * 1.01 + 0.1) - 0.05
        return x

    def forward_backward():
        x = leaf
        for _ in range(n_blocks):
            x = mg.tanh(x * 1.01 + 0.1) - 0.05
        x.sum().backward()
        return leaf.grad

    return forward, forward_backward


def deep_chain(n):
    """``x = x * 1.0001`` and ``x = x + 0.0001`` alternately, ``n`` ops on a 0-d tensor, then backward."""
    import mygrad as mg

    x0 = mg.tensor(1.0)
    x = x0
    for i in range(n):
        x = x * 1.0001 if i % 2 == 0 else x + 0.0001
    x.backward()
    return float(x0.grad)


class MygradMLP:
    """Same step as ``numpy_mlp.NumpyMLP``: ReLU hidden layers, mean softmax cross-entropy, SGD."""

    def __init__(self, params, X, y, lr=0.01):
        import mygrad as mg
        from mygrad.nnet.losses import softmax_crossentropy

        self.mg = mg
        self.loss_function = softmax_crossentropy
        self.params = [mg.tensor(p.copy()) for p in params]
        self.X = X
        self.y = y
        self.lr = lr

    def step(self) -> float:
        mg, ps = self.mg, self.params
        h = self.X
        n_layers = len(ps) // 2
        for i in range(n_layers - 1):
            h = mg.nnet.relu(mg.matmul(h, ps[2 * i]) + ps[2 * i + 1])
        logits = mg.matmul(h, ps[-2]) + ps[-1]
        loss = self.loss_function(logits, self.y)  # mean over the batch
        loss.backward()
        for p in ps:
            p.data -= self.lr * p.grad
        return loss.item()
