"""Low rank by SVD: the best rank-k approximation, the text's parameter ratio, and fix-U-learn-V."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn, optim
from autograd_core.nn import compress

pytestmark = pytest.mark.usefixtures("float64_layers")  # written against float64 references


def linear_with(weight, bias=None):
    layer = nn.Linear(*weight.shape, bias=bias is not None)
    layer.weight.data = weight
    if bias is not None:
        layer.bias.data = bias
    return layer


def test_the_texts_parameter_ratio():
    assert compress.parameter_ratio(100, 100, 10) == pytest.approx(5.0)       # HARMONIC-MEAN(100, 100) / 20
    assert compress.parameter_ratio(64, 256, 16) == pytest.approx(64 * 256 / (16 * (64 + 256)))
    factorised = compress.low_rank(nn.Linear(64, 256, bias=False), 16)
    assert nn.Linear(64, 256, bias=False).num_parameters() / (factorised.Vt.size + factorised.U.size) == \
        pytest.approx(compress.parameter_ratio(64, 256, 16))


def test_full_rank_reproduces_the_layer_and_rank_k_is_the_eckart_young_optimum():
    rng = np.random.default_rng(0)
    weight, bias = rng.normal(size=(12, 8)), rng.normal(size=8)
    x = rng.normal(size=(5, 12))
    full = compress.low_rank(linear_with(weight, bias), 8)
    np.testing.assert_allclose(full(ag.Tensor(x)).numpy(), x @ weight + bias, rtol=1e-10, atol=1e-12)
    sigma = np.linalg.svd(weight, compute_uv=False)
    for k in (1, 3, 5):
        layer = compress.low_rank(linear_with(weight, bias), k)
        assert np.linalg.matrix_rank(layer.dense_weight()) == k
        error = np.linalg.norm(weight - layer.dense_weight())
        assert error == pytest.approx(np.sqrt((sigma[k:] ** 2).sum()), rel=1e-10)


def test_fixing_U_leaves_only_V_and_the_bias_to_learn():
    rng = np.random.default_rng(1)
    layer = compress.low_rank(linear_with(rng.normal(size=(6, 5)), rng.normal(size=5)), 2)
    assert [name for name, _ in layer.named_parameters()] == ["Vt", "bias"]
    U = layer.U.copy()
    optimizer = optim.SGD(layer.parameters(), lr=0.1)
    x, target = rng.normal(size=(10, 6)), rng.normal(size=(10, 5))
    Vt = layer.Vt.numpy().copy()
    for _ in range(3):
        loss = nn.functional.mse(layer(ag.Tensor(x)), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    np.testing.assert_array_equal(layer.U, U)
    assert not np.array_equal(layer.Vt.numpy(), Vt)
    learned = compress.low_rank(linear_with(rng.normal(size=(6, 5))), 2, fix_U=False)
    assert [name for name, _ in learned.named_parameters()] == ["U", "Vt"]


def test_gradcheck_of_the_factorised_layer():
    rng = np.random.default_rng(2)
    layer = compress.low_rank(linear_with(rng.normal(size=(4, 3)), rng.normal(size=3)), 2, fix_U=False)
    x = ag.Tensor(rng.normal(size=(2, 4)))
    report = ag.gradcheck(lambda U, Vt, bias: ag.tanh(layer.forward(x)), [layer.U, layer.Vt, layer.bias])
    assert report.passed, str(report)


def test_a_model_has_its_large_layers_replaced_in_order(tmp_path):
    model = nn.MLP([20, 30, 4], rng=0)
    X = np.random.default_rng(3).normal(size=(7, 20))
    assert compress.low_rank(model, 5) is model
    assert [type(m).__name__ for m in model] == ["LowRankLinear", "ReLU", "Linear"]  # 30 x 4 at rank 5 saves nothing
    compress.save(model, tmp_path / "low_rank.agcz")
    np.testing.assert_array_equal(nn.predict(compress.load(tmp_path / "low_rank.agcz"), X), nn.predict(model, X))


@pytest.mark.parametrize("k", [0, 6, 2.0, True, None])
def test_bad_ranks_are_refused(k):
    with pytest.raises(ValueError, match="k must be"):
        compress.low_rank(nn.Linear(5, 8), k)


def test_nothing_to_factorise_and_non_finite_weights_are_refused():
    with pytest.raises(ValueError, match="no Linear layer"):
        compress.low_rank(nn.MLP([4, 3, 2]), 3)
    layer = nn.Linear(3, 3)
    layer.weight.data = np.full((3, 3), np.nan)
    with pytest.raises(ValueError, match="finite"):
        compress.low_rank(layer, 1)
