"""The command line: demo, paths (one graph or a table over depths) and draw."""
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograd_core.__main__ import build, main

REPOSITORY = Path(__file__).resolve().parents[2]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None or importlib.util.find_spec("graphviz") is None,
                               reason="Graphviz's dot program or the graphviz Python package is not installed")


def numbers_after(label, text):
    line = next(line for line in text.splitlines() if line.startswith(label))
    return [float(value) for value in line.split()[1:]]


def test_paths_on_figure_3_3_prints_count_and_three_agreeing_gradients(capsys):
    main(["paths", "--graph", "fig3.3", "--w", "0.7"])
    output = capsys.readouterr().out
    count, dp, path_sum, finite = numbers_after("w ", output)
    expected = 2 * 0.7 * np.cos(0.49) - 2 * 0.7 * np.sin(0.49)
    assert count == 2
    assert dp == pytest.approx(expected, rel=1e-9) and path_sum == pytest.approx(expected, rel=1e-9)
    assert finite == pytest.approx(expected, rel=1e-7)
    assert re.search(r"time: dp [\d.]+ ms, paths [\d.]+ ms, finite differences [\d.]+ ms", output)


def test_paths_on_figure_3_4_counts_width_to_the_depth(capsys):
    main(["paths", "--graph", "fig3.4", "--depth", "6", "--width", "3", "--w", "1.001"])
    count, dp, path_sum, _ = numbers_after("w ", capsys.readouterr().out)
    assert count == 3 ** 6
    assert dp == pytest.approx(3 ** 6 * 1.001 ** (3 ** 6 - 1), rel=1e-9)
    assert path_sum == pytest.approx(dp, rel=1e-9)


def test_paths_on_the_scalar_mlp_lists_every_weight(capsys):
    main(["paths", "--graph", "mlp", "--depth", "3", "--width", "2"])
    output = capsys.readouterr().out
    assert numbers_after("w1_11", output)[0] == 4  # width^(depth - 1) paths from a first-layer weight
    assert numbers_after("w3_22", output)[0] == 1
    weights, _, _, _ = build("mlp", 3, 2)
    for weight in weights:
        _, dp, path_sum, finite = numbers_after(weight.name + " ", output)
        assert path_sum == pytest.approx(dp, rel=1e-8, abs=1e-12)
        assert finite == pytest.approx(dp, rel=1e-5, abs=1e-8)


def test_depth_table_has_one_row_per_depth_with_exponential_path_counts(capsys):
    main(["paths", "--depths", "2", "4", "6", "8", "--repeats", "1"])
    output = capsys.readouterr().out
    rows = [line.split() for line in output.splitlines() if re.match(r"\s*\d+\s+\d+\s", line)]
    assert [int(row[0]) for row in rows] == [2, 4, 6, 8]
    assert [int(row[1]) for row in rows] == [4, 16, 64, 256]
    assert all(float(row[6]) < 1e-10 for row in rows)  # path sum and DP agree
    assert "path sum (ms)" in output and "DP (ms)" in output


def test_depth_table_skips_enumeration_above_max_paths(capsys):
    main(["paths", "--graph", "mlp", "--width", "3", "--depths", "2", "6", "--max-paths", "100", "--repeats", "1"])
    output = capsys.readouterr().out
    assert re.search(r"^\s*6\s+243\s+\(more than --max-paths 100", output, re.M)


@needs_dot
def test_draw_writes_highlighted_figure_3_4(tmp_path, capsys):
    path = tmp_path / "figure_3_4.svg"
    main(["draw", "--graph", "fig3.4", "--depth", "4", "--highlight-paths", "--output", str(path)])
    svg = path.read_text()
    assert "16 paths from w highlighted" in svg
    assert "#d62728" in svg
    assert str(path) in capsys.readouterr().out


@needs_dot
def test_draw_collapsed_mlp_and_edge_labels(tmp_path):
    collapsed = tmp_path / "mlp.svg"
    main(["draw", "--graph", "mlp", "--collapse", "-o", str(collapsed)])
    svg = collapsed.read_text()
    assert "layer 1" in svg and "output layer" in svg and "8 operations" in svg
    labelled = tmp_path / "fig31.png"
    main(["draw", "--graph", "fig3.1", "--edge-labels", "--w", "0.5", "-o", str(labelled)])
    assert labelled.read_bytes().startswith(b"\x89PNG")


@needs_dot
def test_paths_with_draw_writes_the_diagram(tmp_path, capsys):
    path = tmp_path / "fig33.pdf"
    main(["paths", "--graph", "fig3.3", "--draw", str(path), "--highlight-paths"])
    assert path.read_bytes().startswith(b"%PDF")


def test_demo_prints_the_table_and_writes_the_figure_3_4_diagram(tmp_path):
    result = subprocess.run([sys.executable, "-m", "autograd_core", "demo", "--depths", "3", "6",
                             "--output-dir", str(tmp_path)], cwd=REPOSITORY, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "paths from w to o: 2" in result.stdout
    assert re.search(r"^\s*6\s+64\s", result.stdout, re.M)
    if shutil.which("dot") and importlib.util.find_spec("graphviz"):
        assert (tmp_path / "figure_3_4.svg").read_text().count("#d62728") > 10
        assert "32 paths from w highlighted" in (tmp_path / "figure_3_4.svg").read_text()
    elif importlib.util.find_spec("graphviz"):
        assert "apt-get install graphviz" in result.stdout
    else:
        assert "skipped the diagram" in result.stdout and "pip install" in result.stdout


def test_demo_without_dot_explains_and_still_succeeds(tmp_path, without_dot, capsys):
    pytest.importorskip("graphviz")
    assert main(["demo", "--depths", "3", "--output-dir", str(tmp_path)]) == 0
    assert "apt-get install graphviz" in capsys.readouterr().out
    assert not (tmp_path / "figure_3_4.svg").exists()
    assert (tmp_path / "figure_3_4.dot").read_text().startswith("digraph")


@pytest.mark.parametrize("extension", [".dot", ".gv"])
def test_draw_to_dot_writes_the_dot_text_with_or_without_dot(tmp_path, extension, capsys):
    pytest.importorskip("graphviz")
    path = tmp_path / f"figure{extension}"
    assert main(["draw", "--graph", "fig3.3", "-o", str(path)]) == 0
    assert path.read_text().startswith("digraph") and str(path) in capsys.readouterr().out


def test_draw_to_svg_without_dot_writes_dot_text_and_says_so_in_one_line(tmp_path, without_dot, capsys):
    pytest.importorskip("graphviz")
    assert main(["draw", "--graph", "fig3.4", "--depth", "3", "-o", str(tmp_path / "fig.svg")]) == 0
    output = capsys.readouterr().out
    assert not (tmp_path / "fig.svg").exists()
    assert (tmp_path / "fig.dot").read_text().startswith("digraph")
    assert len([line for line in output.splitlines() if "fig.dot" in line]) == 1
