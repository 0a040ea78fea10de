"""HashedLinear: the hashing trick; a bucket's gradient is the sum over the positions that share it."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn.hashed import bucket_indices

pytestmark = pytest.mark.usefixtures("float64_layers")  # written against float64 references


def test_the_texts_example_100_by_100_into_1000_buckets():
    layer = nn.HashedLinear(100, 100, buckets=1000, seed=0, rng=0)
    assert layer.weight.shape == (1000,)
    assert layer.num_parameters() == 1000 + 100             # the weights of a 100 x 10 layer, plus 100 biases
    assert nn.Linear(100, 10).num_parameters() == 1000 + 10
    counts = np.bincount(layer.bucket_index.ravel(), minlength=1000)
    assert counts.sum() == 10_000 and counts.min() >= 1     # every bucket is used, about 10 times each
    assert 5 <= counts.mean() <= 15
    x = np.random.default_rng(1).normal(size=(4, 100))
    assert layer(ag.Tensor(x)).shape == (4, 100)


def test_forward_is_x_times_the_virtual_matrix_plus_bias():
    layer = nn.HashedLinear(5, 4, buckets=7, seed=3, rng=0)
    layer.bias.data = np.arange(4.0)
    x = np.random.default_rng(0).normal(size=(3, 5))
    W = layer.weight.numpy()[layer.bucket_index]
    np.testing.assert_allclose(layer(ag.Tensor(x)).numpy(), x @ W + np.arange(4.0))
    np.testing.assert_array_equal(layer.dense_weight(), W)


def test_bucket_gradient_is_the_sum_of_the_shared_positions_gradients():
    layer = nn.HashedLinear(6, 5, buckets=4, seed=1, rng=0)
    x = np.random.default_rng(2).normal(size=(3, 6))
    direction = np.random.default_rng(3).normal(size=(3, 5))
    (layer(ag.Tensor(x)) * direction).sum().backward()
    dense_grad = x.T @ direction                                  # dL/dW_ij for the virtual matrix
    expected = np.bincount(layer.bucket_index.ravel(), weights=dense_grad.ravel(), minlength=4)
    np.testing.assert_allclose(layer.weight.grad.numpy(), expected, rtol=1e-12)


def _hashed_function(layer, x):
    index = layer.bucket_index

    def function(weight, bias):
        return ag.tanh(x @ weight[index] + bias)
    return function


def test_gradcheck_float64():
    layer = nn.HashedLinear(4, 3, buckets=5, seed=7, rng=0)
    x = ag.Tensor(np.random.default_rng(4).normal(size=(2, 4)))
    weight = ag.Tensor(layer.weight.numpy(), requires_grad=True)
    bias = ag.Tensor(np.random.default_rng(5).normal(size=3), requires_grad=True)
    report = ag.gradcheck(_hashed_function(layer, x), [weight, bias])
    assert report.passed, str(report)


def test_the_layer_itself_passes_gradcheck():
    layer = nn.HashedLinear(4, 3, buckets=5, seed=7, rng=0)
    x = ag.Tensor(np.random.default_rng(4).normal(size=(2, 4)), requires_grad=True)
    report = ag.gradcheck(lambda weight, bias, inputs: layer.forward(inputs) * 1.0, [layer.weight, layer.bias, x])
    assert report.passed, str(report)


def test_path_sum_equals_dynamic_programming():
    layer = nn.HashedLinear(3, 2, buckets=3, seed=2, rng=0)
    x = ag.Tensor(np.random.default_rng(6).normal(size=(2, 3)))
    weight = ag.Tensor(layer.weight.numpy(), requires_grad=True)
    bias = ag.Tensor(np.zeros(2), requires_grad=True)
    output = _hashed_function(layer, x)(weight, bias).sum()
    by_paths = ag.grad(output, [weight, bias], method="paths")
    by_dp = ag.grad(output, [weight, bias])
    for path_sum, dp in zip(by_paths, by_dp):
        np.testing.assert_allclose(path_sum.numpy(), dp.numpy(), rtol=1e-10, atol=1e-12)


def test_double_backward():
    layer = nn.HashedLinear(4, 3, buckets=5, seed=7, rng=0)
    x = ag.Tensor(np.random.default_rng(4).normal(size=(2, 4)))
    function = _hashed_function(layer, x)
    v = np.random.default_rng(8).normal(size=5)

    def gradient_along_v(weight, bias):
        with ag.enable_grad():
            (gradient,) = ag.grad(function(weight, bias).sum(), [weight], create_graph=True)
            return (gradient * v).sum() + (bias * bias).sum()

    weight = ag.Tensor(layer.weight.numpy(), requires_grad=True)
    bias = ag.Tensor(np.random.default_rng(5).normal(size=3), requires_grad=True)
    report = ag.gradcheck(gradient_along_v, [weight, bias])
    assert report.passed, str(report)


def test_the_hash_is_fixed_by_the_seed():
    np.testing.assert_array_equal(bucket_indices(10, 10, 13, seed=5), bucket_indices(10, 10, 13, seed=5))
    assert not np.array_equal(bucket_indices(10, 10, 13, seed=5), bucket_indices(10, 10, 13, seed=6))
    np.testing.assert_array_equal(nn.HashedLinear(10, 10, 13, seed=5, rng=0).bucket_index,
                                  nn.HashedLinear(10, 10, 13, seed=5, rng=1).bucket_index)


def test_state_is_the_buckets_and_the_bias():
    layer = nn.HashedLinear(10, 10, 13, seed=5, rng=0)
    assert list(layer.state_dict()) == ["weight", "bias"]
    other = nn.HashedLinear(10, 10, 13, seed=5, rng=1)
    other.load_state_dict(layer.state_dict())
    x = ag.Tensor(np.ones((2, 10)))
    np.testing.assert_array_equal(other(x).numpy(), layer(x).numpy())


@pytest.mark.parametrize("arguments, message", [
    ((0, 5, 3), "in_features"),
    ((5, 0, 3), "out_features"),
    ((5, 5, 0), "buckets"),
    ((5, 5, 2.5), "buckets"),
    ((5, 5, 26), "more buckets"),
])
def test_bad_sizes_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        nn.HashedLinear(*arguments)


def test_bad_seed_and_inputs_are_refused():
    with pytest.raises(ValueError, match="seed"):
        nn.HashedLinear(3, 3, 4, seed=-1)
    with pytest.raises(ValueError, match="3 features"):
        nn.HashedLinear(3, 3, 4)(ag.Tensor(np.ones((2, 4))))
