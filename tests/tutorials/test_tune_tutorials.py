"""The tuning and diagnostics tutorials run as scripts (fast mode), exit 0, and write their figures."""
import pytest

from tests.tutorials.runner import assert_figures_written, assert_percent_format, run_tutorial


TUTORIALS = {
    "nn_diagnostics_vanishing.py": ["nn_diagnostics_chain.png", "nn_diagnostics_digits.png"],
    "nn_diagnostics_dying_relu.py": ["nn_diagnostics_dying_relu.png"],
    "tune_digits.py": ["tune_digits_random.png", "tune_digits_halving.png", "tune_digits_progress.png"],
}


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(TUTORIALS))
def test_tutorial_runs_and_writes_its_figures(script, tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    if script.startswith("tune"):
        pytest.importorskip("optuna", reason="the Bayesian search needs the tune extra")
    run_tutorial(script, tmp_path)
    assert_figures_written(script, tmp_path, TUTORIALS[script])


@pytest.mark.parametrize("script", sorted(TUTORIALS))
def test_tutorial_is_in_the_percent_format(script):
    assert_percent_format(script)
