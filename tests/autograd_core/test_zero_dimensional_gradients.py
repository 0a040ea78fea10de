"""Contract: a gradient of a 0-d tensor is a 0-d array, like every other tensor's data.

NumPy returns a scalar (``numpy.float64``), not a 0-d array, from arithmetic
on 0-d arrays, and the backward pass of a neuron-level graph is all such
arithmetic. A gradient handed out as a scalar would refuse ``zero_()`` and
``add_()`` with a confusing error and break ``optimizer.zero_grad(set_to_none=False)``
on scalar parameters; ``.grad.data`` would not be the array it is everywhere else.
"""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn, optim


def scalar_graph():
    x = ag.tensor(1.5, requires_grad=True)
    w = ag.tensor(-0.5, requires_grad=True)
    return x, w, ag.tanh(x * w + x * x)


def test_leaf_gradients_are_arrays_that_change_in_place():
    x, w, out = scalar_graph()
    out.backward()
    for leaf in (x, w):
        assert type(leaf.grad.data) is np.ndarray and leaf.grad.shape == ()
    expected = x.grad.item() + 1.0
    x.grad.add_(1.0)
    assert x.grad.item() == expected
    w.grad.zero_()
    assert w.grad.item() == 0.0


def test_accumulated_gradients_stay_arrays():
    x, _, out = scalar_graph()
    out.backward(retain_graph=True)
    first = x.grad.item()
    out.backward()
    assert type(x.grad.data) is np.ndarray
    assert x.grad.item() == pytest.approx(2 * first)


def test_grad_returns_arrays_for_scalar_inputs():
    x, w, out = scalar_graph()
    for gradient in ag.grad(out, [x, w]):
        assert type(gradient.data) is np.ndarray and gradient.shape == ()


def test_retained_and_hooked_gradients_are_arrays():
    x, w, _ = scalar_graph()
    hidden = x * w
    hidden.retain_grad()
    seen = []

    def double_in_place(grad):
        seen.append(type(grad.data))
        grad.mul_(2.0)
        return grad

    x.register_hook(double_in_place)
    (hidden * hidden).backward()
    assert type(hidden.grad.data) is np.ndarray
    assert seen == [np.ndarray]
    assert x.grad.item() == pytest.approx(2 * 2 * (1.5 * -0.5) * -0.5)


def test_an_optimizer_zeroes_scalar_parameters_in_place():
    weight = nn.Parameter(ag.tensor(0.3))
    optimizer = optim.SGD([weight], lr=0.1)
    (weight * weight).backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=False)
    assert weight.grad.item() == 0.0


def test_logical_not_of_a_0d_mask_is_an_array():
    mask = ~(ag.tensor(1.0) > 0)
    assert type(mask.data) is np.ndarray and mask.item() is False
