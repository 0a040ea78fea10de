"""Each update rule against the text's formula written out by hand in NumPy, for a few steps."""
import math

import numpy as np
import pytest

from autograd_core import optim
from optim_problems import START, quartic_grad, run_engine

STEPS = 6


def reference(rule, steps=STEPS):
    """Run ``rule(W, g, state, t)`` (returning the new W) with the hand-written gradient."""
    W = START.copy()
    state = {}
    for t in range(1, steps + 1):
        W = rule(W, state, t)
    return W


def test_plain_sgd_eq_3_32():
    alpha = 0.1

    def rule(W, state, t):
        return W - alpha * quartic_grad(W)

    np.testing.assert_allclose(run_engine(lambda p: optim.SGD(p, lr=alpha), STEPS), reference(rule), rtol=1e-12)


def test_sgd_momentum():
    alpha, beta = 0.05, 0.9

    def rule(W, state, t):
        V = state.get("V", np.zeros_like(W))
        V = beta * V - alpha * quartic_grad(W)
        state["V"] = V
        return W + V

    result = run_engine(lambda p: optim.SGD(p, lr=alpha, momentum=beta), STEPS)
    np.testing.assert_allclose(result, reference(rule), rtol=1e-12)


def test_sgd_weight_decay_adds_lambda_w_to_the_gradient():
    alpha, decay = 0.1, 0.01

    def rule(W, state, t):
        return W - alpha * (quartic_grad(W) + decay * W)

    result = run_engine(lambda p: optim.SGD(p, lr=alpha, weight_decay=decay), STEPS)
    np.testing.assert_allclose(result, reference(rule), rtol=1e-12)


def nesterov_reference(alpha, beta):
    def rule(W, state, t):
        V = state.get("V", np.zeros_like(W))
        V = beta * V - alpha * quartic_grad(W + beta * V)    # gradient at the lookahead point
        state["V"] = V
        return W + V

    return rule


def test_sgd_nesterov_takes_the_gradient_at_w_plus_beta_v():
    alpha, beta = 0.05, 0.9
    result = run_engine(lambda p: optim.SGD(p, lr=alpha, momentum=beta, nesterov=True), STEPS, use_closure=True)
    np.testing.assert_allclose(result, reference(nesterov_reference(alpha, beta)), rtol=1e-12)
    plain_momentum = run_engine(lambda p: optim.SGD(p, lr=alpha, momentum=beta), STEPS)
    assert np.abs(result - plain_momentum).max() > 1e-3


def test_reformulated_nesterov_tracks_the_lookahead_point():
    """The documented equivalence: the reformulated weights are W_t + beta V_t of the text's form."""
    alpha, beta = 0.05, 0.9
    state = {}
    rule = nesterov_reference(alpha, beta)
    W = START.copy()
    for t in range(1, STEPS + 1):
        W = rule(W, state, t)
    lookahead_point = W + beta * state["V"]
    result = run_engine(lambda p: optim.SGD(p, lr=alpha, momentum=beta, nesterov="reformulated"), STEPS)
    np.testing.assert_allclose(result, lookahead_point, rtol=1e-12)


@pytest.mark.parametrize("inside", [True, False])
def test_adagrad_eq_3_40(inside):
    alpha, eps = 0.2, 1e-3

    def rule(W, state, t):
        g = quartic_grad(W)
        state["A"] = state.get("A", 0) + g * g
        root = np.sqrt(state["A"] + eps) if inside else np.sqrt(state["A"]) + eps
        return W - alpha * g / root

    result = run_engine(lambda p: optim.AdaGrad(p, lr=alpha, eps=eps, eps_inside_sqrt=inside), STEPS)
    np.testing.assert_allclose(result, reference(rule), rtol=1e-12)


@pytest.mark.parametrize("inside", [True, False])
def test_rmsprop_eq_3_41(inside):
    alpha, rho, eps = 0.05, 0.8, 1e-3

    def rule(W, state, t):
        g = quartic_grad(W)
        state["A"] = rho * state.get("A", 0) + (1 - rho) * g * g
        root = np.sqrt(state["A"] + eps) if inside else np.sqrt(state["A"]) + eps
        return W - alpha * g / root

    result = run_engine(lambda p: optim.RMSProp(p, lr=alpha, rho=rho, eps=eps, eps_inside_sqrt=inside), STEPS)
    np.testing.assert_allclose(result, reference(rule), rtol=1e-12)


def test_rmsprop_with_nesterov_eq_3_42():
    alpha, rho, beta, eps = 0.02, 0.9, 0.8, 1e-8

    def rule(W, state, t):
        V = state.get("V", np.zeros_like(W))
        g = quartic_grad(W + beta * V)
        state["A"] = rho * state.get("A", 0) + (1 - rho) * g * g
        V = beta * V - alpha / np.sqrt(state["A"] + eps) * g
        state["V"] = V
        return W + V

    result = run_engine(lambda p: optim.RMSProp(p, lr=alpha, rho=rho, eps=eps, momentum=beta, nesterov=True),
                        STEPS, use_closure=True)
    np.testing.assert_allclose(result, reference(rule), rtol=1e-12)


@pytest.mark.parametrize("inside", [True, False])
def test_adadelta_eq_3_43(inside):
    rho, eps = 0.9, 1e-4

    def rule(W, state, t):
        g = quartic_grad(W)
        A = rho * state.get("A", 0) + (1 - rho) * g * g
        delta = state.get("delta", np.zeros_like(W))
        if inside:
            increment = -np.sqrt((delta + eps) / (A + eps)) * g
        else:
            increment = -(np.sqrt(delta) + eps) / (np.sqrt(A) + eps) * g
        state["A"], state["delta"] = A, rho * delta + (1 - rho) * increment ** 2
        return W + increment

    result = run_engine(lambda p: optim.AdaDelta(p, rho=rho, eps=eps, eps_inside_sqrt=inside), STEPS)
    np.testing.assert_allclose(result, reference(rule), rtol=1e-12)


@pytest.mark.parametrize("inside", [True, False])
def test_adam_eq_3_44_to_3_46(inside):
    alpha, rho_f, rho, eps = 0.1, 0.9, 0.999, 1e-8

    def rule(W, state, t):
        g = quartic_grad(W)
        state["A"] = rho * state.get("A", 0) + (1 - rho) * g * g          # Eq. 3.44
        state["F"] = rho_f * state.get("F", 0) + (1 - rho_f) * g           # Eq. 3.45
        alpha_t = alpha * math.sqrt(1 - rho ** t) / (1 - rho_f ** t)       # Eq. 3.46
        root = np.sqrt(state["A"] + eps) if inside else np.sqrt(state["A"]) + eps
        return W - alpha_t / root * state["F"]

    result = run_engine(lambda p: optim.Adam(p, lr=alpha, eps=eps, eps_inside_sqrt=inside), STEPS)
    np.testing.assert_allclose(result, reference(rule), rtol=1e-12)


def test_adam_defaults_are_the_texts():
    opt = optim.Adam([optim_param()])
    group = opt.param_groups[0]
    assert (group["rho_f"], group["rho"], group["lr"], group["eps_inside_sqrt"]) == (0.9, 0.999, 0.001, True)


def optim_param():
    import autograd_core as ag

    return ag.tensor(START.copy(), requires_grad=True)


@pytest.mark.parametrize("theta", [0.0, 0.7])
def test_delta_bar_delta(theta):
    alpha, kappa, phi = 0.4, 0.2, 0.5

    def rule(W, state, t):
        g = quartic_grad(W)
        gain = state.get("gain", np.ones_like(W))
        bar = state.get("bar", np.zeros_like(W))
        gain = np.where(bar * g > 0, gain + kappa, np.where(bar * g < 0, gain * (1 - phi), gain))
        state["grew"] = state.get("grew", 0) + int((bar * g > 0).sum())
        state["shrank"] = state.get("shrank", 0) + int((bar * g < 0).sum())
        state["gain"], state["bar"] = gain, (1 - theta) * g + theta * bar
        return W - alpha * gain * g

    result = run_engine(lambda p: optim.DeltaBarDelta(p, lr=alpha, kappa=kappa, phi=phi, theta=theta), 10)
    expected = reference(rule, steps=10)
    np.testing.assert_allclose(result, expected, rtol=1e-12)
    gains = {}
    W = START.copy()
    for t in range(1, 11):
        W = rule(W, gains, t)
    assert gains["grew"] > 0 and gains["shrank"] > 0   # both branches of the rule ran


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
    lambda p: optim.AdaGrad(p, lr=0.1),
    lambda p: optim.RMSProp(p, lr=0.01),
    lambda p: optim.AdaDelta(p),
    lambda p: optim.Adam(p, lr=0.01),
    lambda p: optim.DeltaBarDelta(p, lr=0.01),
])
def test_float32_parameters_stay_float32_and_match_float64(make):
    single = run_engine(make, STEPS, dtype=np.float32)
    double = run_engine(make, STEPS, dtype=np.float64)
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, double, rtol=1e-4, atol=1e-5)
