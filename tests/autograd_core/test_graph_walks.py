"""The graph walks of the path-sum view against the straightforward algorithms they replace.

``PathGraph`` keeps its edges as flat lists of positions, recording a parent
only for an edge into a node found before; it counts paths over positions 0,
1, 2, ... directly when its search found them consumers-first, and otherwise
over a depth-first post-order; in a tree (no node reached twice) it follows
the one path up the edges that found each node; elsewhere ``paths`` and the
trace's path steps enumerate by backtracking over one trail. Random scalar
graphs check each against references written the plain way: a recursion over
each operation's inputs that knows nothing of ``PathGraph``, a post-order for
the counts, a stack of copied trails for the enumeration. Same counts, same
paths, in the same order.
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
    "square": lambda a, b: a * a,  # one operation, two edges from the same parent
    "scale": lambda a, b: a * 0.5,  # a constant input: no edge
    "by constant tensor": lambda a, b: a * ag.tensor(3.0),  # a tensor input that needs no gradient: no edge
    "tanh": lambda a, b: ag.tanh(a),  # one input
    "shared": lambda a, b: (a + b) * a,  # a reached directly and through a + b
}


@st.composite
def scalar_graphs(draw):
    """A random DAG of scalar operations over 1 to 3 leaves; returns (leaves, every node, output)."""
    leaves = [ag.tensor(0.5 + number, requires_grad=True) for number in range(draw(st.integers(1, 3)))]
    nodes = list(leaves) + [ag.tensor(2.0)]  # and a constant tensor, which is never on a path
    for _ in range(draw(st.integers(0, 12))):
        name = draw(st.sampled_from(sorted(OPERATIONS)))
        a = nodes[draw(st.integers(0, len(nodes) - 1))]
        b = nodes[draw(st.integers(0, len(nodes) - 1))]
        nodes.append(OPERATIONS[name](a, b))
    output = nodes[-1] if nodes[-1].requires_grad else nodes[-1] + leaves[0]
    for extra in draw(st.lists(st.integers(0, len(nodes) - 1), max_size=3)):
        output = output + nodes[extra]
    return leaves, nodes + [output], output


def paths_by_recursion(tensor, target_node):
    """Every path from the node ``target_node`` up to ``tensor``, input first, straight from each operation's
    inputs in order (depth first, no pruning, no positions): the order ``ag.paths`` promises."""
    if graph_node(tensor) is target_node:
        yield [tensor]
        return
    node = tensor.grad_fn
    if node is None:
        return
    for value, needed in zip(node.inputs, node.needs_input_grad):
        if needed:
            for path in paths_by_recursion(value, target_node):
                yield path + [tensor]


def node_ids(path):
    return [id(graph_node(tensor)) for tensor in path]


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


def post_order(graph):
    """Every position after all of its parents, by an iterative depth-first search over ``graph.edges``."""
    order, done = [], [False] * len(graph.tensors)
    stack = [(0, False)]
    while stack:
        position, expanded = stack.pop()
        if expanded:
            order.append(position)
            continue
        if done[position]:
            continue
        done[position] = True
        stack.append((position, True))
        stack.extend((parent, False) for parent, _, _ in graph.edges[position] if not done[parent])
    return order


def reference_counts(graph, target):
    counts = [0] * len(graph.tensors)
    counts[target] = 1
    for position in post_order(graph):
        if position != target:
            counts[position] = sum(counts[parent] for parent, _, _ in graph.edges[position])
    return counts


@settings(max_examples=80, deadline=None)
@given(scalar_graphs())
def test_counts_and_paths_match_the_reference_algorithms(case):
    _, nodes, output = case
    graph = PathGraph(output)
    for value in nodes:
        expected_paths = [node_ids(path) for path in paths_by_recursion(output, graph_node(value))]
        assert [node_ids(path) for path in ag.paths(output, value)] == expected_paths
        assert ag.count_paths(output, value) == len(expected_paths)
        target = graph.index.get(id(graph_node(value)))
        assert target == graph.position(value) == PathGraph(output, value).input_position
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


@settings(max_examples=60, deadline=None)
@given(scalar_graphs())
def test_every_edge_is_an_input_that_needs_a_gradient_in_input_order(case):
    _, _, output = case
    graph = PathGraph(output)
    assert graph_node(graph.tensors[0]) is graph_node(output)
    assert graph.input_position is None  # no input asked for
    assert len({id(graph_node(tensor)) for tensor in graph.tensors}) == len(graph.tensors)  # each node once
    assert len(graph.parents) == len(graph.children) == graph.starts[-1]
    for position, tensor in enumerate(graph.tensors):
        node = tensor.grad_fn
        expected = [] if node is None else [
            (graph.position(value), node, input_index)
            for input_index, (value, needed) in enumerate(zip(node.inputs, node.needs_input_grad)) if needed]
        assert graph.edges[position] == expected
        edges = range(graph.starts[position], graph.starts[position + 1])
        assert [graph.parents[edge] for edge in edges] == [parent for parent, _, _ in expected]
        assert all(graph.children[edge] == position for edge in edges)
    reached = [parent for node_edges in graph.edges for parent, _, _ in node_edges]
    assert graph.is_tree == (len(reached) == len(set(reached)))
    if graph.is_tree:  # each node's one edge in is the one that found it
        assert reached == list(range(1, len(graph.tensors)))


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


def test_a_leaf_reached_again_from_below_keeps_the_consumers_first_count():
    x = ag.tensor(1.0, requires_grad=True)
    w = ag.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(6):  # w is found by the last operation, then reached again from every one below it
        y = y * w + 1.0
    graph = PathGraph(y)
    assert not graph.is_tree
    assert any(parent < child for parent, child in zip(graph.parents, graph.children))  # revisits run back...
    assert graph._consumers_first  # ...but only into a leaf, whose count is final from the start
    for value in (x, w):
        target = graph.position(value)
        assert graph.count_to(target) == reference_counts(graph, target)
    assert ag.count_paths(y, w) == 6 and ag.count_paths(y, x) == 1


def test_a_long_chain_has_one_path_through_every_node():
    x = ag.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(20000):
        y = y * 1.0
    (path,) = list(ag.paths(y, x))
    assert len(path) == 20001
    assert path[0] is x and path[-1] is y
    assert ag.count_paths(y, x) == 1


@pytest.mark.parametrize("bad", [None, 3.0, "x", [1.0]])
def test_count_paths_and_paths_refuse_what_is_not_a_tensor(bad):
    x = ag.tensor(2.0, requires_grad=True)
    y = x * 3.0
    for function in (ag.count_paths, ag.paths):  # paths refuses on the call, before its first path
        with pytest.raises(TypeError, match=f"input must be a Tensor, got {type(bad).__name__}"):
            function(y, bad)
        with pytest.raises(TypeError, match=f"output must be a Tensor, got {type(bad).__name__}"):
            function(bad, x)


def test_paths_of_the_output_to_itself_and_of_an_unconnected_input():
    x = ag.tensor(2.0, requires_grad=True)
    other = ag.tensor(3.0, requires_grad=True)
    y = x * x
    assert [[id(t) for t in path] for path in ag.paths(y, y)] == [[id(y)]]
    assert ag.count_paths(y, y) == 1
    assert list(ag.paths(y, other)) == []
    assert ag.count_paths(y, other) == 0
    assert [len(path) for path in ag.paths(y, x)] == [2, 2]  # x * x: two edges, two paths
    assert ag.count_paths(y, x) == 2
    assert not PathGraph(y).is_tree


def test_a_tree_has_one_path_to_each_node_and_a_constant_tensor_none():
    x = ag.tensor(2.0, requires_grad=True)
    w = ag.tensor(3.0, requires_grad=True)
    c = ag.tensor(4.0)  # needs no gradient: no edge, no path
    a = ag.tanh(x * c)
    y = a * 2.0 + w
    graph = PathGraph(y)
    assert graph.is_tree
    for value, length in ((x, 5), (c, 0), (w, 2), (a, 3), (y, 1)):
        listed = list(ag.paths(y, value))
        assert [len(path) for path in listed] == ([length] if length else [])
        assert ag.count_paths(y, value) == len(listed)
    (path,) = ag.paths(y, x)
    assert path[0] is x and path[2] is a and path[-1] is y
    (edges,) = graph.edge_paths(graph.position(x))
    assert [(graph.tensors[parent], node) for parent, node, _, _ in edges] == [
        (tensor, made.grad_fn) for tensor, made in zip(path, path[1:])]


def test_a_node_reached_by_several_routes_is_counted_once_per_route():
    x = ag.tensor(0.1, requires_grad=True)  # small: the values shrink layer by layer
    h = x * 2.0
    layers = [h]
    for _ in range(10):  # each layer uses the one before twice: 2^10 paths from h, 2^10 from x
        layers.append(layers[-1] * layers[-1] + layers[-1] * 0.5)
    y = layers[-1] + h  # and one more route from h straight to the output
    assert ag.count_paths(y, h) == 3 ** 10 + 1
    assert ag.count_paths(y, x) == 3 ** 10 + 1
    first = next(iter(ag.paths(y, x)))
    assert first[0] is x and first[1] is h and first[-1] is y
    assert len(first) == 2 + 2 * 10 + 1  # it takes each node's first edge: through both operations of every layer


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
