"""The operations a PyTorch or NumPy user reaches for, checked three ways like every other operation.

The rows extend the table of ``test_ops_gradients.py`` and run the same three
checks on small float64 inputs: ``ag.gradcheck`` against central finite
differences, the path-sum gradient (Lemma 3.2.1) against the dynamic
programme, and double backward (the recorded gradient passes gradcheck).
Inputs stay away from the points where a derivative jumps: integers and
halves for the rounding functions, 0 for ELU's second derivative, ties for
the maximum.
"""
import numpy as np
import pytest

import autograd_core as ag
import test_ops_gradients as core_table
from autograd_core import Tensor
from test_ops_gradients import Case, away_from_zero, distinct, positive, smooth

NOT_NEAR_INTEGERS = np.array([[0.3, -1.2, 2.7], [-0.6, 1.35, -2.2]])
NOT_NEAR_TENTHS = np.array([[0.32, -1.21, 2.73], [-0.64, 1.37, -2.18]])
GATHER_ROWS = np.array([[2, 0, 2, 2], [1, 1, 0, 2]])
GATHER_COLUMNS = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0]])
WITH_ONE_ZERO = np.array([[0.7, 0.0, -1.3], [1.1, 0.6, -0.9]])

CASES = [
    # elementwise special functions
    Case("log1p", lambda a: ag.log1p(a), [0.3 * smooth(2, 3)]),
    Case("expm1", lambda a: ag.expm1(a), [smooth(2, 3)]),
    Case("log2", lambda a: ag.log2(a), [positive(2, 3)]),
    Case("log10 method", lambda a: a.log10(), [positive(2, 3)]),
    Case("exp2", lambda a: ag.exp2(a), [smooth(2, 3)]),
    Case("erf", lambda a: ag.erf(a), [smooth(2, 3)]),
    Case("erf 0-d", lambda a: a.erf(), [smooth()]),
    Case("floor", lambda a: ag.floor(a) + a, [NOT_NEAR_INTEGERS]),
    Case("ceil", lambda a: ag.ceil(a) * a, [NOT_NEAR_INTEGERS]),
    Case("round", lambda a: ag.round(a) * a, [NOT_NEAR_INTEGERS]),
    Case("round decimals", lambda a: a.round(1) + a * a, [NOT_NEAR_TENTHS]),
    Case("pow method", lambda a: a.pow(3), [smooth(2, 3)]),
    # activations
    Case("softplus", lambda a: ag.softplus(a), [smooth(2, 3)]),
    Case("softplus beta", lambda a: ag.softplus(a, beta=2.0), [smooth(2, 3)]),
    Case("softplus large", lambda a: ag.softplus(a), [np.array([-40.0, -3.0, 3.0, 40.0])]),
    Case("elu", lambda a: ag.elu(a), [away_from_zero(2, 3)]),
    Case("elu alpha", lambda a: a.elu(alpha=0.5), [away_from_zero(2, 3)]),
    Case("selu", lambda a: ag.selu(a), [away_from_zero(2, 3)]),
    Case("gelu", lambda a: ag.gelu(a), [smooth(2, 3)]),
    Case("gelu tanh", lambda a: ag.gelu(a, approximate="tanh"), [smooth(2, 3)]),
    Case("silu", lambda a: ag.silu(a), [smooth(2, 3)]),
    # reductions and running sums
    Case("cumsum flattened", lambda a: ag.cumsum(a), [smooth(2, 3)]),
    Case("cumsum axis 1", lambda a: a.cumsum(axis=1), [smooth(2, 3)]),
    Case("cumsum dim -2", lambda a: a.cumsum(dim=-2), [smooth(2, 3, 2)]),
    Case("prod", lambda a: ag.prod(a), [away_from_zero(2, 3, margin=0.5)]),
    Case("prod axis 1 keepdims", lambda a: a.prod(axis=1, keepdims=True), [away_from_zero(2, 3, margin=0.5)]),
    Case("prod dim tuple", lambda a: a.prod(dim=(0, 2)), [away_from_zero(2, 3, 2, margin=0.5)]),
    Case("prod with one zero", lambda a: ag.prod(a, axis=1), [WITH_ONE_ZERO]),
    Case("std", lambda a: ag.std(a), [smooth(2, 3)]),
    Case("std dim correction", lambda a: a.std(dim=1, correction=1), [smooth(2, 3)]),
    Case("std unbiased keepdim", lambda a: a.std(axis=0, keepdim=True, unbiased=True), [smooth(3, 2)]),
    Case("max_with_indices values", lambda a: ag.max_with_indices(a, dim=1).values, [distinct(3, 4)]),
    Case("min_with_indices keepdims", lambda a: a.min_with_indices(0, keepdims=True)[0], [distinct(3, 4)]),
    # PyTorch's keyword spellings on the existing reductions and joins
    Case("sum dim keepdim", lambda a: a.sum(dim=1, keepdim=True), [smooth(2, 3)]),
    Case("mean dim", lambda a: ag.mean(a, dim=0), [smooth(2, 3)]),
    Case("var dim", lambda a: a.var(dim=-1, ddof=1), [smooth(2, 3)]),
    Case("max dim", lambda a: a.max(dim=0), [distinct(3, 4)]),
    Case("logsumexp dim", lambda a: ag.logsumexp(a, dim=1, keepdim=True), [smooth(2, 3)]),
    Case("softmax dim", lambda a: a.softmax(dim=0), [smooth(2, 3)]),
    Case("log_softmax dim", lambda a: ag.log_softmax(a, dim=-1), [smooth(2, 3)]),
    Case("cat dim", lambda a, b: ag.cat([a, b], dim=1), [smooth(2, 1), smooth(2, 3)]),
    Case("stack dim", lambda a, b: ag.stack([a, b], dim=-1), [smooth(2, 3), smooth(2, 3)]),
    # layout
    Case("flip", lambda a: ag.flip(a), [smooth(2, 3)]),
    Case("flip axis", lambda a: a.flip(1), [smooth(2, 3)]),
    Case("flip dim tuple", lambda a: a.flip(dim=(0, 2)), [smooth(2, 3, 2)]),
    Case("tril", lambda a: ag.tril(a), [smooth(3, 3)]),
    Case("triu k 1", lambda a: a.triu(1), [smooth(3, 4)]),
    Case("tril batched k -1", lambda a: ag.tril(a, -1), [smooth(2, 3, 3)]),
    Case("clone", lambda a: a.clone() * a, [smooth(2, 3)]),
    Case("view", lambda a: a.view(3, 2), [smooth(2, 3)]),
    Case("view -1", lambda a: ag.view(a, (-1,)), [smooth(2, 3)]),
    Case("unsqueeze", lambda a: a.unsqueeze(1), [smooth(2, 3)]),
    Case("unsqueeze -1", lambda a: ag.unsqueeze(a, dim=-1), [smooth(2, 3)]),
    Case("flatten start_dim", lambda a: a.flatten(1), [smooth(2, 3, 2)]),
    Case("flatten middle", lambda a: ag.flatten(a, 0, 1), [smooth(2, 3, 2)]),
    Case("permute", lambda a: a.permute(2, 0, 1), [smooth(2, 3, 2)]),
    Case("permute tuple negative", lambda a: ag.permute(a, (0, -1, 1)), [smooth(2, 3, 2)]),
    # indexing
    Case("gather axis 0 with repeats", lambda a: ag.gather(a, 0, GATHER_ROWS), [smooth(3, 4)]),
    Case("gather dim 1", lambda a: a.gather(1, GATHER_COLUMNS), [smooth(3, 2)]),
    Case("gather index tensor smaller", lambda a: a.gather(dim=1, index=Tensor(GATHER_COLUMNS[:2, :2])),
         [smooth(3, 4)]),
    # einsum
    Case("einsum matmul", lambda a, b: ag.einsum("ij,jk->ik", a, b), [smooth(2, 3), smooth(3, 2)]),
    Case("einsum implicit", lambda a, b: ag.einsum("ij,jk", a, b), [smooth(2, 3), smooth(3, 2)]),
    Case("einsum row dots", lambda a, b: ag.einsum("ij,ij->i", a, b), [smooth(2, 3), smooth(2, 3)]),
    Case("einsum outer", lambda a, b: ag.einsum("i,j->ij", a, b), [smooth(3), smooth(2)]),
    Case("einsum batched", lambda a, b: ag.einsum("bij,bjk->bik", a, b), [smooth(2, 2, 3), smooth(2, 3, 2)]),
    Case("einsum sum over one operand", lambda a, b: ag.einsum("ij,k->jk", a, b), [smooth(2, 3), smooth(2)]),
    Case("einsum full sum", lambda a: ag.einsum("ij->", a), [smooth(2, 3)]),
    Case("einsum same tensor", lambda a: ag.einsum("ij,ij->", a, a), [smooth(2, 3)]),
    Case("einsum three operands", lambda a, b, c: ag.einsum("i,ij,j->", a, b, c), [smooth(2), smooth(2, 3),
                                                                                 smooth(3)]),
]

IDS = [case.name for case in CASES]


def test_the_table_has_one_name_per_row_and_none_of_the_core_table():
    assert len(set(IDS)) == len(IDS)
    assert not set(IDS) & set(core_table.IDS)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradcheck_float64(case):
    core_table.test_gradcheck_float64(case)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_path_sum_equals_dynamic_programming(case):
    core_table.test_path_sum_equals_dynamic_programming(case)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_double_backward(case):
    core_table.test_double_backward(case)
