"""The graph walks of the path-sum view against a backward pass over the same graph.

On the deep chain of scalar operations (``build_deep_chain``: ``x * 1.0001``
and ``x + 0.0001`` alternately), times ``ag.count_paths(x, x0)``, the set-up
of ``ag.paths(x, x0)`` (building the graph, counting, and listing its first
path, of length n + 1) and ``x.backward()``, each on the same freshly built
graph in one process, and prints their medians over several fresh builds and
the ratios of the medians to the backward's. The same for three graphs that
are not trees (nodes reached again and again), and ``ag.draw`` on a chain of
10^4 operations (2 * 10^4 drawn nodes), plain and with every path from the
leaf highlighted.

Each graph is built with the collector on, as a user would, then collected
once, so that no timed call pays for a collection the forward pass left
pending. Backward runs last: it frees the saved values. Timings depend on the
machine's load; rerun on a quiet machine before quoting them.

    python benchmarks/graph_walks.py                 # chains of 10^5 and 10^6 operations, 5 builds each
    python benchmarks/graph_walks.py --ops 100000 --builds 3
"""
import argparse
import gc
import os
import random
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
for _path in (os.path.dirname(HERE), HERE):  # the checkout this file lives in, and the benchmark helpers
    if _path not in sys.path:
        sys.path.insert(0, _path)

import autograd_core as ag  # noqa: E402
import autograd_core_impl as impl  # noqa: E402
from timing import time_once  # noqa: E402


def shared_weight_chain(ops):
    """``x * w`` and ``x + 0.0001`` alternately: the leaf w is reached again by every other operation."""
    x = ag.tensor(1.0, requires_grad=True)
    w = ag.tensor(1.0, requires_grad=True)
    for number in range(ops):
        x = x * w if number % 2 == 0 else x + 0.0001
    return w, x


def neuron_level_mlp(samples=20, sizes=(2, 16, 16, 1)):
    """A squared-error loss of a scalar MLP over ``samples`` inputs: weights and activations reached again."""
    rng = random.Random(0)
    layers = [[[ag.tensor(rng.uniform(-1, 1), requires_grad=True) for _ in range(fan_in + 1)]
               for _ in range(fan_out)] for fan_in, fan_out in zip(sizes, sizes[1:])]
    loss = 0.0
    for _ in range(samples):
        activations = [ag.tensor(rng.uniform(-1, 1)) for _ in range(sizes[0])]
        for depth, layer in enumerate(layers):
            sums = [sum((w * a for w, a in zip(neuron, activations)), neuron[-1]) for neuron in layer]
            activations = [ag.tanh(s) for s in sums] if depth < len(layers) - 1 else sums
        loss = loss + (activations[0] - 1.0) * (activations[0] - 1.0)
    return layers[0][0][0], loss


def doubling_chain(ops):
    """``x = x * 0.5 + x * 0.5``: every sum reached twice, 2^ops paths from the leaf (and x stays 1)."""
    leaf = x = ag.tensor(1.0, requires_grad=True)
    for _ in range(ops):
        x = x * 0.5 + x * 0.5
    return leaf, x


def time_walks(build, builds):
    """Medians over ``builds`` fresh graphs ``(input, output) = build()``: {name: seconds}."""
    samples = {"backward": [], "count_paths": [], "paths set-up": []}
    for _ in range(builds):
        leaf, output = build()
        gc.collect()
        elapsed, count = time_once(impl.count_paths, output, leaf)
        samples["count_paths"].append(elapsed)
        elapsed, length = time_once(impl.first_path_length, output, leaf)
        assert count >= 1 and length >= 2, (count, length)
        samples["paths set-up"].append(elapsed)
        elapsed, _ = time_once(output.backward)
        samples["backward"].append(elapsed)
        del leaf, output
        gc.collect()
    return {name: statistics.median(values) for name, values in samples.items()}


def print_row(label, times):
    backward = times["backward"]
    print(f"| {label} | {backward:.3f} | {times['count_paths']:.3f} | {times['count_paths'] / backward:.2f} "
          f"| {times['paths set-up']:.3f} | {times['paths set-up'] / backward:.2f} |", flush=True)


def time_draw(ops, repeats):
    """Median seconds of ``ag.draw`` on a chain of ``ops`` operations, plain and highlighting the leaf's path."""
    leaf, output = impl.build_deep_chain(ops)
    gc.collect()
    plain = statistics.median(time_once(ag.draw, output)[0] for _ in range(repeats))
    highlighted = statistics.median(time_once(ag.draw, output, highlight_paths=leaf)[0] for _ in range(repeats))
    return plain, highlighted


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, nargs="+", default=[10**5, 10**6], help="chain lengths")
    parser.add_argument("--builds", type=int, default=5, help="fresh chains per length (medians over them)")
    parser.add_argument("--draw-ops", type=int, default=10**4, help="chain length for ag.draw (0: skip)")
    parser.add_argument("--no-others", dest="others", action="store_false", help="only the deep chains")
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{', '.join(f'{load:.2f}' for load in os.getloadavg())} (a busy machine distorts every figure)\n")
    print("| graph | backward (s) | count_paths (s) | / backward | paths set-up (s) | / backward |")
    print("|---|---:|---:|---:|---:|---:|")
    for ops in args.ops:
        print_row(f"deep chain, {ops:,} ops", time_walks(lambda ops=ops: impl.build_deep_chain(ops), args.builds))
    if args.others:
        print_row("chain with a shared weight, 100,000 ops", time_walks(lambda: shared_weight_chain(10**5), 3))
        print_row("neuron-level MLP 2-16-16-1, 20 samples", time_walks(neuron_level_mlp, 3))
        print_row("x = x * 0.5 + x * 0.5, 10,000 times", time_walks(lambda: doubling_chain(10**4), 3))
    if args.draw_ops:
        try:
            plain, highlighted = time_draw(args.draw_ops, repeats=3)
        except ImportError as error:  # the graphviz Python package is an optional extra
            print(f"\nag.draw: skipped ({error})")
        else:
            print(f"\nag.draw on a chain of {args.draw_ops:,} ops: {plain:.3f} s; "
                  f"with highlight_paths=leaf: {highlighted:.3f} s")


if __name__ == "__main__":
    main()
