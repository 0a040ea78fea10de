"""nn for a PyTorch user: ModuleList, ModuleDict, Dropout, Flatten, apply, zero_grad, functional names, dtypes."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn import functional as F


class Tower(nn.Module):
    def __init__(self, depth):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(3, 3, rng=index) for index in range(depth)])
        self.heads = nn.ModuleDict({"score": nn.Linear(3, 1, rng=9), "label": nn.Linear(3, 2, rng=10)})

    def forward(self, x):
        for layer in self.layers:
            x = ag.tanh(layer(x))
        return self.heads["score"](x), self.heads["label"](x)


def test_module_list_and_dict_register_their_parameters():
    tower = Tower(3)
    names = [name for name, _ in tower.named_parameters()]
    assert names[:2] == ["layers.0.weight", "layers.0.bias"]
    assert "heads.score.weight" in names and "heads.label.bias" in names
    assert len(tower.parameters()) == 2 * 3 + 2 * 2
    assert set(tower.state_dict()) == set(names)
    score, label = tower(np.ones((4, 3)))
    (score.sum() + label.sum()).backward()
    assert all(parameter.grad is not None for parameter in tower.parameters())
    tower.eval()
    assert not tower.layers[2].training and not tower.heads["label"].training


def test_module_list_behaves_like_a_list():
    layers = nn.ModuleList()
    layers.append(nn.ReLU()).extend([nn.Tanh(), nn.Sigmoid()])
    layers.insert(0, nn.Identity())
    assert [type(layer).__name__ for layer in layers] == ["Identity", "ReLU", "Tanh", "Sigmoid"]
    assert len(layers) == 4 and isinstance(layers[1:3], nn.ModuleList) and len(layers[1:3]) == 2
    layers[0] = nn.HardTanh()
    del layers[1]
    assert [type(layer).__name__ for layer in layers] == ["HardTanh", "Tanh", "Sigmoid"]
    assert list(layers._modules) == ["0", "1", "2"]
    with pytest.raises(TypeError, match="ModuleList holds Modules, got int"):
        layers.append(3)
    with pytest.raises(TypeError, match="has no forward"):
        layers(np.ones(2))


def test_module_dict_behaves_like_a_dict():
    heads = nn.ModuleDict()
    heads["a"] = nn.ReLU()
    heads.update([("b", nn.Tanh())])
    assert list(heads) == ["a", "b"] and "a" in heads and len(heads) == 2
    assert [key for key, _ in heads.items()] == heads.keys() == ["a", "b"]
    assert isinstance(heads.pop("a"), nn.ReLU) and "a" not in heads
    for bad in ("", "x.y", 3, "training", "update"):
        with pytest.raises(KeyError):
            heads[bad] = nn.ReLU()


def test_modules_in_a_plain_list_or_dict_warn():
    class Hidden(nn.Module):
        def __init__(self, container):
            super().__init__()
            self.layers = container

    with pytest.warns(UserWarning, match=r"Hidden.layers is a plain list holding Modules.*nn.ModuleList"):
        model = Hidden([nn.Linear(2, 2)])
    assert model.parameters() == []  # what the warning is about
    with pytest.warns(UserWarning, match=r"plain dict.*nn.ModuleDict"):
        Hidden({"a": nn.Linear(2, 2)})
    with pytest.warns(UserWarning, match=r"plain tuple"):
        Hidden((nn.ReLU(),))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Hidden([1, 2, 3])  # a list of numbers is just a list
        Hidden(nn.ModuleList([nn.ReLU()]))


def test_dropout_is_inverted_and_off_in_evaluation():
    layer = nn.Dropout(0.25, rng=0)
    x = ag.ones(400, 50)
    out = layer(x).numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], 1.0 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.01  # 20,000 draws: the standard error is 0.003
    assert abs(out.mean() - 1.0) < 0.02
    layer.eval()
    assert layer(x) is x
    x = ag.ones(3, 4, requires_grad=True)
    layer.train()
    y = layer(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.numpy())  # the gradient goes through the kept entries, scaled
    assert np.all(nn.Dropout(1.0)(x).numpy() == 0) and nn.Dropout(0.0)(x) is x
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        nn.Dropout(1.5)


def test_dropout_masks_follow_the_seed():
    first = nn.Dropout(0.5, rng=3)(ag.ones(10)).numpy()
    second = nn.Dropout(0.5, rng=3)(ag.ones(10)).numpy()
    np.testing.assert_array_equal(first, second)
    ag.manual_seed(4)
    third = nn.Dropout(0.5)(ag.ones(10)).numpy()
    ag.manual_seed(4)
    np.testing.assert_array_equal(third, nn.Dropout(0.5)(ag.ones(10)).numpy())
    np.testing.assert_array_equal(F.dropout(ag.ones(3), 0.5, training=False).numpy(), np.ones(3))


def test_flatten_keeps_the_batch_axis():
    assert nn.Flatten()(ag.ones(2, 3, 4)).shape == (2, 12)
    assert nn.Flatten(0)(np.ones((2, 3))).shape == (6,)
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 2, rng=0))
    assert model(np.ones((5, 3, 4))).shape == (5, 2)


def test_apply_visits_every_module_children_first():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Sequential(nn.Linear(3, 1, rng=1)))
    visited = []
    assert model.apply(lambda module: visited.append(type(module).__name__)) is model
    assert visited == ["Linear", "Sequential", "ReLU", "Linear", "Sequential"]

    def zero_biases(module):
        if isinstance(module, nn.Linear):
            module.bias.data = module.bias.data * 0 + 1

    model.apply(zero_biases)
    assert all(np.all(layer.bias.numpy() == 1) for layer in (model[0], model[2][0]))


def test_zero_grad_set_to_none_or_zeros():
    model = nn.Linear(2, 2, rng=0)
    model(np.ones((1, 2))).sum().backward()
    model.zero_grad(set_to_none=False)
    for parameter in model.parameters():
        assert parameter.grad is not None and parameter.grad.dtype == parameter.dtype
        np.testing.assert_array_equal(parameter.grad.numpy(), np.zeros(parameter.shape))
    model.zero_grad()
    assert all(parameter.grad is None for parameter in model.parameters())


def test_functional_activations_under_pytorchs_names():
    v = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0]])
    x = ag.tensor(v)
    pairs = [(F.relu(x), ag.relu(x)), (F.sigmoid(x), ag.sigmoid(x)), (F.tanh(x), ag.tanh(x)),
             (F.softmax(x, dim=1), ag.softmax(x, axis=1)), (F.log_softmax(x, dim=-1), ag.log_softmax(x)),
             (F.leaky_relu(x, negative_slope=0.2), ag.leaky_relu(x, 0.2)), (F.hardtanh(x), ag.hard_tanh(x)),
             (F.elu(x, alpha=0.5), ag.elu(x, 0.5)), (F.selu(x), ag.selu(x)), (F.silu(x), ag.silu(x)),
             (F.gelu(x, approximate="tanh"), ag.gelu(x, approximate="tanh")), (F.gelu(x), ag.gelu(x)),
             (F.softplus(x, beta=2.0), ag.softplus(x, 2.0)), (F.log_sigmoid(x), ag.log_sigmoid(x))]
    for ours, engines in pairs:
        np.testing.assert_array_equal(ours.numpy(), engines.numpy())
    np.testing.assert_array_equal(F.one_hot(np.array([1, 0]), 3).numpy(), [[0, 1, 0], [1, 0, 0]])


# --- dtypes ----------------------------------------------------------------------------------------------
def test_layers_are_float32_by_default_and_follow_set_default_dtype():
    assert nn.get_default_dtype() == np.float32
    model = nn.MLP([4, 8, 2], batch_norm="pre", rng=0)
    assert {parameter.dtype for parameter in model.parameters()} == {np.dtype(np.float32)}
    assert nn.LayerNorm(3).gamma.dtype == np.float32 and nn.LeakyReLU(learnable=True).alpha.dtype == np.float32
    with nn.set_default_dtype(np.float64):
        assert nn.Linear(2, 2).weight.dtype == np.float64
        assert nn.BatchNorm(2).running_mean.dtype == np.float64
    assert nn.get_default_dtype() == np.float32
    assert nn.Linear(2, 2, dtype=np.float64).weight.dtype == np.float64
    with pytest.raises(TypeError, match="floating-point"):
        nn.set_default_dtype(np.int32)
    with pytest.raises(TypeError, match="floating-point"):
        nn.Linear(2, 2, dtype=np.int64)


def test_set_default_dtype_as_a_call_lasts_until_changed():
    nn.set_default_dtype(np.float64)
    try:
        assert nn.Linear(2, 2).weight.dtype == np.float64
    finally:
        nn.set_default_dtype(np.float32)
    assert nn.Linear(2, 2).weight.dtype == np.float32


@pytest.mark.parametrize("layer", [nn.Linear(4, 3, rng=0), nn.MLP([4, 5, 3], batch_norm="pre", rng=0),
                                   nn.MLP([4, 5, 3], layer_norm=True, rng=0), nn.Maxout(4, 3, rng=0)],
                         ids=["Linear", "MLP batch norm", "MLP layer norm", "Maxout"])
def test_a_float32_layer_computes_in_float32_whatever_its_input(layer):
    data = np.random.default_rng(0).standard_normal((6, 4))
    for x in (data, data.astype(np.float32), ag.tensor(data, requires_grad=True)):
        out = layer(x)
        assert out.dtype == np.float32
    x = ag.tensor(data, requires_grad=True)
    layer(x).sum().backward()
    assert x.grad.dtype == np.float64  # the gradient comes back in the input's own dtype


def test_a_float32_input_is_not_upcast_unless_float64_layers_were_chosen():
    x = np.ones((2, 4), dtype=np.float32)
    assert nn.Linear(4, 2, rng=0)(x).dtype == np.float32
    assert nn.Linear(4, 2, rng=0, dtype=np.float64)(x).dtype == np.float64  # chosen: computed in float64


@pytest.mark.gpu
def test_dropout_and_float32_layers_on_the_gpu():
    model = nn.Sequential(nn.Linear(4, 8, rng=0), nn.Dropout(0.5), nn.Linear(8, 2, rng=1)).to("cuda")
    x = ag.tensor(np.ones((3, 4)), device="cuda")  # float64 data
    out = model(x)
    assert out.device == "cuda:0" and out.dtype == np.float32
    model.eval()
    assert model(x).device == "cuda:0"


def test_smooth_activation_modules_apply_the_engines_functions():
    x = ag.tensor(np.linspace(-3.0, 3.0, 7))
    pairs = [(nn.Softplus(beta=2.0), ag.softplus(x, 2.0)), (nn.ELU(alpha=0.5), ag.elu(x, 0.5)),
             (nn.SELU(), ag.selu(x)), (nn.GELU(), ag.gelu(x)), (nn.GELU("tanh"), ag.gelu(x, "tanh")),
             (nn.SiLU(), ag.silu(x))]
    for module, expected in pairs:
        np.testing.assert_array_equal(module(x).numpy(), expected.numpy())
    assert isinstance(nn.MLP([2, 3, 1], activation="gelu", rng=0)[1], nn.GELU)
    with pytest.raises(ValueError, match="approximate must be one of"):
        nn.GELU("sigmoid")


def test_manual_seed_makes_layers_built_without_rng_reproducible():
    ag.manual_seed(12)
    first = nn.MLP([3, 4, 2]).state_dict()
    ag.manual_seed(12)
    second = nn.MLP([3, 4, 2]).state_dict()
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
    assert not np.array_equal(nn.Linear(3, 4).weight.numpy(), nn.Linear(3, 4).weight.numpy())
