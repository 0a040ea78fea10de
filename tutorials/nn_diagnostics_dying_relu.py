# %% [markdown]
# # Dying ReLUs (Section 3.4.3)
#
# A ReLU unit whose pre-activation is negative for every input outputs 0 and passes back a gradient
# of 0, so nothing ever moves its incoming weights again: it is dead for good. A learning rate that is
# too high makes this likely, since one large update can push a unit's bias far below every input it
# sees. The leaky ReLU (Eq. 3.39) keeps a slope alpha below zero, so its units always get some
# gradient, and maxout units (Section 3.4.3.2) take the larger of two linear pieces and never go flat.
#
# We train the same two-hidden-layer network on the digits with Adam at an ordinary rate (0.001)
# and at high ones, and let `nn.diagnostics.GradientMonitor` count, each epoch, the units that
# output 0 for every training example.
#
# Runs as a script; `AUTOGRAD_CORE_FAST=1` shortens it, `TUTORIAL_OUTPUT_DIR` says where figures go.

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from autograd_core import nn, optim

FAST = os.environ.get("AUTOGRAD_CORE_FAST") == "1"
OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)

X_train, X_test, y_train, y_test = nn.datasets.digits_split(test_fraction=0.2, seed=0)
scaler = nn.preprocessing.Standardization().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
if FAST:
    X_train, y_train = X_train[:768], y_train[:768]
epochs = 4 if FAST else 8


def make(unit):
    if unit == "maxout":
        return nn.Sequential(nn.Maxout(64, 64, pieces=2, rng=0), nn.Maxout(64, 64, pieces=2, rng=1),
                             nn.Linear(64, 10, rng=2))
    activation = nn.ReLU if unit == "relu" else lambda: nn.LeakyReLU(0.1)
    return nn.Sequential(nn.Linear(64, 64, rng=0), activation(), nn.Linear(64, 64, rng=1), activation(),
                         nn.Linear(64, 10, rng=2))


def train(unit, lr):
    """Test accuracy, the model, its monitor, and per epoch the fraction of units never positive per layer."""
    model = make(unit)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    monitor = nn.diagnostics.GradientMonitor(model)
    never_positive = []
    for epoch in range(epochs):
        for X_batch, y_batch in nn.DataLoader(X_train, y_train, batch_size=32, shuffle=True, seed=epoch,
                                              drop_last=True):
            loss = nn.functional.cross_entropy(model(X_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            monitor.step()
        dead = monitor.end_epoch()
        never_positive.append({name: record.epoch_inactive[-1] for name, record in monitor.activations.items()})
        assert unit == "relu" or all(value == 0 for value in dead.values()), "only ReLU units can die"
    monitor.remove()
    accuracy = nn.evaluate(model, X_test, y_test, metrics={"accuracy": nn.accuracy})["accuracy"]
    return accuracy, model, monitor, never_positive


rates = [0.001, 0.03, 0.1]
runs = {(unit, lr): train(unit, lr) for unit in ("relu", "leaky", "maxout") for lr in rates}
print(f"{'unit':>7} {'lr':>6} {'test accuracy':>14}  units never positive in the last epoch (layer: fraction)")
for (unit, lr), (accuracy, _, _, never_positive) in runs.items():
    layers = ", ".join(f"{name}: {value:.0%}" for name, value in never_positive[-1].items())
    print(f"{unit:>7} {lr:>6} {accuracy:>14.1%}  {layers}")
print("ReLU at lr 0.1:", runs["relu", 0.1][2].summary())

# %% [markdown]
# ## Dead units get no gradient, ever
# Over the whole training set, the columns of the second layer's weight gradient that belong to the
# dead units are exactly zero: no example can revive them.

# %%
accuracy, model, monitor, never_positive = runs["relu", 0.1]
dead_units = np.flatnonzero(~(np.maximum(model[2](model[1](model[0](X_train))).numpy(), 0) > 0).any(axis=0))
model.zero_grad()
nn.functional.cross_entropy(model(X_train), y_train).backward()
gradient = model[2].weight.grad
gradient = gradient.numpy() if hasattr(gradient, "numpy") else np.asarray(gradient)
alive_gradient = np.delete(gradient, dead_units, axis=1)
print(f"{len(dead_units)} of 64 units of the second hidden layer are dead; largest |dL/dW| in their columns: "
      f"{np.abs(gradient[:, dead_units]).max():.1e}; in the others: {np.abs(alive_gradient).max():.1e}")
assert len(dead_units) > 16 and np.all(gradient[:, dead_units] == 0)

figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
colours = ("tab:green", "tab:orange", "tab:red")
for lr, colour in zip(rates, colours):
    relu_epochs = runs["relu", lr][3]
    leaky_epochs = runs["leaky", lr][3]
    left.plot(range(1, epochs + 1), [epoch["3"] for epoch in relu_epochs], color=colour, marker="o",
              label=f"ReLU, lr {lr}: dead")
    left.plot(range(1, epochs + 1), [epoch["3"] for epoch in leaky_epochs], color=colour, marker="x",
              linestyle="--", label=f"leaky ReLU, lr {lr}: below zero (still learning)")
left.set_xlabel("epoch")
left.set_ylabel("fraction of the second layer's units")
left.set_ylim(-0.02, 1.02)
left.set_title("Units that output <= 0 for every training example")
left.legend(fontsize=7)
units = ("relu", "leaky", "maxout")
width = 0.25
for offset, (lr, colour) in enumerate(zip(rates, colours)):
    right.bar(np.arange(3) + (offset - 1) * width, [runs[unit, lr][0] for unit in units], width, color=colour,
              label=f"lr {lr}")
right.set_xticks(range(3), ["ReLU", "leaky ReLU (0.1)", "maxout (2 pieces)"])
right.set_ylabel("test accuracy")
right.set_ylim(0, 1)
right.set_title(f"Adam, {epochs} epochs")
right.legend(fontsize=8)
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "nn_diagnostics_dying_relu.png"))
plt.close(figure)

# %% [markdown]
# At the ordinary rate almost no unit dies. At lr = 0.1 most of the ReLU network's second layer dies
# within the first epoch or two, never to return, and the network ends less accurate than the leaky
# ReLU network trained at the same rate, which keeps all its units able to learn. Maxout units, each the
# maximum of two pieces, never go silent either; at this high rate maxout's training is unsteady for
# other reasons, so how accurate it ends differs from machine to machine (the last digits of float32
# arithmetic decide where an unstable run lands).

# %%
assert never_positive[-1]["3"] > 0.5, "a high learning rate kills most of the second layer"
assert runs["relu", 0.001][3][-1]["3"] < 0.1
assert runs["leaky", 0.1][3][-1]["3"] < 0.1, "leaky ReLU keeps its units alive at the same rate"
assert all(fraction < 0.1 for fraction in runs["maxout", 0.1][3][-1].values())
assert runs["leaky", 0.1][0] > runs["relu", 0.1][0]
