# %% [markdown]
# # 2. Exponentially many paths (Lemma 3.2.1, Figure 3.4)
#
# Lemma 3.2.1: do/dw is the sum, over every path from w to o, of the product
# of the local derivatives along the path. In Figure 3.4 every unit is the
# product of the two units of the layer before, so each layer doubles the
# paths: 2^depth paths, and o = w^(2^depth). Summing over paths takes time
# proportional to their number; dynamic programming (the next tutorial) takes
# time proportional to the number of edges.

# %%
import os
import sys

import matplotlib
import numpy as np

if "ipykernel" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

import autograd_core as ag
from autograd_core.examples import figure_3_4

OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
FAST = os.environ.get("AUTOGRAD_CORE_FAST") == "1"
os.makedirs(OUTPUT, exist_ok=True)


def save_diagram(digraph, name):
    """Write a diagram into the output folder (rendered when Graphviz's dot is installed)."""
    ag.viz.save_diagram(digraph, os.path.join(OUTPUT, name))
    return digraph


# %% [markdown]
# ## Counting paths
# `ag.count_paths` counts in linear time; `ag.paths` lists them one by one.

# %%
for depth in range(1, 11):
    w, o = figure_3_4(depth, 2)
    assert ag.count_paths(o, w) == 2 ** depth
w, o = figure_3_4(3, 3)
assert ag.count_paths(o, w) == 3 ** 3  # width^depth in general
print("paths through depth d with width k: k^d")

w, o = figure_3_4(3, 2, 1.1)
listed = list(ag.paths(o, w))
assert len(listed) == 8
for number, path in enumerate(listed):
    print(number, " -> ".join(tensor.name for tensor in path))

# %% [markdown]
# ## The sum over paths, by hand
# Each path's product of local derivatives: the edge from w into a copy
# w * 1 has derivative 1, and the edge from u into u * v has derivative v.

# %%
def local_derivative(parent, child):
    """z(parent, child) for Figure 3.4's graph: d(child)/d(parent) when child is a product."""
    node = child.grad_fn
    factors = [value for value in node.inputs if isinstance(value, ag.Tensor)]
    if len(factors) == 1:
        return 1.0  # a copy of w, or a one-unit product times 1.0
    other = factors[1] if factors[0] is parent else factors[0]
    return other.item()


by_hand = sum(np.prod([local_derivative(a, b) for a, b in zip(path, path[1:])]) for path in listed)
exact = 8 * 1.1 ** 7
by_paths = ag.grad(o, w, method="paths", retain_graph=True).item()
by_dp = ag.grad(o, w).item()
print(f"sum over the 8 paths by hand {by_hand:.12f}; path-sum mode {by_paths:.12f}; DP {by_dp:.12f}; "
      f"8 w^7 = {exact:.12f}")
assert abs(by_hand - exact) < 1e-10 and abs(by_paths - exact) < 1e-10 and abs(by_dp - exact) < 1e-10

w, o = figure_3_4(5, 2)
o.backward(retain_graph=True)
save_diagram(ag.draw(o, highlight_paths=w, title="Figure 3.4: all 32 paths from w"), "figure_3_4_all_paths.svg")
save_diagram(ag.draw(o, highlight_paths=(w, [0]), title="Figure 3.4: one of the 32 paths"),
             "figure_3_4_one_path.svg")

# %% [markdown]
# ## Time against depth
# The path sum's time grows like 2^depth; dynamic programming's like depth.
# `ag.compare` times both (and finite differences) on the same graph; each
# depth is timed three times and the fastest kept, so that a busy moment of
# the machine does not show as a bump in the curve.

# %%
depths = list(range(2, 15 if FAST else 21, 2 if FAST else 1))
dp_seconds, path_seconds = [], []
for depth in depths:
    w, o = figure_3_4(depth, 2, 1.0 + 1e-7)
    reports = [ag.compare(o, w, max_paths=2 ** depth) for _ in range(3)]
    dp, path_sum = float(reports[0].rows[0][2]), float(reports[0].rows[0][3])
    assert abs(dp - path_sum) <= 1e-9 * abs(dp), (depth, dp, path_sum)
    dp_seconds.append(min(report.seconds["dp"] for report in reports))
    path_seconds.append(min(report.seconds["paths"] for report in reports))
    print(f"depth {depth:>2}: {2 ** depth:>8} paths, DP {dp_seconds[-1] * 1e3:8.3f} ms, "
          f"path sum {path_seconds[-1] * 1e3:9.3f} ms")

figure, axes = plt.subplots(figsize=(6, 3.5))
axes.semilogy(depths, np.array(path_seconds) * 1e3, "o-", label="sum over paths (Lemma 3.2.1)")
axes.semilogy(depths, np.array(dp_seconds) * 1e3, "s-", label="dynamic programming (Eq. 3.8)")
axes.set_xlabel("depth of Figure 3.4's graph (2^depth paths)")
axes.xaxis.set_major_locator(MaxNLocator(integer=True))
axes.set_ylabel("time (ms, log scale; fastest of 3)")
axes.legend()
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "time_against_depth.png"), dpi=100)
plt.close(figure)
