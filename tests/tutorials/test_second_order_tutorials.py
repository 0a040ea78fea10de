"""The second-order tutorials run as scripts (fast mode), write their figures, and check the exercises' claims."""
import json
import pathlib

import pytest

from tests.tutorials.runner import run_tutorial

pytest.importorskip("matplotlib")

ROOT = pathlib.Path(__file__).resolve().parents[2]
TUTORIALS = {
    "second_order_1_newton_direction.py": ["figure_3_14_newton_direction.png"],
    "second_order_2_conjugate_directions.py": ["figure_3_16_conjugate_directions.png"],
    "second_order_3_saddle_points.py": ["figure_3_17_x_cubed.png", "saddle_trajectories.png"],
    "second_order_4_race.py": ["race_rosenbrock.png", "race_digits.png"],
    "second_order_5_exercises.py": ["exercises_7_8_11_12.json"],
}



def test_every_second_order_tutorial_is_listed():
    assert sorted(path.name for path in (ROOT / "tutorials").glob("second_order_*.py")) == sorted(TUTORIALS)


@pytest.mark.parametrize("script", [pytest.param(name, marks=pytest.mark.slow) if "race" in name else name
                                    for name in sorted(TUTORIALS)])
def test_tutorial_runs_and_writes_its_figures(script, tmp_path):
    run_tutorial(script, tmp_path)
    for figure in TUTORIALS[script]:
        path = tmp_path / figure
        assert path.exists() and path.stat().st_size > 500, f"{script} did not write {figure}"
    if script == "second_order_5_exercises.py":
        check_exercises(json.loads((tmp_path / "exercises_7_8_11_12.json").read_text()))


def check_exercises(results):
    """Exercises 7, 8, 11 and 12 (b)-(d), from the numbers the tutorial measured."""
    seven = results["exercise_7"]
    assert seven["rank"] == seven["dimension"] == seven["directions"]
    assert results["exercise_8"]["null_space_dimension"] == 0
    assert results["exercise_8"]["with_one_vector_fewer"] < 1e-12
    eleven = results["exercise_11"]
    assert eleven["conjugacy_error"] < 1e-10
    for entry in eleven["storage"]:
        assert entry["gram_schmidt_bytes"] >= 8 * entry["d"] ** 2   # every kept direction: O(d^2)
        assert entry["cg_bytes"] <= 800 * entry["d"]                # a few vectors: O(d)
    first, last = eleven["storage"][0], eleven["storage"][-1]
    growth = last["d"] / first["d"]
    assert last["gram_schmidt_bytes"] / first["gram_schmidt_bytes"] > 0.7 * growth ** 2
    twelve = results["exercise_12"]
    assert max(twelve["gradient_direction_cosine"], twelve["gradient_gradient_cosine"], twelve["conjugacy"]) < 1e-8


def test_tutorials_are_jupytext_percent_scripts():
    jupytext = pytest.importorskip("jupytext")
    for script in TUTORIALS:
        text = (ROOT / "tutorials" / script).read_text()
        assert text.startswith("# %% [markdown]\n# # "), script
        notebook = jupytext.reads(text, fmt="py:percent")
        kinds = [cell.cell_type for cell in notebook.cells]
        assert kinds.count("markdown") >= 2 and kinds.count("code") >= 3, (script, kinds)
