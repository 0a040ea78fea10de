"""Contract: after a backward without ``retain_graph`` a node lets go of its inputs' arrays.

Keeping a loss tensor (``history.append(loss)``) must not keep every
activation of its graph alive: the saved arrays are released after backward,
and so are the large intermediate tensors a node holds as inputs.
"""
import gc
import weakref

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.function import RELEASE_BYTES

ROWS = RELEASE_BYTES // (8 * 16) + 4  # (ROWS, 16) float64 activations: above the release threshold


def _kept_loss(retain_graph):
    rng = np.random.default_rng(0)
    X = ag.tensor(rng.standard_normal((ROWS, 8)))
    W1 = ag.tensor(rng.standard_normal((8, 16)), requires_grad=True)
    W2 = ag.tensor(rng.standard_normal((16, 3)), requires_grad=True)
    hidden = ag.tanh(X @ W1)  # saved by tanh (its output) and by the matmul that follows (its input)
    activation = weakref.ref(hidden.data)
    loss = ag.cross_entropy(hidden @ W2, rng.integers(0, 3, ROWS))
    del hidden
    loss.backward(retain_graph=retain_graph)
    gc.collect()
    return loss, activation, W1


def test_a_kept_loss_does_not_pin_the_activations_after_backward():
    loss, activation, W1 = _kept_loss(retain_graph=False)
    assert activation() is None
    assert W1.grad is not None
    with pytest.raises(RuntimeError, match="a second time"):
        loss.backward()


def test_retain_graph_keeps_them_for_a_second_backward():
    loss, activation, W1 = _kept_loss(retain_graph=True)
    assert activation() is not None
    first = W1.grad.numpy().copy()
    loss.backward()
    np.testing.assert_allclose(W1.grad.numpy(), 2 * first)


def test_the_graph_keeps_its_shape_for_drawing_and_path_counting_after_release():
    loss, _, W1 = _kept_loss(retain_graph=False)
    assert ag.count_paths(loss, W1) == 1
    assert "Tanh" in ag.draw(loss, show_values=False).source
