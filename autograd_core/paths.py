"""The path-sum view of backpropagation (Section 3.2.1, Lemma 3.2.1).

The derivative of an output o with respect to an input w is the sum, over
every path from w to o in the computational graph, of the product of the
local derivatives z(i, j) along the path's edges. There can be exponentially
many paths (Figure 3.4: 2^d paths through d layers), so this is the
exponential-time algorithm that dynamic programming replaces. It is here to
verify the engine and to teach: ``count_paths`` counts the paths in linear
time with the same recurrence as Eq. 3.8; ``paths`` lists them; the path-sum
gradient enumerates them one by one.

For tensor nodes the local derivative of an edge is a Jacobian matrix, so the
product along a path is a chain of Jacobians, applied to the output's
gradient from the left: g^T J_k ... J_1.
"""
import time
from itertools import accumulate

import numpy

from . import backend
from .engine import unbroadcast
from .modes import no_grad
from .tensor import Tensor, graph_node


def _node_key(tensor):
    """What the graph walks key a tensor's node by: its ``grad_fn`` (hashed by identity), or, for a leaf, its id().

    The id, not the leaf itself: a tensor's ``==`` is elementwise, and the
    engine never hashes or compares a tensor. An id and a node never compare
    equal, so the two kinds of key share one set.
    """
    node = tensor.grad_fn
    return id(tensor) if node is None else node


class PathGraph:
    """The computational graph between one output and its ancestors, with tensors as nodes.

    A tensor is identified by ``graph_node`` (its ``grad_fn``, or itself for
    a leaf), so a large intermediate that the graph keeps only as a stand-in
    without values is still one node. ``tensors[p]`` is the tensor at
    position p, the output at 0.

    The edges are kept as flat lists of ints: edge k runs from the parent
    tensor at position ``parents[k]`` into the operation of the node at
    ``children[k]``, and node p's edges are ``starts[p]`` to ``starts[p + 1]``,
    in the order of its operation's inputs. An input used twice by one
    operation (x * x) gives two edges, since the graph is a multigraph.
    ``edges[p]``, the same edges as ``(parent, node, input_index)``, is built
    on first use, for the path-sum gradient and the trace.

    One breadth-first search from the output numbers the nodes in the order
    it finds them, so the k-th edge that finds a new node finds position
    k + 1 and only an edge into a node found before needs its parent looked
    up. The search allocates no container per node (ints only, in a few
    flat lists), which keeps a walk over a graph of a million scalar
    operations at about a quarter of its backward pass. When no node is
    reached twice the graph is a tree (``is_tree``): one path from each node
    to the output, found without counting. ``PathGraph(output, input)`` also
    notes where the search finds ``input`` (``input_position``), which spares
    ``count_paths`` and ``paths`` a dictionary of every node's position.

    Building it, counting and listing paths take time linear in the size of
    the graph (plus the length of each path listed).
    """

    def __init__(self, output, input=None):
        tensors = [output]
        found = {_node_key(output)}
        # What identifies ``input``'s node: its grad_fn, or the leaf itself (compared by ``is``, never
        # hashed); without an input, a new object that nothing in the graph is.
        wanted = object() if input is None else graph_node(input)
        input_position = 0 if graph_node(output) is wanted else None
        children = []
        # Breadth first: the loop walks ``tensors`` while appending to it, so the k-th edge that finds a
        # new node finds position k + 1, and only the edges into a node found before (revisits) need
        # their parent recorded.
        revisit_edges, revisited_nodes = [], []
        for child, tensor in enumerate(tensors):
            node = tensor.grad_fn
            if node is None:
                continue
            inputs = node.inputs
            input_index = -1
            # An index rather than zip() or compress(): those cost three iterator objects per node.
            for needed in node.needs_input_grad:
                input_index += 1
                if not needed:
                    continue
                value = inputs[input_index]
                parent_node = value.grad_fn  # _node_key(value), inlined: this loop runs once per edge
                key = id(value) if parent_node is None else parent_node
                if key in found:
                    revisit_edges.append(len(children))
                    revisited_nodes.append(key)
                else:
                    found.add(key)
                    if parent_node is wanted or value is wanted:
                        input_position = len(tensors)
                    tensors.append(value)
                children.append(child)
        self.tensors = tensors
        self.children = children
        #: The position of ``input``, if it was given and is an ancestor of the output (else None).
        self.input_position = input_position
        #: True when no node was reached twice: the graph is a tree, with one path from each node to the
        #: output, up the edges that found the nodes (node q, for q > 0, was found by edge q - 1).
        self.is_tree = not revisit_edges
        self._positions = self._index = self._edges = self._starts = self._parents = None
        # True when every edge into a node with inputs of its own runs from a lower position to a higher
        # one: then positions 0, 1, 2, ... put every consumer before such a node, and counting over the
        # edges from the last to the first needs no separate sort. Edges that find a node always run
        # forward; only a revisit can run back, and one into a leaf does no harm (a leaf has no edges, so
        # its count is final from the start).
        self._consumers_first = True
        if revisit_edges:
            self._parents, self._consumers_first = self._parent_positions(revisit_edges, revisited_nodes)

    def _parent_positions(self, revisit_edges, revisited_nodes):
        """The parent position of every edge, and whether each revisit of a non-leaf runs to a higher position.

        The edges that found a node lead to 1, 2, 3, ... in order; each
        revisit leads to the position of the node it reached again.
        """
        positions, children, tensors = self._node_positions(), self.children, self.tensors
        parents = []
        consumers_first = True
        last_found = 0  # the position found by the last finding edge so far
        next_edge = 0
        for edge, node in zip(revisit_edges, revisited_nodes):
            finding = edge - next_edge  # edges next_edge .. edge - 1 each found a node
            parents.extend(range(last_found + 1, last_found + 1 + finding))
            last_found += finding
            parent = positions[node]
            parents.append(parent)
            if parent < children[edge] and tensors[parent].grad_fn is not None:
                consumers_first = False
            next_edge = edge + 1
        parents.extend(range(last_found + 1, last_found + 1 + len(children) - next_edge))
        return parents, consumers_first

    @property
    def parents(self):
        """``parents[k]``: the position of the tensor that edge k runs from (built on first use for a tree)."""
        if self._parents is None:
            self._parents = list(range(1, len(self.children) + 1))
        return self._parents

    @property
    def starts(self):
        """Node p's edges are ``starts[p]`` to ``starts[p + 1]`` (the search records them node after node)."""
        if self._starts is None:
            edges_before = [0] * (len(self.tensors) + 1)
            for child in self.children:
                edges_before[child + 1] += 1
            self._starts = list(accumulate(edges_before))
        return self._starts

    def _node_positions(self):
        """Positions keyed by ``_node_key``, built on first use."""
        if self._positions is None:
            self._positions = {(id(tensor) if tensor.grad_fn is None else tensor.grad_fn): position  # _node_key
                               for position, tensor in enumerate(self.tensors)}
        return self._positions

    def position(self, tensor):
        """The position of ``tensor``'s node in the graph, or None if it is not an ancestor of the output."""
        return self._node_positions().get(_node_key(tensor))

    @property
    def index(self):
        """Positions keyed by ``id(graph_node(tensor))``."""
        if self._index is None:
            self._index = {id(graph_node(tensor)): position for position, tensor in enumerate(self.tensors)}
        return self._index

    @property
    def edges(self):
        """``edges[p]`` lists ``(parent, node, input_index)`` for every edge into node p's operation, in input order."""
        if self._edges is None:
            parents, starts = self.parents, self.starts
            edges = []
            for position, tensor in enumerate(self.tensors):
                node = tensor.grad_fn
                if node is None:
                    edges.append([])
                    continue
                input_indices = [number for number, needed in enumerate(node.needs_input_grad) if needed]
                edges.append([(parent, node, input_index) for parent, input_index in
                              zip(parents[starts[position]:starts[position + 1]], input_indices)])
            self._edges = edges
        return self._edges

    def count_to(self, target):
        """Paths from every node down to ``target`` (a position): count(i) = sum of count(parent) over i's edges.

        Dynamic programming over an order that puts every node after all of
        its parents. When positions are already consumers first, that is the
        edges taken from the last to the first, one addition each; otherwise
        a depth-first search adds each node's count into its consumer's as it
        finishes the node (a post-order).
        """
        counts = [0] * len(self.tensors)
        if target is None:
            return counts
        counts[target] = 1  # stays 1: no parent of the target can reach it in an acyclic graph
        if target == 0:  # the output: no other node has a path down to it
            return counts
        if self._consumers_first:
            for child, parent in zip(reversed(self.children), reversed(self.parents)):
                counts[child] += counts[parent]
            return counts
        parents, starts = self.parents, self.starts
        seen = [False] * len(self.tensors)
        seen[0] = seen[target] = True  # the target's count is final already: no need to search below it
        stack, next_edges = [0], [starts[0]]  # a node, and the next of its edges to follow
        while stack:
            position = stack[-1]
            edge, end = next_edges[-1], starts[position + 1]
            while edge < end:
                parent = parents[edge]
                edge += 1
                if not seen[parent]:
                    seen[parent] = True
                    next_edges[-1] = edge
                    stack.append(parent)
                    next_edges.append(starts[parent])
                    break
                counts[position] += counts[parent]  # seen, so finished: a DAG has no edge back into the stack
            else:
                stack.pop()
                next_edges.pop()
                if stack:  # finished: its count goes to the consumer whose edge led here
                    counts[stack[-1]] += counts[position]
        return counts

    def edge_paths(self, target, counts=None):
        """Every path from ``target`` to the output as its edges ``(parent, node, input_index, position)``, input first.

        ``counts`` comes from ``count_to(target)`` (computed here if not
        given); the order is that of ``position_paths``.
        """
        edges, starts = self.edges, self.starts
        if self.is_tree:
            if target is not None:
                path = self._tree_path(target)
                yield [(*edges[child][parent - 1 - starts[child]], child) for parent, child in zip(path, path[1:])]
            return
        for positions, taken in self._trails(target, counts):
            yield [(*edges[position][edge - starts[position]], position) for position, edge in zip(reversed(positions),
                                                                                                  reversed(taken))]

    def position_paths(self, target, counts=None):
        """Every path from ``target`` to the output, as the positions along it, input first.

        Depth first from the output, taking each node's edges in order and
        skipping parents with no path to ``target`` (``counts`` from
        ``count_to(target)``, computed here if not given). In a tree there is
        one path, and no counts are needed to find it.
        """
        if self.is_tree:
            if target is not None:
                yield self._tree_path(target)
            return
        for positions, _ in self._trails(target, counts):
            path = positions[::-1]
            path[0:0] = (target,)
            yield path

    def _tree_path(self, target):
        """The one path from ``target`` up to the output of a tree: node q was found by edge q - 1."""
        children = self.children
        path = [target]
        position = target
        while position:
            position = children[position - 1]
            path.append(position)
        return path

    def _trails(self, target, counts):
        """The depth-first walk behind ``edge_paths`` and ``position_paths``, by backtracking.

        At each yield, ``positions`` holds the nodes from the output down to
        the one whose edge reached ``target``, and ``taken[k]`` is the edge
        (an index into ``parents``) that the path follows out of
        ``positions[k]``. Both lists are extended and cut back in place (and
        hold only ints, which the garbage collector does not track), so each
        path costs its own length, never a copy of every prefix. The lists
        are shared between yields: copy what you keep.
        """
        if target is None:
            return
        if target == 0:
            yield [], []
            return
        if counts is None:
            counts = self.count_to(target)
        parents, starts = self.parents, self.starts
        positions, taken = [], []
        position, edge = 0, starts[0]
        while True:
            end = starts[position + 1]
            while edge < end and not counts[parents[edge]]:
                edge += 1
            if edge == end:  # every path below this node is done: back up one edge
                if not positions:
                    return
                position = positions.pop()
                edge = taken.pop() + 1
                continue
            parent = parents[edge]
            positions.append(position)
            taken.append(edge)
            if parent == target:
                yield positions, taken
                positions.pop()
                taken.pop()
                edge += 1
            else:
                position, edge = parent, starts[parent]


def _check_tensors(function, output, input):
    for name, value in (("output", output), ("input", input)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{function}: {name} must be a Tensor, got {type(value).__name__}")


def count_paths(output, input):
    """The number of paths from ``input`` to ``output`` in the graph (0 if they are not connected).

    Linear time: count(o) = 1 and count(i) = sum of count(j) over the edges
    i -> j, the recurrence of Eq. 3.8 with every local derivative set to 1.
    """
    _check_tensors("count_paths", output, input)
    graph = PathGraph(output, input)
    if graph.is_tree:  # one path from every node of a tree to its root
        return int(graph.input_position is not None)
    return graph.count_to(graph.input_position)[0]


def paths(output, input):
    """Every path from ``input`` to ``output`` as the list of tensors along it, input first (a generator)."""
    _check_tensors("paths", output, input)  # here, not at the first path
    return _paths(output, input)


def _paths(output, input):
    graph = PathGraph(output, input)
    target = graph.input_position
    if target is None:
        return
    tensors = graph.tensors
    for positions in graph.position_paths(target):
        yield list(map(tensors.__getitem__, positions))


def edge_jacobian(node, input_index, input_value, output_shape):
    """The local derivative of one edge: the Jacobian d node.output / d input, of shape (out size, in size).

    Built row by row from the operation's vector-Jacobian product applied to
    each basis vector of the output.
    """
    input_shape = input_value.shape
    sample = type(node).backward
    xp = node.xp
    size_out = int(numpy.prod(output_shape))
    rows = []
    with no_grad():
        for k in range(size_out):
            basis = xp.zeros(size_out, dtype=input_value.dtype)
            basis[k] = 1
            grads = sample(node, basis.reshape(output_shape))
            if not isinstance(grads, (tuple, list)):
                grads = (grads,)
            row = grads[input_index]
            if row is None:
                row = xp.zeros(input_shape, dtype=input_value.dtype)
            elif row.shape != input_shape:
                row = unbroadcast(row, input_shape)
            rows.append(xp.asarray(row).reshape(-1))
    return xp.stack(rows) if rows else xp.zeros((0, int(numpy.prod(input_shape))))


def path_sum_grad(outputs, inputs, grad_outputs=None, max_paths=10**6):
    """d outputs / d inputs as the sum over all paths of the products of local derivatives (Lemma 3.2.1)."""
    if isinstance(outputs, Tensor):
        outputs, grad_outputs = [outputs], [grad_outputs]
    outputs = list(outputs)
    if grad_outputs is None or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    results = [None] * len(inputs)
    for output, seed in zip(outputs, grad_outputs):
        graph = PathGraph(output)
        seed_vector = _seed_vector(output, seed)
        jacobians = {}
        for number, value in enumerate(inputs):
            target = graph.position(value)
            if target is None:
                continue
            counts = graph.count_to(target)
            if counts[0] > max_paths:
                raise ValueError(
                    f"the path-sum gradient would enumerate {counts[0]} paths, more than max_paths={max_paths}; "
                    f"pass max_paths={counts[0]} (or more) to ag.grad(..., method='paths') to run it anyway, "
                    "or use method='dp'"
                )
            total = _sum_over_paths(graph, target, counts, seed_vector, jacobians)
            contribution = total.reshape(value.shape)
            results[number] = contribution if results[number] is None else results[number] + contribution
    return results


def _seed_vector(output, seed):
    data = output.data
    xp = backend.get_array_module(data)
    if seed is None:
        if data.size != 1:
            raise RuntimeError(f"the path-sum gradient of an output of shape {output.shape} needs grad_outputs")
        return xp.ones(1, dtype=data.dtype)
    seed = seed.data if isinstance(seed, Tensor) else seed
    return xp.asarray(seed, dtype=data.dtype).reshape(-1)


def _sum_over_paths(graph, target, counts, seed_vector, jacobians):
    """Enumerate every path from the output to ``target`` depth first, multiplying local derivatives.

    The product along a path prefix is shared by the paths that extend it,
    but each complete path is still visited on its own: the work grows with
    the number of paths, as Lemma 3.2.1 says.
    """
    edges = []
    for position, node_edges in enumerate(graph.edges):
        useful = []
        for parent, node, input_index in node_edges:
            if counts[parent]:
                key = (id(node), input_index)
                if key not in jacobians:
                    jacobians[key] = edge_jacobian(node, input_index, graph.tensors[parent].data,
                                                   graph.tensors[position].shape)
                useful.append((parent, jacobians[key]))
        edges.append(useful)
    scalar = all(jacobian.size == 1 for node_edges in edges for _, jacobian in node_edges) and seed_vector.size == 1
    if scalar:
        edges = [[(parent, float(jacobian.reshape(()))) for parent, jacobian in node_edges] for node_edges in edges]
        total = 0.0
        stack = [(0, float(seed_vector[0]))]
        while stack:
            position, product = stack.pop()
            if position == target:
                total += product
                continue
            for parent, local in edges[position]:
                stack.append((parent, product * local))
        xp = backend.get_array_module(seed_vector)
        return xp.asarray(total, dtype=seed_vector.dtype)
    total = 0
    stack = [(0, seed_vector)]
    while stack:
        position, product = stack.pop()
        if position == target:
            total = total + product
            continue
        for parent, jacobian in edges[position]:
            stack.append((parent, product @ jacobian))
    return total


class ComparisonReport:
    """The DP gradient, the path-sum gradient and the finite-difference estimate of one output, side by side."""

    def __init__(self, rows, path_counts, seconds, largest_disagreement):
        self.rows = rows
        self.path_counts = path_counts
        self.seconds = seconds
        self.largest_disagreement = largest_disagreement

    def __str__(self):
        lines = ["input      paths        dp gradient        path-sum gradient  finite difference"]
        for name, count, dp, path_sum, finite in self.rows:
            lines.append(f"{name:<10} {count:<12} {_short(dp):<18} {_short(path_sum):<18} {_short(finite)}")
        lines.append("time: " + ", ".join(f"{method} {seconds * 1e3:.3f} ms" for method, seconds in
                                          self.seconds.items()))
        lines.append(f"largest disagreement: {self.largest_disagreement:.3e}")
        return "\n".join(lines)

    __repr__ = __str__


def _short(array):
    values = numpy.asarray(array).reshape(-1)
    if values.size == 1:
        return f"{values[0]:.10g}"
    return f"[{values.size} values]"


def compare(output, inputs, eps=1e-6, max_paths=10**6, function=None):
    """Compare dynamic programming, the sum over paths, and central finite differences on one graph.

    ``function`` (called with no arguments, returning the output) lets the
    finite differences re-evaluate the graph; without it, the recorded graph
    is replayed on perturbed inputs by re-running its operations.
    """
    from .engine import grad as engine_grad
    from .gradcheck import numerical_grad_of_graph

    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    seconds = {}
    started = time.perf_counter()
    dp = engine_grad(output, inputs, retain_graph=True, allow_unused=True)
    seconds["dp"] = time.perf_counter() - started
    started = time.perf_counter()
    path_sum = engine_grad(output, inputs, method="paths", max_paths=max_paths, allow_unused=True)
    seconds["paths"] = time.perf_counter() - started
    started = time.perf_counter()
    finite = numerical_grad_of_graph(output, inputs, eps=eps, function=function)
    seconds["finite differences"] = time.perf_counter() - started
    rows, counts, worst = [], [], 0.0
    for number, value in enumerate(inputs):
        count = count_paths(output, value)
        counts.append(count)
        zeros = numpy.zeros(value.shape)
        values = [zeros if g is None else g.numpy() for g in (dp[number], path_sum[number])] + [finite[number]]
        worst = max(worst, float(numpy.max(numpy.abs(values[0] - values[1]), initial=0.0)),
                    float(numpy.max(numpy.abs(values[0] - values[2]), initial=0.0)))
        rows.append((value.name or f"input {number}", count, *values))
    return ComparisonReport(rows, counts, seconds, worst)
