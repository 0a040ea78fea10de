"""Every backpropagation tutorial runs as a plain script (fast mode) and writes the figures it promises."""
import shutil

import pytest

from tests.conftest import path_without_dot
from tests.tutorials.runner import TUTORIALS, run_tutorial

# tutorial -> (matplotlib figures, Graphviz diagrams) it must write
EXPECTED = {
    "backprop_1_chain_rule.py": (["figure_3_1_derivative.png"], ["figure_3_1.svg", "figure_3_3_paths.svg",
                                                                 "eq_3_3.svg"]),
    "backprop_2_exponentially_many_paths.py": (["time_against_depth.png"], ["figure_3_4_all_paths.svg",
                                                                            "figure_3_4_one_path.svg"]),
    "backprop_3_dynamic_programming.py": (["paths_against_edges.png"], ["small_dag.svg"]),
    "backprop_4_pre_and_post_activation.py": (["delta_by_layer.png"], ["mlp_four_activations.svg"]),
    "backprop_5_decoupled_view_table_3_1.py": (["table_3_1_activations.png"], ["softmax_cross_entropy.svg"]),
    "backprop_6_losses_shared_weights_gradcheck.py": (["gradcheck_ratio_against_eps.png"],
                                                      ["several_losses.svg", "shared_weight.svg"]),
    "backprop_7_step_through.py": ([], []),  # its web pages are checked in test_step_through_tutorial.py
}


def test_every_backprop_tutorial_is_listed():
    assert sorted(path.name for path in TUTORIALS.glob("backprop_*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("graphviz_dot", ["with dot", "without dot"])
@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_tutorial_runs_as_a_script_and_writes_its_figures(script, graphviz_dot, tmp_path):
    """With Graphviz's dot the diagrams are SVG; without it (dot hidden from PATH) their DOT text."""
    pytest.importorskip("matplotlib", reason="the tutorials plot with matplotlib")
    pytest.importorskip("graphviz", reason="the tutorials draw with the graphviz Python package (the dev extra)")
    if graphviz_dot == "with dot" and shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed here; the run without dot covers this machine")
    search_path = None if graphviz_dot == "with dot" else path_without_dot()
    result = run_tutorial(script, tmp_path, search_path=search_path)
    figures, diagrams = EXPECTED[script]
    for name in figures:
        assert (tmp_path / name).stat().st_size > 1000, name
    for name in diagrams:
        if graphviz_dot == "with dot":
            assert (tmp_path / name).read_text().lstrip().startswith("<?xml"), name
        else:
            dot_text = (tmp_path / name).with_suffix(".dot")
            assert not (tmp_path / name).exists() and dot_text.read_text().startswith("digraph"), name
            assert f"{dot_text.name} holds the DOT text" in result.stdout


def test_tutorials_are_jupytext_percent_scripts():
    for script in EXPECTED:
        text = (TUTORIALS / script).read_text()
        assert text.startswith("# %% [markdown]\n# # "), script
        assert text.count("# %%") >= 4, script

