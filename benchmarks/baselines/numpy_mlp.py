"""Hand-written NumPy MLP training step: the reference an autodiff engine built
on NumPy kernels is measured against.

One step is: forward through ReLU hidden layers, numerically stable softmax
cross-entropy averaged over the batch, the backward pass written out by hand,
and an in-place SGD update. Everything is float32. The same matrix products
any NumPy-based engine must run are run here; around them, the code uses
in-place operations wherever they are natural, so what is left is close to the
least NumPy can do for this step.

The arrays' own module does the work, so the same class is the hand-written CuPy
step when given CuPy arrays (``benchmarks/bench_gpu.py``).

Run on its own: ``python benchmarks/baselines/numpy_mlp.py``.
"""

from __future__ import annotations

import importlib

import numpy as np


class NumpyMLP:
    """``params`` is ``[W1, b1, W2, b2, ...]``; it is copied, then updated in place."""

    def __init__(self, params, X, y, lr=0.01):
        self.xp = np if isinstance(X, np.ndarray) else importlib.import_module("cupy")
        self.Ws = [p.copy() for p in params[0::2]]
        self.bs = [p.copy() for p in params[1::2]]
        self.X = X
        self.y = y
        self.lr = np.float32(lr) if X.dtype == np.float32 else lr
        self._rows = self.xp.arange(X.shape[0])

    def parameters(self):
        out = []
        for W, b in zip(self.Ws, self.bs):
            out += [W, b]
        return out

    def step(self) -> float:
        """One SGD step on the stored batch; returns the loss before the update."""
        xp, Ws, bs, lr = self.xp, self.Ws, self.bs, self.lr
        X, y, rows = self.X, self.y, self._rows
        n = X.shape[0]

        # Forward. acts[i] is the input to layer i (ReLU output for i > 0).
        acts = [X]
        h = X
        for W, b in zip(Ws[:-1], bs[:-1]):
            h = h @ W
            h += b
            xp.maximum(h, 0, out=h)
            acts.append(h)
        logits = h @ Ws[-1]
        logits += bs[-1]

        # Stable softmax cross-entropy, mean over the batch:
        #   loss_i = log(sum_j exp(z_ij - m_i)) - (z_{i,y_i} - m_i)
        logits -= logits.max(axis=1, keepdims=True)
        picked = logits[rows, y]
        xp.exp(logits, out=logits)
        total = logits.sum(axis=1, keepdims=True)
        loss = float(xp.mean(xp.log(total[:, 0]) - picked))

        # d loss / d logits = (softmax - onehot) / n, built in the same buffer.
        grad = logits
        grad /= total
        grad[rows, y] -= 1
        grad /= n

        # Backward and update, last layer first. The gradient flowing down is
        # computed before the layer's weights are changed.
        for i in range(len(Ws) - 1, -1, -1):
            W, b, a = Ws[i], bs[i], acts[i]
            dW = a.T @ grad
            db = grad.sum(axis=0)
            if i > 0:
                grad = grad @ W.T
                grad *= a > 0  # ReLU'(z) is 1 where the output is positive
            dW *= lr
            W -= dW
            db *= lr
            b -= db
        return loss


def main():
    import os
    import sys

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from baselines.problems import MLP_LARGE, MLP_SMALL, make_mlp_problem
    from timing import measure

    for sizes, batch in (MLP_SMALL, MLP_LARGE):
        X, y, params = make_mlp_problem(sizes, batch)
        model = NumpyMLP(params, X, y)
        t = measure(model.step, repeats=20, warmup=3)
        name = "-".join(map(str, sizes))
        print(f"NumPy MLP {name} batch {batch}: {t.ms:.2f} ms/step (loss {model.step():.4f})")


if __name__ == "__main__":
    main()
