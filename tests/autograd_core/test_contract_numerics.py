"""Contract: the numbers are right at the edges of the range, and checks do not pass what disagrees.

sigmoid to a few ulp everywhere (against SciPy's ``expit``), a stable
log_sigmoid, cross-entropy with -inf logits and unnormalised soft targets,
gradcheck's relative ratio (Eq. 3.34), and the reference cycle of
``backward(create_graph=True)``. Clipping huge gradients is in tests/optim.
"""
import gc
import math
import weakref

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.gradcheck import relative_ratio

special = pytest.importorskip("scipy.special", reason="SciPy's expit is the reference for sigmoid")


def leaf(*shape, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def first_derivative(loss_of):
    """t -> d loss_of(t) / d t, recorded so that gradcheck can check the second derivative."""
    def derivative(t):
        with ag.enable_grad():  # gradcheck evaluates under no_grad for its finite differences
            return ag.grad(loss_of(t), t, create_graph=True)
    return derivative


# --- sigmoid and log_sigmoid ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype, low", [(np.float64, -700.0), (np.float32, -80.0)])
def test_sigmoid_is_accurate_to_a_few_ulp_over_the_whole_range(dtype, low):
    x = np.concatenate([np.linspace(low, -low, 20001), [-37.0, -36.0, -17.0, -30.0, 0.0, 17.0, 40.0]]).astype(dtype)
    actual = ag.sigmoid(ag.tensor(x)).numpy()
    expected = special.expit(x)
    assert actual.dtype == dtype
    np.testing.assert_array_max_ulp(actual, expected, maxulp=4)


def test_sigmoid_values_the_tanh_form_got_wrong():
    assert ag.sigmoid(ag.tensor(-36.0)).item() == pytest.approx(special.expit(-36.0), rel=1e-15)
    assert ag.sigmoid(ag.tensor(-40.0)).item() == pytest.approx(4.248354255291589e-18, rel=1e-15)
    single = ag.sigmoid(ag.tensor(np.float32(-17.0))).item()
    assert single == pytest.approx(float(special.expit(np.float32(-17.0))), rel=1e-6)
    assert ag.sigmoid(ag.tensor(np.float32(-30.0))).item() > 0
    assert ag.sigmoid(ag.tensor(1000.0)).item() == 1.0 and ag.sigmoid(ag.tensor(-1000.0)).item() == 0.0


def test_log_sigmoid_is_stable():
    assert ag.log_sigmoid(ag.tensor(-40.0)).item() == pytest.approx(-40.0, rel=1e-15)
    assert ag.log_sigmoid(ag.tensor(-1000.0)).item() == -1000.0
    assert ag.log_sigmoid(ag.tensor(40.0)).item() == pytest.approx(-special.expit(-40.0), rel=1e-12)
    x = np.linspace(-30, 30, 101)
    np.testing.assert_allclose(ag.log_sigmoid(ag.tensor(x)).numpy(), -np.logaddexp(0.0, -x), rtol=1e-13)
    single = ag.log_sigmoid(ag.tensor(np.float32([-200.0, 0.0, 200.0])))
    assert single.dtype == np.float32 and np.all(np.isfinite(single.numpy()))


def test_log_sigmoid_gradients():
    x = leaf(5)
    ag.gradcheck(ag.log_sigmoid, [x])
    assert ag.compare(ag.log_sigmoid(x).sum(), x)
    first = ag.grad(ag.log_sigmoid(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(first.numpy(), special.expit(-x.numpy()))
    ag.gradcheck(first_derivative(lambda t: ag.log_sigmoid(t).sum()), [x])
    far = ag.tensor([-1000.0, 1000.0], requires_grad=True)
    ag.log_sigmoid(far).sum().backward()
    np.testing.assert_array_equal(far.grad.numpy(), [1.0, 0.0])


# --- cross-entropy at the edges ------------------------------------------------------------------
def test_cross_entropy_with_a_minus_inf_logit_is_finite():
    logits = ag.tensor([[0.0, -np.inf, 1.0], [2.0, 0.5, -np.inf]], requires_grad=True)
    labels = np.array([0, 1])
    loss = ag.cross_entropy(logits, labels)
    finite = np.array([[0.0, 1.0], [2.0, 0.5]])
    expected = np.mean([-(0.0 - np.log(np.exp(finite[0]).sum())), -(0.5 - np.log(np.exp(finite[1]).sum()))])
    assert loss.item() == pytest.approx(expected)
    loss.backward()
    assert np.all(np.isfinite(logits.grad.numpy()))
    assert logits.grad.numpy()[0, 1] == 0.0
    soft = ag.cross_entropy(logits, np.array([[0.5, 0.0, 0.5], [1.0, 0.0, 0.0]]))
    assert np.isfinite(soft.item())


def test_cross_entropy_with_soft_targets_that_do_not_sum_to_1():
    targets = np.array([[0.2, 0.3, 0.9], [0.0, 0.4, 0.1]])  # rows sum to 1.4 and 0.5
    logits = leaf(2, 3)
    ag.gradcheck(lambda v: ag.cross_entropy(v, targets), [logits])
    ag.gradcheck(lambda v: ag.cross_entropy(v, targets, reduction="none"), [logits])
    probabilities = special.softmax(logits.numpy(), axis=-1)
    ag.cross_entropy(logits, targets, reduction="sum").backward()
    np.testing.assert_allclose(logits.grad.numpy(), probabilities * targets.sum(-1, keepdims=True) - targets)
    ag.gradcheck(first_derivative(lambda v: ag.cross_entropy(v, targets)), [logits])


# --- gradcheck's relative ratio (Eq. 3.34) ---------------------------------------------------
def test_relative_ratio_follows_the_equation():
    assert relative_ratio(1e-11, -1e-11) == math.inf  # opposite signs never pass, however small
    assert relative_ratio(3e-9, 1e-9) == pytest.approx(0.5)  # small but resolvable: the equation
    assert relative_ratio(1.0, 1.0 + 2e-6) == pytest.approx(1e-6, rel=1e-3)
    assert relative_ratio(0.0, 0.0) == 0.0
    assert relative_ratio(0.0, -4e-11) == 0.0  # an exact zero and finite-difference rounding
    assert relative_ratio(2e-11, 5e-11) == 0.0  # both within the rounding of the difference


class TinyWrongSign(ag.Function):
    """d/dx (1e-11 x) is 1e-11; this backward claims -1e-11."""

    @staticmethod
    def forward(ctx, x):
        return x * 1e-11

    @staticmethod
    def backward(ctx, grad_output):
        return -1e-11 * grad_output


def test_gradcheck_catches_a_tiny_gradient_of_the_wrong_sign():
    x = ag.tensor(np.array([0.3, -0.2]), requires_grad=True)
    report = ag.gradcheck(lambda t: TinyWrongSign.apply(t).sum(), [x], raise_exception=False)
    assert not report


# --- the create_graph reference cycle ------------------------------------------------------------
def test_backward_with_create_graph_warns_about_the_reference_cycle():
    x = leaf(3)
    with pytest.warns(UserWarning, match="reference cycle.*ag.grad"):
        (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad


def test_grad_with_create_graph_leaves_no_cycle():
    gc.collect()
    gc.disable()
    try:
        x = leaf(3)
        first = ag.grad((x ** 3).sum(), x, create_graph=True)
        node = weakref.ref(first.grad_fn)
        del first
        assert node() is None  # freed by reference counting alone, without the collector
    finally:
        gc.enable()
