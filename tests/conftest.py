"""Shared test settings: the GPU marker skips tests when CuPy or a CUDA device is missing; Graphviz hidden."""
import os

import pytest

import autograd_core as ag


def pytest_collection_modifyitems(config, items):
    if ag.gpu_available():
        return
    skip_gpu = pytest.mark.skip(reason="needs CuPy and a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip_gpu)


def path_without_dot():
    """$PATH less every folder that holds Graphviz's ``dot``: a machine where Graphviz is not installed."""
    folders = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(folder for folder in folders
                           if not os.access(os.path.join(folder, "dot"), os.X_OK))


@pytest.fixture
def without_dot(monkeypatch):
    """Run the test as on a machine without Graphviz's ``dot`` (the graphviz Python package stays)."""
    monkeypatch.setenv("PATH", path_without_dot())
