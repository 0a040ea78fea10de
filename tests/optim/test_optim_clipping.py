"""Gradient clipping (Section 3.5.5): by value and by global norm, without touching shared arrays."""
import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim


def with_gradients(*gradients):
    params = []
    for gradient in gradients:
        param = ag.tensor(np.zeros_like(gradient), requires_grad=True)
        param.grad = ag.tensor(gradient)
        params.append(param)
    return params


def test_clip_grad_value():
    params = with_gradients(np.array([-3.0, 0.5, 2.0]), np.array([[0.1, -0.2]]))
    optim.clip_grad_value(params, 1.0)
    np.testing.assert_array_equal(params[0].grad.numpy(), [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(params[1].grad.numpy(), [[0.1, -0.2]])


def test_clip_grad_norm_rescales_the_global_norm_and_returns_it_before_clipping():
    params = with_gradients(np.array([3.0, 0.0]), np.array([[0.0, 4.0]]))   # global L2 norm 5
    norm = optim.clip_grad_norm(params, max_norm=1.0)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(params[0].grad.numpy(), [0.6, 0.0])
    np.testing.assert_allclose(params[1].grad.numpy(), [[0.0, 0.8]])
    assert optim.grad_norm(params) == pytest.approx(1.0)


def test_clip_grad_norm_leaves_small_gradients_alone():
    params = with_gradients(np.array([0.3, 0.4]))
    before = params[0].grad
    assert optim.clip_grad_norm(params, max_norm=1.0) == pytest.approx(0.5)
    assert params[0].grad is before


def test_infinity_norm():
    params = with_gradients(np.array([3.0, -7.0]), np.array([1.0]))
    assert optim.clip_grad_norm(params, max_norm=3.5, norm_type=math.inf) == 7.0
    np.testing.assert_allclose(params[0].grad.numpy(), [1.5, -3.5])


def test_clipping_never_writes_into_a_shared_array():
    shared = np.array([3.0, 4.0])
    params = with_gradients(np.zeros(2), np.zeros(2))
    params[0].grad = ag.Tensor(shared)
    params[1].grad = ag.Tensor(shared)
    keep = ag.tensor(np.zeros(2), requires_grad=True)
    keep.grad = ag.Tensor(shared)        # a gradient outside the clipped set sharing the same array
    optim.clip_grad_norm(params, max_norm=1.0)
    optim.clip_grad_value(params, 0.1)
    np.testing.assert_array_equal(shared, [3.0, 4.0])
    np.testing.assert_array_equal(keep.grad.numpy(), [3.0, 4.0])


def test_parameters_without_gradient_are_ignored_and_models_accepted():
    class Model:
        def __init__(self):
            self.params = with_gradients(np.array([6.0, 8.0])) + [ag.tensor(np.ones(2), requires_grad=True)]

        def parameters(self):
            return self.params

    model = Model()
    assert optim.clip_grad_norm(model, max_norm=5.0) == pytest.approx(10.0)
    np.testing.assert_allclose(model.params[0].grad.numpy(), [3.0, 4.0])
    assert model.params[1].grad is None


def test_non_finite_norm_is_an_error():
    params = with_gradients(np.array([np.inf, 1.0]))
    with pytest.raises(FloatingPointError, match="NaN or infinity"):
        optim.clip_grad_norm(params, max_norm=1.0)


def test_clipping_stops_a_cliff_from_throwing_the_weights_away():
    """Figure 3.13 in one dimension: L = w^2 with a wall of slope 1000 past w = 1."""
    def final_position(clip):
        w = ag.tensor(np.array([1.2]), requires_grad=True)
        opt = optim.SGD([w], lr=0.05)
        for _ in range(10):
            opt.zero_grad()
            loss = (w * w).sum() + 1000 * ag.relu(w - 1.0).sum()
            loss.backward()
            if clip:
                optim.clip_grad_norm([w], max_norm=5.0)
            opt.step()
        return abs(w.item())

    assert final_position(clip=False) > 10
    assert final_position(clip=True) < 1.0
