"""Learning-rate schedules (Section 3.5.1) and their composition with the optimizers."""
import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim
from optim_problems import START, quartic_loss


def make_sgd(lr=0.1):
    return optim.SGD([ag.tensor(START.copy(), requires_grad=True)], lr=lr)


def rates(schedule, calls):
    values = []
    for _ in range(calls):
        schedule.step()
        values.append(schedule.last_lr[0])
    return values


def test_exponential_decay():
    assert rates(optim.ExponentialDecay(make_sgd(), k=0.5), 3) == pytest.approx(
        [0.1 * math.exp(-0.5 * t) for t in (1, 2, 3)], rel=1e-12)


def test_inverse_decay():
    assert rates(optim.InverseDecay(make_sgd(), k=0.5), 3) == pytest.approx(
        [0.1 / (1 + 0.5 * t) for t in (1, 2, 3)], rel=1e-12)


def test_step_decay():
    assert rates(optim.StepDecay(make_sgd(), step_size=2, factor=0.5), 5) == pytest.approx(
        [0.1, 0.05, 0.05, 0.025, 0.025], rel=1e-12)


def test_schedules_scale_each_group_from_its_own_start():
    opt = optim.Adam([{"params": [ag.tensor(START.copy(), requires_grad=True)]},
                      {"params": [ag.tensor(START.copy(), requires_grad=True)], "lr": 0.01}], lr=0.1)
    schedule = optim.InverseDecay(opt, k=1.0)
    schedule.step()
    assert schedule.last_lr == pytest.approx([0.05, 0.005])


def test_reduce_on_plateau():
    opt = make_sgd(lr=1.0)
    schedule = optim.ReduceOnPlateau(opt, factor=0.5, patience=2)
    for loss in [5.0, 4.0, 3.0]:
        schedule.step(loss)
    assert schedule.last_lr == [1.0]
    for loss in [3.0, 3.5]:      # two calls without improvement: still within patience
        schedule.step(loss)
    assert schedule.last_lr == [1.0]
    schedule.step(3.2)           # the third: reduce
    assert schedule.last_lr == [0.5] and schedule.reductions == 1
    schedule.step(2.0)           # improvement resets the count
    for loss in [2.5, 2.5]:
        schedule.step(loss)
    assert schedule.last_lr == [0.5]


def test_reduce_on_plateau_respects_min_lr_and_cooldown():
    opt = make_sgd(lr=1.0)
    schedule = optim.ReduceOnPlateau(opt, factor=0.1, patience=0, cooldown=1, min_lr=0.05)
    losses_and_lrs = []
    for loss in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]:
        schedule.step(loss)
        losses_and_lrs.append(schedule.last_lr[0])
    assert losses_and_lrs == pytest.approx([1.0, 0.1, 0.1, 0.05, 0.05, 0.05])


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=0.1),           # (with momentum, V keeps moving W at lr = 0, as it should)
    lambda p: optim.DeltaBarDelta(p, lr=0.1),
    lambda p: optim.AdaGrad(p, lr=0.1),
    lambda p: optim.RMSProp(p, lr=0.1),
    lambda p: optim.AdaDelta(p, lr=1.0),
    lambda p: optim.Adam(p, lr=0.1),
])
def test_a_rate_of_zero_freezes_every_optimizer(make):
    """Composition: the schedule's lr is the one each optimizer uses."""
    W = ag.tensor(START.copy(), requires_grad=True)
    opt = make([W])
    schedule = optim.StepDecay(opt, step_size=1, factor=0.5)
    for _ in range(3):
        opt.zero_grad()
        quartic_loss(W).backward()
        opt.step()
        schedule.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.125 * schedule.initial_lrs[0])
    before = W.data.copy()
    for group in opt.param_groups:
        group["lr"] = 0.0
    opt.zero_grad()
    quartic_loss(W).backward()
    opt.step()
    np.testing.assert_array_equal(W.data, before)


def test_decay_lowers_the_final_loss_of_noisy_sgd():
    """With noisy gradients a decaying rate settles closer to the minimum than a constant one."""
    def final_loss(with_schedule):
        rng = np.random.default_rng(0)
        W = ag.tensor(np.array([2.0, -2.0]), requires_grad=True)
        opt = optim.SGD([W], lr=0.2)
        schedule = optim.InverseDecay(opt, k=0.05)
        for _ in range(300):
            opt.zero_grad()
            noise = ag.tensor(rng.normal(scale=2.0, size=2))
            ((W * W).sum() + (noise * W).sum()).backward()
            opt.step()
            if with_schedule:
                schedule.step()
        return float((W.data ** 2).sum())

    assert final_loss(True) < final_loss(False) / 3


def test_schedule_state_dict_round_trip():
    schedule = optim.ExponentialDecay(make_sgd(), k=0.1)
    schedule.step()
    schedule.step()
    restored = optim.ExponentialDecay(make_sgd(), k=0.5)
    restored.load_state_dict(schedule.state_dict())
    restored.step()
    schedule.step()
    assert restored.last_lr == schedule.last_lr and restored.t == 3


def test_schedule_errors():
    with pytest.raises(ValueError, match="step_size"):
        optim.StepDecay(make_sgd(), step_size=0)
    with pytest.raises(ValueError, match="k must be"):
        optim.ExponentialDecay(make_sgd(), k=-1)
    with pytest.raises(ValueError, match="factor"):
        optim.ReduceOnPlateau(make_sgd(), factor=2.0)
