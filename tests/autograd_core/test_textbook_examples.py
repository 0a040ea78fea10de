"""The chapter's worked examples (Eq. 3.1; Figures 3.1, 3.3, 3.4) computed three ways."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.examples import equation_3_1, figure_3_1, figure_3_3, figure_3_4


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def test_equation_3_1_derivative_of_sigmoid_of_sigmoid():
    w, o = equation_3_1(0.3)
    o.backward()
    inner = sigmoid(0.3)
    outer = sigmoid(inner)
    assert o.item() == pytest.approx(outer, rel=1e-15)
    assert w.grad.item() == pytest.approx(outer * (1 - outer) * inner * (1 - inner), rel=1e-12)


def test_figure_3_1_derivative_of_cos_w_squared():
    w, o = figure_3_1(0.8)
    o.backward()
    assert w.grad.item() == pytest.approx(-2 * 0.8 * np.sin(0.64), rel=1e-12)


def test_figure_3_3_two_paths_dp_and_path_sum_agree():
    w, o = figure_3_3(0.7)
    expected = 2 * 0.7 * np.cos(0.49) - 2 * 0.7 * np.sin(0.49)
    assert ag.count_paths(o, w) == 2
    by_paths = ag.grad(o, w, method="paths").item()
    by_dp = ag.grad(o, w).item()
    assert by_dp == pytest.approx(expected, rel=1e-12)
    assert by_paths == pytest.approx(expected, rel=1e-12)


def test_issue_example_with_w_times_w_counts_both_edges_of_each_product():
    w = Tensor(0.7, requires_grad=True)
    o = (w * w).sin() + (w * w).cos()  # two products, each with two edges from w: a multigraph
    assert ag.count_paths(o, w) == 4
    o.backward()
    assert w.grad.item() == pytest.approx(2 * 0.7 * np.cos(0.49) - 2 * 0.7 * np.sin(0.49), rel=1e-12)


def test_figure_3_4_has_32_paths_and_gradient_32_w_to_the_31():
    w, o = figure_3_4(depth=5, width=2, w=1.05)
    assert ag.count_paths(o, w) == 32
    assert o.item() == pytest.approx(1.05 ** 32, rel=1e-12)
    by_paths = ag.grad(o, w, method="paths", retain_graph=True).item()
    by_dp = ag.grad(o, w).item()
    assert by_dp == pytest.approx(32 * 1.05 ** 31, rel=1e-12)
    assert by_paths == pytest.approx(32 * 1.05 ** 31, rel=1e-12)


def test_path_sum_refuses_above_the_limit_and_names_the_count():
    w, o = figure_3_4(depth=10, width=2)
    with pytest.raises(ValueError, match="1024 paths.*max_paths=1024"):
        ag.grad(o, w, method="paths", max_paths=1000)


def test_count_paths_between_unconnected_nodes_is_zero():
    a = Tensor(1.0, requires_grad=True)
    b = Tensor(2.0, requires_grad=True)
    assert ag.count_paths(a * 3.0, b) == 0


@pytest.mark.parametrize("build, expected", [
    (lambda: equation_3_1(-0.4), lambda w: sigmoid(sigmoid(w)) * (1 - sigmoid(sigmoid(w)))
     * sigmoid(w) * (1 - sigmoid(w))),
    (lambda: figure_3_1(0.8), lambda w: -2 * w * np.sin(w * w)),
    (lambda: figure_3_3(0.7), lambda w: 2 * w * np.cos(w * w) - 2 * w * np.sin(w * w)),
    (lambda: figure_3_4(depth=4, width=2, w=1.02), lambda w: 16 * w ** 15),
], ids=["eq 3.1", "figure 3.1", "figure 3.3", "figure 3.4 depth 4"])
def test_worked_examples_agree_three_ways(build, expected):
    """Dynamic programming, the sum over paths and finite differences (ag.compare) on the chapter's graphs."""
    w, o = build()
    report = ag.compare(o, w)
    _, count, dp, path_sum, finite = report.rows[0]
    assert count == ag.count_paths(o, w)
    assert float(dp) == pytest.approx(expected(w.item()), rel=1e-12)
    assert float(path_sum) == pytest.approx(expected(w.item()), rel=1e-12)
    assert float(finite) == pytest.approx(expected(w.item()), rel=1e-7)
    assert report.largest_disagreement < 1e-7
