"""Every layer's gradients pass gradcheck in float64; layer shapes, options and errors."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn


pytestmark = pytest.mark.usefixtures("float64_layers")  # gradcheck and float64 references


def inputs(shape, seed=0):
    return ag.Tensor(np.random.default_rng(seed).normal(size=shape), requires_grad=True)


def test_linear_forward_and_gradcheck():
    layer = nn.Linear(3, 2, rng=0)
    layer.bias.data = np.array([0.5, -1.0])
    x = inputs((4, 3))
    np.testing.assert_allclose(layer(x).numpy(), x.numpy() @ layer.weight.numpy() + layer.bias.numpy())
    ag.gradcheck(lambda x, W, b: layer(x), [x, layer.weight, layer.bias])


def test_linear_without_bias_and_wrong_width():
    layer = nn.Linear(3, 2, bias=False, rng=0)
    assert layer.bias is None and len(layer.parameters()) == 1
    with pytest.raises(ValueError, match="3 features"):
        layer(np.ones((2, 4)))


def test_maxout_takes_the_largest_piece_and_passes_gradcheck():
    layer = nn.Maxout(3, 2, pieces=3, rng=1)
    x = inputs((5, 3), seed=1)
    v = x.numpy() @ layer.linear.weight.numpy() + layer.linear.bias.numpy()
    expected = np.max(v.reshape(5, 3, 2), axis=1)    # piece k of unit j in column k * 2 + j
    np.testing.assert_allclose(layer(x).numpy(), expected)
    ag.gradcheck(lambda x, W, b: layer(x), [x, layer.linear.weight, layer.linear.bias])


@pytest.mark.parametrize("module, reference", [
    (nn.Identity(), lambda v: v),
    (nn.Sigmoid(), lambda v: 1 / (1 + np.exp(-v))),
    (nn.Tanh(), np.tanh),
    (nn.ReLU(), lambda v: np.maximum(v, 0)),
    (nn.HardTanh(), lambda v: np.clip(v, -1, 1)),
    (nn.LeakyReLU(0.2), lambda v: np.where(v > 0, v, 0.2 * v)),
    (nn.Softmax(), lambda v: np.exp(v) / np.exp(v).sum(axis=-1, keepdims=True)),
])
def test_activations_match_their_formulas_and_pass_gradcheck(module, reference):
    x = inputs((4, 3), seed=2)
    # keep inputs away from the kinks at 0 and +-1, where finite differences straddle a corner
    x.data = np.where(np.abs(np.abs(x.data) - 1) < 0.05, x.data * 1.2, x.data) + 0.01
    x.data = np.where(np.abs(x.data) < 0.05, 0.3, x.data)
    np.testing.assert_allclose(module(x).numpy(), reference(x.numpy()), rtol=1e-12)
    ag.gradcheck(module, [x])


def test_learnable_leaky_relu_learns_alpha():
    layer = nn.LeakyReLU(0.1, learnable=True)
    assert [name for name, _ in layer.named_parameters()] == ["alpha"]
    x = ag.Tensor(np.array([[-2.0, 1.5], [-0.5, 3.0]]), requires_grad=True)
    ag.gradcheck(lambda x, alpha: layer(x), [x, layer.alpha])
    layer(x).sum().backward()
    assert layer.alpha.grad.item() == pytest.approx(-2.5)   # d/d alpha = sum of the negative inputs
    assert nn.LeakyReLU(0.1).parameters() == []


def test_mlp_gradcheck_with_every_normalisation():
    x = inputs((6, 3), seed=3)
    for options in ({}, {"batch_norm": "pre"}, {"batch_norm": "post"}, {"layer_norm": True}):
        model = nn.MLP([3, 4, 2], activation="tanh", rng=4, **options)
        ag.gradcheck(lambda x, *parameters, model=model: model(x), [x, *model.parameters()])


def test_mlp_layout_follows_figure_3_18():
    pre = nn.MLP([4, 8, 8, 3], batch_norm="pre", rng=0)
    post = nn.MLP([4, 8, 8, 3], batch_norm="post", rng=0)
    assert [type(m).__name__ for m in pre] == ["Linear", "BatchNorm", "ReLU"] * 2 + ["Linear"]
    assert [type(m).__name__ for m in post] == ["Linear", "ReLU", "BatchNorm"] * 2 + ["Linear"]
    assert pre[0].bias is None and post[0].bias is not None   # beta replaces the bias before BN
    assert pre(np.ones((2, 4))).shape == (2, 3)
    with pytest.raises(ValueError, match="batch_norm"):
        nn.MLP([2, 2], batch_norm="middle")
    with pytest.raises(TypeError, match="not an instance"):
        nn.MLP([2, 2, 2], activation=nn.ReLU())


def test_mlp_is_reproducible_from_a_seed():
    first, second = nn.MLP([5, 7, 2], rng=11), nn.MLP([5, 7, 2], rng=11)
    for a, b in zip(first.parameters(), second.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    third = nn.MLP([5, 7, 2], rng=12)
    assert not np.array_equal(first[0].weight.numpy(), third[0].weight.numpy())


def test_preprocessing_inside_a_model_passes_gradcheck():
    X = np.random.default_rng(5).normal(size=(20, 3)) @ np.array([[2.0, 0.5, 0], [0, 1, 0.3], [0, 0, 0.2]])
    for transform in (nn.preprocessing.Standardization(), nn.preprocessing.PCAWhitening()):
        model = nn.Sequential(transform.fit(X), nn.Linear(3, 2, rng=0))
        x = ag.Tensor(X[:4].copy(), requires_grad=True)
        ag.gradcheck(lambda x, W, b, model=model: model(x), [x, *model.parameters()])
