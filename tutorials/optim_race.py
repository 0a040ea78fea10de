# %% [markdown]
# # Optimisation 3: every optimizer on one ill-conditioned problem
#
# A quadratic bowl L(W) = 1/2 (W - W*)^T H (W - W*) in 10 dimensions whose
# curvatures (the eigenvalues of H) range from 0.1 to 10, rotated so that no
# axis of the bowl lines up with a coordinate: the condition number is 100.
# Steepest descent must keep alpha below 2/10 to stay stable along the steep
# directions, and then crawls along the flat ones (Section 3.5.2). Momentum
# and Nesterov momentum build speed along the flat directions; the adaptive
# methods of Section 3.5.3 rescale each coordinate. Each optimizer gets a
# learning rate that suits it; the schedule, clipping and averaging tutorials
# use the same interface.

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
STEPS = 150 if FAST else 400

rng = np.random.default_rng(0)
DIMENSION = 10
rotation, _ = np.linalg.qr(rng.normal(size=(DIMENSION, DIMENSION)))
curvatures = np.logspace(-1, 1, DIMENSION)
H = ag.tensor(rotation @ np.diag(curvatures) @ rotation.T)
W_STAR = ag.tensor(rng.normal(size=DIMENSION))
START = np.zeros(DIMENSION)
print(f"condition number of H: {curvatures.max() / curvatures.min():.0f}")


def loss(W):
    offset = W - W_STAR
    return 0.5 * (offset * (H @ offset)).sum()


# %% [markdown]
# ## The racers
# Nesterov momentum as the text writes it evaluates the gradient at
# W + beta V, so it is driven through `step(closure)`; every racer is, which
# costs the others nothing.

# %%
RACERS = {
    "SGD (alpha = 0.18)": lambda params: optim.SGD(params, lr=0.18),
    "momentum (beta = 0.9)": lambda params: optim.SGD(params, lr=0.05, momentum=0.9),
    "Nesterov (beta = 0.9)": lambda params: optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True),
    "delta-bar-delta": lambda params: optim.DeltaBarDelta(params, lr=0.05),
    "AdaGrad": lambda params: optim.AdaGrad(params, lr=0.5),
    "RMSProp": lambda params: optim.RMSProp(params, lr=0.02),
    "RMSProp + Nesterov": lambda params: optim.RMSProp(params, lr=0.005, momentum=0.9, nesterov=True),
    "AdaDelta (eps = 1e-4)": lambda params: optim.AdaDelta(params, eps=1e-4),
    "Adam": lambda params: optim.Adam(params, lr=0.1),
}


def race(make_optimizer):
    W = ag.tensor(START.copy(), requires_grad=True)
    opt = make_optimizer([W])

    def closure():
        opt.zero_grad()
        value = loss(W)
        value.backward()
        return value

    losses = []
    for _ in range(STEPS):
        opt.step(closure)
        with ag.no_grad():
            losses.append(loss(W).item())
    return np.array(losses)


with ag.no_grad():
    initial_loss = loss(ag.tensor(START)).item()
curves = {name: race(make) for name, make in RACERS.items()}
for name, curve in sorted(curves.items(), key=lambda item: item[1][-1]):
    print(f"{name:24s} loss after {STEPS} steps: {curve[-1]:.2e}")

# %%
figure, ax = plt.subplots(figsize=(9, 5))
for name, curve in curves.items():
    ax.semilogy(np.arange(1, STEPS + 1), np.maximum(curve, 1e-16), label=name)
ax.axhline(initial_loss, color="grey", linestyle=":", label="initial loss")
ax.set_xlabel("step")
ax.set_ylabel("loss")
ax.set_title("All optimizers on a 10-dimensional quadratic with condition number 100")
ax.legend(fontsize=8)
figure.savefig(os.path.join(OUTPUT, "optimizer_race.png"), dpi=100, bbox_inches="tight")

# %% [markdown]
# What the plot shows, checked:

# %%
for name, curve in curves.items():
    assert curve[-1] < initial_loss / 10, (name, curve[-1])
sgd = curves["SGD (alpha = 0.18)"][-1]
assert curves["momentum (beta = 0.9)"][-1] < sgd / 100
assert curves["Nesterov (beta = 0.9)"][-1] < sgd / 100
assert curves["Adam"][-1] < sgd
print("every optimizer cuts the loss tenfold; momentum and Nesterov beat steepest descent by more than 100x")

# %% [markdown]
# ## Why AdaDelta rises late
# AdaDelta has no learning rate: its step along w_i is r_i = sqrt((delta_i + eps) / (A_i + eps)) times
# the gradient (Eq. 3.43). As the loss falls, the average of squared gradients A_i shrinks quickly,
# while delta_i, the average of squared past increments, remembers the larger steps of the descent.
# The per-coordinate rates r_i therefore grow. A step W <- W - diag(r) H (W - W*) on this bowl is
# stable only while the largest eigenvalue of diag(r) H stays below 2 (Section 3.5.2's condition
# alpha < 2 / curvature, with each coordinate's own alpha): once the growing rates push it past 2, the
# iterate bounces across the steep direction of the valley and the loss climbs, until A_i catches up
# with the larger gradients and the rates shrink again. Measured:

# %%
W = ag.tensor(START.copy(), requires_grad=True)
adadelta = optim.AdaDelta([W], eps=1e-4)
H_array = H.numpy()
stability, adadelta_losses = [], []
for _ in range(STEPS):
    adadelta.zero_grad()
    loss(W).backward()
    adadelta.step()
    state = adadelta.state[id(W)]
    rates = np.sqrt((state["delta"] + 1e-4) / (state["A"] + 1e-4))
    stability.append(float(np.max(np.linalg.eigvals(rates[:, None] * H_array).real)))
    with ag.no_grad():
        adadelta_losses.append(loss(W).item())
unstable = [step for step, value in enumerate(stability) if value > 2]
lowest = int(np.argmin(adadelta_losses))
print(f"largest eigenvalue of diag(r) H: {stability[0]:.2f} after the first step, {max(stability):.2f} at its peak")
if unstable:
    print(f"it first exceeds 2 at step {unstable[0] + 1}; AdaDelta's loss is lowest at step {lowest + 1} and "
          f"rises {adadelta_losses[-1] / adadelta_losses[lowest]:.1f}x by step {STEPS}")
else:
    print("it stays below 2 throughout")
