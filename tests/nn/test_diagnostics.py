"""nn.diagnostics.GradientMonitor (Section 3.4): vanishing and exploding chains, dead and saturated units."""
import math

import numpy
import pytest

import autograd_core as ag
from autograd_core import nn, optim


def sigmoid_chain(depth, weight, bias):
    """Figure 3.8: one unit per layer, h_i = sigmoid(w h_(i-1) + b), every w and b the same."""
    layers = []
    for _ in range(depth):
        linear = nn.Linear(1, 1, init="zeros")
        linear.weight.data = numpy.full((1, 1), float(weight))
        linear.bias.data = numpy.full((1,), float(bias))
        layers += [linear, nn.Sigmoid()]
    return nn.Sequential(*layers)


def grad_array(parameter):
    grad = parameter.grad
    return grad.data if isinstance(grad, ag.Tensor) else grad


def backward_once(model, X):
    model.zero_grad()
    model(ag.tensor(X)).sum().backward()


def test_a_sigmoid_chain_with_unit_weights_is_flagged_vanishing():
    ten = sigmoid_chain(10, weight=1.0, bias=0.0)
    monitor = nn.diagnostics.GradientMonitor(ten)
    backward_once(ten, numpy.full((1, 1), 0.5))
    monitor.step()
    assert 3e-7 < monitor.first_to_last_ratio() < 3e-6  # the text's "about 1e-6" for ten layers
    twelve = sigmoid_chain(12, weight=1.0, bias=0.0)
    monitor = nn.diagnostics.GradientMonitor(twelve)
    backward_once(twelve, numpy.full((1, 1), 0.5))
    monitor.step()
    assert monitor.vanishing and not monitor.exploding
    assert "VANISHING" in monitor.summary() and monitor.first_to_last_ratio() < 1e-7


def test_the_monitor_norms_follow_eq_3_38():
    # dL/dw_i = h_(i-1) prod_(j >= i) w sigmoid'(v_j): each layer toward the input multiplies by w sigmoid'(v)
    depth, weight = 6, 1.0
    model = sigmoid_chain(depth, weight, 0.0)
    monitor = nn.diagnostics.GradientMonitor(model)
    backward_once(model, numpy.full((1, 1), 0.3))
    monitor.step()
    h = [0.3]
    for _ in range(depth):
        h.append(1 / (1 + math.exp(-weight * h[-1])))
    slopes = [value * (1 - value) for value in h[1:]]
    expected = [h[i] * slopes[i] * math.prod(weight * slope for slope in slopes[i + 1:]) for i in range(depth)]
    assert numpy.allclose([norm for _, norm in monitor.layer_norms()], expected, rtol=1e-10)


def test_a_sigmoid_chain_with_large_weights_is_flagged_exploding():
    # w = 10 and b = -5 keep every v at 0 from h = 0.5, so each layer multiplies the gradient by 10 / 4
    model = sigmoid_chain(10, weight=10.0, bias=-5.0)
    monitor = nn.diagnostics.GradientMonitor(model)
    backward_once(model, numpy.full((1, 1), 0.5))
    monitor.step()
    assert monitor.exploding and not monitor.vanishing
    assert math.isclose(monitor.first_to_last_ratio(), 2.5 ** 9, rel_tol=1e-9)
    assert "EXPLODING" in monitor.summary()


def test_nan_gradients_and_growth_over_steps_are_flagged_exploding():
    model = nn.Linear(2, 1, rng=0)
    monitor = nn.diagnostics.GradientMonitor(model)
    X = numpy.ones((4, 2))
    for scale in (1.0, 10.0):
        model.zero_grad()
        (model(ag.tensor(X * scale)) ** 2).sum().backward()
        monitor.step()
    assert not monitor.exploding
    model.zero_grad()
    (model(ag.tensor(X * 1e4)) ** 2).sum().backward()
    monitor.step()
    assert monitor.exploding
    model.weight.grad = numpy.full((2, 1), numpy.nan)
    monitor.step()
    assert monitor.exploding and "EXPLODING" in monitor.summary()


def test_a_healthy_relu_network_raises_no_flag():
    rng = numpy.random.default_rng(0)
    X, y = rng.standard_normal((64, 8)), rng.integers(0, 3, 64)
    model = nn.MLP([8, 32, 32, 3], activation="relu", rng=0)
    monitor = nn.diagnostics.GradientMonitor(model)
    opt = optim.SGD(model.parameters(), lr=0.05)
    for _ in range(5):
        loss = nn.functional.cross_entropy(model(ag.tensor(X)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        monitor.step()
    assert monitor.summary().endswith("no problem flagged"), monitor.summary()
    assert set(monitor.dead_fraction) == {"1", "3"} and all(value < 0.5 for value in monitor.dead_fraction.values())


def test_update_to_weight_ratio_is_the_step_over_the_weight():
    model = nn.Linear(3, 2, rng=0)
    monitor = nn.diagnostics.GradientMonitor(model)
    opt = optim.SGD(model.parameters(), lr=0.1)
    X = numpy.random.default_rng(1).standard_normal((5, 3))
    (model(ag.tensor(X)) ** 2).sum().backward()
    monitor.step()
    before = model.weight.data.copy()
    step = 0.1 * grad_array(model.weight)
    opt.step()
    monitor.step()
    assert math.isnan(monitor.update_ratios["weight"][0])
    assert math.isclose(monitor.update_ratios["weight"][1], numpy.linalg.norm(step) / numpy.linalg.norm(before),
                        rel_tol=1e-5)  # float32 layers


def dead_layer_model(activation):
    model = nn.Sequential(nn.Linear(4, 6, rng=0), activation, nn.Linear(6, 2, rng=1))
    model[0].bias.data = numpy.array([-100.0, -100.0, -100.0, 0.0, 0.0, 0.0])  # half the units never fire
    return model


def test_dead_relu_units_are_counted_and_flagged():
    model = dead_layer_model(nn.ReLU())
    monitor = nn.diagnostics.GradientMonitor(model, dead_threshold=0.4)
    X = numpy.abs(numpy.random.default_rng(0).standard_normal((32, 4)))
    backward_once(model, X)
    monitor.step()
    assert monitor.dead_fraction["1"] >= 0.5 and monitor.dying == ["1"]
    assert "DYING 1" in monitor.summary()
    assert numpy.all(grad_array(model[0].weight)[:, :3] == 0)  # what makes them dead: no gradient reaches them


def test_leaky_units_below_zero_are_inactive_but_not_dead():
    model = dead_layer_model(nn.LeakyReLU(0.1))
    monitor = nn.diagnostics.GradientMonitor(model, dead_threshold=0.4)
    backward_once(model, numpy.abs(numpy.random.default_rng(0).standard_normal((32, 4))))
    monitor.step()
    record = monitor.activations["1"]
    assert record.history["inactive"][-1] >= 0.5 and record.history["dead"][-1] == 0.0
    assert monitor.dying == [] and numpy.all(grad_array(model[0].weight)[:, :3] != 0)


def test_dead_over_an_epoch_needs_zero_output_for_every_batch():
    model = nn.Sequential(nn.Linear(1, 2, init="zeros"), nn.ReLU())
    model[0].weight.data = numpy.array([[1.0, -1.0]])
    monitor = nn.diagnostics.GradientMonitor(model)
    for sign in (1.0, -1.0):
        backward_once(model, numpy.full((3, 1), sign))
        monitor.step()
        assert monitor.dead_fraction["1"] == 0.5  # in each batch one of the two units never fires
    assert monitor.end_epoch() == {"1": 0.0}  # over the epoch both fired
    backward_once(model, numpy.full((3, 1), 1.0))
    monitor.step()
    assert monitor.end_epoch() == {"1": 0.5}


def test_saturated_sigmoid_outputs_are_counted():
    model = nn.Sequential(nn.Linear(1, 4, init="zeros"), nn.Sigmoid())
    model[0].weight.data = numpy.array([[50.0, -50.0, 0.0, 0.0]])
    monitor = nn.diagnostics.GradientMonitor(model)
    backward_once(model, numpy.ones((8, 1)))
    monitor.step()
    assert monitor.saturated_fraction == {"1": 0.5}
    stats = monitor.activations["1"].history
    assert math.isclose(stats["mean"][-1], 0.5, rel_tol=1e-9) and stats["std"][-1] > 0.3


def test_evaluation_forwards_are_not_recorded_and_hooks_come_off():
    model = dead_layer_model(nn.ReLU())
    with nn.diagnostics.GradientMonitor(model) as monitor:
        model.eval()
        model(ag.tensor(numpy.ones((2, 4))))
        model.train()
        backward_once(model, numpy.ones((2, 4)))
        monitor.step()
        assert monitor.activations["1"].count == 0 and "forward" in model[1].__dict__
    assert "forward" not in model[1].__dict__
    model(ag.tensor(numpy.ones((2, 4))))
    monitor.step()
    assert math.isnan(monitor.activations["1"].history["mean"][-1])


def test_bad_use_is_refused():
    with pytest.raises(TypeError, match="nn.Module"):
        nn.diagnostics.GradientMonitor([nn.Linear(1, 1)])
    with pytest.raises(ValueError, match="dead_threshold"):
        nn.diagnostics.GradientMonitor(nn.Linear(1, 1), dead_threshold=2)
    with pytest.raises(ValueError, match="vanishing_ratio"):
        nn.diagnostics.GradientMonitor(nn.Linear(1, 1), vanishing_ratio=0)
    with pytest.raises(ValueError, match="monitor.step"):
        nn.diagnostics.GradientMonitor(nn.Linear(1, 1)).summary()
    with pytest.raises(ValueError, match="no parameters"):
        nn.diagnostics.GradientMonitor(nn.ReLU())
    model = dead_layer_model(nn.ReLU())
    first = nn.diagnostics.GradientMonitor(model)
    with pytest.raises(ValueError, match="already has a hook"):
        nn.diagnostics.GradientMonitor(model)
    first.remove()
    nn.diagnostics.GradientMonitor(model).remove()


def test_plot_draws_norms_on_a_log_axis(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    model = sigmoid_chain(4, 1.0, 0.0)
    monitor = nn.diagnostics.GradientMonitor(model)
    for _ in range(3):
        backward_once(model, numpy.ones((2, 1)))
        monitor.step()
    figure = monitor.plot(tmp_path / "monitor.png")
    assert figure.axes[0].get_yscale() == "log" and len(figure.axes[0].lines) == 4
    assert (tmp_path / "monitor.png").stat().st_size > 1000


@pytest.mark.gpu
def test_the_monitor_reads_cupy_models_as_numpy_ones():
    records = {}
    for device in ("cpu", "cuda"):
        model = dead_layer_model(nn.ReLU()).to(device)
        monitor = nn.diagnostics.GradientMonitor(model)
        opt = optim.SGD(model.parameters(), lr=0.1)
        X = ag.tensor(numpy.abs(numpy.random.default_rng(0).standard_normal((16, 4))), device=device)
        for _ in range(2):
            model.zero_grad()
            model(X).sum().backward()
            opt.step()
            monitor.step()
        records[device] = (monitor.grad_norms, monitor.update_ratios, monitor.dead_fraction, monitor.summary())
    for cpu, gpu in zip(records["cpu"][:2], records["cuda"][:2]):
        for name in cpu:
            assert numpy.allclose(cpu[name], gpu[name], equal_nan=True, rtol=1e-10)
    assert records["cpu"][2:] == records["cuda"][2:]
