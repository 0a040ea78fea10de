"""ag.draw: the DOT source of the chapter's graphs, highlights, edge labels, collapsed groups, and rendering."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Tensor, viz
from autograd_core.examples import figure_3_1, figure_3_3, figure_3_4, mlp, scalar_mlp

REPOSITORY = Path(__file__).resolve().parents[2]
graphviz = pytest.importorskip("graphviz", reason="the graphviz Python package is an optional dependency")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")


def node_line(source, tensor_or_node, output):
    match = re.search(rf"^\s*{viz.node_id(tensor_or_node, output)} \[(.*?)\]$", source, re.M | re.S)
    assert match, f"no node for {tensor_or_node!r} in\n{source}"
    return match.group(1)


def edges(source):
    return re.findall(r"^\s*(\w+) -> (\w+)(?: \[(.*?)\])?$", source, re.M)


def test_figure_3_1_has_one_node_per_tensor_and_operation_with_names_and_values():
    w, o = figure_3_1(0.5)
    source = ag.draw(o).source
    assert isinstance(ag.draw(o), graphviz.Digraph)
    y = o.grad_fn.inputs[0]
    assert "<B>w</B>" in node_line(source, w, o) and "0.5" in node_line(source, w, o)
    assert "scalar float64" in node_line(source, w, o)
    assert "<B>y = w^2</B>" in node_line(source, y, o)
    assert "Cos" in node_line(source, o.grad_fn, o)
    assert "Pow(·, 2)" in node_line(source, y.grad_fn, o)  # the constant exponent folded into the label
    assert edges(source) == [
        (viz.node_id(w, o), viz.node_id(y.grad_fn, o), ""), (viz.node_id(y.grad_fn, o), viz.node_id(y, o), ""),
        (viz.node_id(y, o), viz.node_id(o.grad_fn, o), ""), (viz.node_id(o.grad_fn, o), viz.node_id(o, o), ""),
    ]


def test_colours_by_role_parameter_constant_output_operation():
    w = Tensor(2.0, requires_grad=True, name="w")
    x = Tensor(3.0, name="x")
    hidden = w * x
    o = hidden.exp()
    source = ag.draw(o).source
    assert viz.COLOURS["parameter"] in node_line(source, w, o)
    assert viz.COLOURS["constant"] in node_line(source, x, o)
    assert viz.COLOURS["output"] in node_line(source, o, o)
    assert viz.COLOURS["intermediate"] in node_line(source, hidden, o)
    assert viz.COLOURS["operation"] in node_line(source, o.grad_fn, o)


def test_gradients_appear_after_backward_and_can_be_hidden():
    w, o = figure_3_1(0.5)
    assert "grad" not in node_line(ag.draw(o).source, w, o)
    o.backward()
    expected = f"grad {-2 * 0.5 * np.sin(0.25):.4g}"
    assert expected in node_line(ag.draw(o).source, w, o)
    hidden = node_line(ag.draw(o, show_values=False, show_grads=False).source, w, o)
    assert "grad" not in hidden and "0.5" not in hidden


def test_shape_and_dtype_and_small_values_only():
    small = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True, name="small")
    large = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, name="large")
    o = (small.sum() + large.sum())
    source = ag.draw(o, max_values=6).source
    assert "2 float32" in node_line(source, small, o) and "[1, 2]" in node_line(source, small, o)
    assert "3x4 float64" in node_line(source, large, o) and "11" not in node_line(source, large, o)


def test_x_times_x_draws_two_edges_from_x():
    x = Tensor(1.5, requires_grad=True, name="x")
    o = x * x
    pairs = [(a, b) for a, b, _ in edges(ag.draw(o).source)]
    assert pairs.count((viz.node_id(x, o), viz.node_id(o.grad_fn, o))) == 2


def test_edge_labels_are_the_local_derivatives_of_figure_3_5():
    w, o = figure_3_3(0.7)
    y = o.grad_fn.inputs[0].grad_fn.inputs[0]
    source = ag.draw(o, edge_labels=True).source
    labels = {(a, b): attributes for a, b, attributes in edges(source)}
    assert f'label="z = {2 * 0.7:.4g}"' in labels[(viz.node_id(w, o), viz.node_id(y.grad_fn, o))]   # dy/dw = 2w
    sin_node = o.grad_fn.inputs[0].grad_fn
    assert f'label="z = {np.cos(0.49):.4g}"' in labels[(viz.node_id(y, o), viz.node_id(sin_node, o))]  # d sin(y)/dy
    assert all("label" not in attributes for (a, b), attributes in labels.items() if a.startswith("f"))


def test_edge_labels_after_backward_without_retain_graph_explain_what_to_do():
    w, o = figure_3_1(0.5)
    o.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        ag.draw(o, edge_labels=True)


def test_highlight_every_path_of_figure_3_4():
    w, o = figure_3_4(depth=3, width=2)
    source = ag.draw(o, highlight_paths=w).source
    assert "8 paths from w highlighted" in source
    drawn = edges(source)
    assert drawn and all(viz.HIGHLIGHT in attributes for _, _, attributes in drawn)


def test_highlight_only_the_paths_from_the_chosen_input():
    a = Tensor(1.0, requires_grad=True, name="a")
    b = Tensor(2.0, requires_grad=True, name="b")
    product = a * b
    o = product + b.sin()
    source = ag.draw(o, highlight_paths=a).source
    assert "1 path from a highlighted" in source
    lit = {(x, y) for x, y, attributes in edges(source) if viz.HIGHLIGHT in attributes}
    name = {item: viz.node_id(item, o) for item in (a, product.grad_fn, product, o.grad_fn, o)}
    assert lit == {(name[a], name[product.grad_fn]), (name[product.grad_fn], name[product]),
                   (name[product], name[o.grad_fn]), (name[o.grad_fn], name[o])}
    assert viz.HIGHLIGHT not in node_line(source, b, o)


def test_highlight_numbered_paths_follows_ag_paths_order():
    w, o = figure_3_3(0.7)
    first = list(ag.paths(o, w))[0]
    source = ag.draw(o, highlight_paths=(w, [0])).source
    assert "path 0 from w" in source
    for tensor in first:
        assert viz.HIGHLIGHT in node_line(source, tensor, o)
    other = [tensor for tensor in list(ag.paths(o, w))[1] if all(tensor is not t for t in first)]
    assert other and all(viz.HIGHLIGHT not in node_line(source, tensor, o) for tensor in other)
    with pytest.raises(ValueError, match="only 2 paths"):
        ag.draw(o, highlight_paths=(w, [5]))


def test_highlight_from_an_unconnected_tensor_is_an_error():
    a = Tensor(1.0, requires_grad=True, name="a")
    b = Tensor(2.0, requires_grad=True, name="b")
    with pytest.raises(ValueError, match="no path"):
        ag.draw(b * 2.0, highlight_paths=a)


def test_collapse_a_mapping_draws_one_box_per_layer():
    weights, o, layers = scalar_mlp(depth=3, width=2)
    source = ag.draw(o, collapse=layers).source
    for number, name in enumerate(["layer 1", "layer 2", "layer 3", "output layer"]):
        assert f"subgraph cluster_{number}" in source
        assert f'label="{name}"' in source
    assert "8 operations" in source and "Mul x4, Add x2, Tanh x2" in source
    hidden_product = layers["layer 1"][1]  # w1_11 * x1: inside layer 1, not used outside it
    assert hidden_product.grad_fn.name == "Mul"
    assert f"{viz.node_id(hidden_product, o)} " not in source
    for weight in weights:
        assert f"{viz.node_id(weight, o)} " in source  # a layer's parameters stay visible in its box
    summary = re.search(r"(g\d+) \[label=\"layer 1", source).group(1)
    assert (viz.node_id(weights[0], o), summary) in {(a, b) for a, b, _ in edges(source)}


def test_collapse_by_function_and_expanded_groups_keep_every_node():
    parameters, loss, layers = mlp(depth=2, width=3)
    group = {id(t): name for name, members in layers.items() for t in members}
    source = ag.draw(loss, collapse=lambda tensor: group.get(id(tensor)), expand_groups=True).source
    assert source.count("subgraph cluster_") == 3
    assert "operations" not in source
    assert "MatMul" in source and "Tanh" in source


def test_collapse_rejects_a_tensor_in_two_groups():
    w, o = figure_3_1()
    with pytest.raises(ValueError, match="two groups"):
        ag.draw(o, collapse={"one": [w], "two": [w]})


def test_rankdir_and_several_outputs():
    a = Tensor(1.0, requires_grad=True, name="a")
    first, second = a.sin(), a.cos()
    source = ag.draw([first, second], rankdir="TB").source
    assert "rankdir=TB" in source
    assert source.count(viz.COLOURS["output"]) == 2
    with pytest.raises(ValueError, match="rankdir"):
        ag.draw(first, rankdir="diagonal")


def test_a_chain_of_twenty_thousand_operations_draws_without_recursion():
    w = Tensor(1.0, requires_grad=True, name="w")
    value = w
    for _ in range(20000):
        value = value + 1.0
    source = ag.draw(value, show_values=False).source
    assert source.count(" -> ") == 40000


def test_missing_graphviz_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    w, o = figure_3_1()
    with pytest.raises(ImportError, match=r"pip install -e \"\.\[graphviz\]\" from a clone"):
        ag.draw(o)


def test_missing_dot_program_says_how_to_install_graphviz(monkeypatch, tmp_path):
    w, o = figure_3_1()
    digraph = ag.draw(o)
    assert digraph.source.startswith("digraph")  # the DOT text is there without dot

    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(("dot", "-Tsvg"))

    monkeypatch.setattr(graphviz.Digraph, "pipe", missing)
    with pytest.raises(viz.GraphvizNotFoundError, match="apt-get install graphviz.*brew install graphviz.*conda"):
        viz.render(digraph, tmp_path / "figure.svg")
    assert not (tmp_path / "figure.svg").exists()


@needs_dot
@pytest.mark.parametrize("extension, magic", [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_render_writes_svg_png_and_pdf(tmp_path, extension, magic):
    w, o = figure_3_4(depth=3, width=2)
    o.backward()
    path = viz.render(ag.draw(o, highlight_paths=w), tmp_path / "nested" / f"figure_3_4.{extension}")
    with open(path, "rb") as file:
        assert file.read(8).startswith(magic)


@needs_dot
def test_render_takes_the_format_argument_over_the_extension(tmp_path):
    w, o = figure_3_1()
    path = viz.render(ag.draw(o), tmp_path / "figure", format="svg")
    with open(path, "rb") as file:
        assert b"<svg" in file.read()


def test_render_without_format_or_extension_is_an_error(tmp_path):
    w, o = figure_3_1()
    with pytest.raises(ValueError, match="extension"):
        viz.render(ag.draw(o), tmp_path / "figure")


def test_save_diagram_writes_dot_text_when_dot_is_missing(tmp_path, monkeypatch):
    from autograd_core import viz
    from autograd_core.examples import figure_3_1

    w, o = figure_3_1(0.5)
    monkeypatch.setattr(viz, "dot_available", lambda: False)
    written = viz.save_diagram(ag.draw(o), tmp_path / "figure.svg")
    assert written == str(tmp_path / "figure.dot")
    assert "digraph" in (tmp_path / "figure.dot").read_text()


def test_a_collapsed_mlp_still_draws_its_output():
    _, o, layers = scalar_mlp(depth=3, width=2)
    source = ag.draw(o, collapse=layers).source
    assert "<B>o</B>" in node_line(source, o, o)


def test_the_same_graph_gives_the_same_dot_text_in_another_process():
    script = ("from autograd_core.examples import scalar_mlp\nimport autograd_core as ag\n"
              "_, o, layers = scalar_mlp(3, 2)\nprint(ag.draw(o, collapse=layers).source)")
    sources = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, PYTHONPATH=os.pathsep.join(
                                  filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])))).stdout
               for _ in range(2)]
    _, o, layers = scalar_mlp(3, 2)
    assert sources[0] == sources[1] == ag.draw(o, collapse=layers).source + "\n"


def test_figure_3_4_collapses_by_layer():
    w, o, layers = figure_3_4(depth=3, width=3, return_layers=True)
    source = ag.draw(o, collapse=layers).source
    assert all(re.search(rf'label="?{name}"?\s', source) for name in ("layer 1", "layer 2", "layer 3", "output"))
    assert "<B>o</B>" in source and "<B>w</B>" in source


def test_a_tensor_too_large_to_print_shows_its_norm():
    large = Tensor(np.full((10, 10), 0.5), requires_grad=True, name="large")
    o = large.sum()
    assert "norm 5" in node_line(ag.draw(o).source, large, o)


@needs_dot
@pytest.mark.parametrize("argv", [["--graph", "tensor-mlp", "--edge-labels"], ["--graph", "mlp"],
                                  ["--graph", "fig3.4", "--depth", "8"], ["--graph", "mlp", "--depth", "6"]],
                         ids=lambda argv: " ".join(argv))
def test_diagrams_fit_a_screen_width_at_most_three_times_height(argv, tmp_path):
    from autograd_core.__main__ import main

    path = tmp_path / "figure.svg"
    main(["draw", *argv, "-o", str(path)])
    width, height = map(float, re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', path.read_text()).groups())
    assert width <= 3 * height, (width, height)


@needs_dot
def test_the_mlp_with_four_activations_fits_a_screen(tmp_path):
    from autograd_core.examples import scalar_mlp as build_mlp

    _, o, _ = build_mlp(depth=4, width=3, activation=["sigmoid", "tanh", "relu", "hard_tanh"])
    o.backward()
    path = viz.render(ag.draw(o), tmp_path / "mlp.svg")
    width, height = map(float, re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', open(path).read()).groups())
    assert width <= 3 * height, (width, height)
