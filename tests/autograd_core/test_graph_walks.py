"""The graph walks of the path-sum view against the straightforward algorithms they replace.

``PathGraph`` counts paths over positions 0, 1, 2, ... directly when its
search found them consumers-first, and otherwise over a depth-first
post-order; ``paths`` and the trace's path steps enumerate by backtracking
over one trail. Random scalar graphs check each against a reference written
the plain way (a post-order for the counts, a stack of copied trails for the
enumeration): same counts, same paths, in the same order.
"""
import gc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.collector import collector_paused
from autograd_core.paths import PathGraph
from autograd_core.tensor import graph_node

OPERATIONS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sub": lambda a, b: a - b,
    "square": lambda a, b: a * a,
    "scale": lambda a, b: a * 0.5,
}


@st.composite
def scalar_graphs(draw):
    """A random DAG of scalar operations over 1 to 3 leaves; returns (leaves, every node, output)."""
    leaves = [ag.tensor(0.5 + number, requires_grad=True) for number in range(draw(st.integers(1, 3)))]
    nodes = list(leaves)
    for _ in range(draw(st.integers(0, 12))):
        name = draw(st.sampled_from(sorted(OPERATIONS)))
        a = nodes[draw(st.integers(0, len(nodes) - 1))]
        b = nodes[draw(st.integers(0, len(nodes) - 1))]
        nodes.append(OPERATIONS[name](a, b))
    output = nodes[-1]
    for extra in draw(st.lists(st.integers(0, len(nodes) - 1), max_size=3)):
        output = output + nodes[extra]
    return leaves, nodes, output


def reference_paths(graph, target, counts):
    """The enumeration as it was first written: a stack whose entries carry the whole trail so far."""
    stack = [(0, (0,))]
    while stack:
        position, trail = stack.pop()
        if position == target:
            yield list(reversed(trail))
            continue
        for parent, _, _ in reversed(graph.edges[position]):
            if counts[parent]:
                stack.append((parent, trail + (parent,)))


def reference_counts(graph, target):
    counts = [0] * len(graph.tensors)
    counts[target] = 1
    for position in graph.post_order():
        if position != target:
            counts[position] = sum(counts[parent] for parent, _, _ in graph.edges[position])
    return counts


@settings(max_examples=80, deadline=None)
@given(scalar_graphs())
def test_counts_and_paths_match_the_reference_algorithms(case):
    _, nodes, output = case
    graph = PathGraph(output)
    for value in nodes:
        target = graph.index.get(id(graph_node(value)))
        if target is None:
            assert ag.count_paths(output, value) == 0
            assert list(ag.paths(output, value)) == []
            continue
        counts = graph.count_to(target)
        assert counts == reference_counts(graph, target)
        expected = list(reference_paths(graph, target, counts))
        assert list(graph.position_paths(target, counts)) == expected
        listed = [[id(tensor) for tensor in path] for path in ag.paths(output, value)]
        assert listed == [[id(graph.tensors[position]) for position in path] for path in expected]
        assert ag.count_paths(output, value) == len(expected) == counts[0]
        edge_paths = list(graph.edge_paths(target, counts))
        assert [[edge[0] for edge in edges] + [0] for edges in edge_paths] == expected
        for edges in edge_paths:
            for parent, node, input_index, position in edges:
                assert (parent, node, input_index) in graph.edges[position]


def test_the_consumers_first_shortcut_is_taken_on_a_chain_and_not_on_a_revisited_node():
    x = ag.tensor(1.0, requires_grad=True)
    chain = x
    for _ in range(5):
        chain = chain * 2.0 + 1.0
    assert PathGraph(chain)._consumers_first
    a = x * 2.0
    b = a * 3.0
    diamond = a + b  # a is reached from the sum first, then again from b, which sits below it
    graph = PathGraph(diamond)
    assert not graph._consumers_first
    target = graph.index[id(graph_node(x))]
    assert graph.count_to(target) == reference_counts(graph, target)
    assert ag.count_paths(diamond, x) == 2


def test_a_long_chain_has_one_path_through_every_node():
    x = ag.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(20000):
        y = y * 1.0
    (path,) = list(ag.paths(y, x))
    assert len(path) == 20001
    assert path[0] is x and path[-1] is y
    assert ag.count_paths(y, x) == 1


def test_paths_of_the_output_to_itself_and_of_an_unconnected_input():
    x = ag.tensor(2.0, requires_grad=True)
    other = ag.tensor(3.0, requires_grad=True)
    y = x * x
    assert [[id(t) for t in path] for path in ag.paths(y, y)] == [[id(y)]]
    assert list(ag.paths(y, other)) == []
    assert [len(path) for path in ag.paths(y, x)] == [2, 2]  # x * x: two edges, two paths


@pytest.mark.parametrize("enabled_before", [True, False])
def test_the_collector_is_restored_after_engine_calls(enabled_before):
    previous = gc.isenabled()
    try:
        (gc.enable if enabled_before else gc.disable)()
        x = ag.tensor(1.5, requires_grad=True)
        y = (x * x + 1.0).sum()
        y.backward(retain_graph=True)
        ag.grad(y, [x], retain_graph=True)
        ag.count_paths(y, x)
        list(ag.paths(y, x))
        assert gc.isenabled() is enabled_before
        with pytest.raises(RuntimeError):
            with collector_paused():
                assert not gc.isenabled()
                with collector_paused():
                    assert not gc.isenabled()
                assert not gc.isenabled()
                raise RuntimeError("leaves the block")
        assert gc.isenabled() is enabled_before
    finally:
        (gc.enable if previous else gc.disable)()


def test_a_failing_backward_restores_the_collector():
    assert gc.isenabled()

    class Broken(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, grad_output):
            raise ArithmeticError("broken backward")

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ArithmeticError):
        Broken.apply(x).sum().backward()
    assert gc.isenabled()
