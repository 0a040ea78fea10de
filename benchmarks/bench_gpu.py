"""The engine on CuPy against hand-written CuPy and PyTorch on CUDA, side by side in one process.

    python benchmarks/bench_gpu.py                  # needs CuPy and a CUDA device; PyTorch CUDA if installed
    python benchmarks/bench_gpu.py --json out.json  # also write the figures as JSON

Rows (Section 3.7.1, the GPU path):
- the MLP training steps of ``bench_engine.py`` (784-256-256-10 at batch 128, 784-1024-1024-10 at batch
  512, float32): hand-written CuPy (``baselines/numpy_mlp.py`` given CuPy arrays), PyTorch on CUDA, and
  autograd_core with CuPy arrays; target: the large step no slower than 1.1x hand-written CuPy;
- the 200-operation chain on (16,) float64 tensors, forward and backward, per operation: launch-bound,
  so it measures the engine's Python overhead plus one kernel launch per operation;
- a deep chain of 0-d operations (``x * 1.0001`` and ``x + 0.0001``) on the GPU, forward and backward,
  per operation.
Every timed call ends with a synchronisation (``loss.item()`` or an explicit one), so GPU work is counted.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (ROOT, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import numpy as np  # noqa: E402

import autograd_core as ag  # noqa: E402
from autograd_core_impl import AgMLP  # noqa: E402
from autograd_core_impl import make_chain as ag_chain  # noqa: E402
from baselines import torch_mlp  # noqa: E402
from baselines.numpy_mlp import NumpyMLP  # noqa: E402
from baselines.problems import MLP_LARGE, MLP_SMALL, make_mlp_problem  # noqa: E402
from timing import measure  # noqa: E402

CHAIN_BLOCKS = 50
DEEP_OPS = 20_000


def torch_cuda():
    """The torch module when PyTorch sees a CUDA device, else None."""
    if not torch_mlp.available():
        return None
    import torch
    return torch if torch.cuda.is_available() else None


def synchronized(cupy, function):
    def call():
        result = function()
        cupy.cuda.Device().synchronize()
        return result
    return call


def bench_mlp(cupy, torch, repeats):
    rows = {}
    for label, (sizes, batch) in (("small", MLP_SMALL), ("large", MLP_LARGE)):
        X, y, params = make_mlp_problem(sizes, batch)
        on_gpu, X_gpu, y_gpu = [cupy.asarray(p) for p in params], cupy.asarray(X), cupy.asarray(y)
        contestants = {"cupy": NumpyMLP(on_gpu, X_gpu, y_gpu), "autograd_core": AgMLP(on_gpu, X_gpu, y_gpu)}
        if torch is not None:
            contestants["torch"] = torch_mlp.TorchMLP(params, X, y, device="cuda")
        row = {}
        losses = {}
        for name, model in contestants.items():
            losses[name] = [model.step() for _ in range(3)]
            row[name] = measure(model.step, repeats=repeats, warmup=3).ms
        reference = np.array(losses["cupy"])
        row["loss_max_rel_diff"] = {name: float(np.max(np.abs(np.array(v) - reference) / np.abs(reference)))
                                    for name, v in losses.items() if name != "cupy"}
        rows[f"mlp_{label}"] = row
    return rows


def bench_chain(cupy, torch, repeats):
    x0 = np.random.default_rng(1).standard_normal(16)
    row = {}
    _, forward_backward = ag_chain(cupy.asarray(x0), CHAIN_BLOCKS)
    timing = measure(synchronized(cupy, forward_backward), repeats=repeats, warmup=5)
    row["autograd_core"] = timing.us / (4 * CHAIN_BLOCKS)
    if torch is not None:
        _, forward_backward = torch_mlp.make_chain(x0, CHAIN_BLOCKS, device="cuda")
        row["torch"] = measure(lambda: (forward_backward(), torch.cuda.synchronize()),
                               repeats=repeats, warmup=5).us / (4 * CHAIN_BLOCKS)
    return row


def bench_deep(cupy, torch):
    row = {}

    def ag_deep():
        x0 = ag.Tensor(cupy.asarray(1.0), requires_grad=True)
        x = x0
        for i in range(DEEP_OPS):
            x = x * 1.0001 if i % 2 == 0 else x + 0.0001
        x.backward()
        return x0.grad.item()

    expected = 1.0001 ** (DEEP_OPS // 2)
    value = ag_deep()
    assert abs(value - expected) < 1e-9 * expected, (value, expected)
    row["autograd_core"] = measure(ag_deep, repeats=3, warmup=0).us / DEEP_OPS
    if torch is not None:
        def torch_deep():
            x0 = torch.tensor(1.0, dtype=torch.float64, device="cuda", requires_grad=True)
            x = x0
            for i in range(DEEP_OPS):
                x = x * 1.0001 if i % 2 == 0 else x + 0.0001
            x.backward()
            return x0.grad.item()
        torch_deep()
        row["torch"] = measure(torch_deep, repeats=3, warmup=0).us / DEEP_OPS
    return row


def profile_large_step(cupy, steps=20, rows=25):
    """cProfile of autograd_core's large MLP step on the GPU: where the time over hand-written CuPy goes."""
    import cProfile
    import io
    import pstats

    X, y, params = make_mlp_problem(*MLP_LARGE)
    model = AgMLP([cupy.asarray(p) for p in params], cupy.asarray(X), cupy.asarray(y))
    for _ in range(3):
        model.step()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        model.step()
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(rows)
    return text.getvalue()


def ratio(a, b):
    return f"{a / b:.2f}x" if a is not None and b else "—"


def render(results):
    lines = ["| measure | hand-written CuPy | PyTorch CUDA | autograd_core | vs CuPy | vs PyTorch |",
             "|---|---|---|---|---|---|"]
    for label, title in (("mlp_small", "MLP step 784-256-256-10, batch 128"),
                         ("mlp_large", "MLP step 784-1024-1024-10, batch 512")):
        row = results[label]
        torch_ms = row.get("torch")
        lines.append(f"| {title} | {row['cupy']:.3f} ms | {f'{torch_ms:.3f} ms' if torch_ms else '—'} | "
                     f"{row['autograd_core']:.3f} ms | {ratio(row['autograd_core'], row['cupy'])} | "
                     f"{ratio(row['autograd_core'], torch_ms)} |")
    for label, title in (("chain", "200-op chain on (16,), fwd+bwd, per op"),
                         ("deep", f"deep chain of {DEEP_OPS} 0-d ops, fwd+bwd, per op")):
        row = results[label]
        torch_us = row.get("torch")
        lines.append(f"| {title} | — | {f'{torch_us:.1f} µs' if torch_us else '—'} | "
                     f"{row['autograd_core']:.1f} µs | — | {ratio(row['autograd_core'], torch_us)} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=30, help="timed repeats per MLP and chain row (default 30)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of autograd_core's large MLP step (20 steps)")
    arguments = parser.parse_args(argv)
    if not ag.gpu_available():
        parser.error("CuPy with a CUDA device is needed: pip install -e \".[cuda12]\" (or [cuda13]) on a GPU machine")
    import cupy

    torch = torch_cuda()
    device = cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()
    print(f"device: {device}; CuPy {cupy.__version__}; PyTorch "
          f"{torch.__version__ if torch is not None else 'not available on CUDA'}; NumPy {np.__version__}; "
          f"Python {platform.python_version()}")
    results = {"device": device, "mlp_small": None, "mlp_large": None}
    results.update(bench_mlp(cupy, torch, arguments.repeats))
    results["chain"] = bench_chain(cupy, torch, arguments.repeats)
    results["deep"] = bench_deep(cupy, torch)
    print(render(results))
    print("loss agreement with hand-written CuPy over the first 3 steps (max relative difference): "
          + ", ".join(f"{label} {row['loss_max_rel_diff']}" for label, row in results.items()
                      if label.startswith("mlp_")))
    if arguments.profile:
        print(profile_large_step(cupy))
    if arguments.json:
        with open(arguments.json, "w") as handle:
            json.dump(results, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
