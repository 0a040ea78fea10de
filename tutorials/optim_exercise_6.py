# %% [markdown]
# # Optimisation 2: Exercise 6, L = x^2 + y^10
#
# Exercise 6 of the chapter: run steepest descent on L = x^2 + y^10 at a
# constant learning rate from (0.5, 0.5) and from (2, 2), plot the
# trajectories, and say what happens.
#
# The two coordinates see very different curvatures. Along x the bowl is the
# same everywhere (dL/dx = 2x). Along y, dL/dy = 10 y^9 is tiny near 0
# (10 * 0.5^9 = 0.02) and huge further out (10 * 2^9 = 5120). So one learning
# rate cannot suit both starts:
#
# * from (0.5, 0.5) with alpha = 0.05, x converges at once but y barely moves:
#   the bowl is almost flat along y;
# * from (2, 2) the same alpha throws y to -254 on the first step, and the next
#   gradient is astronomically larger: the iterates explode;
# * a rate small enough to be stable from (2, 2) (alpha = 5e-5) leaves x
#   crawling.
#
# This is the problem that the parameter-specific rates of Section 3.5.3 solve:
# RMSProp divides each partial derivative by the root of its own running mean
# square, so both coordinates move at a similar pace from either start.

# %%
import os
import sys

import matplotlib
import numpy as np

if "ipykernel" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt

import autograd_core as ag
from autograd_core import optim

OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)
FAST = os.environ.get("AUTOGRAD_CORE_FAST") == "1"
STEPS = 200
BLOWN_UP = 1e3


def loss(x, y):
    return x ** 2 + y ** 10


def trajectory(start, make_optimizer, steps=STEPS):
    """Positions from ``start`` until ``steps`` steps are taken or a coordinate exceeds BLOWN_UP."""
    W = ag.tensor(np.array(start, dtype=float), requires_grad=True)
    opt = make_optimizer([W])
    positions = [W.numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        loss(W[0], W[1]).backward()
        opt.step()
        positions.append(W.numpy().copy())
        if np.abs(W.numpy()).max() > BLOWN_UP:
            break
    return np.array(positions)


# %% [markdown]
# ## Steepest descent at a constant rate

# %%
small_start = trajectory((0.5, 0.5), lambda params: optim.SGD(params, lr=0.05))
large_start = trajectory((2.0, 2.0), lambda params: optim.SGD(params, lr=0.05))
large_start_slow = trajectory((2.0, 2.0), lambda params: optim.SGD(params, lr=5e-5))

x_final, y_final = small_start[-1]
assert abs(x_final) < 1e-6 and y_final > 0.4, small_start[-1]
print(f"from (0.5, 0.5), alpha = 0.05: after {STEPS} steps x = {x_final:.1e} but y = {y_final:.3f}")

assert len(large_start) < 5 and np.abs(large_start[-1]).max() > BLOWN_UP
print(f"from (2, 2), alpha = 0.05: y = {large_start[1, 1]:.0f} after one step, {large_start[-1, 1]:.1e} after "
      f"{len(large_start) - 1}: the iterates explode")

assert large_start_slow[-1, 0] > 1.9 and large_start_slow[-1, 1] < 1.1
print(f"from (2, 2), alpha = 5e-5: y falls to {large_start_slow[-1, 1]:.2f} but x is still "
      f"{large_start_slow[-1, 0]:.3f} after {STEPS} steps")

# %% [markdown]
# ## Parameter-specific rates: RMSProp from both starts

# %%
rmsprop = lambda params: optim.RMSProp(params, lr=0.02, rho=0.9)  # noqa: E731
rms_small = trajectory((0.5, 0.5), rmsprop)
rms_large = trajectory((2.0, 2.0), rmsprop)
for name, path in [("(0.5, 0.5)", rms_small), ("(2, 2)", rms_large)]:
    print(f"RMSProp from {name}: L = {loss(*path[-1]):.2e} at ({path[-1, 0]:.3f}, {path[-1, 1]:.3f})")
    assert loss(*path[-1]) < 0.01
assert loss(*rms_small[-1]) < loss(*small_start[-1])
assert loss(*rms_large[-1]) < loss(*large_start_slow[-1]) / 100

# %% [markdown]
# ## The trajectories on the contours of L

# %%
grid = np.linspace(-2.3, 2.3, 80 if FAST else 300)
X, Y = np.meshgrid(grid, grid)
levels = np.logspace(-3, 3, 14)
figure, axes = plt.subplots(1, 3, figsize=(16, 5))
panels = [
    (axes[0], "from (0.5, 0.5), alpha = 0.05", [(small_start, "steepest descent", "crimson"),
                                               (rms_small, "RMSProp", "tab:green")]),
    (axes[1], "from (2, 2), alpha = 0.05: explodes", [(large_start[:2], "steepest descent (first step)", "crimson"),
                                                      (rms_large, "RMSProp", "tab:green")]),
    (axes[2], "from (2, 2), alpha = 5e-5: x crawls", [(large_start_slow, "steepest descent", "crimson")]),
]
for ax, title, paths in panels:
    ax.contour(X, Y, loss(X, Y), levels=levels, cmap="viridis", linewidths=0.8)
    for path, label, colour in paths:
        ax.plot(path[:, 0], path[:, 1], "o-", color=colour, markersize=2, label=label)
    ax.plot(0, 0, "k*", markersize=10)
    ax.set_xlim(-2.3, 2.3)
    ax.set_ylim(-2.3, 2.3)
    ax.set_aspect("equal")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=8)
figure.suptitle("Exercise 6: L = x^2 + y^10 at a constant learning rate")
figure.savefig(os.path.join(OUTPUT, "exercise_6_trajectories.png"), dpi=100, bbox_inches="tight")

figure, ax = plt.subplots(figsize=(7, 4))
for path, label in [(small_start, "SGD from (0.5, 0.5)"), (large_start_slow, "SGD alpha=5e-5 from (2, 2)"),
                    (rms_small, "RMSProp from (0.5, 0.5)"), (rms_large, "RMSProp from (2, 2)")]:
    ax.semilogy([loss(*point) for point in path], label=label)
ax.set_xlabel("step")
ax.set_ylabel("L = x^2 + y^10")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)  # beside the axes, clear of every curve
figure.savefig(os.path.join(OUTPUT, "exercise_6_loss.png"), dpi=100, bbox_inches="tight")
print("the lesson: one global rate cannot serve both the flat and the steep direction; per-parameter rates can")
