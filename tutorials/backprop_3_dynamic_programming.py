# %% [markdown]
# # 3. Dynamic programming to the rescue (Eq. 3.7 and 3.8)
#
# The sum over paths of Lemma 3.2.1 factorises. Let S(i, o) be the sum, over
# the paths from node i to the output o, of the products of local
# derivatives z(i, j). Then (Eq. 3.8)
#
#     S(i, o) = sum over the edges i -> j of z(i, j) S(j, o),   S(o, o) = 1,
#
# so visiting the nodes from the output backwards computes every S(i, o) once
# per edge. The same recurrence, with other ways to combine and extend,
# counts paths (z = 1) and finds the longest path (max instead of sum, +1
# instead of times). This tutorial writes that one recurrence by hand over a
# small DAG and checks all three uses against the engine.

# %%
import math
import os
import sys

import matplotlib

if "ipykernel" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt

import autograd_core as ag

OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)


def save_diagram(digraph, name):
    """Write a diagram into the output folder (rendered when Graphviz's dot is installed)."""
    ag.viz.save_diagram(digraph, os.path.join(OUTPUT, name))
    return digraph


# %% [markdown]
# ## A small DAG, written twice
# w -> a = w^2, b = sin(w), c = a b, d = exp(c), e = d + a, o = e + b.
# First with the engine, then as a table of edges with their local
# derivatives worked out by hand.

# %%
w_value = 0.6
w = ag.tensor(w_value, requires_grad=True, name="w")
a = w ** 2
b = ag.sin(w)
c = a * b
d = ag.exp(c)
e = d + a
o = e + b
for tensor, name in ((a, "a"), (b, "b"), (c, "c"), (d, "d"), (e, "e"), (o, "o")):
    tensor.name = name

A, B = w_value ** 2, math.sin(w_value)
C = A * B
D = math.exp(C)
edges = {  # node -> [(child, z(node, child))], the local derivatives of Figure 3.5
    "w": [("a", 2 * w_value), ("b", math.cos(w_value))],
    "a": [("c", B), ("e", 1.0)],
    "b": [("c", A), ("o", 1.0)],
    "c": [("d", D)],
    "d": [("e", 1.0)],
    "e": [("o", 1.0)],
    "o": [],
}
reverse_topological = ["o", "e", "d", "c", "b", "a", "w"]  # every node after all of its children


def backward_recurrence(combine, extend, at_output):
    """The one dynamic programme of Eq. 3.8: value(i) = combine over edges i -> j of extend(z(i, j), value(j))."""
    value = {}
    for node in reverse_topological:
        if node == "o":
            value[node] = at_output
        else:
            value[node] = combine(extend(z, value[child]) for child, z in edges[node])
    return value


gradients = backward_recurrence(sum, lambda z, downstream: z * downstream, 1.0)
path_counts = backward_recurrence(sum, lambda z, downstream: downstream, 1)
longest = backward_recurrence(max, lambda z, downstream: downstream + 1, 0)
print("do/d(node):", {node: round(value, 6) for node, value in gradients.items()})
print("paths to o:", path_counts)
print("longest path to o (edges):", longest)

# %% [markdown]
# ## The same answers from the engine
# `ag.grad` runs this recurrence (over every node at once); `ag.count_paths`
# runs it with z = 1; the longest path is the longest list `ag.paths` yields.

# %%
engine_gradients = ag.grad(o, [w, a, b, c, d, e], retain_graph=True)
for name, gradient in zip("wabcde", engine_gradients):
    assert abs(gradient.item() - gradients[name]) < 1e-12, (name, gradient.item(), gradients[name])
for name, tensor in zip("wabcde", (w, a, b, c, d, e)):
    assert ag.count_paths(o, tensor) == path_counts[name]
    assert max(len(path) - 1 for path in ag.paths(o, tensor)) == longest[name]
assert ag.count_paths(o, w) == 4
by_paths = ag.grad(o, w, method="paths", retain_graph=True).item()
assert abs(by_paths - gradients["w"]) < 1e-12
print(f"do/dw: recurrence {gradients['w']:.12f}, engine DP {engine_gradients[0].item():.12f}, "
      f"sum over {path_counts['w']} paths {by_paths:.12f}")
save_diagram(ag.draw(o, edge_labels=True, highlight_paths=w, title="A small DAG: 4 paths from w to o"),
             "small_dag.svg")

# %% [markdown]
# ## Work: edges, not paths
# Counting the work of the recurrence on Figure 3.4's graph: one multiply-add
# per edge, so 4 per layer, while the paths double with each layer.

# %%
from autograd_core.examples import figure_3_4  # noqa: E402

depths = list(range(1, 13))
path_numbers, edge_numbers = [], []
for depth in depths:
    w, o = figure_3_4(depth, 2)
    path_numbers.append(ag.count_paths(o, w))
    edge_numbers.append(2 + 4 * (depth - 1) + 2)  # w into layer 1, 4 edges between layers, 2 into o
    assert path_numbers[-1] == 2 ** depth
figure, axes = plt.subplots(figsize=(6, 3.5))
axes.semilogy(depths, path_numbers, "o-", label="paths (work of the path sum)")
axes.semilogy(depths, edge_numbers, "s-", label="edges (work of dynamic programming)")
axes.set_xlabel("depth")
axes.legend()
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "paths_against_edges.png"), dpi=100)
plt.close(figure)
