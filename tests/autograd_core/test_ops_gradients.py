"""Every operation's local derivatives, checked three ways on small float64 inputs.

Each row of the table below is one operation (or one form of it: reflected,
broadcast, with an axis, ...). For each row:

* ``ag.gradcheck`` compares the backpropagated gradient with central finite
  differences (Eq. 3.34, threshold 1e-6);
* the path-sum gradient (Lemma 3.2.1) must equal the dynamic-programming one;
* double backward: the gradient, recorded with ``create_graph=True`` and
  projected on a random direction, passes gradcheck itself.

Inputs are drawn away from kinks (0 for abs and ReLU, +-1 for hard tanh, the
clip bounds, ties for max and maximum), where the derivative jumps.
"""
from dataclasses import dataclass, field

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Tensor

rng = np.random.default_rng(20240607)


def smooth(*shape):
    """Standard normal entries, scaled down a little."""
    return 0.8 * rng.standard_normal(shape)


def away_from_zero(*shape, margin=0.2):
    """Entries of random sign with magnitude in [margin, 1.5]."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(margin, 1.5, size=shape)


def positive(*shape):
    return rng.uniform(0.5, 2.0, size=shape)


def distinct(*shape):
    """Entries at least 0.3 apart, so max, min and their ties are far from each other."""
    size = int(np.prod(shape))
    values = (rng.permutation(size) - size / 2) * 0.3 + rng.uniform(-0.05, 0.05, size)
    return values.reshape(shape)


def offset_from(values, margin=0.2):
    """``values`` moved up or down by at least ``margin`` entrywise (no ties with ``values``)."""
    return values + away_from_zero(*np.shape(values), margin=margin)


def probabilities(*shape):
    weights = rng.uniform(0.1, 1.0, size=shape)
    return weights / weights.sum(axis=-1, keepdims=True)


@dataclass
class Case:
    """One operation applied to leaves made from ``inputs``; ``function`` takes and returns Tensors."""

    name: str
    function: object
    inputs: list = field(default_factory=list)

    def leaves(self):
        return [Tensor(np.array(value, dtype=np.float64), requires_grad=True) for value in self.inputs]


# constants some rows close over
MATRIX = smooth(2, 3)
ROW = smooth(3)
CONDITION = np.array([[True, False, True], [False, False, True]])
LABELS = np.array([2, 0, 1])
ONE_HOT = np.eye(4)[[3, 1, 0]]
SOFT = probabilities(3, 4)
BINARY_TARGETS = rng.uniform(0.0, 1.0, size=(3, 2))
MASK = np.array([[True, False, True], [True, True, False]])
REPEATED = np.array([2, 0, 2, 2])
HARD_TANH_INPUTS = np.array([[-1.7, -0.6, 0.3], [0.8, 1.4, -1.2]])
CLIP_INPUTS = np.array([[-1.1, -0.2, 0.3], [0.9, 0.1, -0.35]])


CASES = [
    # arithmetic, with the reflected forms on Python numbers and NumPy arrays
    Case("add", lambda a, b: a + b, [smooth(2, 3), smooth(2, 3)]),
    Case("add broadcast row", lambda a, b: a + b, [smooth(2, 3), smooth(3)]),
    Case("add broadcast column", lambda a, b: a + b, [smooth(2, 1), smooth(1, 3)]),
    Case("add 0-d to matrix", lambda a, b: a + b, [smooth(), smooth(2, 3)]),
    Case("add number", lambda a: a + 2.5, [smooth(2, 3)]),
    Case("radd number", lambda a: 2.5 + a, [smooth(2, 3)]),
    Case("radd array", lambda a: MATRIX + a, [smooth(2, 3)]),
    Case("radd array broadcast", lambda a: MATRIX + a, [smooth(3)]),
    Case("same tensor twice", lambda a: a + a, [smooth(2, 3)]),
    Case("sub", lambda a, b: a - b, [smooth(2, 3), smooth(3)]),
    Case("sub number", lambda a: a - 1.5, [smooth(2, 3)]),
    Case("rsub number", lambda a: 1.5 - a, [smooth(2, 3)]),
    Case("rsub array", lambda a: MATRIX - a, [smooth(2, 3)]),
    Case("mul", lambda a, b: a * b, [smooth(2, 3), smooth(2, 3)]),
    Case("mul broadcast", lambda a, b: a * b, [smooth(2, 3), smooth(2, 1)]),
    Case("mul 0-d", lambda a, b: a * b, [smooth(), smooth(2, 3)]),
    Case("square by mul", lambda a: a * a, [smooth(2, 3)]),
    Case("mul number", lambda a: a * -1.5, [smooth(2, 3)]),
    Case("rmul number", lambda a: -1.5 * a, [smooth(2, 3)]),
    Case("rmul numpy scalar", lambda a: np.float64(2.0) * a, [smooth(2, 3)]),
    Case("rmul array", lambda a: MATRIX * a, [smooth(2, 3)]),
    Case("div", lambda a, b: a / b, [smooth(2, 3), away_from_zero(2, 3, margin=0.5)]),
    Case("div broadcast", lambda a, b: a / b, [smooth(2, 3), away_from_zero(3, margin=0.5)]),
    Case("div number", lambda a: a / 3.0, [smooth(2, 3)]),
    Case("rdiv number", lambda a: 1.0 / a, [away_from_zero(2, 3, margin=0.5)]),
    Case("rdiv array", lambda a: MATRIX / a, [away_from_zero(2, 3, margin=0.5)]),
    Case("neg", lambda a: -a, [smooth(2, 3)]),
    Case("pow int", lambda a: a ** 3, [smooth(2, 3)]),
    Case("pow negative base", lambda a: a ** 2, [-positive(2, 3)]),
    Case("pow float", lambda a: a ** 2.5, [positive(2, 3)]),
    Case("pow negative exponent", lambda a: a ** -1.5, [positive(2, 3)]),
    Case("pow tensor exponent", lambda a, b: a ** b, [positive(2, 3), smooth(2, 3)]),
    Case("pow tensor exponent broadcast", lambda a, b: a ** b, [positive(2, 3), smooth()]),
    Case("rpow number", lambda b: 2.0 ** b, [smooth(2, 3)]),
    Case("rpow array", lambda b: (1.0 + np.abs(MATRIX)) ** b, [smooth(2, 3)]),
    # elementwise functions
    Case("abs", lambda a: ag.abs(a), [away_from_zero(2, 3)]),
    Case("abs operator", lambda a: abs(a), [away_from_zero(2, 3)]),
    Case("exp", lambda a: ag.exp(a), [smooth(2, 3)]),
    Case("log", lambda a: ag.log(a), [positive(2, 3)]),
    Case("sqrt", lambda a: ag.sqrt(a), [positive(2, 3)]),
    Case("sin", lambda a: ag.sin(a), [smooth(2, 3)]),
    Case("cos", lambda a: ag.cos(a), [smooth(2, 3)]),
    Case("tanh", lambda a: ag.tanh(a), [smooth(2, 3)]),
    Case("sigmoid", lambda a: ag.sigmoid(a), [smooth(2, 3)]),
    Case("relu", lambda a: ag.relu(a), [away_from_zero(2, 3)]),
    Case("leaky_relu default alpha", lambda a: ag.leaky_relu(a), [away_from_zero(2, 3)]),
    Case("leaky_relu alpha number", lambda a: ag.leaky_relu(a, 0.2), [away_from_zero(2, 3)]),
    Case("leaky_relu alpha tensor", lambda a, alpha: ag.leaky_relu(a, alpha),
         [away_from_zero(2, 3), np.array(0.15)]),
    Case("leaky_relu alpha per column", lambda a, alpha: ag.leaky_relu(a, alpha),
         [away_from_zero(2, 3), np.array([0.1, 0.2, 0.3])]),
    Case("hard_tanh", lambda a: ag.hard_tanh(a), [HARD_TANH_INPUTS]),
    Case("maximum", lambda a, b: ag.maximum(a, b), [MATRIX, offset_from(MATRIX)]),
    Case("maximum broadcast", lambda a, b: ag.maximum(a, b), [distinct(2, 3), np.array(0.05)]),
    Case("maximum number", lambda a: ag.maximum(a, 0.05), [distinct(2, 3)]),
    Case("minimum", lambda a, b: ag.minimum(a, b), [MATRIX, offset_from(MATRIX)]),
    Case("minimum array", lambda a: ag.minimum(MATRIX, a), [offset_from(MATRIX)]),
    Case("where", lambda a, b: ag.where(CONDITION, a, b), [smooth(2, 3), smooth(2, 3)]),
    Case("where broadcast", lambda a, b: ag.where(CONDITION, a, b), [smooth(3), smooth()]),
    Case("where tensor condition", lambda a, b: ag.where(Tensor(CONDITION), a, b), [smooth(2, 3), smooth(2, 3)]),
    Case("clip", lambda a: ag.clip(a, -0.5, 0.5), [CLIP_INPUTS]),
    Case("clip low only", lambda a: ag.clip(a, low=-0.5), [CLIP_INPUTS]),
    Case("clip method high only", lambda a: a.clip(high=0.5), [CLIP_INPUTS]),
    # reductions
    Case("sum", lambda a: a.sum(), [smooth(2, 3, 2)]),
    Case("sum axis 0", lambda a: ag.sum(a, axis=0), [smooth(2, 3, 2)]),
    Case("sum axis -1 keepdims", lambda a: a.sum(axis=-1, keepdims=True), [smooth(2, 3, 2)]),
    Case("sum axis tuple", lambda a: a.sum(axis=(0, 2)), [smooth(2, 3, 2)]),
    Case("sum axis tuple keepdims", lambda a: a.sum(axis=(0, 2), keepdims=True), [smooth(2, 3, 2)]),
    Case("sum of 0-d", lambda a: a.sum(), [smooth()]),
    Case("mean", lambda a: ag.mean(a), [smooth(2, 3)]),
    Case("mean axis 1", lambda a: a.mean(axis=1), [smooth(2, 3)]),
    Case("mean axis tuple keepdims", lambda a: a.mean(axis=(0, 1), keepdims=True), [smooth(2, 3, 2)]),
    Case("var", lambda a: ag.var(a), [smooth(2, 3)]),
    Case("var axis 0 keepdims", lambda a: a.var(axis=0, keepdims=True), [smooth(3, 2)]),
    Case("var axis tuple ddof 1", lambda a: a.var(axis=(0, 2), ddof=1), [smooth(2, 3, 2)]),
    Case("max", lambda a: ag.max(a), [distinct(2, 3)]),
    Case("max axis 0", lambda a: a.max(axis=0), [distinct(3, 4)]),
    Case("max axis -1 keepdims", lambda a: a.max(axis=-1, keepdims=True), [distinct(3, 4)]),
    Case("max axis tuple", lambda a: a.max(axis=(0, 2)), [distinct(2, 3, 2)]),
    Case("min", lambda a: ag.min(a), [distinct(2, 3)]),
    Case("min axis 1", lambda a: a.min(axis=1), [distinct(3, 4)]),
    Case("min axis tuple keepdims", lambda a: a.min(axis=(1, 2), keepdims=True), [distinct(2, 3, 2)]),
    Case("norm", lambda a: ag.norm(a), [smooth(2, 3)]),
    Case("norm axis 1", lambda a: ag.norm(a, axis=1), [smooth(2, 3)]),
    Case("norm axis tuple keepdims", lambda a: ag.norm(a, axis=(0, 2), keepdims=True), [smooth(2, 3, 2)]),
    Case("logsumexp", lambda a: ag.logsumexp(a), [smooth(2, 3)]),
    Case("logsumexp axis 1", lambda a: a.logsumexp(axis=1), [smooth(2, 3)]),
    Case("logsumexp axis tuple keepdims", lambda a: a.logsumexp(axis=(0, 2), keepdims=True), [smooth(2, 3, 2)]),
    Case("logsumexp large", lambda a: ag.logsumexp(a, axis=-1), [smooth(2, 3) + 500.0]),
    Case("softmax", lambda a: ag.softmax(a), [smooth(2, 3)]),
    Case("softmax axis 0", lambda a: a.softmax(axis=0), [smooth(2, 3)]),
    Case("softmax 1-d", lambda a: ag.softmax(a), [smooth(4)]),
    Case("log_softmax", lambda a: ag.log_softmax(a), [smooth(2, 3)]),
    Case("log_softmax axis 0", lambda a: a.log_softmax(axis=0), [smooth(2, 3)]),
    # shapes
    Case("reshape", lambda a: a.reshape(3, 2), [smooth(2, 3)]),
    Case("reshape tuple", lambda a: ag.reshape(a, (6,)), [smooth(2, 3)]),
    Case("reshape -1", lambda a: a.reshape(-1, 2), [smooth(2, 3, 2)]),
    Case("flatten", lambda a: a.flatten(), [smooth(2, 3)]),
    Case("transpose", lambda a: ag.transpose(a), [smooth(2, 3)]),
    Case("transpose axes", lambda a: a.transpose(1, 0, 2), [smooth(2, 3, 2)]),
    Case("transpose axes tuple", lambda a: a.transpose((2, 0, 1)), [smooth(2, 3, 2)]),
    Case(".T", lambda a: a.T, [smooth(2, 3)]),
    Case("swapaxes", lambda a: ag.swapaxes(a, 0, 2), [smooth(2, 3, 2)]),
    Case("swapaxes negative", lambda a: a.swapaxes(-1, -2), [smooth(2, 3, 2)]),
    Case("broadcast_to", lambda a: ag.broadcast_to(a, (2, 3)), [smooth(3)]),
    Case("broadcast_to size-1 axis", lambda a: a.broadcast_to((2, 2, 3)), [smooth(2, 1, 3)]),
    Case("broadcast_to from 0-d", lambda a: a.broadcast_to((2, 3)), [smooth()]),
    Case("expand_dims", lambda a: ag.expand_dims(a, 1), [smooth(2, 3)]),
    Case("expand_dims negative", lambda a: a.expand_dims(-1), [smooth(2, 3)]),
    Case("squeeze", lambda a: ag.squeeze(a), [smooth(2, 1, 3, 1)]),
    Case("squeeze axis", lambda a: a.squeeze(1), [smooth(2, 1, 3, 1)]),
    Case("concatenate", lambda a, b: ag.concatenate([a, b]), [smooth(2, 3), smooth(1, 3)]),
    Case("concatenate axis 1 three", lambda a, b, c: ag.concatenate([a, b, c], axis=1),
         [smooth(2, 1), smooth(2, 3), smooth(2, 2)]),
    Case("concatenate axis -1 with constant", lambda a: ag.concatenate([a, Tensor(MATRIX)], axis=-1),
         [smooth(2, 2)]),
    Case("concatenate same tensor", lambda a: ag.concatenate([a, a], axis=0), [smooth(2, 3)]),
    Case("stack", lambda a, b: ag.stack([a, b]), [smooth(2, 3), smooth(2, 3)]),
    Case("stack axis 1", lambda a, b, c: ag.stack([a, b, c], axis=1), [smooth(2, 3), smooth(2, 3), smooth(2, 3)]),
    Case("stack axis -1 scalars", lambda a, b: ag.stack([a, b, a * b], axis=-1), [smooth(), smooth()]),
    # indexing
    Case("index int", lambda a: a[1], [smooth(2, 3)]),
    Case("index negative int", lambda a: a[-1, 0], [smooth(2, 3)]),
    Case("index slice", lambda a: a[:, 1:], [smooth(2, 3)]),
    Case("index step slice", lambda a: a[::2, ::-1], [smooth(3, 4)]),
    Case("index bool mask", lambda a: a[MASK], [smooth(2, 3)]),
    Case("index bool mask rows", lambda a: a[np.array([True, False, True])], [smooth(3, 2)]),
    Case("index int array with repeats", lambda a: a[REPEATED], [smooth(3, 2)]),
    Case("index int list with repeats", lambda a: a[:, [1, 1, 0]], [smooth(2, 3)]),
    Case("index int tensor", lambda a: a[Tensor(REPEATED)], [smooth(3)]),
    Case("index pairs with repeats", lambda a: a[np.array([0, 1, 0]), np.array([2, 0, 2])], [smooth(2, 3)]),
    Case("index None", lambda a: a[None, :, None], [smooth(3)]),
    Case("index Ellipsis", lambda a: a[..., 1], [smooth(2, 3, 2)]),
    Case("index Ellipsis None", lambda a: a[0, ..., None], [smooth(2, 3)]),
    # matrix products
    Case("matmul 1-D 1-D", lambda a, b: a @ b, [smooth(3), smooth(3)]),
    Case("matmul 1-D 2-D", lambda a, b: a @ b, [smooth(3), smooth(3, 2)]),
    Case("matmul 2-D 1-D", lambda a, b: a @ b, [smooth(2, 3), smooth(3)]),
    Case("matmul 2-D 2-D", lambda a, b: ag.matmul(a, b), [smooth(2, 3), smooth(3, 2)]),
    Case("matmul batched", lambda a, b: a @ b, [smooth(2, 2, 3), smooth(2, 3, 2)]),
    Case("matmul broadcast batch", lambda a, b: a @ b, [smooth(2, 2, 3), smooth(3, 2)]),
    Case("matmul broadcast size-1 batch", lambda a, b: a @ b, [smooth(1, 2, 3), smooth(2, 3, 2)]),
    Case("matmul 1-D batched", lambda a, b: a @ b, [smooth(3), smooth(2, 3, 2)]),
    Case("matmul batched 1-D", lambda a, b: a.matmul(b), [smooth(2, 2, 3), smooth(3)]),
    Case("rmatmul array", lambda a: MATRIX @ a, [smooth(3, 2)]),
    Case("matmul same tensor", lambda a: a @ a, [smooth(3, 3)]),
    # losses
    Case("cross_entropy labels mean", lambda v: ag.cross_entropy(v, LABELS), [smooth(3, 3)]),
    Case("cross_entropy labels sum", lambda v: ag.cross_entropy(v, LABELS, reduction="sum"), [smooth(3, 3)]),
    Case("cross_entropy labels none", lambda v: ag.cross_entropy(v, LABELS, reduction="none"), [smooth(3, 3)]),
    Case("cross_entropy label tensor", lambda v: ag.cross_entropy(v, Tensor(LABELS)), [smooth(3, 3)]),
    Case("cross_entropy one-hot mean", lambda v: ag.cross_entropy(v, ONE_HOT), [smooth(3, 4)]),
    Case("cross_entropy one-hot sum", lambda v: ag.cross_entropy(v, ONE_HOT, reduction="sum"), [smooth(3, 4)]),
    Case("cross_entropy one-hot none", lambda v: ag.cross_entropy(v, ONE_HOT, reduction="none"), [smooth(3, 4)]),
    Case("cross_entropy soft mean", lambda v: ag.cross_entropy(v, SOFT), [smooth(3, 4)]),
    Case("cross_entropy soft sum", lambda v: ag.cross_entropy(v, SOFT, reduction="sum"), [smooth(3, 4)]),
    Case("cross_entropy soft none", lambda v: ag.cross_entropy(v, SOFT, reduction="none"), [smooth(3, 4)]),
    Case("cross_entropy 1-D logits", lambda v: ag.cross_entropy(v, np.array(1)), [smooth(4)]),
    Case("cross_entropy sequence", lambda v: ag.cross_entropy(v, np.array([[0, 2], [1, 1]])), [smooth(2, 2, 3)]),
    Case("binary_cross_entropy mean", lambda v: ag.binary_cross_entropy(v, BINARY_TARGETS), [smooth(3, 2)]),
    Case("binary_cross_entropy sum", lambda v: ag.binary_cross_entropy(v, BINARY_TARGETS, reduction="sum"),
         [smooth(3, 2)]),
    Case("binary_cross_entropy none", lambda v: ag.binary_cross_entropy(v, BINARY_TARGETS, reduction="none"),
         [smooth(3, 2)]),
    Case("mse mean", lambda p: ag.mse(p, MATRIX), [smooth(2, 3)]),
    Case("mse sum", lambda p: ag.mse(p, MATRIX, reduction="sum"), [smooth(2, 3)]),
    Case("mse none", lambda p: ag.mse(p, MATRIX, reduction="none"), [smooth(2, 3)]),
    Case("mse both sides", lambda p, t: ag.mse(p, t), [smooth(2, 3), smooth(2, 3)]),
    # dtype conversion
    Case("astype", lambda a: a.astype(np.float64) * 2.0, [smooth(2, 3)]),
    # 0-d tensors, the neuron-level graphs of the chapter (NumPy returns scalars for them, not arrays)
    Case("exp 0-d", lambda a: ag.exp(a), [smooth()]),
    Case("log 0-d", lambda a: ag.log(a), [positive()]),
    Case("sqrt 0-d", lambda a: ag.sqrt(a), [positive()]),
    Case("tanh 0-d", lambda a: ag.tanh(a), [smooth()]),
    Case("sigmoid 0-d", lambda a: ag.sigmoid(a), [smooth()]),
    Case("sin of product 0-d", lambda a, b: ag.sin(a * b), [smooth(), smooth()]),
    Case("pow tensor exponent 0-d", lambda a, b: a ** b, [positive(), smooth()]),
    Case("norm 0-d", lambda a: ag.norm(a), [away_from_zero()]),
    Case("logsumexp 0-d", lambda a: ag.logsumexp(a), [smooth()]),
    Case("max 0-d", lambda a: ag.max(a), [smooth()]),
    Case("Eq. 3.5", lambda w: (w * w).sin() + (w * w).cos(), [np.array(0.7)]),
    # a small composite, so that the checks also see nodes with several consumers
    Case("composite", lambda a, b: ag.tanh(a @ b).sum(axis=0) * ag.sigmoid(b).mean() + ag.exp(a[0, :2] * 0.3),
         [smooth(3, 2), smooth(2, 2)]),
]

IDS = [case.name for case in CASES]


def _direction(output, seed=1):
    """A fixed random direction of the output's shape (None for a one-element output)."""
    if output.size == 1:
        return None
    return np.random.default_rng(seed).standard_normal(output.shape)


def _project(output, direction):
    return output.reshape(()) if direction is None else (output * direction).sum()


def test_the_table_has_one_name_per_row():
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradcheck_float64(case):
    report = ag.gradcheck(case.function, case.leaves())
    assert report.passed, str(report)
    assert report.checked == sum(np.size(value) for value in case.inputs)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_path_sum_equals_dynamic_programming(case):
    leaves = case.leaves()
    output = case.function(*leaves)
    direction = _direction(output)
    by_paths = ag.grad(output, leaves, grad_outputs=direction, method="paths")
    by_dp = ag.grad(output, leaves, grad_outputs=direction)
    for leaf, path_sum, dp in zip(leaves, by_paths, by_dp):
        assert path_sum.shape == leaf.shape and dp.shape == leaf.shape
        np.testing.assert_allclose(path_sum.numpy(), dp.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_double_backward(case):
    """The recorded gradient passes gradcheck: second derivatives are right.

    The checked function is x -> <grad f(x), v> + <x, w> for fixed random v
    and w; its gradient is H v + w, H the Hessian of the projected output. The
    linear term keeps it connected to x when f is linear (H = 0).
    """
    leaves = case.leaves()
    direction = _direction(case.function(*leaves), seed=2)
    directions_rng = np.random.default_rng(3)
    v = [directions_rng.standard_normal(leaf.shape) for leaf in leaves]
    w = [directions_rng.standard_normal(leaf.shape) for leaf in leaves]

    def gradient_along_v(*inputs):
        with ag.enable_grad():  # gradcheck evaluates under no_grad; this function needs a graph inside
            gradients = ag.grad(_project(case.function(*inputs), direction), inputs, create_graph=True)
            total = 0.0
            for gradient, x, v_i, w_i in zip(gradients, inputs, v, w):
                total = total + (gradient * v_i).sum() + (x * w_i).sum()
            return total

    report = ag.gradcheck(gradient_along_v, leaves)
    assert report.passed, str(report)


def test_reflected_operators_return_tensors():
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    array = np.array([3.0, 4.0])
    results = [2 + t, 2 - t, 2 * t, 2 / t, 2 ** t, np.float64(2) * t, np.float32(2) + t, array + t, array - t,
               array * t, array / t, array ** t, np.ones((3, 2)) @ t]
    for result in results:
        assert isinstance(result, Tensor)
        assert result.requires_grad
    np.testing.assert_allclose((array - t).numpy(), [2.0, 2.0])
    np.testing.assert_allclose((array / t).numpy(), [3.0, 2.0])


def test_max_splits_the_gradient_evenly_between_tied_entries():
    x = Tensor(np.array([1.0, 3.0, 3.0, -2.0]), requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.5, 0.5, 0.0])
    y = Tensor(np.array([[2.0, 2.0], [1.0, 0.0]]), requires_grad=True)
    np.testing.assert_array_equal(ag.grad(y.min(axis=1).sum(), y).numpy(), [[0.5, 0.5], [0.0, 1.0]])


def test_maximum_and_minimum_split_the_gradient_at_a_tie():
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([1.0, 5.0, 0.0]), requires_grad=True)
    grad_a, grad_b = ag.grad(ag.maximum(a, b).sum(), [a, b])
    np.testing.assert_array_equal(grad_a.numpy(), [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(grad_b.numpy(), [0.5, 1.0, 0.0])


def test_indexing_with_repeated_indices_accumulates():
    x = Tensor(np.array([10.0, 20.0, 30.0]), requires_grad=True)
    x[np.array([0, 2, 2, 2])].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 3.0])
    assert ag.count_paths(x[np.array([0, 2, 2])].sum(), x) == 1  # one edge: repetition lives inside the Jacobian


def test_astype_float32_round_trip_gives_float64_gradient_of_the_input():
    x = Tensor(np.array([0.5, -1.5]), requires_grad=True)
    y = x.astype(np.float32)
    assert y.dtype == np.float32
    loss = (y * y).sum().astype(np.float64)
    by_paths = ag.grad(loss, x, method="paths", retain_graph=True)
    by_dp = ag.grad(loss, x)
    assert by_dp.dtype == np.float64
    np.testing.assert_allclose(by_dp.numpy(), [1.0, -3.0], rtol=1e-6)
    np.testing.assert_allclose(by_paths.numpy(), by_dp.numpy(), rtol=1e-6)


def test_cross_entropy_is_stable_at_logits_of_ten_thousand():
    logits = Tensor(np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]]), requires_grad=True)
    loss = ag.cross_entropy(logits, np.array([1, 1]))
    loss.backward()
    assert loss.item() == pytest.approx(1e4 / 2)  # the first row costs 1e4, the second 0
    assert np.all(np.isfinite(logits.grad.numpy()))
    np.testing.assert_allclose(logits.grad.numpy(), [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("target", ["labels", "one-hot", "soft"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_softmax_kept_from_the_forward_equals_the_recomputed_one(dtype, target, reduction):
    """The ordinary backward uses the softmax of the forward; the recorded one computes it again: same bits."""
    generator = np.random.default_rng(7)
    logits = (4 * generator.standard_normal((6, 5))).astype(dtype)
    logits[0, 1] = -np.inf  # a class that cannot be chosen leaves the row's maximum finite
    labels = generator.integers(0, 5, 6)
    targets = {"labels": labels, "one-hot": np.eye(5, dtype=dtype)[labels],
               "soft": generator.random((6, 5)).astype(dtype)}[target]
    seed = None if reduction != "none" else Tensor(generator.standard_normal(6).astype(dtype))
    ordinary = Tensor(logits, requires_grad=True)
    ag.cross_entropy(ordinary, targets, reduction=reduction).backward(seed)
    recorded = Tensor(logits, requires_grad=True)
    (by_graph,) = ag.grad(ag.cross_entropy(recorded, targets, reduction=reduction), [recorded],
                          grad_outputs=seed, create_graph=True)
    assert ordinary.grad.dtype == dtype
    np.testing.assert_array_equal(ordinary.grad.numpy(), by_graph.numpy())


def test_binary_cross_entropy_matches_its_definition_and_is_stable():
    logits = Tensor(np.array([-1000.0, -2.0, 0.5, 1000.0]), requires_grad=True)
    targets = np.array([0.0, 1.0, 0.3, 1.0])
    loss = ag.binary_cross_entropy(logits, targets, reduction="none")
    sigma = 1.0 / (1.0 + np.exp(-np.array([-2.0, 0.5])))
    expected = -(targets[1:3] * np.log(sigma) + (1 - targets[1:3]) * np.log(1 - sigma))
    np.testing.assert_allclose(loss.numpy()[1:3], expected, rtol=1e-12)
    np.testing.assert_allclose(loss.numpy()[[0, 3]], [0.0, 0.0], atol=1e-300)
    gradient = ag.grad(loss.sum(), logits).numpy()
    np.testing.assert_allclose(gradient, [0.0, sigma[0] - 1.0, sigma[1] - 0.3, 0.0], atol=1e-12)
