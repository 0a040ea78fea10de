"""Two checkouts of autograd_core measured side by side, in interleaved rounds (before and after a change).

    python benchmarks/ab_compare.py --base /tmp/perf-base              # base checkout vs this one
    python benchmarks/ab_compare.py --base /tmp/perf-base --rounds 5 --deep-ops 1000000

Each round runs one fresh process per checkout, alternating (base, this, base,
this, ...), so that slow spells of a busy machine fall on both sides. Every
process measures the same workloads with the same benchmark code
(``autograd_core_impl``, public API only), and PyTorch in the same process
where it is installed, so that each PyTorch figure sits next to the engine
figure it is compared with. The table gives the median over the rounds of
each process's own median. Rows:

* per-operation time on the (16,) float64 chain ``tanh(x * 1.01 + 0.1) - 0.05``,
  forward and forward plus backward (the chain of ``bench_engine.py``);
* the scalar deep chain (``build_deep_chain``): forward with the collector on
  and paused, backward, ``count_paths`` and the set-up of ``paths`` (time to
  its first path), in seconds; the set-up of ``paths`` is timed on both
  checkouts on a shorter chain (``--paths-ops``), and on the whole deep chain
  only for this checkout (the base's enumeration copied its trail at every
  step, quadratic time: minutes at 200,000 operations);
* the scalar MLP step (2-16-16-1 on 100 moons) against micrograd.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _median_time(function, repeats, warmup=2):
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def probe(deep_ops, repeats, paths_ops, linear_paths):
    """Measure in this process (autograd_core is whichever checkout is first on sys.path); return a dict."""
    sys.path.insert(0, HERE)
    import numpy as np

    import autograd_core as ag
    import autograd_core_impl as impl
    from baselines import micrograd_mlp, torch_mlp
    from baselines.problems import make_moons, scalar_mlp_weights

    blocks, ops = 50, 200
    x0 = np.random.default_rng(1).standard_normal(16)
    results = {"engine": os.path.dirname(os.path.dirname(os.path.abspath(ag.__file__)))}
    forward, forward_backward = impl.make_chain(x0, blocks)
    results["chain forward, us/op"] = _median_time(forward, repeats) / ops * 1e6
    results["chain forward+backward, us/op"] = _median_time(forward_backward, repeats) / ops * 1e6
    if torch_mlp.available():
        forward, forward_backward = torch_mlp.make_chain(x0, blocks)
        results["PyTorch chain forward, us/op"] = _median_time(forward, repeats) / ops * 1e6
        results["PyTorch chain forward+backward, us/op"] = _median_time(forward_backward, repeats) / ops * 1e6

    leaf, out = impl.build_deep_chain(paths_ops)
    started = time.perf_counter()
    next(iter(ag.paths(out, leaf)))
    results[f"paths set-up (first path) on a chain of {paths_ops:,} ops, s"] = time.perf_counter() - started
    del leaf, out
    started = time.perf_counter()
    leaf, out = impl.build_deep_chain(deep_ops)
    results["deep chain forward, s"] = time.perf_counter() - started
    started = time.perf_counter()
    ag.count_paths(out, leaf)
    results["deep chain count_paths, s"] = time.perf_counter() - started
    if linear_paths:
        started = time.perf_counter()
        next(iter(ag.paths(out, leaf)))
        results["deep chain paths set-up (first path), s"] = time.perf_counter() - started
    started = time.perf_counter()
    out.backward()
    results["deep chain backward, s"] = time.perf_counter() - started
    del leaf, out
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        leaf, out = impl.build_deep_chain(deep_ops)
        results["deep chain forward, collector paused, s"] = time.perf_counter() - started
    finally:
        gc.enable()
    del leaf, out
    gc.collect()
    if hasattr(ag, "collector_paused"):  # the engine's own switch (newer checkouts only)
        started = time.perf_counter()
        with ag.collector_paused():
            leaf, out = impl.build_deep_chain(deep_ops)
        results["deep chain forward inside ag.collector_paused(), s"] = time.perf_counter() - started
        del leaf, out
        gc.collect()
    if torch_mlp.available():
        results["PyTorch deep chain forward+backward, s"] = _median_time(lambda: torch_mlp.deep_chain(deep_ops), 1,
                                                                         warmup=0)
    results["deep chain forward+backward, s"] = (results["deep chain forward, s"]
                                                 + results["deep chain backward, s"])

    X, y = make_moons(100)
    layers = scalar_mlp_weights((2, 16, 16, 1))
    trainer = impl.ScalarTrainer(layers, X, y)
    results["scalar MLP step, s"] = _median_time(trainer.step, max(1, repeats // 20), warmup=1)
    if micrograd_mlp.available():
        trainer = micrograd_mlp.MicrogradTrainer(layers, X, y)
        results["micrograd scalar MLP step, s"] = _median_time(trainer.step, max(1, repeats // 20), warmup=1)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="path of the checkout to compare against (a git worktree)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--deep-ops", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--paths-ops", type=int, default=20_000,
                        help="chain length for timing the set-up of ag.paths on both checkouts (quadratic before)")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--linear-paths", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe(args.deep_ops, args.repeats, args.paths_ops, args.linear_paths)))
        return
    checkouts = {"before": os.path.abspath(args.base), "after": ROOT}
    rounds = {label: [] for label in checkouts}
    for number in range(args.rounds):
        for label, checkout in checkouts.items():
            environment = dict(os.environ, PYTHONPATH=checkout)
            completed = subprocess.run(
                [sys.executable, os.path.abspath(__file__), "--probe", "--base", checkout,
                 "--deep-ops", str(args.deep_ops), "--repeats", str(args.repeats),
                 "--paths-ops", str(args.paths_ops)] + (["--linear-paths"] if label == "after" else []),
                env=environment, capture_output=True, text=True, check=True)
            result = json.loads(completed.stdout.strip().splitlines()[-1])
            if result["engine"] != checkout:
                raise RuntimeError(f"round {number}: measured {result['engine']}, expected {checkout}")
            rounds[label].append(result)
            print(f"round {number + 1}/{args.rounds}: {label} done", file=sys.stderr)
    rows = list(dict.fromkeys(key for result in rounds["after"] + rounds["before"] for key in result
                              if key != "engine"))
    print(f"Medians of {args.rounds} interleaved rounds; deep chain of {args.deep_ops:,} operations.\n")
    print("| measurement | before | after |")
    print("|---|---:|---:|")
    for row in rows:
        cells = []
        for label in checkouts:
            values = [result[row] for result in rounds[label] if row in result]
            cells.append(f"{statistics.median(values):.4g}" if values else "-")
        print(f"| {row} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
