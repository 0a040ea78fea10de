# %% [markdown]
# # The hashing trick against a narrow layer (Section 3.7.3, hash-based compression)
#
# `nn.HashedLinear(m1, m2, buckets)` keeps an m1 x m2 layer but stores only `buckets` weights: a fixed
# hash sends each position (i, j) to a bucket, and all positions of a bucket share its weight. The
# text's example squeezes a 100 x 100 layer into 1000 buckets, the weight count of a 100 x 10 layer,
# and argues that hashing hurts expressivity less than narrowing the layer, since all 100 units are
# kept. Each bucket's gradient is the sum over its positions (the shared-weights rule of Section
# 3.2.9). We check the example, then train both on the digits with the same number of weights.
#
# Runs as a script; `AUTOGRAD_CORE_FAST=1` shortens it, `TUTORIAL_OUTPUT_DIR` says where figures go.

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import autograd_core as ag
from autograd_core import nn, optim

FAST = os.environ.get("AUTOGRAD_CORE_FAST") == "1"
OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)

# %% [markdown]
# ## The text's example: 100 x 100 into 1000 buckets

# %%
layer = nn.HashedLinear(100, 100, buckets=1000, seed=0, rng=0)
counts = np.bincount(layer.bucket_index.ravel(), minlength=1000)
print(f"{layer}\n{layer.weight.size} shared weights for {layer.bucket_index.size} positions; "
      f"each bucket holds {counts.min()} to {counts.max()} positions (mean {counts.mean():.0f})")
x = ag.Tensor(np.random.default_rng(0).normal(size=(8, 100)))
(layer(x) ** 2).mean().backward()
W = ag.Tensor(layer.dense_weight(), requires_grad=True)
((x @ W + layer.bias.data) ** 2).mean().backward()
summed = np.bincount(layer.bucket_index.ravel(), weights=W.grad.numpy().ravel(), minlength=1000)
difference = np.abs(summed - layer.weight.grad.numpy()).max()
print(f"bucket gradient = sum of its positions' gradients: max difference {difference:.1e}")
assert np.allclose(summed, layer.weight.grad.numpy())

# %% [markdown]
# ## Hashed against narrow on the digits
# One hidden layer. Hashed: 64 -> 256 with 2048 buckets, then 256 -> 10 with 320 buckets. Narrow:
# 64 -> 32 -> 10, the same 2048 + 320 weights. The uncompressed 64 -> 256 -> 10 for reference.

# %%
X_train, X_test, y_train, y_test = nn.datasets.digits_split(test_fraction=0.2, seed=0)
EPOCHS = 3 if FAST else 30
networks = {
    "hashed 64-256-10 (2048 + 320 buckets)": nn.Sequential(
        nn.preprocessing.Standardization().fit(X_train), nn.HashedLinear(64, 256, buckets=2048, seed=0, rng=0),
        nn.ReLU(), nn.HashedLinear(256, 10, buckets=320, seed=1, rng=1)),
    "narrow 64-32-10": nn.Sequential(nn.preprocessing.Standardization().fit(X_train), nn.MLP([64, 32, 10], rng=0)),
    "full 64-256-10": nn.Sequential(nn.preprocessing.Standardization().fit(X_train), nn.MLP([64, 256, 10], rng=0)),
}
histories = {}
for name, model in networks.items():
    optimizer = optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    histories[name] = nn.fit(model, (X_train, y_train), optimizer=optimizer, epochs=EPOCHS, batch_size=32,
                             validation=(X_test, y_test), metrics={"accuracy": nn.accuracy}, progress=False)
    print(f"{name:>38}: {model.num_parameters():>6,} parameters, test accuracy "
          f"{histories[name]['val_accuracy'][-1]:.3f}")

figure, axes = plt.subplots(figsize=(6.5, 4))
for name, history in histories.items():
    axes.plot(range(1, EPOCHS + 1), history["val_accuracy"], marker=".",
              label=f"{name} ({networks[name].num_parameters():,} parameters)")
axes.set_xlabel("epoch")
axes.set_ylabel("test accuracy")
axes.set_title("Hashing trick against a narrow layer of the same size")
axes.legend(fontsize=8)
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "compress_hashing.png"))
plt.close(figure)

# %% [markdown]
# Whether the hashed network beats the narrow one depends on the problem: the digits are easy enough
# for 32 hidden units, so the measurement above, not the argument, decides here.
