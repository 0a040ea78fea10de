# %% [markdown]
# # Vanishing and exploding gradients (Section 3.4.1, Figure 3.8, Eq. 3.38)
#
# Backpropagation multiplies the gradient, layer after layer, by w Phi'(v) (Eq. 3.38 for a chain of
# single-unit layers). The sigmoid's derivative is at most 1/4, so with weights near 1 each layer
# towards the input shrinks the gradient about four times: after 10 layers it is about 1e-6 of what
# it was at the output. With large weights the factor can exceed 1 and the gradient explodes instead.
# `nn.diagnostics.GradientMonitor` records each layer's gradient norm at every step and flags both.
#
# We first build Figure 3.8's chain, then train a 10-layer network on the digits with sigmoid, tanh
# and ReLU units under each initialisation of Section 3.3.3, and with batch normalisation.
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
# ## Figure 3.8: a chain of single-unit sigmoid layers
# h_i = sigmoid(w_i h_(i-1) + b_i). The gradient of the output with respect to w_i is
# h_(i-1) times the product of w_j sigmoid'(v_j) over the layers j >= i above it.
# Three chains of 10 layers: every w = 1 (each factor just under 1/4); standard-normal w, as the
# text draws them; and w = 10 with b = -5, which holds every v at 0 where sigmoid' = 1/4, so each
# factor is 10/4 and the gradient grows 2.5 times per layer towards the input. The monitor flags
# vanishing when the first layer's gradient falls below 1e-6 of the last's, and exploding when it
# rises above 1e3 times it.


# %%
def chain(weights, biases):
    layers = []
    for weight, bias in zip(weights, biases):
        linear = nn.Linear(1, 1, init="zeros")
        linear.weight.data = np.full((1, 1), float(weight))
        linear.bias.data = np.full((1,), float(bias))
        layers += [linear, nn.Sigmoid()]
    return nn.Sequential(*layers)


def chain_gradients(model, x):
    monitor = nn.diagnostics.GradientMonitor(model)
    model(ag.tensor(np.full((1, 1), x))).sum().backward()
    monitor.step()
    monitor.remove()
    return monitor, np.array([norm for _, norm in monitor.layer_norms()])


depth = 10
rng = np.random.default_rng(0)
unit, unit_norms = chain_gradients(chain(np.ones(depth), np.zeros(depth)), 0.5)
large, large_norms = chain_gradients(chain(np.full(depth, 10.0), np.full(depth, -5.0)), 0.5)
normal_ratios = []
for _ in range(50 if FAST else 500):
    _, norms = chain_gradients(chain(rng.standard_normal(depth), np.zeros(depth)), 0.5)
    normal_ratios.append(norms / norms[-1])
normal_median = np.median(np.array(normal_ratios), axis=0)

print("w = 1:          ", unit.summary())
print("w = 10, b = -5: ", large.summary())
print(f"per-layer factor with w = 1: {np.exp(-np.mean(np.diff(np.log(unit_norms)))):.3f} (at most 1/4)")
deeper, _ = chain_gradients(chain(np.ones(depth + 1), np.zeros(depth + 1)), 0.5)
print("w = 1, 11 layers:", deeper.summary())
print(f"standard-normal w, median first/last over the chains: {normal_median[0]:.1e}")

figure, axes = plt.subplots(figsize=(6.4, 4.2))
layers = np.arange(1, depth + 1)
axes.semilogy(layers, unit_norms / unit_norms[-1], marker="o", label="w = 1 (vanishing)")
axes.semilogy(layers, normal_median, marker="s", label="w ~ N(0, 1), median of chains")
axes.semilogy(layers, large_norms / large_norms[-1], marker="^", label="w = 10, b = -5 (exploding)")
axes.semilogy(layers, 0.25 ** (depth - layers), color="gray", linestyle="--", label="0.25 per layer")
axes.set_xlabel("layer (1 = nearest the input)")
axes.set_ylabel("|dL/dw_i| / |dL/dw_10|")
axes.set_title("Figure 3.8: gradient along a sigmoid chain (Eq. 3.38)")
axes.legend(fontsize=8)
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "nn_diagnostics_chain.png"))
plt.close(figure)

assert 3e-7 < unit.first_to_last_ratio() < 3e-6, "ten sigmoid layers: about 1e-6"
assert deeper.vanishing, "the monitor flags vanishing below 1e-6, which one more layer reaches"
assert large.exploding and not large.vanishing
assert normal_median[0] < 1e-3, "standard-normal weights vanish too, on average"

# %% [markdown]
# ## Ten layers on the digits
# A 64-32-...-32-10 network (nine hidden layers of 32 units) with each activation and each
# initialisation, and with batch normalisation before the activation (Figure 3.18b). We read the
# per-layer gradient norms at the first step, train with SGD and momentum, and see which trains.

# %%
X_train, X_test, y_train, y_test = nn.datasets.digits_split(test_fraction=0.2, seed=0)
scaler = nn.preprocessing.Standardization().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
if FAST:
    X_train, y_train = X_train[:512], y_train[:512]
epochs = 4 if FAST else 8
sizes = [64] + [32] * 9 + [10]
activations = ["sigmoid", "tanh", "relu"]
inits = ["normal", "fan_in_normal", "xavier", "he"]


def train(activation, init, batch_norm=None):
    model = nn.MLP(sizes, activation=activation, init=init, batch_norm=batch_norm, rng=1)
    optimizer = optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    monitor = nn.diagnostics.GradientMonitor(model)
    first_step = None
    for epoch in range(epochs):
        for X_batch, y_batch in nn.DataLoader(X_train, y_train, batch_size=32, shuffle=True, seed=epoch,
                                              drop_last=True):
            loss = nn.functional.cross_entropy(model(X_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            monitor.step()
            optimizer.step()
            if first_step is None:
                first_step = (np.array([norm for _, norm in monitor.layer_norms()]), monitor.summary())
    monitor.remove()
    accuracy = nn.evaluate(model, X_test, y_test, metrics={"accuracy": nn.accuracy})["accuracy"]
    return first_step, accuracy, monitor.summary()


results = {}
for activation in activations:
    for init in inits:
        results[activation, init] = train(activation, init)
for activation in ("sigmoid", "relu"):
    results[activation, "he + batch norm"] = train(activation, "he", batch_norm="pre")

print(f"{'activation':>10} {'initialisation':>16} {'test accuracy':>14}  first step / last step")
for (activation, init), ((_, summary), accuracy, last) in results.items():
    print(f"{activation:>10} {init:>16} {accuracy:>14.1%}  {summary.split(': ', 1)[1]}")
    print(f"{'':>43}{last}")

figure, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=True)
for ax, activation in zip(axes, activations):
    for (name, init), ((norms, _), accuracy, _) in results.items():
        if name == activation:
            style = "--" if "batch norm" in init else "-"
            ax.semilogy(range(1, len(norms) + 1), norms, style, marker="o", markersize=3,
                        label=f"{init}: {accuracy:.0%}")
    ax.set_title(f"{activation}: ||dL/dW|| per layer at step 1")
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.legend(fontsize=7, title="init: test accuracy", title_fontsize=7)
axes[0].set_ylabel("gradient norm")
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "nn_diagnostics_digits.png"))
plt.close(figure)

# %% [markdown]
# With a small fixed standard deviation (`normal`, 1e-2) nothing trains. For sigmoid units the
# first layer's gradient is some 1e-16 of the last's: flagged as vanishing. For tanh and ReLU the
# signal itself dies in the forward pass, so every layer's gradient is tiny alike (about 1e-12) and the
# first-to-last ratio looks harmless at the first step; by the end the tanh network is flagged
# vanishing and the ReLU network dying. Sigmoid units lose four orders of magnitude over ten
# layers even with the fan-in scalings (each layer at most 1/4) and learn nothing in these epochs;
# tanh (slope 1 at 0) and ReLU keep the gradient with the fan-in, Xavier or He scaling and train;
# batch normalisation rescues the sigmoid network.

# %%
trains = 0.4 if FAST else 0.85
assert "VANISHING" in results["sigmoid", "normal"][0][1]
assert results["sigmoid", "normal"][0][0][0] < 1e-6 * results["sigmoid", "normal"][0][0][-1]
assert results["sigmoid", "xavier"][0][0][0] < 1e-4 * results["sigmoid", "xavier"][0][0][-1]
assert results["relu", "he"][1] > trains, "ReLU with He initialisation trains"
assert results["tanh", "xavier"][1] > trains, "tanh with Xavier initialisation trains"
assert results["sigmoid", "he + batch norm"][1] > trains, "batch normalisation makes the sigmoid network train"
for activation in activations:
    assert results[activation, "normal"][1] < 0.3, f"{activation} with weights of std 1e-2 does not train"
