"""The step-through page without a browser: what it contains, its errors, and the command line that writes it."""
import json
import re

import pytest

import autograd_core as ag
from autograd_core.__main__ import main
from autograd_core.examples import figure_3_3, figure_3_4
from autograd_core.viz import GraphvizNotFoundError, dot_available, node_id

needs_dot = pytest.mark.skipif(not dot_available(), reason="the player is drawn by Graphviz's dot, not installed here")


def page_data(text):
    """The steps the page carries, read back from its JSON."""
    match = re.search(r'<script type="application/json" class="agst-data">(.*?)</script>', text, re.S)
    return json.loads(match.group(1))


@needs_dot
def test_the_page_is_one_file_with_the_diagram_the_steps_and_the_script(tmp_path):
    w, o = figure_3_3(0.7)
    player = ag.viz.step_through(o, tmp_path / "fig33.html")
    text = (tmp_path / "fig33.html").read_text(encoding="utf-8")
    assert player.path == str(tmp_path / "fig33.html") and text == player.html
    assert text.startswith("<!DOCTYPE html>") and text.count("<svg") == 1 and "<?xml" not in text
    assert 'data-hash="1"' in text and 'data-hash="0"' in player._repr_html_()
    assert "<html" not in player._repr_html_()
    data = page_data(text)
    trace = ag.trace_backward(o)
    assert data["mode"] == "dp" and [step["name"] for step in data["steps"]] == [step.name for step in trace]
    assert [step["node"] for step in data["steps"]] == [node_id(step.node, o) for step in trace]
    assert [step["text"] for step in data["steps"]] == [str(step) for step in trace]
    for step in data["steps"]:
        assert f"<title>{step['node']}</title>" in text  # every step's node is drawn, found by its DOT name
    assert w.grad is None


@needs_dot
def test_paths_mode_carries_one_step_per_path_and_the_checks(tmp_path):
    w, o = figure_3_4(depth=3, width=2)
    player = ag.viz.step_through(o, mode="paths")
    data = page_data(player.html)
    assert data["mode"] == "paths" and len(data["steps"]) == 8
    (check,) = data["checks"]
    assert check["agrees"] and check["paths"] == 8 and check["last_step"] == 7
    assert float(check["dp_exact"]) == pytest.approx(ag.grad(o, w, retain_graph=True).item(), rel=1e-14)
    assert "8 paths" in repr(player)


@needs_dot
def test_a_name_cannot_end_the_data_script_early():
    w = ag.Tensor(0.5, requires_grad=True, name="</script><script>alert(1)</script>")
    text = ag.viz.step_through(w.sin()).html
    assert "</script><script>alert(1)" not in text
    assert page_data(text)["steps"][-1]["name"] == w.name


@needs_dot
def test_too_many_paths_are_refused_as_grad_refuses_them():
    w, o = figure_3_4(depth=5, width=2)
    with pytest.raises(ValueError, match="32 paths, more than max_paths=10"):
        ag.viz.step_through(o, mode="paths", max_paths=10)


def test_bad_arguments_are_refused_before_drawing():
    w, o = figure_3_3(0.7)
    with pytest.raises(TypeError, match="path must be a file name or None, got int"):
        ag.viz.step_through(o, 3)
    with pytest.raises(ValueError, match="mode must be 'dp' or 'paths'"):
        ag.viz.step_through(o, mode="forward")
    with pytest.raises(ValueError, match="none of the inputs has a path to the output"):
        ag.viz.step_through(o, mode="paths", inputs=[ag.Tensor(1.0, requires_grad=True)])


def test_without_dot_the_error_names_the_install_command(tmp_path, without_dot, capsys):
    pytest.importorskip("graphviz", reason="needs the graphviz Python package, to find dot missing")
    w, o = figure_3_3(0.7)
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        ag.viz.step_through(o, tmp_path / "never.html")
    assert not (tmp_path / "never.html").exists()
    assert main(["step-through", "--graph", "fig3.3", "-o", str(tmp_path / "never.html")]) == 2
    error = capsys.readouterr().err
    assert "brew install graphviz" in error and len(error.strip().splitlines()) == 1


@needs_dot
@pytest.mark.parametrize("graph", ["fig3.3", "fig3.4", "mlp", "tensor-mlp"])
@pytest.mark.parametrize("mode", ["dp", "paths"])
def test_the_command_line_writes_a_player_for_each_graph(tmp_path, capsys, graph, mode):
    page = tmp_path / f"{graph}.html"
    main(["step-through", "--graph", graph, "--mode", mode, "-o", str(page)])
    assert f"wrote {page}" in capsys.readouterr().out
    data = page_data(page.read_text(encoding="utf-8"))
    assert data["mode"] == mode and data["steps"]
    if mode == "paths":
        assert data["checks"] and all(check["agrees"] for check in data["checks"])
    else:
        assert data["steps"][0]["is_output"] and data["steps"][-1]["is_leaf"]
