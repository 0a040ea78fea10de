"""The graph walks of the path-sum view against a backward pass over the same graph.

On the deep chain of scalar operations (``build_deep_chain``: ``x * 1.0001``
and ``x + 0.0001`` alternately), times ``ag.count_paths(x, x0)``, the set-up
of ``ag.paths(x, x0)`` (building the graph, counting, and listing its first
path, of length n + 1) and ``x.backward()``, each on the same freshly built
graph in one process, and prints their medians over several fresh builds and
the ratios of the medians to the backward's. Then times ``ag.draw`` on a
chain of 10^4 operations (2 * 10^4 drawn nodes), plain and with every path
from the leaf highlighted.

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
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import autograd_core as ag  # noqa: E402
import autograd_core_impl as impl  # noqa: E402


def seconds(function, *args, **kwargs):
    """Seconds that ``function(*args, **kwargs)`` takes, and what it returns."""
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def time_walks(ops, builds):
    """Medians over ``builds`` fresh chains of ``ops`` operations: {name: seconds}."""
    samples = {"backward": [], "count_paths": [], "paths set-up": []}
    for _ in range(builds):
        leaf, output = impl.build_deep_chain(ops)
        gc.collect()
        elapsed, count = seconds(impl.count_paths, output, leaf)
        assert count == 1, count
        samples["count_paths"].append(elapsed)
        elapsed, length = seconds(impl.first_path_length, output, leaf)
        assert length == ops + 1, length
        samples["paths set-up"].append(elapsed)
        elapsed, _ = seconds(impl.backward_deep_chain, leaf, output)
        samples["backward"].append(elapsed)
        del leaf, output
        gc.collect()
    return {name: statistics.median(values) for name, values in samples.items()}


def time_draw(ops, repeats):
    """Median seconds of ``ag.draw`` on a chain of ``ops`` operations, plain and highlighting the leaf's path."""
    leaf, output = impl.build_deep_chain(ops)
    gc.collect()
    plain = statistics.median(seconds(ag.draw, output)[0] for _ in range(repeats))
    highlighted = statistics.median(seconds(ag.draw, output, highlight_paths=leaf)[0] for _ in range(repeats))
    return plain, highlighted


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, nargs="+", default=[10**5, 10**6], help="chain lengths")
    parser.add_argument("--builds", type=int, default=5, help="fresh chains per length (medians over them)")
    parser.add_argument("--draw-ops", type=int, default=10**4, help="chain length for ag.draw (0: skip)")
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{', '.join(f'{load:.2f}' for load in os.getloadavg())} (a busy machine distorts every figure)\n")
    print("| chain (ops) | backward (s) | count_paths (s) | / backward | paths set-up (s) | / backward |")
    print("|---:|---:|---:|---:|---:|---:|")
    for ops in args.ops:
        times = time_walks(ops, args.builds)
        backward = times["backward"]
        print(f"| {ops:,} | {backward:.3f} | {times['count_paths']:.3f} | {times['count_paths'] / backward:.2f} "
              f"| {times['paths set-up']:.3f} | {times['paths set-up'] / backward:.2f} |", flush=True)
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
