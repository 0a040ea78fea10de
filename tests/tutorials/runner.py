"""Running a tutorial as a plain script in a temporary folder (fast mode), as every tutorial test does."""
import os
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
TUTORIALS = REPOSITORY / "tutorials"


def run_tutorial(script, folder, timeout=300, search_path=None):
    """Run ``tutorials/script`` with its figures going to ``folder``; returns the finished process.

    It fails the test, with the script's output, when the script exits with an error.
    ``search_path`` replaces $PATH (to hide Graphviz's dot, for example).
    """
    environment = dict(os.environ, AUTOGRAD_CORE_FAST="1", TUTORIAL_OUTPUT_DIR=str(folder), MPLBACKEND="Agg",
                       PYTHONPATH=os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])))
    if search_path is not None:
        environment["PATH"] = search_path
    result = subprocess.run([sys.executable, str(TUTORIALS / script)], cwd=folder, env=environment,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    return result


def assert_figures_written(script, folder, figures):
    for figure in figures:
        path = Path(folder) / figure
        assert path.exists() and path.stat().st_size > 1000, f"{script} did not write {figure}"


def assert_percent_format(script):
    """A Jupytext percent-format script: a markdown cell first, then code cells."""
    text = (TUTORIALS / script).read_text()
    assert text.startswith("# %% [markdown]"), script
    assert text.count("\n# %%\n") >= 2, script
