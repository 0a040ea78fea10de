# %% [markdown]
# # Pruning and fine-tuning (Section 3.7.3: sparsifying weights in training)
#
# Most weights of a trained network are small, and setting the smallest of them to zero changes its
# predictions little; a few epochs of fine-tuning with the pruned weights held at zero win back most
# of the rest. `nn.compress.prune` keeps a boolean mask beside each weight matrix (a buffer, saved with
# the model) and keeps the pruned weights at exactly zero through every optimiser step, so
# fine-tuning is an ordinary training loop. The text also suggests L1 regularisation before pruning,
# since it drives weights to exactly zero; here we measure accuracy against sparsity after training
# with no penalty, an L1 penalty and an L2 penalty, with and without fine-tuning.
#
# Runs as a script; `AUTOGRAD_CORE_FAST=1` shortens it, `TUTORIAL_OUTPUT_DIR` says where figures go.

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from autograd_core import nn, optim
from autograd_core.nn import compress

FAST = os.environ.get("AUTOGRAD_CORE_FAST") == "1"
OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)

X_train, X_test, y_train, y_test = nn.datasets.digits_split(test_fraction=0.2, seed=0)
SIZES = [64, 64, 10] if FAST else [64, 256, 128, 10]
EPOCHS = 6 if FAST else 20


def make_model():
    return nn.Sequential(nn.preprocessing.Standardization().fit(X_train), nn.MLP(SIZES, rng=0))


def train(model, epochs, lr=0.05, penalty=None):
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    nn.fit(model, (X_train, y_train), optimizer=optimizer, epochs=epochs, batch_size=32, progress=False,
           penalty=penalty)
    return model


def accuracy(model):
    return nn.accuracy(nn.predict(model, X_test), y_test)


def copy(model):
    clone = make_model()
    clone.load_state_dict(model.state_dict())
    return clone


# %% [markdown]
# ## Three networks: no penalty, L1 and L2
# The penalties are added to every mini-batch's loss by `nn.fit(..., penalty=...)`.

# %%
penalties = {
    "no penalty": None,
    "L1 (1e-3)": lambda model: nn.functional.weight_penalty(model, l1=1e-3),
    "L2 (1e-3)": lambda model: nn.functional.weight_penalty(model, l2=1e-3),
}
trained = {name: train(make_model(), EPOCHS, penalty=penalty) for name, penalty in penalties.items()}
for name, model in trained.items():
    weights = np.concatenate([p.numpy().ravel() for p in model.parameters() if p.ndim == 2])
    print(f"{name:>11}: test accuracy {accuracy(model):.3f}, "
          f"{np.mean(np.abs(weights) < 1e-3):.1%} of weights below 1e-3 in magnitude")

# %% [markdown]
# ## Accuracy against sparsity
# Global magnitude pruning (one threshold for all layers), then, for the unpenalised network, a few
# epochs of retraining at the original step (the kept weights must take over the work of the pruned
# ones). The masks hold: after fine-tuning the sparsity is exactly what was asked for.

# %%
sparsities = [0.0, 0.5, 0.7, 0.8, 0.9, 0.95]
curves = {name: [] for name in trained}
fine_tuned = []
for sparsity in sparsities:
    for name, model in trained.items():
        pruned = compress.prune(copy(model), sparsity=sparsity, scope="global") if sparsity else copy(model)
        curves[name].append(accuracy(pruned))
    pruned = compress.prune(copy(trained["no penalty"]), sparsity=sparsity, scope="global") if sparsity \
        else copy(trained["no penalty"])
    train(pruned, 1 if FAST else 5)
    if sparsity:
        assert abs(compress.sparsity(pruned)["total"] - sparsity) < 1e-3, "fine-tuning kept the pruned weights at 0"
    fine_tuned.append(accuracy(pruned))

print("              sparsity: " + "  ".join(f"{s:>6.0%}" for s in sparsities))
for name, values in list(curves.items()) + [("no penalty, fine-tuned", fine_tuned)]:
    print(f"{name:>22}: " + "  ".join(f"{v:6.3f}" for v in values))

figure, axes = plt.subplots(figsize=(6.5, 4))
for name, values in curves.items():
    axes.plot([100 * s for s in sparsities], values, marker="o", label=f"{name}, pruned")
axes.plot([100 * s for s in sparsities], fine_tuned, marker="s", color="black", label="no penalty, pruned + fine-tuned")
axes.set_xlabel("weights pruned (%)")
axes.set_ylabel("test accuracy")
axes.set_title("Accuracy against sparsity (global magnitude pruning)")
axes.legend(fontsize=8)
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "compress_pruning_sparsity.png"))
plt.close(figure)

assert fine_tuned[-2] > curves["no penalty"][-2], "fine-tuning recovers accuracy lost to pruning"

# %% [markdown]
# ## Where the pruned weights were
# The histogram of the first layer's weights before pruning at 90%, with the kept ones on top: pruning
# removes the spike around zero.

# %%
model = trained["no penalty"]
before = model[1][0].weight.numpy().ravel().copy()
pruned = compress.prune(copy(model), sparsity=0.9, scope="global")
after = pruned[1][0].weight.numpy().ravel()
figure, axes = plt.subplots(figsize=(6.5, 3.5))
bins = np.linspace(before.min(), before.max(), 80)
axes.hist(before, bins=bins, color="lightgray", label="all weights of layer 1")
axes.hist(after[after != 0], bins=bins, color="tab:blue", label="kept after 90% global pruning")
axes.set_xlabel("weight")
axes.set_ylabel("count")
axes.legend(fontsize=8)
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "compress_pruning_histogram.png"))
plt.close(figure)
print(f"layer 1 keeps {np.mean(after != 0):.1%} of its weights under a global 90% threshold")
