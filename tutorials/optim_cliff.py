# %% [markdown]
# # Optimisation 4: the cliff, with and without gradient clipping
#
# Figure 3.13: a loss surface can hold a cliff, a narrow band where it drops
# steeply. Near the edge the gradient is enormous, and a step of
# alpha * gradient throws the parameters far from where they were, undoing
# many steps of progress. Clipping (Section 3.5.5) bounds the step:
# `optim.clip_grad_norm(params, max_norm)` rescales the gradient when its norm
# exceeds max_norm (and returns the norm before clipping), and
# `optim.clip_grad_value` clips each partial derivative.
#
# The surface here is a valley, L(x, y) = 0.5 x^2 + 0.5 (y - 3)^2 on the high
# side, with a cliff of height 60 along x = 1: L(x, y) = 0.5 x^2 +
# 0.5 (y - 3)^2 + 30 (1 + tanh(5 (x - 1))). Starting on the plateau at
# (2.5, 0), descent walks toward the edge and then meets a slope of up to 150.

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
STEPS = 25
ALPHA = 0.2
MAX_NORM = 2.0


def cliff_loss(x, y, tanh=np.tanh):
    return 0.5 * x ** 2 + 0.5 * (y - 3) ** 2 + 30 * (1 + tanh(5 * (x - 1)))


def descend(clip):
    W = ag.tensor(np.array([2.5, 0.0]), requires_grad=True)
    opt = optim.SGD([W], lr=ALPHA)
    positions, norms = [W.numpy().copy()], []
    for _ in range(STEPS):
        opt.zero_grad()
        cliff_loss(W[0], W[1], tanh=ag.tanh).backward()
        if clip:
            norms.append(optim.clip_grad_norm([W], max_norm=MAX_NORM))
        else:
            norms.append(optim.grad_norm([W]))
        opt.step()
        positions.append(W.numpy().copy())
    return np.array(positions), np.array(norms)


unclipped, unclipped_norms = descend(clip=False)
clipped, clipped_norms = descend(clip=True)
for name, path, norms in [("without clipping", unclipped, unclipped_norms), ("with clipping", clipped, clipped_norms)]:
    jumps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    print(f"{name:17s}: largest gradient norm {norms.max():7.1f}, longest step {jumps.max():6.2f}, "
          f"final loss {cliff_loss(*path[-1]):.2e}")

# %% [markdown]
# Where the unclipped path lands on the cliff face, its step is alpha times a
# gradient of up to 150: the parameters are thrown far beyond the valley, the
# loss climbs above where it started, and the remaining steps walk back.
# Clipped, no step is longer than alpha * max_norm = 0.4, the loss keeps
# falling, and the path goes down the cliff face instead of being thrown off it.

# %%
unclipped_jumps = np.linalg.norm(np.diff(unclipped, axis=0), axis=1)
clipped_jumps = np.linalg.norm(np.diff(clipped, axis=0), axis=1)
unclipped_losses = cliff_loss(unclipped[:, 0], unclipped[:, 1])
clipped_losses = cliff_loss(clipped[:, 0], clipped[:, 1])
assert unclipped_jumps.max() > 10
assert unclipped_losses.max() > unclipped_losses[0]
assert clipped_jumps.max() <= ALPHA * MAX_NORM + 1e-12
assert np.all(np.diff(clipped_losses) < 0)
assert clipped_losses[-1] < unclipped_losses[-1] / 10

grid_x = np.linspace(-30, 4, 120 if FAST else 400)
grid_y = np.linspace(-1, 4, 80 if FAST else 300)
X, Y = np.meshgrid(grid_x, grid_y)
figure, axes = plt.subplots(1, 3, figsize=(17, 4.5), layout="constrained")
for ax, path, title in [(axes[0], unclipped, "(a) without clipping"),
                        (axes[1], clipped, f"(b) clip_grad_norm, max_norm = {MAX_NORM}")]:
    filled = ax.contourf(X, Y, np.log10(cliff_loss(X, Y)), levels=30, cmap="viridis")  # log scale shows the step
    ax.axvline(1.0, color="black", linestyle="--", linewidth=0.8)
    ax.plot(path[:, 0], path[:, 1], "o-", color="crimson", markersize=3)
    ax.plot(*path[0], "ks", markersize=6)
    ax.set_xlim(grid_x[0], grid_x[-1])
    ax.set_ylim(grid_y[0], grid_y[-1])
    ax.set_title(title)
figure.colorbar(filled, ax=axes[:2], label="log10 L", shrink=0.9)
axes[2].semilogy(unclipped_losses, "o-", markersize=3, label="without clipping")
axes[2].semilogy(clipped_losses, "o-", markersize=3, label="with clipping")
axes[2].set_xlabel("step")
axes[2].set_ylabel("loss")
axes[2].legend()
figure.suptitle("Figure 3.13: the cliff at x = 1 (dashed) and gradient clipping; colours show log10 L "
                "(SGD, alpha = 0.2)")
figure.savefig(os.path.join(OUTPUT, "figure_3_13_cliff.png"), dpi=100, bbox_inches="tight")
