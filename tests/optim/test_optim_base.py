"""The Optimizer base: parameter groups, zero_grad, closures, no graph, in-place updates, state_dict."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim
from optim_problems import START, quartic_loss

ALL = [
    lambda p, **kw: optim.SGD(p, lr=0.05, momentum=0.9, **kw),
    lambda p, **kw: optim.SGD(p, lr=0.05, momentum=0.9, nesterov="reformulated", **kw),
    lambda p, **kw: optim.DeltaBarDelta(p, lr=0.05, **kw),
    lambda p, **kw: optim.AdaGrad(p, lr=0.1, **kw),
    lambda p, **kw: optim.RMSProp(p, lr=0.01, momentum=0.5, **kw),
    lambda p, **kw: optim.AdaDelta(p, **kw),
    lambda p, **kw: optim.Adam(p, lr=0.05, **kw),
]
IDS = ["sgd", "sgd-nesterov-reformulated", "delta-bar-delta", "adagrad", "rmsprop-momentum", "adadelta", "adam"]


def parameter():
    return ag.tensor(START.copy(), requires_grad=True)


def train(opt, W, steps):
    for _ in range(steps):
        opt.zero_grad()
        quartic_loss(W).backward()
        opt.step()


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_state_dict_round_trip_continues_identically(make):
    W_first = parameter()
    first = make([W_first])
    train(first, W_first, 4)
    saved = first.state_dict()
    W_second = ag.tensor(W_first.data.copy(), requires_grad=True)
    second = make([W_second])
    second.load_state_dict(saved)
    train(first, W_first, 3)
    train(second, W_second, 3)
    np.testing.assert_array_equal(W_first.data, W_second.data)


def test_state_dict_is_a_snapshot_and_loading_copies():
    W = parameter()
    opt = optim.Adam([W], lr=0.1)
    train(opt, W, 2)
    saved = opt.state_dict()
    A_saved = saved["state"][0]["A"].copy()
    train(opt, W, 2)
    np.testing.assert_array_equal(saved["state"][0]["A"], A_saved)
    opt.load_state_dict(saved)
    train(opt, W, 1)
    np.testing.assert_array_equal(saved["state"][0]["A"], A_saved)
    assert saved["state"][0]["step"] == 2


def test_load_state_dict_errors_say_what_differs():
    W = parameter()
    adam = optim.Adam([W])
    train(adam, W, 1)
    saved = adam.state_dict()
    with pytest.raises(ValueError, match="saved by Adam"):
        optim.RMSProp([W]).load_state_dict(saved)
    with pytest.raises(ValueError, match="1 parameter group"):
        optim.Adam([{"params": [W]}, {"params": [parameter()]}]).load_state_dict(saved)
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*shape \(3,\)"):
        optim.Adam([ag.tensor(np.zeros(3), requires_grad=True)]).load_state_dict(saved)
    with pytest.raises(ValueError, match="dict returned by state_dict"):
        adam.load_state_dict({"weights": 1})


def test_param_groups_have_their_own_settings():
    W_slow, W_fast = parameter(), parameter()
    opt = optim.SGD([{"params": [W_slow]}, {"params": [W_fast], "lr": 0.1}], lr=0.01)
    assert [group["lr"] for group in opt.param_groups] == [0.01, 0.1]
    opt.zero_grad()
    (quartic_loss(W_slow) + quartic_loss(W_fast)).backward()
    gradient = W_slow.grad.numpy().copy()
    opt.step()
    np.testing.assert_allclose(W_slow.data, START - 0.01 * gradient, rtol=1e-12)
    np.testing.assert_allclose(W_fast.data, START - 0.1 * gradient, rtol=1e-12)


def test_add_param_group_and_setting_errors():
    opt = optim.Adam([parameter()], lr=0.01)
    opt.add_param_group({"params": [parameter()], "rho": 0.99})
    assert opt.param_groups[1]["rho"] == 0.99 and opt.param_groups[1]["lr"] == 0.01
    with pytest.raises(ValueError, match="more than once"):
        opt.add_param_group({"params": opt.param_groups[0]["params"]})
    with pytest.raises(ValueError, match="no setting"):
        optim.Adam([{"params": [parameter()], "learning_rate": 0.1}])
    with pytest.raises(ValueError, match="needs a value for 'lr'"):
        optim.SGD([parameter()])
    with pytest.raises(ValueError, match="does not require gradients"):
        optim.SGD([ag.tensor(START)], lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="momentum must lie"):
        optim.SGD([parameter()], lr=0.1, momentum=1.5)
    with pytest.raises(ValueError, match="lr must be"):
        optim.Adam([parameter()], lr=-1.0)
    with pytest.raises(ValueError, match="needs momentum > 0"):
        optim.SGD([parameter()], lr=0.1, nesterov=True)


def test_a_model_with_parameters_method_is_accepted():
    class Model:
        def __init__(self):
            self.W = parameter()

        def parameters(self):
            return [self.W]

    model = Model()
    opt = optim.SGD(model, lr=0.1)
    assert len(opt.parameters()) == 1 and opt.parameters()[0] is model.W


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_updates_are_in_place_and_build_no_graph(make):
    W = parameter()
    array = W.data
    opt = make([W])
    train(opt, W, 2)
    assert W.data is array              # .data updated in place
    assert W.is_leaf and W.grad_fn is None
    for entries in opt.state.values():
        for value in entries.values():
            assert not isinstance(value, ag.Tensor)


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_step_never_writes_into_the_gradient(make):
    W = parameter()
    opt = make([W], weight_decay=0.1)
    opt.zero_grad()
    quartic_loss(W).backward()
    before = W.grad.numpy().copy()
    opt.step()
    np.testing.assert_array_equal(W.grad.numpy(), before)


def test_parameters_without_gradient_are_skipped():
    W, unused = parameter(), parameter()
    opt = optim.Adam([W, unused], lr=0.1)
    train(opt, W, 2)
    np.testing.assert_array_equal(unused.data, START)
    assert id(unused) not in opt.state or not opt.state[id(unused)]


def test_zero_grad():
    W = parameter()
    opt = optim.SGD([W], lr=0.1)
    quartic_loss(W).backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(W.grad.numpy(), np.zeros_like(START))
    opt.zero_grad()
    assert W.grad is None


def test_step_returns_the_closure_loss():
    W = parameter()
    opt = optim.SGD([W], lr=0.01)

    def closure():
        opt.zero_grad()
        loss = quartic_loss(W)
        loss.backward()
        return loss

    first = opt.step(closure).item()
    second = opt.step(closure).item()
    assert second < first


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    lambda p: optim.RMSProp(p, lr=0.1, momentum=0.9, nesterov=True),
])
def test_nesterov_without_closure_says_what_to_do(make):
    W = parameter()
    opt = make([W])
    quartic_loss(W).backward()
    with pytest.raises(RuntimeError, match="closure"):
        opt.step()


def test_nesterov_closure_restores_the_unshifted_weights_exactly():
    W = parameter()
    opt = optim.SGD([W], lr=0.05, momentum=0.9, nesterov=True)
    seen = []

    def closure():
        opt.zero_grad()
        seen.append(W.data.copy())
        loss = quartic_loss(W)
        loss.backward()
        return loss

    opt.step(closure)
    after_first = W.data.copy()
    velocity = opt.state[id(W)]["velocity"].copy()
    opt.step(closure)
    np.testing.assert_array_equal(seen[1], after_first + 0.9 * velocity)   # gradient taken at W + beta V
    np.testing.assert_allclose(W.data, after_first + opt.state[id(W)]["velocity"], rtol=1e-15)


def test_repr_lists_groups():
    assert "lr=0.1" in repr(optim.SGD([parameter()], lr=0.1))


def test_trains_an_nn_mlp():
    from autograd_core import nn
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4))
    labels = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    model = nn.MLP([4, 16, 2], rng=0)
    opt = optim.Adam(model.parameters(), lr=0.05)
    averager = optim.PolyakAverage(model.parameters(), beta=0.9)
    losses = []
    for _ in range(40):
        loss = ag.cross_entropy(model(ag.tensor(X)), labels)
        opt.zero_grad()
        loss.backward()
        optim.clip_grad_norm(model.parameters(), max_norm=10.0)
        opt.step()
        averager.update()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 3
    with averager.averaged():
        with ag.no_grad():
            averaged_loss = ag.cross_entropy(model(ag.tensor(X)), labels).item()
    assert averaged_loss < losses[0] / 2
