"""The chapter's exercises with numeric answers, computed with the engine (and by the sum over paths)."""
import itertools

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Tensor


def _inputs(*values):
    return [Tensor(float(value), requires_grad=True, name=f"x{number + 1}") for number, value in enumerate(values)]


def _both_ways(output, inputs, upstream):
    """dL/dx for each input given dL/do = upstream, by dynamic programming and by the sum over paths."""
    seed = Tensor(float(upstream))
    by_paths = [g.item() for g in ag.grad(output, inputs, grad_outputs=seed, method="paths")]
    by_dp = [g.item() for g in ag.grad(output, inputs, grad_outputs=seed)]
    return by_dp, by_paths


def test_exercise_2_product_neuron():
    """o = x1 x2 with dL/do = 5 at x1 = 2, x2 = 3: dL/dx1 = 5 x2 = 15, dL/dx2 = 5 x1 = 10."""
    x1, x2 = _inputs(2, 3)
    o = x1 * x2
    by_dp, by_paths = _both_ways(o, [x1, x2], upstream=5)
    assert by_dp == [15.0, 10.0]
    assert by_paths == [15.0, 10.0]
    assert [ag.count_paths(o, x) for x in (x1, x2)] == [1, 1]


def _pairwise_products(inputs):
    return [a * b for a, b in itertools.combinations(inputs, 2)]


def test_exercise_3_sum_of_all_pairwise_products():
    """Six hidden units x_i x_j, o their sum, dL/do = 2: dL/dx_i = 2 * (sum of the other inputs)."""
    inputs = _inputs(1, 2, 3, 4)
    hidden = _pairwise_products(inputs)
    assert len(hidden) == 6
    o = hidden[0]
    for unit in hidden[1:]:
        o = o + unit
    by_dp, by_paths = _both_ways(o, inputs, upstream=2)
    assert by_dp == [18.0, 16.0, 14.0, 12.0]
    assert by_paths == [18.0, 16.0, 14.0, 12.0]
    assert [ag.count_paths(o, x) for x in inputs] == [3, 3, 3, 3]  # each input feeds three products


def test_exercise_3_with_the_sum_as_one_reduction():
    inputs = _inputs(1, 2, 3, 4)
    o = ag.stack(_pairwise_products(inputs)).sum()
    by_dp, by_paths = _both_ways(o, inputs, upstream=2)
    assert by_dp == by_paths == [18.0, 16.0, 14.0, 12.0]


def test_exercise_4_max_of_all_pairwise_products():
    """o = max of the six products = x3 x4 = 12; only x3 and x4 get gradient: 2 x4 = 8 and 2 x3 = 6."""
    inputs = _inputs(1, 2, 3, 4)
    o = ag.stack(_pairwise_products(inputs)).max()
    assert o.item() == 12.0
    by_dp, by_paths = _both_ways(o, inputs, upstream=2)
    assert by_dp == [0.0, 0.0, 8.0, 6.0]
    assert by_paths == [0.0, 0.0, 8.0, 6.0]


def test_exercise_4_with_elementwise_maximum_of_units():
    inputs = _inputs(1, 2, 3, 4)
    hidden = _pairwise_products(inputs)
    o = hidden[0]
    for unit in hidden[1:]:
        o = ag.maximum(o, unit)
    by_dp, by_paths = _both_ways(o, inputs, upstream=2)
    assert by_dp == by_paths == [0.0, 0.0, 8.0, 6.0]


def test_exercise_10_softmax_jacobian():
    """d o_i / d v_i = o_i (1 - o_i) and d o_i / d v_j = -o_i o_j for i != j."""
    v = np.array([0.5, -1.0, 2.0, 0.1])
    o = np.exp(v) / np.exp(v).sum()
    J = ag.jacobian(ag.softmax, v).numpy()
    for i in range(4):
        for j in range(4):
            expected = o[i] * (1 - o[i]) if i == j else -o[i] * o[j]
            assert J[i, j] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(J, np.diag(o) - np.outer(o, o), atol=1e-15)


def test_exercise_10_softmax_jacobian_by_paths():
    v = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    o = ag.softmax(v)
    expected = np.diag(o.numpy()) - np.outer(o.numpy(), o.numpy())
    for i in range(3):
        basis = np.eye(3)[i]
        row_by_paths = ag.grad(o, v, grad_outputs=basis, method="paths").numpy()
        np.testing.assert_allclose(row_by_paths, expected[i], atol=1e-15)


@pytest.mark.parametrize("label", [0, 1, 2])
def test_exercise_10_cross_entropy_gradient_is_o_minus_y(label):
    """L = -log o_c with o = softmax(v): dL/dv = o - y, y the one-hot target (Eq. 3.22)."""
    values = np.array([0.3, -1.2, 2.0])
    y = np.eye(3)[label]
    o = np.exp(values) / np.exp(values).sum()
    v = Tensor(values, requires_grad=True)
    fused = ag.grad(ag.cross_entropy(v, np.array(label)), v).numpy()
    np.testing.assert_allclose(fused, o - y, atol=1e-15)
    composite = -ag.log(ag.softmax(v))[label]  # the same loss built from its parts
    by_dp = ag.grad(composite, v, retain_graph=True).numpy()
    by_paths = ag.grad(composite, v, method="paths").numpy()
    np.testing.assert_allclose(by_dp, o - y, atol=1e-15)
    np.testing.assert_allclose(by_paths, o - y, atol=1e-15)
    one_hot = ag.grad(ag.cross_entropy(v, y), v).numpy()
    np.testing.assert_allclose(one_hot, o - y, atol=1e-15)
