"""Model and hybrid parallelism on a local Ray: the split models equal the unsplit ones in float64, and the
cost model predicts the bytes actually sent."""
from functools import partial

import numpy as np
import pytest

pytest.importorskip("ray", reason="nn.parallel needs Ray: pip install -e '.[distributed]'")

import autograd_core as ag  # noqa: E402
from autograd_core import nn, optim  # noqa: E402
from autograd_core.extras import ray_session  # noqa: E402
from autograd_core.nn.parallel import HybridParallel, ModelParallelLinear, cost_model  # noqa: E402

pytestmark = pytest.mark.slow  # starts Ray and worker processes

rng = np.random.default_rng(11)
X = rng.standard_normal((7, 5))
LABELS = rng.integers(0, 4, size=7)


@pytest.fixture(scope="module", autouse=True)
def ray():
    session = ray_session(num_cpus=2)
    yield session
    session.shutdown()


def loss_and_gradients(first, second, inputs):
    """Loss of Linear -> tanh -> ``second`` and its gradients with respect to the inputs and the first layer."""
    inputs = ag.Tensor(inputs, requires_grad=True)
    for parameter in first.parameters():
        parameter.grad = None
    loss = ag.cross_entropy(second(ag.tanh(first(inputs))), LABELS)
    loss.backward()
    return loss.item(), inputs.grad.numpy(), [parameter.grad.numpy() for parameter in first.parameters()]


@pytest.mark.parametrize("cross_connections", [True, False])
def test_split_layer_gives_the_unsplit_loss_and_gradients_in_float64(ray, cross_connections):
    ray_module = ray
    first, unsplit = nn.Linear(5, 6, rng=1, dtype=np.float64), nn.Linear(6, 4, rng=2, dtype=np.float64)
    unsplit.bias.data = rng.standard_normal(4)
    split = ModelParallelLinear.from_linear(unsplit, workers=2, cross_connections=cross_connections)
    try:
        if not cross_connections:  # a different model: W keeps only its diagonal blocks (rows 0-2 x units 0-1, ...)
            mask = np.zeros((6, 4))
            mask[:3, :2] = mask[3:, 2:] = 1.0
            unsplit.weight.data = unsplit.weight.data * mask
        expected_loss, expected_grad_x, expected_first = loss_and_gradients(first, unsplit, X)
        loss, grad_x, grads_first = loss_and_gradients(first, split, X)
        weight_grad, bias_grad = split.gradients()
        weights = split.weights()
        pending = [ray_module.get(actor.pending.remote()) for actor in split.actors]
    finally:
        split.shutdown()
    assert pending == [0, 0]  # the workers let go of x once the backward was done
    assert loss == pytest.approx(expected_loss, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(grad_x, expected_grad_x, rtol=1e-12, atol=1e-12)
    for got, expected in zip(grads_first, expected_first):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    expected_weight_grad = unsplit.weight.grad.numpy() * (1.0 if cross_connections else mask)
    np.testing.assert_allclose(weight_grad, expected_weight_grad, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(bias_grad, unsplit.bias.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(weights[0], unsplit.weight.numpy())
    volume = cost_model.model_parallel_layer(6, 4, batch_size=7, workers=2, cross_connections=cross_connections)
    assert split.bytes_by_kind == volume


def test_the_split_layer_is_an_engine_operation_checked_three_ways(ray):
    layer = ModelParallelLinear.from_linear(nn.Linear(3, 4, rng=3, dtype=np.float64), workers=2)
    try:
        x = ag.Tensor(rng.standard_normal((2, 3)), requires_grad=True)
        assert ag.gradcheck(lambda inputs: ag.tanh(layer(inputs)), [x])
        output = (ag.tanh(layer(x)) * 2.0).sum()
        by_paths = ag.grad(output, x, method="paths", retain_graph=True)
        np.testing.assert_allclose(by_paths.numpy(), ag.grad(output, x).numpy(), rtol=1e-12)
        layer.zero_grad()  # backward twice through one graph: the second sends x again, gradients add up
        output = (layer(x) * ag.Tensor(rng.standard_normal((2, 4)))).sum()
        output.backward(retain_graph=True)
        once = layer.gradients()
        output.backward()
        for twice, single in zip(layer.gradients(), once):
            np.testing.assert_allclose(twice, 2 * single, rtol=1e-12)
        with pytest.raises(RuntimeError, match="a second time"):
            output.backward()
        assert [ray.get(actor.pending.remote()) for actor in layer.actors] == [0, 0]
        first_derivative = ag.grad(ag.tanh(layer(x)).sum(), x, create_graph=True)
        with pytest.raises(RuntimeError, match="cannot differentiate through the backward of the custom function "
                                               "AcrossWorkers a second time"):  # its backward runs on the workers
            ag.grad(first_derivative.sum(), x)
        with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, 3\), got \(2, 5\)"):
            layer(ag.Tensor(np.ones((2, 5))))
    finally:
        layer.shutdown()
    with pytest.raises(ValueError, match="cannot be split across 3 workers"):
        ModelParallelLinear.from_linear(nn.Linear(3, 2), workers=3)


def test_hybrid_step_equals_the_sequential_step_and_the_cost_model_counts_its_bytes():
    sizes = [5, 6, 16, 4]  # one wide layer, 6 -> 16, split by units with the output layer after it
    model_fn, optimizer_fn = partial(nn.MLP, sizes, rng=4, dtype=np.float64), partial(optim.SGD, lr=0.1, momentum=0.9)
    model = model_fn()
    optimizer = optimizer_fn(list(model.parameters()))
    expected_losses = []
    for _ in range(2):
        optimizer.zero_grad()
        loss = ag.cross_entropy(model(ag.Tensor(X)), LABELS)
        loss.backward()
        optimizer.step()
        expected_losses.append(loss.item())
    with HybridParallel(model_fn, optimizer_fn, workers=2) as trainer:
        assert trainer.split_at == 2  # modules 0-1 (Linear 5 -> 6, ReLU) data-parallel
        losses = [trainer.step(X, LABELS) for _ in range(2)]
        state = trainer.state_dict()
        sent = trainer.bytes_by_kind
    np.testing.assert_allclose(losses, expected_losses, rtol=1e-12, atol=1e-12)
    assert list(state) == list(model.state_dict())
    for name, value in model.state_dict().items():
        np.testing.assert_allclose(state[name], value, rtol=1e-12, atol=1e-12, err_msg=name)
    predicted = cost_model.hybrid(sizes, split_at=1, batch_size=7, workers=2)
    assert sent == {kind: 2 * count for kind, count in predicted.items()}
