"""Shared test settings: the GPU marker skips tests when CuPy or a CUDA device is missing."""
import pytest

import autograd_core as ag


def pytest_collection_modifyitems(config, items):
    if ag.gpu_available():
        return
    skip_gpu = pytest.mark.skip(reason="needs CuPy and a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip_gpu)
