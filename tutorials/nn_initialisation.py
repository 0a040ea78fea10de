# %% [markdown]
# # Initialisation and symmetry breaking (Section 3.3.3)
#
# A layer whose weights all start equal computes identical units: every hidden unit receives the
# same gradient, so they stay copies of one another forever. Random initialisation breaks this
# symmetry. The spread matters too: with r inputs a unit sums r terms, so a standard deviation of
# sqrt(1/r) keeps its variance steady, Xavier/Glorot uses sqrt(2/(r_in + r_out)), and He's
# sqrt(2/r_in) makes up for a ReLU zeroing half its inputs. Here we watch activations through a deep
# ReLU stack under each scheme, then train with equal and with random weights.
#
# Runs as a script; `AUTOGRAD_CORE_FAST=1` shortens it, `TUTORIAL_OUTPUT_DIR` says where figures go.

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import autograd_core as ag
from autograd_core import nn

FAST = os.environ.get("AUTOGRAD_CORE_FAST") == "1"
OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)

# %% [markdown]
# ## Activations through ten ReLU layers
# With a small fixed standard deviation (1e-2) the signal shrinks by a constant factor per layer and
# vanishes; He's scaling keeps it of order one. The layers widen and narrow in turn: with square
# layers (r_in = r_out = r) Xavier's sqrt(2/(r_in + r_out)) is exactly fan-in's sqrt(1/r), and their
# curves would lie on top of each other; here each layer's fan-in and fan-out differ, so they part.

# %%
width, depth = (64, 6) if FAST else (256, 10)
widths = [width] + [int(width * factor) for factor in (2, 0.5, 1.5, 0.75, 2, 0.5, 1.5, 0.75, 1)[:depth]]
x = np.random.default_rng(0).normal(size=(256, width))
spreads = {}
for scheme in ("normal", "fan_in_normal", "xavier", "he"):
    h, per_layer = x, []
    for layer, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        h = ag.relu(nn.Linear(fan_in, fan_out, init=scheme, bias=False, rng=layer)(h)).numpy()
        per_layer.append(h.std())
    spreads[scheme] = per_layer
    print(f"{scheme:>14}: std of the last layer's activations {per_layer[-1]:.3e}")

figure, axes = plt.subplots(figsize=(6, 4))
for scheme, per_layer in spreads.items():
    axes.semilogy(range(1, depth + 1), per_layer, marker="o", label=scheme)
axes.set_xlabel("layer")
axes.set_xticks(range(1, depth + 1))
axes.set_ylabel("std of ReLU activations")
axes.set_title("Activation spread with depth (Section 3.3.3)\nlayer widths " + " → ".join(map(str, widths)),
               fontsize=9)
axes.legend()
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "nn_initialisation_spread.png"))
plt.close(figure)

assert spreads["normal"][-1] < 1e-6, "a small fixed std makes the signal vanish with depth"
assert 0.1 < spreads["he"][-1] < 10, "He initialisation keeps ReLU activations of order one"

# %% [markdown]
# ## Symmetry breaking
# A 2-8-1 tanh network learns a regression target, once with every weight 0.5 and once with
# Xavier weights. We track the largest difference between any two hidden units' incoming weights.

# %%
rng = np.random.default_rng(1)
X = rng.normal(size=(128, 2))
y = np.sin(2 * X[:, :1]) * np.cos(X[:, 1:])
steps = 60 if FAST else 300


def train(scheme):
    model = nn.Sequential(nn.Linear(2, 8, init=scheme, rng=2), nn.Tanh(), nn.Linear(8, 1, init=scheme, rng=3))
    optimizer = nn.MomentumSGD(model.parameters(), lr=0.1, momentum=0.9)
    losses, spread = [], []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse(model(X), y)
        loss.backward()
        optimizer.step()
        W = model[0].weight.numpy()
        losses.append(loss.item())
        spread.append(np.abs(W[:, :, None] - W[:, None, :]).max())
    return losses, spread, model[0].weight.numpy()


results = {scheme: train(scheme) for scheme in ("constant", "xavier")}
figure, (loss_axes, spread_axes) = plt.subplots(1, 2, figsize=(10, 4))
for scheme, (losses, spread, _) in results.items():
    loss_axes.semilogy(losses, label=scheme)
    spread_axes.plot(spread, label=scheme)
loss_axes.set_title("training loss")
spread_axes.set_title("largest difference between hidden units")
for axes in (loss_axes, spread_axes):
    axes.set_xlabel("step")
    axes.legend()
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "nn_initialisation_symmetry.png"))
plt.close(figure)

constant_weights = results["constant"][2]
print("hidden units after training from equal weights differ by at most", results["constant"][1][-1])
print("final loss: equal weights", results["constant"][0][-1], "random weights", results["xavier"][0][-1])
assert results["constant"][1][-1] < 1e-12, "equal weights stay equal: the units never become different"
assert results["xavier"][1][-1] > 0.1, "random weights break the symmetry"
assert results["xavier"][0][-1] < results["constant"][0][-1], "distinct units fit the target better"
