# %% [markdown]
# # Batch normalisation: before or after the activation, running or population statistics (Section 3.6)
#
# Batch normalisation standardises each unit over the mini-batch (Eq. 3.58-3.60) and then lets the
# network choose a new scale and shift, gamma and beta (Eq. 3.61). Figure 3.18 shows two places for
# it: after the linear layer and before the activation (pre-activation, 3.18b) or after the
# activation (post-activation, 3.18a). At inference there is no batch, so the layer uses either the
# running averages it kept while training or the statistics of the whole training population.
#
# Runs as a script; `AUTOGRAD_CORE_FAST=1` shortens it, `TUTORIAL_OUTPUT_DIR` says where figures go.

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from autograd_core import nn

FAST = os.environ.get("AUTOGRAD_CORE_FAST") == "1"
OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)

# %% [markdown]
# ## Data
# The digits of scikit-learn when it is installed, else a synthetic ten-class problem of the same
# shape (so the tutorial runs anywhere).

# %%
try:
    X_train, X_test, y_train, y_test = nn.datasets.digits_split(test_fraction=0.2, seed=0)
    data_name = "digits"
except ImportError:
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=3.0, size=(10, 64))
    labels = rng.integers(0, 10, size=1500)
    X_all = centres[labels] + rng.normal(scale=4.0, size=(1500, 64))
    X_train, X_test, y_train, y_test = nn.train_test_split(X_all, labels, test_fraction=0.2, seed=0)
    data_name = "synthetic"
if FAST:
    X_train, y_train = X_train[:600], y_train[:600]
print(f"{data_name}: {len(X_train)} training and {len(X_test)} test examples")

# %% [markdown]
# ## Three networks
# The same MLP without normalisation, with batch normalisation before each ReLU and after it, from
# the same seed, trained with the same SGD at a fairly large learning rate (0.05). The inputs are
# deliberately *not* standardised, so the first layer sees features in 0-16: the plain network
# diverges to chance level, while normalising inside the network keeps every layer's input in
# range and lets the larger step size work.

# %%
epochs = 3 if FAST else 15
histories, models = {}, {}
for place in (None, "pre", "post"):
    model = nn.MLP([64, 64, 64, 10], batch_norm=place, rng=0)
    histories[place] = nn.fit(model, (X_train, y_train), epochs=epochs, batch_size=32, lr=0.05, momentum=0.9,
                              validation=(X_test, y_test), metrics={"accuracy": nn.accuracy}, progress=False)
    models[place] = model
    print(f"batch_norm={place!s:>5}: test accuracy {histories[place]['val_accuracy'][-1]:.3f}")

figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 4))
for place, history in histories.items():
    label = {None: "no batch norm", "pre": "pre-activation (Fig. 3.18b)", "post": "post-activation (Fig. 3.18a)"}
    loss_axes.semilogy(range(1, epochs + 1), history["loss"], marker="o", label=label[place])
    accuracy_axes.plot(range(1, epochs + 1), history["val_accuracy"], marker="o", label=label[place])
loss_axes.set_title("training loss")
accuracy_axes.set_title("test accuracy")
for axes in (loss_axes, accuracy_axes):
    axes.set_xlabel("epoch")
    axes.legend()
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "nn_batch_norm_pre_post.png"))
plt.close(figure)

assert histories[None]["loss"][-1] > 1.0, "without normalisation this step size fails on unscaled inputs"
for place in ("pre", "post"):
    assert histories[place]["loss"][-1] < 0.5, f"with batch normalisation ({place}) the same step size trains"

# %% [markdown]
# ## What the normalised units look like
# In training mode each batch-normalised unit has mean 0 and variance 1 over the batch (before
# gamma and beta); we look at the input and output of the first BatchNorm of the pre-activation model.

# %%
model = models["pre"]
batch = X_train[:256]
pre_activation = model[0](batch)
normalised = model[1](pre_activation).numpy()
centred = (normalised - model[1].beta.numpy()) / model[1].gamma.numpy()
# the layers are float32 (nn's default), so the batch mean is 0 to float32's precision, about 1e-7 per entry
assert np.allclose(centred.mean(axis=0), 0, atol=1e-5) and np.allclose(centred.var(axis=0), 1, atol=1e-3)
figure, axes = plt.subplots(1, 2, figsize=(10, 4))
axes[0].hist(pre_activation.numpy()[:, :8].ravel(), bins=40)
axes[0].set_title("v: linear outputs of 8 units")
axes[1].hist(normalised[:, :8].ravel(), bins=40)
axes[1].set_title("gamma vhat + beta (Eq. 3.61)")
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "nn_batch_norm_units.png"))
plt.close(figure)

# %% [markdown]
# ## Running averages against population statistics
# With momentum 0.1 the running averages mostly remember the last few dozen batches, taken while
# the weights were still moving; the population statistics are computed once, over the whole
# training set, with the final weights. A large momentum (0.9: each batch dominates) makes the
# difference visible.

# %%
model = nn.MLP([64, 64, 64, 10], batch_norm="pre", momentum=0.9, rng=1)
nn.fit(model, (X_train, y_train), epochs=epochs, batch_size=32, lr=0.01, momentum=0.9, progress=False)
running = nn.evaluate(model, X_test, y_test, metrics={"accuracy": nn.accuracy})
nn.compute_population_statistics(model, nn.DataLoader(X_train, batch_size=32))
population = nn.evaluate(model, X_test, y_test, metrics={"accuracy": nn.accuracy})
print(f"running averages:      loss {running['loss']:.4f}, accuracy {running['accuracy']:.3f}")
print(f"population statistics: loss {population['loss']:.4f}, accuracy {population['accuracy']:.3f}")

layer = model[1]
figure, axes = plt.subplots(figsize=(6, 4))
axes.scatter(layer.population_mean, layer.running_mean, s=12)
limits = [float(layer.population_mean.min()), float(layer.population_mean.max())]
axes.plot(limits, limits, color="grey", linewidth=1)
axes.set_xlabel("population mean of each unit")
axes.set_ylabel("running mean (momentum 0.9)")
axes.set_title("Inference statistics of the first BatchNorm")
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "nn_batch_norm_statistics.png"))
plt.close(figure)

full_mean = model[0](X_train).numpy().mean(axis=0)
# float32 layers: batch by batch and all at once agree to float32's precision (about 1e-7 relative)
assert np.allclose(layer.population_mean, full_mean, rtol=1e-5, atol=1e-5), \
    "the population mean of the first layer is the mean of its input over the whole training set"
assert population["loss"] <= running["loss"] * 1.05, "population statistics are at least as good as noisy averages"
