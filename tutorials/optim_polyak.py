# %% [markdown]
# # Optimisation 5: Polyak averaging smooths a bouncing path
#
# Section 3.5.7 and Figure 3.15: with a large learning rate and noisy
# mini-batch gradients, the weights bounce from one wall of a valley to the
# other while drifting along its floor. Each iterate is a poor answer, but the
# average of recent iterates sits near the floor. `optim.PolyakAverage`
# keeps either the simple average of all iterates or the text's exponential average
#
#     W-bar_t = sum_{i<=t} beta^(t-i) W_i / sum_{i<=t} beta^(t-i)
#             = W-bar_{t-1} + (W_t - W-bar_{t-1}) (1 - beta) / (1 - beta^t),
#
# beside any optimizer, and swaps it into the parameters for evaluation.
#
# The valley: L(x, y) = 0.05 (x - 4)^2 + 2 y^2, narrow across y and long
# along x; the gradient carries Gaussian noise as a mini-batch estimate would.

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
STEPS = 300 if FAST else 600
BETA = 0.95
rng = np.random.default_rng(1)


def valley(x, y):
    return 0.05 * (x - 4) ** 2 + 2 * y ** 2


W = ag.tensor(np.array([-4.0, 1.5]), requires_grad=True)
opt = optim.SGD([W], lr=0.45)                    # across the valley: y <- (1 - 4 alpha) y = -0.8 y
exponential = optim.PolyakAverage([W], beta=BETA)
simple = optim.PolyakAverage([W], start=STEPS // 2)   # the simple average of the second half
raw_path, averaged_path = [W.numpy().copy()], [W.numpy().copy()]
for _ in range(STEPS):
    opt.zero_grad()
    noise = ag.tensor(rng.normal(scale=[0.3, 0.8]))
    (valley(W[0], W[1]) + (noise * W).sum()).backward()
    opt.step()
    exponential.update()
    simple.update()
    raw_path.append(W.numpy().copy())
    with exponential.averaged():
        averaged_path.append(W.numpy().copy())
raw_path, averaged_path = np.array(raw_path), np.array(averaged_path)

# %% [markdown]
# After the first steps, compare how far each path strays from the floor y = 0,
# and the loss of the last iterate with that of the averages.

# %%
settled = slice(STEPS // 2, None)
raw_spread = np.abs(raw_path[settled, 1]).mean()
averaged_spread = np.abs(averaged_path[settled, 1]).mean()
final_raw = valley(*raw_path[-1])
with exponential.averaged():
    final_exponential = valley(*W.numpy())
with simple.averaged():
    final_simple = valley(*W.numpy())
print(f"mean |y| over the second half: iterates {raw_spread:.3f}, exponential average {averaged_spread:.3f}")
print(f"loss at the end: last iterate {final_raw:.4f}, exponential average {final_exponential:.4f}, "
      f"simple average of the second half {final_simple:.4f}")
assert averaged_spread < raw_spread / 3
raw_losses = valley(raw_path[settled, 0], raw_path[settled, 1])
averaged_losses = valley(averaged_path[settled, 0], averaged_path[settled, 1])
assert averaged_losses.mean() < raw_losses.mean() / 3
assert final_simple < raw_losses.mean() / 3
np.testing.assert_array_equal(W.numpy(), raw_path[-1])     # swapping back restored the trained weights

# %%
xs = np.linspace(-5, 6, 80 if FAST else 300)
ys = np.linspace(-2, 2, 60 if FAST else 200)
X, Y = np.meshgrid(xs, ys)
figure, axes = plt.subplots(2, 1, figsize=(10, 7))
axes[0].contour(X, Y, valley(X, Y), levels=20, cmap="Blues", linewidths=0.8)
axes[0].plot(raw_path[:, 0], raw_path[:, 1], "-", color="crimson", linewidth=0.7, alpha=0.7, label="SGD iterates")
axes[0].plot(averaged_path[:, 0], averaged_path[:, 1], "-", color="black", linewidth=1.8,
             label=f"exponential average, beta = {BETA}")
axes[0].plot(4, 0, "k*", markersize=12)
axes[0].set_title("Figure 3.15: the iterates bounce across the valley; their average follows its floor")
axes[0].legend(loc="upper left")
axes[1].semilogy(valley(raw_path[:, 0], raw_path[:, 1]), color="crimson", linewidth=0.7, label="iterates")
axes[1].semilogy(valley(averaged_path[:, 0], averaged_path[:, 1]), color="black", label="exponential average")
axes[1].set_xlabel("step")
axes[1].set_ylabel("loss")
axes[1].legend()
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "figure_3_15_polyak.png"), dpi=100, bbox_inches="tight")
