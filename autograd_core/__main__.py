"""Command line: ``python -m autograd_core demo`` shows dynamic programming against the sum over paths."""
import argparse
import sys
import time

from . import count_paths, grad
from .examples import figure_3_3, figure_3_4


def demo(arguments):
    """Figure 3.3's two paths, then Figure 3.4's exponentially many paths against linear-time DP."""
    w, o = figure_3_3(0.7)
    print("Figure 3.3: o = sin(w^2) + cos(w^2) at w = 0.7")
    print(f"  paths from w to o: {count_paths(o, w)}")
    print(f"  dynamic programming: {grad(o, w, retain_graph=True).item():.12f}")
    print(f"  sum over paths:      {grad(o, w, method='paths').item():.12f}")
    print("\nFigure 3.4: layers of two units, each the product of the layer before (o = w^(2^depth))")
    print(f"  {'depth':>5} {'paths':>10} {'DP (ms)':>10} {'path sum (ms)':>14} {'relative difference':>20}")
    for depth in arguments.depths:
        w, o = figure_3_4(depth, 2, 1.0 + 1e-7)
        paths_count = count_paths(o, w)
        started = time.perf_counter()
        by_paths = grad(o, w, method="paths", max_paths=paths_count, retain_graph=True).item()
        path_seconds = time.perf_counter() - started
        started = time.perf_counter()
        by_dp = grad(o, w).item()
        dp_seconds = time.perf_counter() - started
        difference = abs(by_dp - by_paths) / abs(by_dp)
        print(f"  {depth:>5} {paths_count:>10} {dp_seconds * 1e3:>10.3f} {path_seconds * 1e3:>14.3f} "
              f"{difference:>20.2e}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograd_core", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help="dynamic programming against the sum over paths")
    demo_parser.add_argument("--depths", type=int, nargs="+", default=[5, 10, 15, 20])
    demo_parser.set_defaults(run=demo)
    arguments = parser.parse_args(argv)
    arguments.run(arguments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
