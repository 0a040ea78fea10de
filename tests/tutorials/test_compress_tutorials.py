"""The compression tutorials run as scripts (fast mode), exit 0, and write their figures."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TUTORIALS = {
    "compress_pruning.py": ["compress_pruning_sparsity.png", "compress_pruning_histogram.png"],
    "compress_quantization.py": ["compress_quantization_histogram.png"],
    "compress_low_rank.py": ["compress_low_rank_singular_values.png", "compress_low_rank_accuracy.png"],
    "compress_hashing.py": ["compress_hashing.png"],
    "compress_mimic.py": ["compress_mimic.png"],
}


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(TUTORIALS))
def test_tutorial_runs_and_writes_its_figures(script, tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    environment = dict(os.environ, AUTOGRAD_CORE_FAST="1", TUTORIAL_OUTPUT_DIR=str(tmp_path), MPLBACKEND="Agg",
                       PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tutorials", script)], cwd=tmp_path,
                            env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    for figure in TUTORIALS[script]:
        path = tmp_path / figure
        assert path.exists() and path.stat().st_size > 1000, f"{script} did not write {figure}"


@pytest.mark.parametrize("script", sorted(TUTORIALS))
def test_tutorial_is_in_the_percent_format(script):
    with open(os.path.join(ROOT, "tutorials", script)) as handle:
        text = handle.read()
    assert text.startswith("# %% [markdown]")
    assert text.count("\n# %%\n") >= 2
