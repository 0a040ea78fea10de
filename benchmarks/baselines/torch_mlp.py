"""The same MLP training step with PyTorch on the CPU.

PyTorch is optional and never a dependency of the project: it is imported only
when a function here is called, and :func:`available` says whether it can be.
Install it separately (``pip install torch==2.13.0``) to include it.

Run on its own: ``python benchmarks/baselines/torch_mlp.py``.
"""

from __future__ import annotations

MISSING = "PyTorch not installed"


def available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def info() -> dict:
    import torch

    return {"version": torch.__version__, "threads": torch.get_num_threads()}


class TorchMLP:
    """Same parameters and data as :class:`numpy_mlp.NumpyMLP`, as torch tensors.

    ``params`` is ``[W1, b1, W2, b2, ...]`` (NumPy arrays, copied); ``X`` is
    shared with NumPy, ``y`` holds integer labels.
    """

    def __init__(self, params, X, y, lr=0.01, device="cpu"):
        import torch
        import torch.nn.functional as F

        self.torch = torch
        self.F = F
        self.params = [torch.tensor(p, device=device, requires_grad=True) for p in params]
        self.X = torch.from_numpy(X).to(device)
        self.y = torch.from_numpy(y).to(device)
        self.lr = lr

    def step(self) -> float:
        """One SGD step on the stored batch; returns the loss before the update."""
        torch, F, ps = self.torch, self.F, self.params
        h = self.X
        n_layers = len(ps) // 2
        for i in range(n_layers):
            h = h @ ps[2 * i] + ps[2 * i + 1]
            if i < n_layers - 1:
                h = torch.relu(h)
        loss = F.cross_entropy(h, self.y)  # mean over the batch
        loss.backward()
        with torch.no_grad():
            for p in ps:
                p.add_(p.grad, alpha=-self.lr)
                p.grad = None
        return loss.item()


def make_chain(x0, n_blocks, device="cpu"):
    """Forward (and backward) of the op chain used by the chain benchmark.

    Returns ``(forward, forward_backward)`` closures; see ``bench_engine.py``
    for the chain: ``n_blocks`` repeats of ``x = tanh(x * 1.01 + 0.1) - 0.05``.
    """
    import torch

    leaf = torch.from_numpy(x0.copy()).to(device).requires_grad_(True)

    def forward():
        x = leaf  # recorded, as it would be for training
        for _ in range(n_blocks):
            x = torch.tanh(x * 1.01 + 0.1) - 0.05
        return x

    def forward_backward():
        x = leaf
        for _ in range(n_blocks):
            x = torch.tanh(x * 1.01 + 0.1) - 0.05
        x.sum().backward()
        grad = leaf.grad
        leaf.grad = None
        return grad

    return forward, forward_backward


def deep_chain(n):
    """``x = x * 1.0001`` and ``x = x + 0.0001`` alternately, ``n`` ops on a 0-d float64 tensor, then backward.

    The same graph as ``autograd_core_impl.build_deep_chain``; returns d output / d leaf.
    """
    import torch

    leaf = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    x = leaf
    for i in range(n):
        x = x * 1.0001 if i % 2 == 0 else x + 0.0001
    x.backward()
    return leaf.grad.item()


def main():
    import os
    import sys

    if not available():
        print(MISSING)
        return
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from baselines.problems import MLP_LARGE, MLP_SMALL, make_mlp_problem
    from timing import measure

    print(f"torch {info()}")
    for sizes, batch in (MLP_SMALL, MLP_LARGE):
        X, y, params = make_mlp_problem(sizes, batch)
        model = TorchMLP(params, X, y)
        t = measure(model.step, repeats=20, warmup=3)
        name = "-".join(map(str, sizes))
        print(f"PyTorch MLP {name} batch {batch}: {t.ms:.2f} ms/step (loss {model.step():.4f})")


if __name__ == "__main__":
    main()
