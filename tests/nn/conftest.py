"""Fixtures shared by the nn tests."""
import numpy as np
import pytest

from autograd_core import nn


@pytest.fixture
def float64_layers():
    """Layers are float32 by default; tests that run gradcheck or compare with float64 references choose float64.

    Use it for a whole module with ``pytestmark = pytest.mark.usefixtures("float64_layers")``.
    """
    with nn.set_default_dtype(np.float64):
        yield
