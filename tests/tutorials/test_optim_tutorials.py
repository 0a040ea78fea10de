"""The optim tutorials run as scripts (fast mode) and write their figures."""
import pathlib

import pytest

from tests.tutorials.runner import assert_figures_written, run_tutorial

pytest.importorskip("matplotlib")

ROOT = pathlib.Path(__file__).resolve().parents[2]
TUTORIALS = {
    "optim_bowls.py": ["figure_3_9_bowls.png", "figure_3_11_momentum.png", "figure_3_12_marble.png"],
    "optim_exercise_6.py": ["exercise_6_trajectories.png", "exercise_6_loss.png"],
    "optim_race.py": ["optimizer_race.png"],
    "optim_cliff.py": ["figure_3_13_cliff.png"],
    "optim_polyak.py": ["figure_3_15_polyak.png"],
}


def test_every_optim_tutorial_is_listed():
    assert sorted(path.name for path in (ROOT / "tutorials").glob("optim_*.py")) == sorted(TUTORIALS)


@pytest.mark.parametrize("script", sorted(TUTORIALS))
def test_tutorial_runs_and_writes_its_figures(script, tmp_path):
    run_tutorial(script, tmp_path)
    assert_figures_written(script, tmp_path, TUTORIALS[script])
