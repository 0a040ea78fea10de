"""The contract of optimizer and schedule settings: finite numbers in range, checked whenever they are set.

A rate, decay or epsilon is checked when the optimizer or schedule is made, when a parameter group's
setting is assigned (``group["lr"] = ...``, as a schedule does), and when a state dict is loaded; a
value of the wrong kind is a TypeError, a value out of range a ValueError, both naming the setting.
"""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim


def params():
    return [ag.tensor(np.ones(3), requires_grad=True)]


def sgd():
    return optim.SGD(params(), lr=0.1)


CONSTRUCTION = {
    "SGD(lr='0.1')": (lambda: optim.SGD(params(), lr="0.1"), TypeError, "SGD: lr must be a finite number, got str"),
    "SGD(lr=None)": (lambda: optim.SGD(params(), lr=None), TypeError, "lr must be a finite number, got NoneType"),
    "SGD(lr=inf)": (lambda: optim.SGD(params(), lr=float("inf")), ValueError, "lr must be a finite number"),
    "SGD(lr=True)": (lambda: optim.SGD(params(), lr=True), TypeError, "lr must be a finite number, got bool"),
    "SGD(momentum=nan)": (lambda: optim.SGD(params(), lr=0.1, momentum=float("nan")), ValueError, "momentum"),
    "SGD(weight_decay='1e-4')": (lambda: optim.SGD(params(), lr=0.1, weight_decay="1e-4"), TypeError,
                                 "weight_decay must be a finite number"),
    "Adam(rho=nan)": (lambda: optim.Adam(params(), rho=float("nan")), ValueError, "rho must be a finite number"),
    "Adam(eps=inf)": (lambda: optim.Adam(params(), eps=float("inf")), ValueError, "eps must be a finite number"),
    "Adam(eps_inside_sqrt='no')": (lambda: optim.Adam(params(), eps_inside_sqrt="no"), TypeError,
                                   "eps_inside_sqrt must be True or False"),
    "DeltaBarDelta(kappa='x')": (lambda: optim.DeltaBarDelta(params(), kappa="x"), TypeError, "kappa must be"),
    "DeltaBarDelta(max_gain=inf)": (lambda: optim.DeltaBarDelta(params(), max_gain=float("inf")), ValueError,
                                    "max_gain must be a finite number"),
    "ExponentialDecay(k=inf)": (lambda: optim.ExponentialDecay(sgd(), k=float("inf")), ValueError,
                                "the decay rate k must be a finite number >= 0, got inf"),
    "InverseDecay(k='0.1')": (lambda: optim.InverseDecay(sgd(), k="0.1"), TypeError, "k must be a finite number"),
    "StepDecay(step_size=True)": (lambda: optim.StepDecay(sgd(), step_size=True), ValueError,
                                  "step_size must be a positive integer"),
    "StepDecay(factor=nan)": (lambda: optim.StepDecay(sgd(), step_size=2, factor=float("nan")), ValueError,
                              "factor must be a finite number"),
    "ReduceOnPlateau(patience=1.5)": (lambda: optim.ReduceOnPlateau(sgd(), patience=1.5), TypeError,
                                      "patience must be an integer >= 0"),
    "ReduceOnPlateau(min_lr=nan)": (lambda: optim.ReduceOnPlateau(sgd(), min_lr=float("nan")), ValueError,
                                    "min_lr must be a finite number"),
    "ReduceOnPlateau(threshold=-1)": (lambda: optim.ReduceOnPlateau(sgd(), threshold=-1.0), ValueError,
                                      "threshold must be a finite number >= 0"),
}


@pytest.mark.parametrize("call, error, message", CONSTRUCTION.values(), ids=CONSTRUCTION.keys())
def test_settings_are_checked_when_made(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_group_setting_is_checked_when_assigned():
    opt = optim.SGD(params(), lr=0.1, momentum=0.9)
    group = opt.param_groups[0]
    for name, value, error in (("lr", float("nan"), ValueError), ("lr", "0.2", TypeError),
                               ("momentum", 1.0, ValueError), ("weight_decay", float("inf"), ValueError)):
        with pytest.raises(error, match=name):
            group[name] = value
        with pytest.raises(error, match=name):
            group.update({name: value})
    assert group["lr"] == 0.1 and group["momentum"] == 0.9 and group["weight_decay"] == 0.0
    group["lr"] = 0.05                                                # a good value is set as before
    assert opt.state_dict()["param_groups"][0]["lr"] == 0.05


def test_a_group_setting_that_breaks_a_joint_rule_is_refused():
    opt = optim.SGD(params(), lr=0.1, momentum=0.9, nesterov=True)
    with pytest.raises(ValueError, match="needs momentum > 0"):
        opt.param_groups[0]["momentum"] = 0.0


@pytest.mark.parametrize("schedule, state, error, message", [
    (lambda: optim.ExponentialDecay(sgd(), k=0.1), {"k": float("nan")}, ValueError, "k must be a finite number"),
    (lambda: optim.InverseDecay(sgd(), k=0.1), {"t": -1}, ValueError, "t must be an integer >= 0"),
    (lambda: optim.InverseDecay(sgd(), k=0.1), {"initial_lrs": [float("inf")]}, ValueError, "initial learning rate"),
    (lambda: optim.InverseDecay(sgd(), k=0.1), {"initial_lrs": [0.1, 0.2]}, ValueError, "one learning rate for each"),
    (lambda: optim.StepDecay(sgd(), step_size=2), {"step_size": 0}, ValueError, "step_size must be a positive"),
    (lambda: optim.ReduceOnPlateau(sgd()), {"factor": 1.0}, ValueError, r"factor must be a finite number in \(0, 1\)"),
    (lambda: optim.ReduceOnPlateau(sgd()), {"patience": "3"}, TypeError, "patience must be an integer"),
    (lambda: optim.ReduceOnPlateau(sgd()), {"best": float("nan")}, ValueError, "best must be a number"),
])
def test_a_schedule_state_is_checked_when_loaded_and_changes_nothing(schedule, state, error, message):
    made = schedule()
    before = made.state_dict()
    with pytest.raises(error, match=message):
        made.load_state_dict(state)
    assert made.state_dict() == before


def test_a_schedule_cannot_write_a_bad_rate_into_the_optimizer():
    opt = sgd()
    schedule = optim.ExponentialDecay(opt, k=0.1)
    schedule.initial_lrs = [float("nan")]                            # set behind the schedule's back
    with pytest.raises(ValueError, match="lr must be a finite number"):
        schedule.step()
    assert opt.param_groups[0]["lr"] == 0.1


def test_checked_groups_survive_copying_and_form_no_reference_cycle():
    import copy
    import gc
    import pickle
    import weakref

    opt = optim.SGD(params(), lr=0.1)
    for twin in (copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))):
        twin.param_groups[0]["lr"] = 0.2
        assert opt.param_groups[0]["lr"] == 0.1
        with pytest.raises(ValueError, match="lr must be a finite number"):
            twin.param_groups[0]["lr"] = float("nan")
    reference = weakref.ref(opt)
    gc.disable()
    try:
        del opt
        assert reference() is None                   # freed by reference counting alone
    finally:
        gc.enable()
