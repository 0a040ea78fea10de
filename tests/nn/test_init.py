"""Initialisation schemes of Section 3.3.3: their spreads, reproducibility, and symmetry breaking."""
import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn import init


@pytest.mark.parametrize("scheme, expected_std", [
    (init.normal, 1e-2),
    (init.fan_in_normal, math.sqrt(1 / 400)),
    (init.fan_in_uniform, (1 / math.sqrt(400)) / math.sqrt(3)),
    (init.xavier_normal, math.sqrt(2 / (400 + 300))),
    (init.he_normal, math.sqrt(2 / 400)),
])
def test_schemes_have_the_chapter_spreads(scheme, expected_std):
    weights = scheme((400, 300), rng=0)
    assert weights.shape == (400, 300) and weights.dtype == np.float64
    assert abs(weights.mean()) < 0.05 * expected_std
    assert weights.std() == pytest.approx(expected_std, rel=0.02)


def test_uniform_stays_inside_its_bounds_and_zeros_are_zero():
    weights = init.fan_in_uniform((100, 5), rng=1)
    assert np.abs(weights).max() <= 0.1
    assert np.abs(weights).max() > 0.09
    assert not init.zeros((3,)).any()
    assert init.normal((3, 3), rng=0, dtype=np.float32).dtype == np.float32


def test_seeds_and_generators_are_reproducible():
    np.testing.assert_array_equal(init.he_normal((4, 4), rng=7), init.he_normal((4, 4), rng=7))
    assert not np.array_equal(init.he_normal((4, 4), rng=7), init.he_normal((4, 4), rng=8))
    generator = np.random.default_rng(3)
    first = init.xavier_normal((2, 2), rng=generator)
    np.testing.assert_array_equal(first, init.xavier_normal((2, 2), rng=np.random.default_rng(3)))
    with pytest.raises(TypeError, match="Generator"):
        init.normal((2,), rng="seed")


def test_scheme_names_and_errors():
    assert init.get("he") is init.he_normal and init.get("glorot") is init.xavier_normal
    with pytest.raises(ValueError, match="unknown initialisation"):
        init.get("orthogonal")
    layer = nn.Linear(3, 2, init=lambda shape, rng, dtype: np.full(shape, 0.25, dtype))
    assert (layer.weight.numpy() == 0.25).all()


def train_hidden_units(scheme, steps=30):
    """Train a 3-4-1 tanh network on a regression task and return the hidden layer's weight matrix."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 3))
    y = np.sin(X @ np.array([[1.0], [-2.0], [0.5]]))
    model = nn.Sequential(nn.Linear(3, 4, init=scheme, rng=1), nn.Tanh(), nn.Linear(4, 1, init=scheme, rng=2))
    optimizer = nn.MomentumSGD(model.parameters(), lr=0.1, momentum=0.0)
    for _ in range(steps):
        optimizer.zero_grad()
        nn.functional.mse(model(X), y).backward()
        optimizer.step()
    return model[0].weight.numpy()


def test_equal_weights_keep_units_identical_and_random_ones_break_the_symmetry():
    constant = train_hidden_units("constant")
    # every hidden unit (a column of W) received the same update at every step: they are still copies
    for column in range(1, 4):
        np.testing.assert_allclose(constant[:, column], constant[:, 0], rtol=0, atol=1e-14)
    assert not np.allclose(constant, 0.5)                   # yet they did learn
    random = train_hidden_units("xavier")
    assert min(np.abs(random[:, i] - random[:, j]).max() for i in range(4) for j in range(i + 1, 4)) > 1e-2


def test_he_initialisation_keeps_relu_activations_alive_in_depth():
    x = np.random.default_rng(4).normal(size=(256, 100))
    spreads = {}
    for scheme in ("normal", "he"):
        h = x
        for seed in range(8):
            h = ag.relu(nn.Linear(100, 100, init=scheme, rng=seed, bias=False)(h)).numpy()
        spreads[scheme] = h.std()
    assert spreads["normal"] < 1e-6 < 0.1 < spreads["he"] < 10
