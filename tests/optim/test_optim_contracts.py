"""Contract: optimizers and Polyak averaging change parameters through the engine's versioned in-place
operations, and gradient clipping computes the norm of huge finite gradients without overflow.

An ``optimizer.step()`` between a forward pass and its backward is then caught
like any other in-place change (Section 3.5 on top of the engine's version check).
"""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim


def leaf(*shape, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=0.1), lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov="reformulated"),
    lambda p: optim.Adam(p), lambda p: optim.AdaGrad(p), lambda p: optim.RMSProp(p),
    lambda p: optim.RMSProp(p, momentum=0.9), lambda p: optim.AdaDelta(p), lambda p: optim.AdaDelta(p, lr=0.5),
    lambda p: optim.DeltaBarDelta(p),
])
def test_an_optimizer_step_between_forward_and_backward_is_detected(make):
    w = leaf(3)
    opt = make([w])
    (w * w).sum().backward()
    opt.step()  # a first step, so that momentum and averages exist for the second
    (w * w).sum().backward()
    array, before = w.data, w.numpy().copy()
    loss = (w * w).sum()
    opt.step()
    assert w.data is array and w._version == 2  # updated in place, versioned
    assert not np.array_equal(w.numpy(), before)
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_polyak_averaging_swaps_through_versioned_copies():
    w = leaf(3)
    averager = optim.PolyakAverage([w])
    averager.update()
    with ag.no_grad():
        w.add_(1.0)
    averager.update()
    trained = w.numpy().copy()
    loss = (w * w).sum()
    with averager.averaged():
        np.testing.assert_allclose(w.numpy(), trained - 0.5)
        with pytest.raises(RuntimeError, match="modified in place"):
            loss.backward(retain_graph=True)
    np.testing.assert_allclose(w.numpy(), trained)
    averager.copy_to_params()
    np.testing.assert_allclose(w.numpy(), trained - 0.5)


def test_clip_grad_norm_with_huge_finite_gradients():
    params = [ag.tensor(np.zeros(2), requires_grad=True), ag.tensor(np.zeros(1), requires_grad=True)]
    params[0].grad = ag.tensor([3e200, 4e200])
    params[1].grad = ag.tensor([0.0])
    norm = optim.clip_grad_norm(params, max_norm=1.0)
    assert norm == pytest.approx(5e200)
    np.testing.assert_allclose(params[0].grad.numpy(), [0.6, 0.8])
    assert optim.grad_norm(params, norm_type=3) == pytest.approx(1.0 * (0.6 ** 3 + 0.8 ** 3) ** (1 / 3))


def test_clip_grad_norm_still_refuses_nan_and_infinity_in_any_order():
    for grads in ([[np.nan], [1.0]], [[1.0], [np.nan]], [[np.inf], [1.0]]):
        params = [ag.tensor(np.zeros(1), requires_grad=True) for _ in grads]
        for param, grad in zip(params, grads):
            param.grad = ag.tensor(grad)
        with pytest.raises(FloatingPointError, match="NaN or infinity"):
            optim.clip_grad_norm(params, max_norm=1.0)
