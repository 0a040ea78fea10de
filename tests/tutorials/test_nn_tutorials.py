"""The nn tutorials run as scripts (fast mode), exit 0, and write their figures."""
import pytest

from tests.tutorials.runner import assert_figures_written, assert_percent_format, run_tutorial


TUTORIALS = {
    "nn_initialisation.py": ["nn_initialisation_spread.png", "nn_initialisation_symmetry.png"],
    "nn_batch_norm.py": ["nn_batch_norm_pre_post.png", "nn_batch_norm_units.png", "nn_batch_norm_statistics.png"],
    "nn_preprocessing.py": ["nn_preprocessing_scatter.png", "nn_preprocessing_digits.png"],
}


@pytest.mark.parametrize("script", sorted(TUTORIALS))
def test_tutorial_runs_and_writes_its_figures(script, tmp_path):
    pytest.importorskip("matplotlib")
    run_tutorial(script, tmp_path)
    assert_figures_written(script, tmp_path, TUTORIALS[script])


@pytest.mark.parametrize("script", sorted(TUTORIALS))
def test_tutorial_is_in_the_percent_format(script):
    assert_percent_format(script)
