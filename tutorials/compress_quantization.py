# %% [markdown]
# # Quantisation, weight sharing and Huffman coding (Section 3.7.3)
#
# A trained layer's weights need not each have their own 64-bit value. Linear quantisation rounds them
# to 2^b evenly spaced levels; k-means weight sharing places the 2^b values (centroids) where the
# weights are dense, so the same number of bits loses less. Each weight then stores only the b-bit
# index of its centroid. The centroids are Parameters: each is one weight used in many places, so its
# gradient is the sum of the gradients of the weights that share it (the shared-weights rule of
# Section 3.2.9), and fine-tuning moves them. Finally Huffman coding stores frequent indices in fewer
# bits. With pruning first, this is the text's pipeline (prune, quantise with shared weights, Huffman).
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


def train(model, epochs, lr=0.05):
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    nn.fit(model, (X_train, y_train), optimizer=optimizer, epochs=epochs, batch_size=32, progress=False)
    return model


def accuracy(model):
    return nn.accuracy(nn.predict(model, X_test), y_test)


def file_bytes(model, name):
    path = os.path.join(OUTPUT, name)
    compress.save(model, path)
    return os.path.getsize(path)


def copy(model):
    clone = make_model()
    clone.load_state_dict(model.state_dict())
    return clone


model = train(make_model(), EPOCHS)
print(f"trained: test accuracy {accuracy(model):.3f}, {file_bytes(model, 'original.agcz'):,} bytes")

# %% [markdown]
# ## Uniform levels against k-means centroids, drawn on the weight histogram
# Three bits: eight values for the whole first layer.

# %%
bits = 3
uniform = compress.quantize(copy(model), bits=bits)
shared = compress.share_weights(copy(model), bits=bits)
weights = model[1][0].weight.numpy().ravel()
figure, axes = plt.subplots(2, 1, figsize=(6.5, 5), sharex=True)
for axis, (name, quantised) in zip(axes, (("uniform levels", uniform), ("k-means centroids", shared))):
    centroids = quantised[1][0].centroids.numpy()
    error = np.mean((quantised[1][0].dense_weight().ravel() - weights) ** 2)
    axis.hist(weights, bins=80, color="lightgray")
    for centroid in centroids:
        axis.axvline(centroid, color="tab:red", linewidth=1)
    axis.set_title(f"{name}, {bits} bits: mean squared error {error:.2e}, test accuracy {accuracy(quantised):.3f}",
                   fontsize=9)
    axis.set_ylabel("count")
    print(f"{name:>17}: centroids {np.round(centroids, 3)}, mean squared error {error:.2e}")
axes[-1].set_xlabel("weight of layer 1")
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "compress_quantization_histogram.png"))
plt.close(figure)
assert np.mean((shared[1][0].dense_weight().ravel() - weights) ** 2) < \
    np.mean((uniform[1][0].dense_weight().ravel() - weights) ** 2), "k-means fits the weights more closely"

# %% [markdown]
# ## Fine-tuning the centroids
# The optimiser sees only the centroids and biases; each centroid moves by the summed gradient of the
# weights that share it.

# %%
print(f"k-means, {bits} bits, before fine-tuning: {accuracy(shared):.3f}; parameters: "
      f"{[name for name, _ in shared.named_parameters()][:2]}")
train(shared, 1 if FAST else 3, lr=0.001)  # a centroid's gradient sums over many weights: a small step
print(f"k-means, {bits} bits, after fine-tuning:  {accuracy(shared):.3f}")

# %% [markdown]
# ## The whole pipeline, in bytes of the file
# Prune 90% and fine-tune, share weights with 5 bits and fine-tune, then save: the file stores
# Huffman-coded gaps between kept positions and Huffman-coded centroid indices.

# %%
pipeline = compress.prune(copy(model), sparsity=0.9, scope="global")
train(pipeline, 1 if FAST else 3, lr=0.01)
compress.share_weights(pipeline, bits=5)
train(pipeline, 1 if FAST else 3, lr=0.001)
indices = np.concatenate([layer.indices[layer.mask] for layer in pipeline.modules()
                          if isinstance(layer, compress.SharedWeightLinear)])
stream = compress.huffman.encode(indices)
print(f"{indices.size} kept weights: {5 * indices.size:,} bits at 5 bits each, {stream.bit_count:,} bits Huffman-coded")
original, compressed = file_bytes(model, "original.agcz"), file_bytes(pipeline, "pipeline.agcz")
print(f"original {original:,} bytes, pruned + shared + Huffman {compressed:,} bytes ({original / compressed:.1f}x), "
      f"test accuracy {accuracy(model):.3f} -> {accuracy(pipeline):.3f}")
loaded = compress.load(os.path.join(OUTPUT, "pipeline.agcz"))
assert np.array_equal(nn.predict(loaded, X_test), nn.predict(pipeline, X_test)), "the file predicts identically"
assert stream.bit_count < 5 * indices.size, "Huffman coding beats the fixed width"
