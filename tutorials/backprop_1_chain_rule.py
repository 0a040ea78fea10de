# %% [markdown]
# # 1. The chain rule on a computational graph
#
# Section 3.2: a neural network is a computational graph, and its derivatives
# follow from the chain rule applied along that graph. This tutorial checks
# three statements of the chapter with the engine:
#
# * Eq. 3.1, the chain rule for a composition: o = sigmoid(sigmoid(w)) has
#   do/dw = sigmoid'(sigmoid(w)) sigmoid'(w).
# * Figure 3.1: o = cos(w^2) has do/dw = -2 w sin(w^2).
# * Figures 3.2 and 3.3: o = sin(w^2) + cos(w^2) reaches w by two paths, and
#   its derivative is the sum of the products of local derivatives along them.
# * Eq. 3.3, the multivariable chain rule: do/dw = sum over the functions g_i
#   that w feeds of (do/dg_i)(dg_i/dw).

# %%
import os
import sys

import matplotlib
import numpy as np

if "ipykernel" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt

import autograd_core as ag
from autograd_core.examples import equation_3_1, figure_3_1, figure_3_3

OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)


def save_diagram(digraph, name):
    """Write a diagram into the output folder (rendered when Graphviz's dot is installed)."""
    ag.viz.save_diagram(digraph, os.path.join(OUTPUT, name))
    return digraph


# %% [markdown]
# ## Eq. 3.1: o = sigmoid(sigmoid(w))
# Two nodes after w, s = sigmoid(w) and o = sigmoid(s). The chain rule multiplies
# the local derivative of each: do/ds = o (1 - o) and ds/dw = s (1 - s).

# %%
w, o = equation_3_1(0.5)
o.backward()
s_value = 1 / (1 + np.exp(-0.5))
o_value = 1 / (1 + np.exp(-s_value))
by_hand = o_value * (1 - o_value) * s_value * (1 - s_value)
assert abs(w.grad.item() - by_hand) < 1e-14
print(f"Eq. 3.1 at w = 0.5: do/dw = o(1 - o) s(1 - s) = {by_hand:.10f}; the engine: {w.grad.item():.10f}")

# %% [markdown]
# ## Figure 3.1: o = cos(w^2)
# The graph has two nodes after w: y = w^2 and o = cos(y). The chain rule
# multiplies the local derivatives dy/dw = 2w and do/dy = -sin(y).

# %%
for value in np.linspace(-2.0, 2.0, 9):
    w, o = figure_3_1(value)
    o.backward()
    expected = -2 * value * np.sin(value ** 2)
    assert abs(w.grad.item() - expected) < 1e-12, (value, w.grad.item(), expected)
print("do/dw = -2 w sin(w^2) at nine points: the engine agrees to 1e-12")

w, o = figure_3_1(0.8)
save_diagram(ag.draw(o, edge_labels=True, title="Figure 3.1: o = cos(w^2), edges labelled z(i, j)"),
             "figure_3_1.svg")

# %% [markdown]
# The derivative over a range of w, next to the function:

# %%
grid = np.linspace(-2.5, 2.5, 201)
values, derivatives = [], []
for value in grid:
    w, o = figure_3_1(value)
    o.backward()
    values.append(o.item())
    derivatives.append(w.grad.item())
figure, axes = plt.subplots(figsize=(6, 3.5))
axes.plot(grid, values, label="o = cos(w^2)")
axes.plot(grid, derivatives, label="do/dw by backpropagation")
axes.plot(grid[::10], -2 * grid[::10] * np.sin(grid[::10] ** 2), "k.", label="-2w sin(w^2)")
axes.set_xlabel("w")
axes.legend()
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "figure_3_1_derivative.png"), dpi=100)
plt.close(figure)
assert np.allclose(derivatives, -2 * grid * np.sin(grid ** 2), rtol=0, atol=1e-12)

# %% [markdown]
# ## Figures 3.2 and 3.3: two paths
# With y = w^2, p = sin(y), q = cos(y) and o = p + q, there are two paths
# from w to o: w -> y -> p -> o and w -> y -> q -> o. Lemma 3.2.1: the
# derivative is the sum over paths of the product of local derivatives.

# %%
w_value = 0.7
w, o = figure_3_3(w_value)
assert ag.count_paths(o, w) == 2
for path in ag.paths(o, w):
    print(" -> ".join(tensor.name for tensor in path))

y = w_value ** 2
through_p = 2 * w_value * np.cos(y) * 1.0   # dy/dw * dp/dy * do/dp
through_q = 2 * w_value * -np.sin(y) * 1.0  # dy/dw * dq/dy * do/dq
by_hand = through_p + through_q
by_dp = ag.grad(o, w, retain_graph=True).item()
by_paths = ag.grad(o, w, method="paths", retain_graph=True).item()
print(f"by hand {by_hand:.12f}, dynamic programming {by_dp:.12f}, sum over paths {by_paths:.12f}")
assert abs(by_dp - by_hand) < 1e-12 and abs(by_paths - by_hand) < 1e-12

save_diagram(ag.draw(o, edge_labels=True, highlight_paths=w, title="Figure 3.3: both paths from w to o"),
             "figure_3_3_paths.svg")

# %% [markdown]
# ## Eq. 3.3: the multivariable chain rule
# w feeds g_1 = w^2 and g_2 = e^w; o = g_1 g_2. Then
# do/dw = (do/dg_1)(dg_1/dw) + (do/dg_2)(dg_2/dw) = g_2 (2w) + g_1 e^w.

# %%
w = ag.tensor(0.3, requires_grad=True, name="w")
g1 = w ** 2
g1.name = "g1"
g2 = ag.exp(w)
g2.name = "g2"
o = g1 * g2
o.name = "o"
o.backward()
chain_rule = np.exp(0.3) * 2 * 0.3 + 0.3 ** 2 * np.exp(0.3)
print(f"Eq. 3.3 by hand {chain_rule:.12f}, engine {w.grad.item():.12f}")
assert abs(w.grad.item() - chain_rule) < 1e-12
save_diagram(ag.draw(o, title="Eq. 3.3: o = g1(w) g2(w)"), "eq_3_3.svg")
