"""Command line: dynamic programming against the sum over paths, on the chapter's graphs, and their diagrams.

    python -m autograd_core demo                         Figures 3.3 and 3.4, and the Figure 3.4 diagram
    python -m autograd_core paths --graph fig3.4 --depth 8
    python -m autograd_core paths --graph fig3.4 --depths 4 8 12 16 20
    python -m autograd_core draw --graph mlp --output mlp.svg --collapse
    python -m autograd_core step-through --graph fig3.3 -o fig33.html      a page that steps through backpropagation
    python -m autograd_core nn-demo                      train an MLP on the digits (python -m autograd_core.nn demo)

Installed, the same commands run as ``autograd-core demo`` and so on. Diagrams are written by
Graphviz's ``dot`` (svg, png, pdf, ...); ``-o FILE.dot`` (or ``.gv``) writes the DOT text itself, and
without ``dot`` an ``-o FILE.svg`` writes ``FILE.dot`` instead and says so.
"""
import argparse
import os
import sys
import time

import numpy

from . import compare, count_paths, draw, grad
from .cli import finite_float, positive_int, program_name, run
from .examples import figure_3_1, figure_3_3, figure_3_4, mlp, scalar_mlp

GRAPHS = ("fig3.1", "fig3.3", "fig3.4", "mlp", "tensor-mlp")


def build(graph, depth=None, width=None, w=None):
    """One of the textbook's graphs: returns ``(inputs, output, layers, description)``.

    ``inputs[0]`` is the input whose paths are counted; ``layers`` groups the
    tensors of an MLP by layer (for ``draw(collapse=...)``), else None. A graph
    whose output overflows (Figure 3.4's w^(width^depth)) is refused with ``ValueError``.
    """
    with numpy.errstate(over="ignore"):  # an overflow is reported below, in words
        inputs, output, layers, description = _build(graph, depth, width, w)
    if not bool(numpy.all(numpy.isfinite(output.numpy()))):
        raise ValueError(f"{description}: the output is {output.numpy().ravel()[0]} at w = {inputs[0].numpy()}, "
                         "beyond float64; choose a smaller --depth or --width, or a --w closer to 1")
    return inputs, output, layers, description


def _build(graph, depth, width, w):
    if graph == "fig3.1":
        w_tensor, o = figure_3_1(0.5 if w is None else w)
        return [w_tensor], o, None, "Figure 3.1: o = cos(w^2)"
    if graph == "fig3.3":
        w_tensor, o = figure_3_3(0.7 if w is None else w)
        return [w_tensor], o, None, "Figure 3.3: o = sin(w^2) + cos(w^2)"
    if graph == "fig3.4":
        depth, width = depth or 5, width or 2
        w_tensor, o, layers = figure_3_4(depth, width, 1.01 if w is None else w, return_layers=True)
        return [w_tensor], o, layers, (f"Figure 3.4: {depth} layers of {width} units, each the product of the layer "
                                     f"before (o = w^({width}^{depth}))")
    if graph == "mlp":
        depth, width = depth or 3, width or 2
        weights, o, layers = scalar_mlp(depth, width)
        return weights, o, layers, f"scalar MLP: {depth} tanh layers of {width} units, one linear output unit"
    if graph == "tensor-mlp":
        depth, width = depth or 3, width or 4
        parameters, loss, layers = mlp(depth, width)
        return parameters, loss, layers, f"tensor MLP: {depth} tanh layers of {width} units, squared-error loss"
    raise ValueError(f"unknown graph {graph!r}; choose from {GRAPHS}")


def demo(arguments):
    """Figure 3.3's two paths, then Figure 3.4's exponentially many paths against linear-time DP."""
    too_deep = [depth for depth in arguments.depths if 2 ** depth > 10 ** 7]
    if too_deep:
        raise ValueError(f"--depths {too_deep[0]}: the path sum would enumerate 2^{too_deep[0]} = "
                         f"{2 ** too_deep[0]} paths (more than 10^7); choose depths up to 23")
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
    if arguments.draw:
        path = os.path.join(arguments.output_dir, "figure_3_4.svg")
        w, o = figure_3_4(5, 2)
        o.backward()
        if _try_draw(o, w, path):
            print(f"\nFigure 3.4 with all {count_paths(o, w)} paths from w highlighted: {path}")


def _try_draw(o, w, path):
    """Draw for the demo, which must not fail where Graphviz is missing: say what to install instead."""
    from .viz import save_diagram

    try:
        digraph = draw(o, highlight_paths=w, title="Figure 3.4: every path from w to o")
    except ImportError as error:
        print(f"\n(skipped the diagram: {error})")
        return False
    print()
    return save_diagram(digraph, path) == path


def paths_command(arguments):
    """Path count, DP, path-sum and finite-difference gradients with their times; or a table over depths."""
    if arguments.depths:
        return _depth_table(arguments)
    inputs, output, _, description = build(arguments.graph, arguments.depth, arguments.width, arguments.w)
    print(description)
    print(f"output {output.name or ''} = {output.item():.10g}\n")
    most_paths = max(count_paths(output, value) for value in inputs)
    if most_paths > arguments.max_paths:
        raise ValueError(f"there are {most_paths} paths from {inputs[0].name or 'an input'} to the output, more than "
                         f"--max-paths {arguments.max_paths}: raise --max-paths or choose a smaller --depth")
    report = compare(output, inputs, max_paths=arguments.max_paths)
    print(report)
    if arguments.draw:
        _write_drawing(arguments, inputs, output, None)
    return 0


def _depth_table(arguments):
    """Enumeration grows with the number of paths (exponential in depth); DP grows with the number of edges.

    The last two columns compare the path-sum and the central finite-difference
    gradients with DP's. On Figure 3.4 the finite difference loses accuracy
    as the depth grows, since w^(2^depth) curves ever more sharply.
    """
    graph = arguments.graph or "fig3.4"
    if graph not in ("fig3.4", "mlp"):
        raise ValueError(f"--depths needs a graph with a depth: fig3.4 or mlp, not {graph}")
    # w slightly above 1, so that w^(2^depth) stays finite at depth 20 and beyond
    w = arguments.w if arguments.w is not None else (1.0 + 1e-7 if graph == "fig3.4" else None)
    first_inputs, first_output, _, description = build(graph, arguments.depths[0], arguments.width, w)
    compare(first_output, first_inputs[0])  # warm up, so the first row's times are not the import's
    print(description.split(":")[0] + f": width {arguments.width or 2}, paths from {first_inputs[0].name} "
          f"to the output, by depth")
    print(f"{'depth':>5} {'paths':>10} {'DP (ms)':>9} {'path sum (ms)':>14} {'finite diff (ms)':>17} "
          f"{'path sum / DP':>14} {'|paths - DP|/|DP|':>18} {'|FD - DP|/|DP|':>15}")
    for depth in arguments.depths:
        inputs, output, _, _ = build(graph, depth, arguments.width, w)
        source = inputs[0]
        count = count_paths(output, source)
        if count > arguments.max_paths:
            print(f"{depth:>5} {count:>10}   (more than --max-paths {arguments.max_paths}: enumeration skipped)")
            continue
        reports = [compare(output, source, max_paths=arguments.max_paths) for _ in range(arguments.repeats)]
        _, _, dp, path_sum, finite = reports[0].rows[0]
        dp_ms, paths_ms, finite_ms = (min(report.seconds[method] for report in reports) * 1e3
                                      for method in ("dp", "paths", "finite differences"))
        scale = max(abs(float(dp)), 1e-300)
        paths_error, finite_error = abs(float(path_sum) - float(dp)) / scale, abs(float(finite) - float(dp)) / scale
        print(f"{depth:>5} {count:>10} {dp_ms:>9.3f} {paths_ms:>14.3f} {finite_ms:>17.3f} "
              f"{paths_ms / dp_ms:>14.1f} {paths_error:>18.1e} {finite_error:>15.1e}")
    return 0


def draw_command(arguments):
    """Draw one of the graphs after a backward pass, so that gradients show."""
    inputs, output, layers, description = build(arguments.graph, arguments.depth, arguments.width, arguments.w)
    if arguments.collapse and layers is None:
        raise ValueError(f"--collapse needs a graph with layers (fig3.4, mlp or tensor-mlp), not {arguments.graph}")
    _write_drawing(arguments, inputs, output, layers if arguments.collapse else None, description)
    return 0


def _write_drawing(arguments, inputs, output, layers, title=None):
    from .viz import save_diagram

    path = arguments.draw if getattr(arguments, "draw", None) else arguments.output
    if not os.path.splitext(path)[1]:
        raise ValueError(f"cannot tell the format of {path!r}: give it an extension (.svg, .png, .pdf, or .dot "
                         "for the DOT text)")
    edge_labels = getattr(arguments, "edge_labels", False)
    if output.size == 1:
        output.backward(retain_graph=edge_labels)
    digraph = draw(output, highlight_paths=inputs[0] if arguments.highlight_paths else None,
                   edge_labels=edge_labels, collapse=layers, rankdir=getattr(arguments, "rankdir", "auto"),
                   show_values=not getattr(arguments, "no_values", False),
                   show_grads=not getattr(arguments, "no_values", False), title=title)
    save_diagram(digraph, path)


def step_through_command(arguments):
    """Write the step-through player of one of the graphs: the dynamic programme, or the sum over paths."""
    from .step_through import step_through
    from .viz import GraphvizNotFoundError

    inputs, output, _, description = build(arguments.graph, arguments.depth, arguments.width, arguments.w)
    try:
        player = step_through(output, arguments.output, mode=arguments.mode, inputs=inputs, title=description,
                              max_paths=arguments.max_paths)
    except GraphvizNotFoundError as error:  # a RuntimeError: the one-line report of cli.run needs a user error
        raise OSError(str(error)) from error
    unit = "steps of the dynamic programme" if arguments.mode == "dp" else "paths"
    print(f"wrote {arguments.output}: {len(player.trace)} {unit}; open it in a browser")
    return 0


def _graph_options(parser, default_graph):
    parser.add_argument("--graph", choices=GRAPHS, default=default_graph,
                        help="fig3.1 cos(w^2), fig3.3 sin(w^2)+cos(w^2), fig3.4 layered products, mlp a scalar "
                             "MLP, tensor-mlp an MLP over matrices")
    parser.add_argument("--depth", type=positive_int,
                        help="layers of fig3.4 (default 5) or hidden layers of an MLP (3)")
    parser.add_argument("--width", type=positive_int, help="units per layer (default 2; 4 for tensor-mlp)")
    parser.add_argument("--w", type=finite_float, help="the value of w in the figures")


def make_parser():
    """The parser of ``autograd-core`` / ``python -m autograd_core``."""
    parser = argparse.ArgumentParser(prog=program_name("autograd_core"), description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    demo_parser = commands.add_parser("demo", help="dynamic programming against the sum over paths")
    demo_parser.add_argument("--depths", type=positive_int, nargs="+", default=[5, 10, 15, 20],
                             help="depths of Figure 3.4 to time (default 5 10 15 20; the path sum enumerates "
                                  "2^depth paths, so at most 23)")
    demo_parser.add_argument("--output-dir", default="out", metavar="DIR",
                             help="where the Figure 3.4 diagram goes (default out/)")
    demo_parser.add_argument("--no-draw", dest="draw", action="store_false",
                             help="skip writing the Figure 3.4 diagram")
    demo_parser.set_defaults(run=demo)

    paths_parser = commands.add_parser(
        "paths", help="path count and gradients by DP, path sum and finite differences, with their times")
    _graph_options(paths_parser, None)
    paths_parser.add_argument("--depths", type=positive_int, nargs="+",
                              help="a table over these depths (fig3.4 or mlp): enumeration grows exponentially, "
                                   "DP linearly")
    paths_parser.add_argument("--max-paths", type=positive_int, default=10**7,
                              help="refuse to enumerate more paths than this (default 10^7)")
    paths_parser.add_argument("--repeats", type=positive_int, default=3,
                              help="with --depths: time each depth this many times and keep the fastest (default 3)")
    paths_parser.add_argument("--draw", metavar="FILE",
                              help="also write the diagram (svg, png, pdf; .dot or .gv for the DOT text)")
    paths_parser.add_argument("--highlight-paths", action="store_true",
                              help="with --draw: highlight every path from the first input to the output")
    paths_parser.set_defaults(run=paths_command)

    draw_parser = commands.add_parser("draw", help="draw one of the graphs to a file (svg, png or pdf)")
    _graph_options(draw_parser, "fig3.4")
    draw_parser.add_argument("--output", "-o", required=True, metavar="FILE",
                             help="the file to write: svg, png or pdf by Graphviz's dot; .dot or .gv for the DOT "
                                  "text (written also when dot is missing)")
    draw_parser.add_argument("--highlight-paths", action="store_true",
                             help="highlight every path from the first input (w, or the first weight) to the output")
    draw_parser.add_argument("--edge-labels", action="store_true",
                             help="label each edge with its local derivative z(i, j) (scalar graphs, Figure 3.5)")
    draw_parser.add_argument("--collapse", action="store_true", help="draw each layer of an MLP as one box")
    draw_parser.add_argument("--rankdir", choices=("auto", "LR", "TB"), default="auto",
                             help="left to right (LR), top to bottom (TB), or whichever fits a screen better "
                                  "(auto, the default)")
    draw_parser.add_argument("--no-values", action="store_true", help="hide values and gradients")
    draw_parser.set_defaults(run=draw_command)

    step_parser = commands.add_parser(
        "step-through", help="write a self-contained web page that steps through backpropagation on a graph")
    _graph_options(step_parser, "fig3.3")
    step_parser.add_argument("--mode", choices=("dp", "paths"), default="dp",
                             help="dp: one node finished per step (default); paths: one path per step, summed")
    step_parser.add_argument("--max-paths", type=positive_int, default=1000,
                             help="with --mode paths: refuse an input with more paths than this (default 1000)")
    step_parser.add_argument("--output", "-o", required=True, metavar="FILE.html",
                             help="the page to write: one self-contained HTML file that works offline")
    step_parser.set_defaults(run=step_through_command)

    nn_demo_parser = commands.add_parser(
        "nn-demo", add_help=False, help="train an MLP on the digits (the options of python -m autograd_core.nn demo)")
    nn_demo_parser.set_defaults(run=None)
    return parser


def main(argv=None):
    parser = make_parser()
    arguments, rest = parser.parse_known_args(argv)
    if arguments.command == "nn-demo":
        from .nn.__main__ import main as nn_main
        return nn_main(["demo", *rest])
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if arguments.command == "paths" and arguments.graph is None:
        arguments.graph = "fig3.4"
    return run(parser, arguments)


if __name__ == "__main__":
    sys.exit(main())
