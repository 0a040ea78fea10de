"""The compression tutorials run as scripts (fast mode), exit 0, and write their figures."""
import pytest

from tests.tutorials.runner import assert_figures_written, assert_percent_format, run_tutorial


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
    run_tutorial(script, tmp_path)
    assert_figures_written(script, tmp_path, TUTORIALS[script])


@pytest.mark.parametrize("script", sorted(TUTORIALS))
def test_tutorial_is_in_the_percent_format(script):
    assert_percent_format(script)
