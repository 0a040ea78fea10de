"""Mimic models: soft targets of a teacher or an ensemble, the distillation loss, and a student that learns them."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn import compress

pytestmark = pytest.mark.usefixtures("float64_layers")  # written against float64 references

rng = np.random.default_rng(0)
X = rng.normal(size=(240, 5))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_soft_targets_average_the_ensembles_probabilities():
    teachers = [nn.MLP([5, 8, 3], rng=seed) for seed in range(3)]
    expected = np.mean([softmax(nn.predict(t, X) / 2.0) for t in teachers], axis=0)
    np.testing.assert_allclose(compress.soft_targets(teachers, X, temperature=2.0), expected, rtol=1e-12)
    np.testing.assert_allclose(compress.soft_targets(teachers[0], X), softmax(nn.predict(teachers[0], X)),
                               rtol=1e-12)


def test_a_higher_temperature_softens_the_targets():
    teacher = nn.MLP([5, 8, 3], rng=0)
    entropy = [-(p * np.log(p)).sum(axis=1).mean() for p in
               (compress.soft_targets(teacher, X * 5, temperature=t) for t in (0.5, 1.0, 4.0))]
    assert entropy[0] < entropy[1] < entropy[2]


def test_the_loss_gradient_is_T_times_softmax_minus_target_over_n():
    logits = ag.Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    targets = softmax(rng.normal(size=(4, 3)))
    compress.distillation_loss(logits, targets, temperature=3.0).backward()
    np.testing.assert_allclose(logits.grad.numpy(), 3.0 * (softmax(logits.numpy() / 3.0) - targets) / 4, rtol=1e-10)
    report = ag.gradcheck(lambda z: compress.distillation_loss(z, targets, temperature=3.0),
                          [ag.Tensor(rng.normal(size=(4, 3)), requires_grad=True)])
    assert report.passed, str(report)


@pytest.mark.parametrize("teacher_seeds", [[0], [0, 1, 2]], ids=["one-teacher", "ensemble"])
def test_a_student_learns_to_agree_with_its_teacher_without_labels(teacher_seeds):
    teachers = [nn.MLP([5, 16, 3], rng=seed) for seed in teacher_seeds]
    student = nn.MLP([5, 16, 3], rng=10)
    X_test = np.random.default_rng(1).normal(size=(200, 5))
    ensemble = compress.soft_targets(teachers, X_test).argmax(axis=1)
    before = (nn.predict(student, X_test).argmax(axis=1) == ensemble).mean()
    history = compress.distill(teachers if len(teachers) > 1 else teachers[0], student, X, epochs=15,
                               temperature=2.0, batch_size=16, lr=0.05)
    after = (nn.predict(student, X_test).argmax(axis=1) == ensemble).mean()
    assert history["loss"][-1] < history["loss"][0]
    assert after > 0.85 and after > before + 0.2


@pytest.mark.parametrize("temperature", [0, -1.0, float("inf"), float("nan"), "2", True])
def test_bad_temperatures_are_refused(temperature):
    with pytest.raises(ValueError, match="temperature"):
        compress.distill(nn.MLP([5, 3]), nn.MLP([5, 3]), X, temperature=temperature)


def test_bad_teachers_students_and_inputs_are_refused():
    with pytest.raises(TypeError, match="teacher"):
        compress.distill([], nn.MLP([5, 3]), X)
    with pytest.raises(TypeError, match="student"):
        compress.distill(nn.MLP([5, 3]), "student", X)
    with pytest.raises(ValueError, match="2-D"):
        compress.distill(nn.MLP([5, 3]), nn.MLP([5, 3]), X[0])
    with pytest.raises(ValueError, match="NaN"):
        compress.distill(nn.MLP([5, 3]), nn.MLP([5, 3]), np.full((4, 5), np.nan))
    with pytest.raises(ValueError, match="disagree"):
        compress.soft_targets([nn.MLP([5, 3]), nn.MLP([5, 4])], X)
