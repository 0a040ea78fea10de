# %% [markdown]
# # Feature preprocessing and whitening (Section 3.3.2, Eq. 3.35-3.37)
#
# Gradient descent is happiest when the features have similar scales and are not strongly
# correlated: the loss surface is then closer to round. Standardisation gives every feature mean 0
# and variance 1; min-max scaling maps it into [0, 1] (Eq. 3.35). Whitening goes further: with the
# covariance C = D^T D / n of the mean-centred data D (Eq. 3.36) and its eigenvectors P, the
# projection D P (Eq. 3.37) has uncorrelated features, and dividing each by its standard deviation
# makes the covariance the identity.
#
# Runs as a script; `AUTOGRAD_CORE_FAST=1` shortens it, `TUTORIAL_OUTPUT_DIR` says where figures go.

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from autograd_core import nn
from autograd_core.nn import preprocessing

FAST = os.environ.get("AUTOGRAD_CORE_FAST") == "1"
OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)

# %% [markdown]
# ## Two correlated features on different scales

# %%
rng = np.random.default_rng(0)
n = 400 if FAST else 2000
D = rng.normal(size=(n, 2)) @ np.array([[4.0, 1.2], [0.0, 0.4]]) + np.array([10.0, -3.0])
standardised = preprocessing.Standardization().fit_transform(D)
scaled = preprocessing.MinMaxScaling().fit_transform(D)
whitening = preprocessing.PCAWhitening()
whitened = whitening.fit_transform(D)

figure, axes = plt.subplots(1, 4, figsize=(16, 4))
for axis, (title, data) in zip(axes, [("raw", D), ("standardised", standardised),
                                      ("min-max scaled (Eq. 3.35)", scaled), ("PCA-whitened (Eq. 3.37)", whitened)]):
    axis.scatter(data[:, 0], data[:, 1], s=4, alpha=0.5)
    axis.set_title(title)
    axis.set_aspect("equal", adjustable="datalim")
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "nn_preprocessing_scatter.png"))
plt.close(figure)


def covariance(data):
    centred = data - data.mean(axis=0)
    return centred.T @ centred / len(data)


print("covariance after standardisation:\n", covariance(standardised).round(3))
print("covariance after whitening:\n", covariance(whitened).round(6))
print("eigenvalues of C:", whitening.eigenvalues.round(4))
assert np.allclose(np.diag(covariance(standardised)), 1.0), "standardised features have unit variance"
assert abs(covariance(standardised)[0, 1]) > 0.5, "... but remain correlated"
assert scaled.min() == 0.0 and scaled.max() == 1.0, "min-max scaling maps each feature onto [0, 1]"
assert np.allclose(covariance(whitened), np.eye(2), atol=1e-10), "whitened covariance is the identity"
assert np.allclose(whitening.inverse_transform(whitened), D), "whitening keeping every direction inverts"

# %% [markdown]
# ## Whitening the digits: degenerate directions
# Some pixels of the 8 x 8 digits are always 0, so the covariance has zero eigenvalues: dividing by
# sqrt(lambda) would blow up. The eigenvalue threshold (1e-5) drops those directions; an additive
# regulariser divides by sqrt(lambda + epsilon) instead; ``components`` keeps the top k.

# %%
try:
    X, _ = nn.datasets.load_digits()
except ImportError:
    X = np.clip(rng.normal(4.0, 4.0, size=(1797, 64)), 0, 16)
    X[:, :3] = 0.0
X = X[:500] if FAST else X
thresholded = preprocessing.PCAWhitening().fit(X)
regularised = preprocessing.PCAWhitening(eigenvalue_threshold=None, regularizer=0.1).fit(X)
top = preprocessing.PCAWhitening(components=10).fit(X)
sampled = preprocessing.PCAWhitening(sample_size=len(X) // 4, seed=0).fit(X)
print(f"threshold 1e-5 keeps {thresholded.components.shape[1]} of 64 directions")
print(f"top-k keeps {top.components.shape[1]}; the sampled fit keeps {sampled.components.shape[1]}")

eigenvalues = regularised.eigenvalues
figure, axes = plt.subplots(1, 2, figsize=(10, 4))
axes[0].semilogy(np.maximum(eigenvalues, 1e-18), marker=".")
axes[0].axhline(1e-5, color="red", linewidth=1, label="threshold 1e-5")
axes[0].set_title("eigenvalues of the pixel covariance")
axes[0].legend()
first_two = top.transform(X)[:, :2]
axes[1].scatter(first_two[:, 0], first_two[:, 1], s=4, alpha=0.5)
axes[1].set_title("the first two whitened components")
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "nn_preprocessing_digits.png"))
plt.close(figure)

assert thresholded.components.shape[1] < 64, "constant pixels give zero eigenvalues that are dropped"
assert np.allclose(covariance(thresholded.transform(X)), np.eye(thresholded.components.shape[1]), atol=1e-6)
assert np.isfinite(regularised.transform(X)).all(), "the regulariser keeps every direction finite"
assert np.allclose(covariance(top.transform(X)), np.eye(10), atol=1e-8)
