"""Quantisation and k-means weight sharing: codebooks, summed centroid gradients, pruned weights kept at zero."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn, optim
from autograd_core.nn import compress

pytestmark = pytest.mark.usefixtures("float64_layers")  # written against float64 references


def small_model(seed=0):
    return nn.MLP([6, 8, 5, 3], rng=seed)


def data(seed=0, count=32):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(count, 6)), rng.integers(0, 3, size=count)


def layers(model):
    return [module for module in model.modules() if isinstance(module, compress.SharedWeightLinear)]


@pytest.mark.parametrize("method", [compress.quantize, compress.share_weights])
def test_every_linear_becomes_a_codebook_layer_in_place(method):
    model = small_model()
    X, _ = data()
    weights = [m.weight.numpy().copy() for m in model.modules() if isinstance(m, nn.Linear)]
    before = nn.predict(model, X)
    assert method(model, bits=4) is model
    assert len(layers(model)) == 3 and [type(m).__name__ for m in model][:2] == ["SharedWeightLinear", "ReLU"]
    for layer, weight in zip(layers(model), weights):
        assert layer.centroids.shape == (16,)
        assert isinstance(layer.centroids, nn.Parameter)
        dense = layer.dense_weight()
        assert len(np.unique(dense)) <= 16
        centroids = layer.centroids.numpy()
        nearest = centroids[np.abs(weight[..., None] - centroids).argmin(axis=-1)]
        np.testing.assert_array_equal(dense, nearest)  # every weight went to its nearest codebook entry
    h = X
    for index, layer in enumerate(layers(model)):
        h = h @ layer.dense_weight() + layer.bias.numpy()
        h = np.maximum(h, 0) if index < 2 else h
    np.testing.assert_allclose(nn.predict(model, X), h, rtol=1e-12, atol=1e-12)
    assert not np.allclose(h, before)


def test_uniform_levels_are_evenly_spaced_and_kmeans_fits_better():
    weights = np.random.default_rng(0).standard_normal((40, 30))
    linear = nn.Linear(40, 30)
    linear.weight.data = weights.copy()
    uniform = compress.quantize(linear, bits=3)
    np.testing.assert_allclose(np.diff(uniform.centroids.numpy()), (weights.max() - weights.min()) / 7)
    linear.weight.data = weights.copy()
    shared = compress.share_weights(linear, bits=3)
    error = {name: ((layer.dense_weight() - weights) ** 2).sum() for name, layer in
             (("uniform", uniform), ("kmeans", shared))}
    assert error["kmeans"] < 0.7 * error["uniform"]


def test_kmeans_1d_finds_well_separated_clusters():
    values = np.concatenate([np.full(10, -2.0), np.full(5, 0.5), np.full(7, 3.0)])
    centroids, assignment = compress.kmeans_1d(values, 3)
    np.testing.assert_allclose(centroids, [-2.0, 0.5, 3.0])
    np.testing.assert_array_equal(centroids[assignment], values)


def test_centroid_gradient_is_the_sum_over_the_weights_that_share_it():
    layer = compress.share_weights(nn.Linear(6, 4, rng=0), bits=2)
    x = np.random.default_rng(1).normal(size=(3, 6))
    direction = np.random.default_rng(2).normal(size=(3, 4))
    (layer(ag.Tensor(x)) * direction).sum().backward()
    dense_grad = x.T @ direction
    expected = np.bincount(layer.indices.ravel(), weights=dense_grad.ravel(), minlength=4)
    np.testing.assert_allclose(layer.centroids.grad.numpy(), expected, rtol=1e-12)


def _pruned_shared_layer():
    linear = nn.Linear(5, 4, rng=0)
    compress.prune(linear, sparsity=0.4)
    return compress.share_weights(linear, bits=2)


def test_gradcheck_of_shared_centroid_fine_tuning():
    layer = _pruned_shared_layer()
    x = ag.Tensor(np.random.default_rng(3).normal(size=(3, 5)))

    def function(centroids, bias):
        return ag.tanh(layer.forward(x))

    report = ag.gradcheck(function, [layer.centroids, layer.bias])
    assert report.passed, str(report)


def test_path_sum_and_double_backward_of_shared_centroids():
    layer = _pruned_shared_layer()
    x = ag.Tensor(np.random.default_rng(3).normal(size=(2, 5)))
    output = ag.tanh(layer.forward(x)).sum()
    by_paths = ag.grad(output, [layer.centroids, layer.bias], method="paths")
    by_dp = ag.grad(output, [layer.centroids, layer.bias])
    for path_sum, dp in zip(by_paths, by_dp):
        np.testing.assert_allclose(path_sum.numpy(), dp.numpy(), rtol=1e-10, atol=1e-12)
    v = np.random.default_rng(4).normal(size=4)

    def gradient_along_v(centroids, bias):
        with ag.enable_grad():
            (gradient,) = ag.grad(ag.tanh(layer.forward(x)).sum(), [centroids], create_graph=True)
            return (gradient * v).sum() + (bias * bias).sum()

    report = ag.gradcheck(gradient_along_v, [layer.centroids, layer.bias])
    assert report.passed, str(report)


@pytest.mark.parametrize("method", [compress.quantize, compress.share_weights])
def test_pruned_weights_stay_exactly_zero_under_quantisation_and_fine_tuning(method):
    model = small_model()
    compress.prune(model, sparsity=0.6)
    zeros = [m.weight.numpy() == 0 for m in model.modules() if isinstance(m, nn.Linear)]
    method(model, bits=3)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    X, y = data()
    centroids_before = [layer.centroids.numpy().copy() for layer in layers(model)]
    for _ in range(5):
        loss = nn.functional.cross_entropy(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    for layer, pruned, before in zip(layers(model), zeros, centroids_before):
        dense = layer.dense_weight()
        assert np.all(dense[pruned] == 0)
        assert np.all(dense[~pruned] != 0)  # no kept weight fell onto a zero centroid here
        assert not np.array_equal(layer.centroids.numpy(), before)  # the centroids were fine-tuned
    assert compress.sparsity(model)["total"] == pytest.approx(0.6, abs=0.02)


def test_codebook_ignores_pruned_weights():
    linear = nn.Linear(10, 10, rng=0)
    compress.prune(linear, sparsity=0.5)
    layer = compress.quantize(linear, bits=2)
    kept = linear.weight.numpy()[linear.weight_mask]
    assert layer.centroids.numpy()[0] == kept.min() and layer.centroids.numpy()[-1] == kept.max()


def test_a_codebook_layer_round_trips_through_its_state_dict():
    model = compress.share_weights(small_model(), bits=3)
    other = compress.share_weights(small_model(seed=1), bits=3)
    other.load_state_dict(model.state_dict())
    X, _ = data()
    np.testing.assert_array_equal(nn.predict(other, X), nn.predict(model, X))


@pytest.mark.parametrize("bits", [0, 17, 2.5, True, None])
def test_bad_bits_are_refused(bits):
    with pytest.raises(ValueError, match="bits"):
        compress.quantize(small_model(), bits=bits)


def test_models_without_linear_layers_and_bad_weights_are_refused():
    with pytest.raises(ValueError, match="no Linear"):
        compress.share_weights(nn.Sequential(nn.ReLU()), bits=2)
    linear = nn.Linear(3, 3)
    linear.weight.data = np.full((3, 3), np.inf)
    with pytest.raises(ValueError, match="finite"):
        compress.share_weights(linear, bits=2)


def test_bad_codebook_layers_are_refused():
    with pytest.raises(ValueError, match="indices must lie"):
        compress.SharedWeightLinear(np.zeros(2), np.full((2, 2), 2))
    with pytest.raises(ValueError, match="mask"):
        compress.SharedWeightLinear(np.zeros(2), np.zeros((2, 2), dtype=int), mask=np.ones((2, 3), dtype=bool))
    with pytest.raises(ValueError, match="centroids"):
        compress.SharedWeightLinear(np.zeros(2, dtype=int), np.zeros((2, 2), dtype=int))
