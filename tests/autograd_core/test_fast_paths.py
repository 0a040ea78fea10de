"""Property-based: the engine's fast paths compute exactly what its general paths compute.

Three shortcuts are taken on the common case, and each must be invisible:

- a 0-d operation gets a NumPy scalar back from NumPy and turns it into a
  0-d array (``Function.apply``), where a (1,)-shaped operation gets an array;
- the backward pass calls an operation's own ``backward`` directly when
  nothing is recorded and no anomaly check runs (``engine.py``), where the
  general path goes through ``_local_backward``;
- the collector's full collections are deferred while a graph of more than a
  few operations is recorded (``collector.py``).

Random neuron-level graphs (one scalar per node, as in the chapter's figures)
are built each way and must give bit-for-bit the same values and gradients.
"""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.collector import FullCollectionDeferral, full_collection_deferral

SETTINGS = settings(max_examples=40, deadline=None)

UNARY = {
    "tanh": ag.tanh,
    "sigmoid": ag.sigmoid,
    "relu": ag.relu,
    "exp of a bounded value": lambda x: ag.exp(ag.tanh(x)),
    "square": lambda x: x * x,
    "negate": lambda x: -x,
    "scale": lambda x: x * 0.7,
    "shift": lambda x: 1.0 - x,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div by 1 + b^2": lambda a, b: a / (1.0 + b * b),
}


@st.composite
def scalar_graphs(draw):
    """Leaf values, then operations whose operands are any earlier nodes (a random DAG of scalars)."""
    leaf_values = draw(st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=4))
    steps = []
    for step in range(draw(st.integers(1, 25))):
        available = len(leaf_values) + step
        if draw(st.booleans()):
            steps.append(("unary", draw(st.sampled_from(sorted(UNARY))), draw(st.integers(0, available - 1))))
        else:
            steps.append(("binary", draw(st.sampled_from(sorted(BINARY))),
                          draw(st.integers(0, available - 1)), draw(st.integers(0, available - 1))))
    return leaf_values, steps


def build(leaves, steps):
    nodes = list(leaves)
    for step in steps:
        if step[0] == "unary":
            nodes.append(UNARY[step[1]](nodes[step[2]]))
        else:
            nodes.append(BINARY[step[1]](nodes[step[2]], nodes[step[3]]))
    return (nodes[-1] + nodes[len(nodes) // 2] * 0.5).sum()  # several consumers per node; sum: a scalar output


def value_and_gradients(leaf_values, steps, shape=(), anomaly=False):
    leaves = [ag.tensor(np.full(shape, value), requires_grad=True) for value in leaf_values]
    output = build(leaves, steps)
    if anomaly:
        with ag.detect_anomaly():  # the general backward path, with its checks around each node
            output.backward()
    else:
        output.backward()
    return output.item(), [None if leaf.grad is None else leaf.grad.numpy().reshape(()) for leaf in leaves]


def assert_same(first, second):
    (value, gradients), (other_value, other_gradients) = first, second
    assert value == other_value or (np.isnan(value) and np.isnan(other_value))
    for gradient, other in zip(gradients, other_gradients):
        if gradient is None or other is None:  # a leaf the output does not depend on
            assert gradient is None and other is None
        else:
            np.testing.assert_array_equal(gradient, other)


@SETTINGS
@given(graph=scalar_graphs())
def test_zero_dimensional_nodes_compute_what_one_element_arrays_compute(graph):
    with np.errstate(all="ignore"):
        assert_same(value_and_gradients(*graph, shape=()), value_and_gradients(*graph, shape=(1,)))


@SETTINGS
@given(graph=scalar_graphs())
def test_the_direct_backward_call_computes_what_the_general_path_computes(graph):
    with np.errstate(all="ignore"):
        direct = value_and_gradients(*graph)
    if not np.isfinite(direct[0]) or not all(g is None or np.isfinite(g).all() for g in direct[1]):
        return  # detect_anomaly would stop at the first infinity, as it is meant to
    assert_same(direct, value_and_gradients(*graph, anomaly=True))


@SETTINGS
@given(graph=scalar_graphs())
def test_a_deferred_collector_changes_no_number(graph):
    with np.errstate(all="ignore"):
        expected = value_and_gradients(*graph)
    original = FullCollectionDeferral.DEFER_AFTER
    FullCollectionDeferral.DEFER_AFTER = 3
    try:
        full_collection_deferral.graph_done()
        with np.errstate(all="ignore"):
            deferred = value_and_gradients(*graph)
    finally:
        FullCollectionDeferral.DEFER_AFTER = original
        full_collection_deferral.graph_done()
    assert_same(expected, deferred)
