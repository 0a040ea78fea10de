"""Losses against NumPy references, reductions, soft targets, hinge, and penalties (Sections 3.2.6-3.2.7)."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn import functional as F


pytestmark = pytest.mark.usefixtures("float64_layers")  # gradcheck and float64 references


def scores(shape=(5, 4), seed=0):
    return ag.Tensor(np.random.default_rng(seed).normal(size=shape), requires_grad=True)


def log_softmax(v):
    shifted = v - v.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def test_cross_entropy_with_labels_one_hot_and_soft_targets():
    v = scores()
    labels = np.array([0, 3, 1, 1, 2])
    one_hot = np.eye(4)[labels]
    soft = np.random.default_rng(1).dirichlet(np.ones(4), size=5)
    per_example = -(one_hot * log_softmax(v.numpy())).sum(axis=-1)
    assert F.cross_entropy(v, labels).item() == pytest.approx(per_example.mean())
    assert F.cross_entropy(v, one_hot, reduction="sum").item() == pytest.approx(per_example.sum())
    np.testing.assert_allclose(F.cross_entropy(v, labels, reduction="none").numpy(), per_example)
    expected_soft = -(soft * log_softmax(v.numpy())).sum(axis=-1).mean()
    assert F.cross_entropy(v, soft).item() == pytest.approx(expected_soft)
    F.cross_entropy(v, soft).backward()                      # d L / d v = (o - y) / m (Eq. 3.22)
    probabilities = np.exp(log_softmax(v.numpy()))
    np.testing.assert_allclose(v.grad.numpy(), (probabilities - soft) / 5)
    ag.gradcheck(lambda v: F.cross_entropy(v, soft, reduction="none"), [scores()])


def test_mse_and_binary_cross_entropy():
    v = scores((6,), seed=2)
    y = np.random.default_rng(3).uniform(size=6)
    assert F.mse(v, y).item() == pytest.approx(((v.numpy() - y) ** 2).mean())
    assert F.mse(v, ag.Tensor(y), reduction="sum").item() == pytest.approx(((v.numpy() - y) ** 2).sum())
    sigma = 1 / (1 + np.exp(-v.numpy()))
    bce = -(y * np.log(sigma) + (1 - y) * np.log(1 - sigma))
    np.testing.assert_allclose(F.binary_cross_entropy(v, y, reduction="none").numpy(), bce)
    ag.gradcheck(lambda v: F.binary_cross_entropy(v, y) + F.mse(v, y), [v])


def test_binary_hinge():
    v = ag.Tensor(np.array([2.0, 0.3, -0.4, -3.0]), requires_grad=True)
    y = np.array([1, 1, 1, -1])
    np.testing.assert_allclose(F.hinge(v, y, reduction="none").numpy(), [0.0, 0.7, 1.4, 0.0])
    F.hinge(v, y, reduction="sum").backward()
    np.testing.assert_allclose(v.grad.numpy(), [0.0, -1.0, -1.0, 0.0])
    with pytest.raises(ValueError, match="-1 or \\+1"):
        F.hinge(v, np.array([1, 0, 1, 1]))


def test_multiclass_hinge_matches_weston_watkins():
    v = scores((6, 3), seed=4)
    labels = np.array([0, 1, 2, 2, 1, 0])
    data = v.numpy()
    true = data[np.arange(6), labels][:, None]
    margins = np.maximum(0, 1 + data - true)
    margins[np.arange(6), labels] = 0
    assert F.hinge(v, labels).item() == pytest.approx(margins.sum(axis=1).mean())
    ag.gradcheck(lambda v: F.hinge(v, labels, reduction="none"), [v], kinks=True)
    assert nn.HingeLoss(reduction="sum")(v, labels).item() == pytest.approx(margins.sum())


def test_reduction_is_checked():
    with pytest.raises(ValueError, match="reduction"):
        F.mse(scores(), np.zeros((5, 4)), reduction="average")


def test_loss_modules_match_the_functions():
    v, labels = scores(), np.array([0, 1, 2, 3, 0])
    assert nn.CrossEntropyLoss()(v, labels).item() == F.cross_entropy(v, labels).item()
    assert nn.MSELoss(reduction="sum")(v, np.zeros((5, 4))).item() == pytest.approx((v.numpy() ** 2).sum())
    target = (np.random.default_rng(5).uniform(size=(5, 4)) > 0.5).astype(float)
    assert nn.BCEWithLogitsLoss()(v, target).item() == F.binary_cross_entropy(v, target).item()


def test_weight_penalty_covers_weights_only():
    model = nn.MLP([3, 4, 2], batch_norm="post", rng=0)
    W1, W2 = model[0].weight.numpy(), model[3].weight.numpy()
    penalty = F.weight_penalty(model, l1=0.1, l2=0.01)
    expected = 0.1 * (np.abs(W1).sum() + np.abs(W2).sum()) + 0.01 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    assert penalty.item() == pytest.approx(expected)
    penalty.backward()
    np.testing.assert_allclose(model[0].weight.grad.numpy(), 0.1 * np.sign(W1) + 0.02 * W1)
    assert model[0].bias.grad is None and model[2].gamma.grad is None
    assert F.weight_penalty(model).item() == 0.0


def test_activity_penalty_is_a_loss_on_a_hidden_node():
    x = np.random.default_rng(6).normal(size=(4, 3))
    model = nn.Sequential(nn.Linear(3, 5, rng=0), nn.ReLU(), nn.ActivityPenalty(l1=0.5), nn.Linear(5, 1, rng=1))
    out = model(x)
    hidden = ag.relu(model[0](x)).numpy()
    penalty = F.hidden_penalties(model)
    assert penalty.item() == pytest.approx(0.5 * np.abs(hidden).sum() / 4)
    # the gradient from the hidden penalty adds to the one from the output (Section 3.2.7)
    (out.sum() + penalty).backward()
    with_penalty = model[0].weight.grad.numpy().copy()
    model.zero_grad()
    model(x).sum().backward()
    without = model[0].weight.grad.numpy()
    active = (hidden > 0).astype(float)
    np.testing.assert_allclose(with_penalty - without, x.T @ (active * 0.5 / 4))
    model.eval()
    model(x)
    assert F.hidden_penalties(model) is None
    with pytest.raises(ValueError, match="l1 must be a finite number >= 0"):
        nn.ActivityPenalty(l1=-1)
