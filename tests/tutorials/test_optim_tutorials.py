"""The optim tutorials run as scripts (fast mode) and write their figures."""
import os
import pathlib
import subprocess
import sys

import pytest

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
    environment = dict(os.environ, AUTOGRAD_CORE_FAST="1", TUTORIAL_OUTPUT_DIR=str(tmp_path), MPLBACKEND="Agg")
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    result = subprocess.run([sys.executable, str(ROOT / "tutorials" / script)], cwd=tmp_path, env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    for figure in TUTORIALS[script]:
        path = tmp_path / figure
        assert path.exists() and path.stat().st_size > 1000, f"{script} did not write {figure}"
