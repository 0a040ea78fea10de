# %% [markdown]
# # Optimisation 1: bowls, zig-zags, momentum and a marble
#
# Section 3.5 starts from the shape of the loss. On a circular bowl,
# L = x^2 + y^2 (Figure 3.9a), the direction of steepest descent points at the
# minimum, so gradient descent walks straight to it. On an elliptical bowl,
# L = x^2 + 4 y^2 (Figure 3.9b), it points mostly across the narrow axis: the
# path zig-zags across the bowl while it creeps along the long axis.
#
# Momentum (Section 3.5.2, `optim.SGD(..., momentum=beta)`),
#
#     V <- beta V - alpha dL/dW
#     W <- W + V,
#
# averages successive steps: the components that flip sign across the bowl
# cancel, those that keep pointing along it add up (Figure 3.11). The same
# inertia lets a marble roll over small bumps of a loss surface instead of
# stopping in the first dip (Figure 3.12).

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
GRID = 60 if FAST else 200


def trajectory(loss_function, start, make_optimizer, steps):
    """Positions visited by an optimizer from ``start``, as an array of shape (steps + 1, len(start)).

    ``loss_function`` takes the coordinates as separate arguments, so the same
    function evaluates on Tensors (for the gradient) and on NumPy grids (for contours).
    """
    W = ag.tensor(np.array(start, dtype=float), requires_grad=True)
    opt = make_optimizer([W])
    positions = [W.numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        loss_function(*W).sum().backward()
        opt.step()
        positions.append(W.numpy().copy())
    return np.array(positions)


def circular_bowl(x, y):
    return x * x + y * y


def elliptical_bowl(x, y):
    return x * x + 4 * y * y


def contour(axes, loss_function, limits=(-2.5, 2.5, -1.5, 1.5)):
    xs = np.linspace(limits[0], limits[1], GRID)
    ys = np.linspace(limits[2], limits[3], GRID)
    X, Y = np.meshgrid(xs, ys)
    Z = loss_function(X, Y)
    axes.contour(X, Y, Z, levels=15, cmap="Blues", linewidths=0.8)
    axes.set_aspect("equal")


# %% [markdown]
# ## Figure 3.9: steepest descent on the two bowls
# The same start (-2, 1) and the same learning rate alpha = 0.22 for both.

# %%
START = (-2.0, 1.0)
sgd = lambda params: optim.SGD(params, lr=0.22)  # noqa: E731
circle_path = trajectory(circular_bowl, START, sgd, 15)
ellipse_path = trajectory(elliptical_bowl, START, sgd, 15)

figure, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, loss_function, path, title in [(axes[0], circular_bowl, circle_path, "(a) circular bowl L = x^2 + y^2"),
                                        (axes[1], elliptical_bowl, ellipse_path,
                                         "(b) elliptical bowl L = x^2 + 4y^2")]:
    contour(ax, loss_function)
    ax.plot(path[:, 0], path[:, 1], "o-", color="crimson", markersize=3)
    ax.plot(0, 0, "k*", markersize=10)
    ax.set_title(title)
figure.suptitle("Figure 3.9: steepest descent, alpha = 0.22")
figure.savefig(os.path.join(OUTPUT, "figure_3_9_bowls.png"), dpi=100, bbox_inches="tight")

# On the circular bowl every step lies on the line from the start to the minimum ...
cross = circle_path[:, 0] * START[1] - circle_path[:, 1] * START[0]
assert np.abs(cross).max() < 1e-12
# ... on the elliptical one, y changes sign at every step: the zig-zag.
flips = int(np.sum(np.sign(ellipse_path[1:, 1]) != np.sign(ellipse_path[:-1, 1])))
assert flips == len(ellipse_path) - 1, flips
print(f"circular bowl: a straight line; elliptical bowl: y flips sign {flips} times in {flips} steps")

# %% [markdown]
# ## Figure 3.11: momentum smooths the zig-zag
# Same bowl, same alpha, now with momentum beta = 0.3. The sideways steps
# cancel, so the path crosses the axis less often, travels less across the
# bowl, and ends nearer the minimum after the same number of steps.

# %%
STEPS = 30
plain = trajectory(elliptical_bowl, START, sgd, STEPS)
smooth = trajectory(elliptical_bowl, START, lambda params: optim.SGD(params, lr=0.22, momentum=0.3), STEPS)


def loss_at(point):
    return elliptical_bowl(*point)


def sideways_travel(path):
    return np.abs(np.diff(path[:, 1])).sum()


figure, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, path, title in [(axes[0], plain, "(a) without momentum"), (axes[1], smooth, "(b) with momentum, beta = 0.3")]:
    contour(ax, elliptical_bowl)
    ax.plot(path[:, 0], path[:, 1], "o-", color="crimson", markersize=3)
    ax.set_title(f"{title}\nloss {loss_at(path[-1]):.1e} after {STEPS} steps")
figure.suptitle("Figure 3.11: momentum smooths the zig-zag (L = x^2 + 4y^2, alpha = 0.22)")
figure.savefig(os.path.join(OUTPUT, "figure_3_11_momentum.png"), dpi=100, bbox_inches="tight")

assert loss_at(smooth[-1]) < loss_at(plain[-1]) / 100
assert sideways_travel(smooth) < 0.6 * sideways_travel(plain)
print(f"after {STEPS} steps: loss {loss_at(plain[-1]):.2e} without momentum, {loss_at(smooth[-1]):.2e} with; "
      f"sideways travel {sideways_travel(plain):.2f} versus {sideways_travel(smooth):.2f}")

# %% [markdown]
# ## Figure 3.12: a marble on a bumpy surface
# L(w) = 0.05 w^2 + 0.2 sin(2.5 w) has a deep minimum near w = -0.6 and
# shallower dips on both sides. Plain gradient descent from w = 5 stops in the
# first dip it meets; with the same alpha = 0.1 and momentum beta = 0.9 the marble keeps its speed and
# rolls over the bumps into the deep valley.

# %%
def bumpy(w):
    return 0.05 * w * w + 0.2 * ag.sin(2.5 * w)


MARBLE_STEPS = 150 if FAST else 300
stuck = trajectory(bumpy, [5.0], lambda params: optim.SGD(params, lr=0.1), MARBLE_STEPS)[:, 0]
rolling = trajectory(bumpy, [5.0], lambda params: optim.SGD(params, lr=0.1, momentum=0.9), MARBLE_STEPS)[:, 0]


def bumpy_value(w):
    return 0.05 * w ** 2 + 0.2 * np.sin(2.5 * w)


ws = np.linspace(-6, 6, 4 * GRID)
figure, axes = plt.subplots(1, 2, figsize=(11, 4))
axes[0].plot(ws, bumpy_value(ws), color="grey")
axes[0].plot(stuck, bumpy_value(stuck), "o", color="tab:blue", markersize=3, label="without momentum")
axes[0].plot(rolling, bumpy_value(rolling), "o", color="crimson", markersize=3, alpha=0.5, label="momentum 0.9")
axes[0].set_xlabel("w")
axes[0].set_ylabel("L(w)")
axes[0].legend()
axes[1].plot(stuck, label="without momentum")
axes[1].plot(rolling, label="momentum 0.9")
axes[1].set_xlabel("step")
axes[1].set_ylabel("w")
axes[1].legend()
figure.suptitle("Figure 3.12: the marble rolls over the bumps into the deeper valley")
figure.savefig(os.path.join(OUTPUT, "figure_3_12_marble.png"), dpi=100, bbox_inches="tight")

global_minimum = ws[np.argmin(bumpy_value(ws))]
assert abs(rolling[-1] - global_minimum) < 0.1, (rolling[-1], global_minimum)
assert bumpy_value(stuck[-1]) > bumpy_value(rolling[-1]) + 0.5, (stuck[-1], rolling[-1])
print(f"without momentum the marble stops at w = {stuck[-1]:.2f} (L = {bumpy_value(stuck[-1]):.2f}); "
      f"with momentum at w = {rolling[-1]:.2f} (L = {bumpy_value(rolling[-1]):.2f}), the deepest valley")
