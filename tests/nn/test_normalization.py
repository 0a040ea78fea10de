"""BatchNorm against a hand-written NumPy implementation of Eq. 3.58-3.65, and LayerNorm."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn


pytestmark = pytest.mark.usefixtures("float64_layers")  # gradcheck and float64 references


def reference_batch_norm(v, gamma, beta, eps, grad_a):
    """Forward (Eq. 3.58-3.61) and the closed-form backward of Eq. 3.62-3.65, written out in NumPy."""
    m = v.shape[0]
    mu = v.sum(axis=0) / m                                            # Eq. 3.58
    sigma2 = ((v - mu) ** 2).sum(axis=0) / m                          # Eq. 3.59
    vhat = (v - mu) / np.sqrt(sigma2 + eps)                           # Eq. 3.60
    a = gamma * vhat + beta                                           # Eq. 3.61
    grad_beta = grad_a.sum(axis=0)                                    # Eq. 3.62: dL/dbeta_i
    grad_gamma = (grad_a * vhat).sum(axis=0)                          # Eq. 3.63: dL/dgamma_i
    grad_vhat = grad_a * gamma                                        # Eq. 3.65: dL/dvhat_i = gamma_i dL/da_i
    # dL/dsigma_i^2 and dL/dmu_i, the two terms that Eq. 3.64 needs besides dL/dvhat_i
    grad_sigma2 = -0.5 * (sigma2 + eps) ** -1.5 * (grad_vhat * (v - mu)).sum(axis=0)
    grad_mu = -(grad_vhat / np.sqrt(sigma2 + eps)).sum(axis=0)
    grad_mu += grad_sigma2 * (-2.0 / m) * (v - mu).sum(axis=0)
    grad_v = (grad_vhat / np.sqrt(sigma2 + eps)                       # Eq. 3.64: dL/dv_i^(r), three terms
              + grad_sigma2 * 2.0 * (v - mu) / m
              + grad_mu / m)
    return a, grad_v, grad_gamma, grad_beta


def test_batch_norm_backward_matches_equations_3_62_to_3_65():
    rng = np.random.default_rng(0)
    m, d = 7, 4
    v_data = rng.normal(2.0, 3.0, size=(m, d))
    grad_a = rng.normal(size=(m, d))
    layer = nn.BatchNorm(d, eps=1e-5)
    layer.gamma.data = rng.normal(size=d)
    layer.beta.data = rng.normal(size=d)
    v = ag.Tensor(v_data, requires_grad=True)
    a = layer(v)
    a.backward(grad_a)
    expected_a, grad_v, grad_gamma, grad_beta = reference_batch_norm(
        v_data, layer.gamma.numpy(), layer.beta.numpy(), 1e-5, grad_a)
    np.testing.assert_allclose(a.numpy(), expected_a, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(v.grad.numpy(), grad_v, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(layer.gamma.grad.numpy(), grad_gamma, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.beta.grad.numpy(), grad_beta, rtol=1e-12, atol=1e-12)
    # the input gradient of batch normalisation sums to zero over the batch (shifting v changes nothing)
    np.testing.assert_allclose(v.grad.numpy().sum(axis=0), 0.0, atol=1e-10)


def test_batch_norm_output_has_zero_mean_unit_variance_per_unit():
    v = np.random.default_rng(1).normal(5.0, 4.0, size=(32, 3))
    out = nn.BatchNorm(3)(v).numpy()
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), 1.0, rtol=1e-4)


def test_batch_norm_gradcheck():
    rng = np.random.default_rng(2)
    layer = nn.BatchNorm(3)
    layer.gamma.data = rng.normal(size=3)
    v = ag.Tensor(rng.normal(size=(5, 3)), requires_grad=True)
    ag.gradcheck(lambda v, gamma, beta: layer(v), [v, layer.gamma, layer.beta])


def test_batch_of_one_in_training_raises_a_clear_error():
    layer = nn.BatchNorm(4)
    with pytest.raises(ValueError, match="at least 2 examples"):
        layer(np.ones((1, 4)))
    layer.eval()
    assert layer(np.ones((1, 4))).shape == (1, 4)


def test_wrong_width_is_reported():
    with pytest.raises(ValueError, match=r"shape \(batch, 4\)"):
        nn.BatchNorm(4)(np.ones((3, 5)))


def test_running_averages_follow_the_momentum_rule():
    rng = np.random.default_rng(3)
    layer = nn.BatchNorm(2, momentum=0.25)
    batch = rng.normal(size=(8, 2))
    layer(batch)
    np.testing.assert_allclose(layer.running_mean, 0.25 * batch.mean(axis=0))
    np.testing.assert_allclose(layer.running_var, 0.75 + 0.25 * batch.var(axis=0, ddof=1))
    layer.eval()
    expected = (batch - layer.running_mean) / np.sqrt(layer.running_var + layer.eps)
    np.testing.assert_allclose(layer(batch).numpy(), expected)


def test_eval_mode_records_nothing_and_does_not_depend_on_the_batch():
    layer = nn.BatchNorm(3)
    layer(np.random.default_rng(4).normal(size=(10, 3)))
    layer.eval()
    before = layer.running_mean.copy()
    x = np.random.default_rng(5).normal(size=(6, 3))
    np.testing.assert_array_equal(layer(x).numpy()[:2], layer(x[:2]).numpy())
    np.testing.assert_array_equal(layer.running_mean, before)


def test_population_statistics_are_those_of_the_whole_data_set():
    rng = np.random.default_rng(6)
    X = rng.normal(3.0, 2.0, size=(96, 4))
    layer = nn.BatchNorm(4)
    nn.compute_population_statistics(layer, nn.DataLoader(X, batch_size=16, shuffle=True, seed=0))
    np.testing.assert_allclose(layer.population_mean, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.population_var, X.var(axis=0, ddof=1), rtol=1e-10)
    np.testing.assert_array_equal(layer.running_mean, np.zeros(4))   # left untouched
    assert layer.statistics == "population" and layer.training
    layer.eval()
    expected = (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0, ddof=1) + layer.eps)
    np.testing.assert_allclose(layer(X).numpy(), expected, rtol=1e-9)
    layer.statistics = "running"
    np.testing.assert_allclose(layer(X).numpy(), (X - 0.0) / np.sqrt(1.0 + layer.eps))


def test_population_statistics_requested_before_computed():
    layer = nn.BatchNorm(2).eval()
    layer.statistics = "population"
    with pytest.raises(RuntimeError, match="compute_population_statistics"):
        layer(np.ones((3, 2)))


def test_population_statistics_of_a_deeper_layer_see_its_normalised_input():
    model = nn.MLP([3, 5, 2], batch_norm="post", rng=0)
    X = np.random.default_rng(7).normal(size=(40, 3))
    nn.compute_population_statistics(model, [(X[:20],), (X[20:],)])
    assert isinstance(model[2], nn.BatchNorm)
    inputs = np.concatenate([ag.relu(model[0](part)).numpy() for part in (X[:20], X[20:])])
    np.testing.assert_allclose(model[2].population_mean, inputs.mean(axis=0), rtol=1e-10)


def test_layer_norm_normalises_each_example_and_passes_gradcheck():
    rng = np.random.default_rng(8)
    layer = nn.LayerNorm(5)
    x = rng.normal(2.0, 3.0, size=(1, 5))
    out = layer(x).numpy()
    np.testing.assert_allclose(out.mean(axis=-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=-1), 1.0, rtol=1e-4)
    layer.gamma.data = rng.normal(size=5)
    layer.beta.data = rng.normal(size=5)
    x = ag.Tensor(rng.normal(size=(2, 3, 5)), requires_grad=True)
    ag.gradcheck(lambda x, gamma, beta: layer(x), [x, layer.gamma, layer.beta])
