"""Magnitude pruning: which entries go, and that pruned weights stay exactly zero through training and loading."""
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


def weights(model):
    return [parameter for parameter in model.parameters() if parameter.ndim == 2]


def train_steps(model, optimizer, steps=5):
    X, y = data()
    for _ in range(steps):
        loss = nn.functional.cross_entropy(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def test_layer_sparsity_prunes_the_smallest_entries_of_each_matrix():
    model = small_model()
    before = [w.numpy().copy() for w in weights(model)]
    compress.prune(model, sparsity=0.5)
    for original, weight in zip(before, weights(model)):
        pruned = weight.numpy() == 0
        assert pruned.sum() == int(np.floor(0.5 * original.size + 0.5))
        assert np.abs(original[pruned]).max() <= np.abs(original[~pruned]).min()
        np.testing.assert_array_equal(weight.numpy()[~pruned], original[~pruned])


def test_global_sparsity_uses_one_threshold_over_all_matrices():
    model = small_model()
    before = [w.numpy().copy() for w in weights(model)]
    compress.prune(model, sparsity=0.6, scope="global")
    all_before = np.concatenate([b.ravel() for b in before])
    all_after = np.concatenate([w.numpy().ravel() for w in weights(model)])
    pruned = all_after == 0
    assert pruned.sum() == int(np.floor(0.6 * all_before.size + 0.5))
    assert np.abs(all_before[pruned]).max() <= np.abs(all_before[~pruned]).min()
    per_layer = [float((w.numpy() == 0).mean()) for w in weights(model)]
    assert max(per_layer) - min(per_layer) > 0.05  # a global threshold prunes layers unevenly


def test_threshold_prunes_entries_below_it():
    model = small_model()
    before = [w.numpy().copy() for w in weights(model)]
    compress.prune(model, threshold=0.3)
    for original, weight in zip(before, weights(model)):
        np.testing.assert_array_equal(weight.numpy() == 0, np.abs(original) < 0.3)


def test_masks_are_buffers_and_biases_are_untouched():
    model = small_model()
    biases = [p.numpy().copy() for p in model.parameters() if p.ndim == 1]
    compress.prune(model, sparsity=0.5)
    state = model.state_dict()
    assert [name for name in state if name.endswith("weight_mask")] == ["0.weight_mask", "2.weight_mask",
                                                                        "4.weight_mask"]
    assert state["0.weight_mask"].dtype == bool
    for before, after in zip(biases, [p.numpy() for p in model.parameters() if p.ndim == 1]):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("make_optimizer", [
    lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
    lambda params: optim.Adam(params, lr=0.01),
    lambda params: optim.RMSProp(params, lr=0.01),
    lambda params: nn.MomentumSGD(params, lr=0.1, momentum=0.9),
], ids=["sgd-momentum", "adam", "rmsprop", "fit-default"])
def test_pruned_weights_stay_exactly_zero_through_optimiser_steps(make_optimizer):
    model = small_model()
    optimizer = make_optimizer(model.parameters())
    train_steps(model, optimizer, steps=3)  # momentum and moments built up before pruning
    compress.prune(model, sparsity=0.7)
    masks = [w.numpy() == 0 for w in weights(model)]
    before = [w.numpy().copy() for w in weights(model)]
    train_steps(model, optimizer, steps=5)
    for mask, old, weight in zip(masks, before, weights(model)):
        assert np.all(weight.numpy()[mask] == 0)
        assert not np.array_equal(weight.numpy()[~mask], old[~mask])  # the kept weights did learn


def test_gradients_of_pruned_entries_are_zero():
    model = small_model()
    compress.prune(model, sparsity=0.5)
    X, y = data()
    nn.functional.cross_entropy(model(X), y).backward()
    for weight in weights(model):
        assert np.all(weight.grad.numpy()[weight.numpy() == 0] == 0)
        assert np.any(weight.grad.numpy()[weight.numpy() != 0] != 0)


def test_nan_assigned_to_a_pruned_entry_becomes_zero():
    model = small_model()
    compress.prune(model, sparsity=0.5)
    weight = weights(model)[0]
    mask = weight.numpy() == 0
    weight.data = np.full(weight.shape, np.nan)
    assert np.all(weight.numpy()[mask] == 0)
    assert np.all(np.isnan(weight.numpy()[~mask]))


def test_fit_fine_tunes_a_pruned_model():
    model = small_model()
    compress.prune(model, sparsity=0.8, scope="global")
    X, y = data(count=64)
    nn.fit(model, (X, y), epochs=2, batch_size=16, progress=False)
    assert compress.sparsity(model)["total"] == pytest.approx(0.8, abs=0.01)


def test_iterative_schedule_only_adds_zeros():
    model = small_model()
    compress.prune(model, sparsity=0.3)
    first = [w.numpy() == 0 for w in weights(model)]
    train_steps(model, optim.SGD(model.parameters(), lr=0.1, momentum=0.9))
    compress.prune(model, sparsity=0.6)
    for earlier, weight in zip(first, weights(model)):
        now = weight.numpy() == 0
        assert np.all(now[earlier])
        assert now.sum() == int(np.floor(0.6 * now.size + 0.5))


def test_masks_survive_save_and_load_state_dict_with_a_different_mask(tmp_path):
    source = small_model(seed=0)
    compress.prune(source, sparsity=0.3)
    nn.save(source, tmp_path / "pruned.npz")
    target = small_model(seed=1)
    compress.prune(target, sparsity=0.9)  # more zeros than the state being loaded
    target.load_state_dict(nn.load(tmp_path / "pruned.npz"))
    for loaded, original in zip(weights(target), weights(source)):
        np.testing.assert_array_equal(loaded.numpy(), original.numpy())
    train_steps(target, optim.SGD(target.parameters(), lr=0.1, momentum=0.9))
    for loaded, original in zip(weights(target), weights(source)):
        assert np.all(loaded.numpy()[original.numpy() == 0] == 0)


def test_loading_a_pruned_state_into_an_unpruned_model_is_refused():
    source = small_model()
    compress.prune(source, sparsity=0.5)
    with pytest.raises(ValueError, match="weight_mask"):
        small_model().load_state_dict(source.state_dict())


def test_the_optimizer_keeps_the_same_parameter_objects():
    model = small_model()
    before = [id(p) for p in model.parameters()]
    compress.prune(model, sparsity=0.5)
    assert [id(p) for p in model.parameters()] == before
    assert all(isinstance(w, compress.MaskedParameter) for w in weights(model))


@pytest.mark.parametrize("arguments, message", [
    ({}, "exactly one"),
    ({"sparsity": 0.5, "threshold": 0.1}, "exactly one"),
    ({"sparsity": 1.0}, "sparsity"),
    ({"sparsity": -0.1}, "sparsity"),
    ({"sparsity": "half"}, "sparsity"),
    ({"sparsity": None, "threshold": float("nan")}, "threshold"),
    ({"threshold": -1.0}, "threshold"),
    ({"sparsity": 0.5, "scope": "model"}, "scope"),
])
def test_bad_arguments_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        compress.prune(small_model(), **arguments)


def test_a_model_without_weight_matrices_is_refused():
    with pytest.raises(ValueError, match="no weight matrix"):
        compress.prune(nn.Sequential(nn.ReLU()), sparsity=0.5)
    with pytest.raises(TypeError, match="nn.Module"):
        compress.prune([ag.Tensor(np.ones((2, 2)))], sparsity=0.5)


def test_pruning_a_weight_that_holds_nan_is_refused():
    model = small_model()
    weights(model)[0].data = np.full((6, 8), np.nan)
    with pytest.raises(ValueError, match="NaN"):
        compress.prune(model, sparsity=0.5)


def test_a_deep_copy_of_a_pruned_model_stays_pruned_by_its_own_masks():
    import copy

    model = small_model()
    compress.prune(model, sparsity=0.5)
    clone = copy.deepcopy(model)
    for original, copied in zip(weights(model), weights(clone)):
        assert copied is not original and isinstance(copied, compress.MaskedParameter)
        np.testing.assert_array_equal(copied.numpy(), original.numpy())
    train_steps(clone, optim.SGD(clone.parameters(), lr=0.1, momentum=0.9))
    for original, copied in zip(weights(model), weights(clone)):
        assert np.all(copied.numpy()[original.numpy() == 0] == 0)
    compress.prune(clone, sparsity=0.8)  # the copy's masks are its own
    assert compress.sparsity(model)["total"] == pytest.approx(0.5, abs=0.01)
    alone = copy.deepcopy(weights(model)[0])
    assert type(alone) is nn.Parameter
