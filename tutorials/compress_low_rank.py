# %% [markdown]
# # Low rank: leveraging redundancies (Section 3.7.3)
#
# The singular values of a trained weight matrix W (m1 x m2) fall off: a few directions carry most of
# it. Keeping the k largest, W ~ U V^T with U = P_k (m1 x k) and V^T = Sigma_k Q_k^T (k x m2), replaces
# one layer by two with k (m1 + m2) weights instead of m1 m2: a reduction by
# HARMONIC-MEAN(m1, m2) / (2k). The text's refinement fixes U and fine-tunes V; its warning is that the
# same factorised architecture trained from scratch does worse. We measure all three against k.
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
HIDDEN = 128 if FAST else 256
EPOCHS = 6 if FAST else 20


def make_model():
    return nn.Sequential(nn.preprocessing.Standardization().fit(X_train), nn.MLP([64, HIDDEN, 10], rng=0))


def train(model, epochs, lr):
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    nn.fit(model, (X_train, y_train), optimizer=optimizer, epochs=epochs, batch_size=32, progress=False)
    return model


def accuracy(model):
    return nn.accuracy(nn.predict(model, X_test), y_test)


model = train(make_model(), EPOCHS, lr=0.05)
print(f"trained MLP([64, {HIDDEN}, 10]): test accuracy {accuracy(model):.3f}")

# %% [markdown]
# ## The singular values of the trained hidden layer

# %%
W = model[1][0].weight.numpy()
sigma = np.linalg.svd(W, compute_uv=False)
energy = np.cumsum(sigma ** 2) / np.sum(sigma ** 2)
print(f"W is {W.shape[0]} x {W.shape[1]}; the top 16 of {sigma.size} singular values hold {energy[15]:.1%} of "
      f"sum sigma^2")
figure, axes = plt.subplots(figsize=(6, 3.5))
axes.semilogy(range(1, sigma.size + 1), sigma, marker=".")
axes.set_xlabel("index i")
axes.set_ylabel("singular value sigma_i")
axes.set_title(f"Singular values of the trained 64 x {HIDDEN} weight matrix")
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "compress_low_rank_singular_values.png"))
plt.close(figure)

# %% [markdown]
# ## Accuracy against k
# The hidden layer becomes `LowRankLinear` (x U, then V^T); with `fix_U=True` U is a buffer and the
# optimiser learns only V^T and the biases. From scratch, U and V start random and both are learned
# (at a smaller step, 0.002, since the product of two learned matrices diverges at the original 0.05).
# Fine-tuning and training from scratch get the same number of epochs and the same step.

# %%
ranks = [2, 4, 8, 16] if FAST else [2, 4, 8, 16, 32]
results = {"SVD": [], "SVD, U fixed, V fine-tuned": [], "the same architecture from scratch": []}
for k in ranks:
    factorised = make_model()
    factorised.load_state_dict(model.state_dict())
    compress.low_rank(factorised, k)
    results["SVD"].append(accuracy(factorised))
    results["SVD, U fixed, V fine-tuned"].append(accuracy(train(factorised, EPOCHS, lr=0.002)))
    generator = np.random.default_rng(k)
    scratch = nn.Sequential(nn.preprocessing.Standardization().fit(X_train),
                            compress.LowRankLinear(generator.normal(0, np.sqrt(1 / 64), (64, k)),
                                                   generator.normal(0, np.sqrt(2 / k), (k, HIDDEN)),
                                                   np.zeros(HIDDEN), fix_U=False),
                            nn.ReLU(), nn.Linear(HIDDEN, 10, rng=1))
    results["the same architecture from scratch"].append(accuracy(train(scratch, EPOCHS, lr=0.002)))
    print(f"k = {k:>2}: {compress.parameter_ratio(64, HIDDEN, k):5.1f}x fewer weights in the layer; " +
          ", ".join(f"{name} {values[-1]:.3f}" for name, values in results.items()))

figure, axes = plt.subplots(figsize=(6.5, 4))
for name, values in results.items():
    axes.plot(ranks, values, marker="o", label=name)
axes.axhline(accuracy(model), color="gray", linestyle="--", label="original layer")
axes.set_xscale("log", base=2)
axes.set_xlabel("rank k")
axes.set_ylabel("test accuracy")
axes.set_title("Low-rank hidden layer: accuracy against k")
axes.legend(fontsize=8)
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "compress_low_rank_accuracy.png"))
plt.close(figure)

assert all(tuned >= svd - 0.01 for tuned, svd in zip(results["SVD, U fixed, V fine-tuned"], results["SVD"]))

# %% [markdown]
# ## Does the text's warning hold here?
# Counted rank by rank, from the measurements above (it depends on the data, the rank and the budget).

# %%
tuned, scratch = results["SVD, U fixed, V fine-tuned"], results["the same architecture from scratch"]
wins = sum(a > b for a, b in zip(tuned, scratch))
print(f"factorising the trained layer and fine-tuning V beat training the factorised network from scratch at "
      f"{wins} of {len(ranks)} ranks")
