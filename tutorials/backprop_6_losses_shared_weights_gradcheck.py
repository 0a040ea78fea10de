# %% [markdown]
# # 6. Several losses, shared weights, and gradient checking (Sections 3.2.7, 3.2.9, 3.2.10)
#
# * Section 3.2.7: with losses on several outputs, or on hidden nodes, the
#   gradient is that of their sum: backpropagating from each loss and adding
#   gives the same as backpropagating from the total.
# * Section 3.2.9: a weight shared by several places in the graph gets the sum
#   of the gradients it would get if each place had its own copy.
# * Section 3.2.10: gradient checking compares the backpropagated derivative
#   G_e with a finite difference G_a through the relative ratio
#   rho = |G_e - G_a| / |G_e + G_a| (Eq. 3.34); rho below about 1e-6 passes.

# %%
import os
import sys

import matplotlib
import numpy as np

if "ipykernel" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt

import autograd_core as ag

OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)
rng = np.random.default_rng(6)


def save_diagram(digraph, name):
    """Write a diagram into the output folder (rendered when Graphviz's dot is installed)."""
    ag.viz.save_diagram(digraph, os.path.join(OUTPUT, name))
    return digraph


# %% [markdown]
# ## Losses on two outputs and on a hidden node (Section 3.2.7)
# A network with a hidden layer h and two outputs o_1, o_2; a loss on each
# output, and a penalty on the hidden layer (as a sparsity loss would be).

# %%
x = ag.tensor(rng.normal(size=3), name="x")
W1 = ag.tensor(rng.normal(size=(4, 3)), requires_grad=True, name="W1")
W2 = ag.tensor(rng.normal(size=(2, 4)), requires_grad=True, name="W2")


def network():
    h = ag.tanh(W1 @ x)
    h.name = "h"
    o = W2 @ h
    first_output_loss = (o[0] - 1.0) ** 2
    first_output_loss.name = "L1 (output 1)"
    second_output_loss = ag.abs(o[1] + 0.5)
    second_output_loss.name = "L2 (output 2)"
    hidden_loss = 0.1 * (h * h).sum()
    hidden_loss.name = "L_h (hidden)"
    return first_output_loss, second_output_loss, hidden_loss


losses = network()
ag.backward(list(losses))   # the three losses together: their gradients add up
together = [W1.grad.numpy().copy(), W2.grad.numpy().copy()]
save_diagram(ag.draw(list(losses), show_grads=False, title="Losses on two outputs and on the hidden layer"),
             "several_losses.svg")

W1.zero_grad()
W2.zero_grad()
total = sum(network())
total.backward()
assert np.allclose(W1.grad.numpy(), together[0], rtol=1e-12) and np.allclose(W2.grad.numpy(), together[1], rtol=1e-12)

separately = [np.zeros((4, 3)), np.zeros((2, 4))]
for number in range(3):
    loss = network()[number]
    for accumulated, gradient in zip(separately, ag.grad(loss, [W1, W2], allow_unused=True)):
        if gradient is not None:
            accumulated += gradient.numpy()
assert np.allclose(separately[0], together[0], rtol=1e-12) and np.allclose(separately[1], together[1], rtol=1e-12)
print("backward from three losses = backward from their sum = sum of three backward passes")

# %% [markdown]
# ## Shared weights (Section 3.2.9)
# One weight w used in two places: o = tanh(w x_1) + sigmoid(w x_2) w.
# Untie it into three copies, one per use: the shared gradient is their sum.

# %%
x1, x2 = 0.8, -1.3
w = ag.tensor(0.5, requires_grad=True, name="w (shared)")
o = ag.tanh(w * x1) + ag.sigmoid(w * x2) * w
o.name = "o"
shared = ag.grad(o, w, retain_graph=True).item()
assert ag.count_paths(o, w) == 3
save_diagram(ag.draw(o, highlight_paths=w, title="A weight shared by three uses"), "shared_weight.svg")

copies = [ag.tensor(0.5, requires_grad=True, name=f"w copy {k}") for k in range(3)]
untied = ag.tanh(copies[0] * x1) + ag.sigmoid(copies[1] * x2) * copies[2]
per_copy = [gradient.item() for gradient in ag.grad(untied, copies)]
print(f"shared gradient {shared:.12f} = sum of the copies' {per_copy} = {sum(per_copy):.12f}")
assert abs(shared - sum(per_copy)) < 1e-12

# %% [markdown]
# ## Gradient checking (Section 3.2.10)
# `ag.gradcheck` perturbs each entry and compares. Written out for one entry:
# the forward difference of Eq. 3.33 and the central difference, with rho.

# %%
def loss_of(W1_value):
    with ag.no_grad():
        h = ag.tanh(ag.tensor(W1_value) @ x)
        return float((W2 @ h).sum().item() + 0.1 * (h * h).sum().item())


W1.zero_grad()
h = ag.tanh(W1 @ x)
L = (W2 @ h).sum() + 0.1 * (h * h).sum()
L.backward()
G_e = W1.grad.numpy()[1, 2]


def relative_ratio(G_e, G_a):
    return abs(G_e - G_a) / abs(G_e + G_a)   # Eq. 3.34


epsilons = np.logspace(-12, -1, 23)
forward_ratios, central_ratios = [], []
for eps in epsilons:
    plus, minus = W1.numpy().copy(), W1.numpy().copy()
    plus[1, 2] += eps
    minus[1, 2] -= eps
    forward_ratios.append(relative_ratio(G_e, (loss_of(plus) - loss_of(W1.numpy())) / eps))
    central_ratios.append(relative_ratio(G_e, (loss_of(plus) - loss_of(minus)) / (2 * eps)))
best = int(np.argmin(central_ratios))
print(f"best central difference at eps = {epsilons[best]:.0e}: rho = {central_ratios[best]:.1e}")
assert central_ratios[best] < 1e-8
assert min(central_ratios) < min(forward_ratios)  # the central difference is accurate to O(eps^2), not O(eps)

report = ag.gradcheck(lambda W: (W2 @ ag.tanh(W @ x)).sum() + 0.1 * (ag.tanh(W @ x) ** 2).sum(), W1)
print(report)
assert report.passed and report.worst_ratio < 1e-6

figure, axes = plt.subplots(figsize=(6, 3.5))
axes.loglog(epsilons, np.maximum(forward_ratios, 1e-17), "o-", label="forward difference (Eq. 3.33)")
axes.loglog(epsilons, np.maximum(central_ratios, 1e-17), "s-", label="central difference")
axes.axhline(1e-6, color="k", linestyle=":", label="threshold 1e-6")
axes.set_xlabel("eps")
axes.set_ylabel("rho (Eq. 3.34)")
axes.legend(fontsize=8)
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "gradcheck_ratio_against_eps.png"), dpi=100)
plt.close(figure)

# %% [markdown]
# ## A wrong backward is caught
# A custom operation claiming d(z^3)/dz = 2 z^2 fails the check.

# %%
class WrongCube(ag.Function):
    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return z ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (z,) = ctx.saved_tensors
        return 2 * z ** 2 * grad_output


wrong = ag.gradcheck(WrongCube.apply, ag.tensor(rng.normal(size=4), requires_grad=True), raise_exception=False)
print("The report below is meant to FAIL: WrongCube's backward is wrong on purpose, and gradcheck catches it.")
print(wrong)
assert not wrong and wrong.worst_ratio > 0.1
print(f"caught as intended: the worst ratio {wrong.worst_ratio:.2f} is far above the chapter's threshold")
