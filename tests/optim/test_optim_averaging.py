"""Polyak averaging (Section 3.5.7): simple and exponential averages, swapped in for evaluation."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim


def path():
    return [np.array([1.0, -1.0]), np.array([3.0, 1.0]), np.array([2.0, 4.0]), np.array([-2.0, 0.0])]


def follow(averager, W, points):
    for point in points:
        W.data = point.copy()
        averager.update()


def test_simple_average():
    W = ag.tensor(np.zeros(2), requires_grad=True)
    averager = optim.PolyakAverage([W])
    follow(averager, W, path())
    with averager.averaged():
        np.testing.assert_allclose(W.data, np.mean(path(), axis=0), rtol=1e-12)
    np.testing.assert_array_equal(W.data, path()[-1])


def test_exponential_average_is_the_texts_explicit_formula():
    """W-bar_T = sum_i beta^(T-i) W_i / sum_i beta^(T-i) (Section 3.5.7), kept by a recursion that agrees."""
    beta = 0.7
    W = ag.tensor(np.zeros(2), requires_grad=True)
    averager = optim.PolyakAverage([W], beta=beta)
    follow(averager, W, path())
    T = len(path())
    weights = beta ** (T - np.arange(1, T + 1))
    expected = (weights[:, None] * path()).sum(axis=0) / weights.sum()
    averager.swap()
    np.testing.assert_allclose(W.data, expected, rtol=1e-12)
    averager.swap()
    np.testing.assert_array_equal(W.data, path()[-1])


def test_start_skips_the_first_updates():
    W = ag.tensor(np.zeros(2), requires_grad=True)
    averager = optim.PolyakAverage([W], start=2)
    follow(averager, W, path())
    with averager.averaged():
        np.testing.assert_allclose(W.data, np.mean(path()[2:], axis=0))


def test_averaging_smooths_a_bouncing_path_in_a_valley():
    """Figure 3.15: SGD with a large rate bounces across the valley y^2; the average sits near its floor."""
    W = ag.tensor(np.array([3.0, 1.0]), requires_grad=True)
    opt = optim.SGD([W], lr=1.0)          # across the valley: y <- (1 - 2 alpha) y = -y, forever
    averager = optim.PolyakAverage([W], beta=0.9)
    scales = ag.tensor(np.array([0.01, 1.0]))
    for _ in range(60):
        opt.zero_grad()
        (scales * W * W).sum().backward()
        opt.step()
        averager.update()
    bouncing = abs(W.data[1])
    with averager.averaged():
        averaged = abs(W.data[1])
    assert averaged < bouncing / 5


def test_errors_and_update_while_swapped():
    W = ag.tensor(np.zeros(2), requires_grad=True)
    averager = optim.PolyakAverage([W], beta=0.9)
    with pytest.raises(RuntimeError, match="no average yet"):
        averager.swap()
    averager.update()
    averager.swap()
    with pytest.raises(RuntimeError, match="swapped"):
        averager.update()
    with pytest.raises(ValueError, match="beta"):
        optim.PolyakAverage([W], beta=1.0)


def test_copy_to_params_and_state_dict_round_trip():
    W = ag.tensor(np.zeros(2), requires_grad=True)
    averager = optim.PolyakAverage([W])
    follow(averager, W, path()[:2])
    saved = averager.state_dict()
    other_W = ag.tensor(W.data.copy(), requires_grad=True)
    other = optim.PolyakAverage([other_W])
    other.load_state_dict(saved)
    follow(averager, W, path()[2:])
    follow(other, other_W, path()[2:])
    averager.copy_to_params()
    other.copy_to_params()
    np.testing.assert_allclose(W.data, np.mean(path(), axis=0))
    np.testing.assert_array_equal(W.data, other_W.data)
    with pytest.raises(ValueError, match="shape"):
        optim.PolyakAverage([ag.tensor(np.zeros(3), requires_grad=True)]).load_state_dict(saved)


def test_exponential_average_of_w_t_equal_to_t():
    """The issue's check: W_t = t, beta = 0.9, 20 steps gives the formula's 13.768, not the plain recursion's 12.216."""
    W = ag.tensor(np.zeros(1), requires_grad=True)
    averager = optim.PolyakAverage([W], beta=0.9)
    follow(averager, W, np.arange(1.0, 21.0)[:, None])
    with averager.averaged():
        assert W.data[0] == pytest.approx(13.768065198310563, rel=1e-12)
