# %% [markdown]
# # 4. Post-activation and pre-activation backpropagation (Sections 3.2.3 to 3.2.5, Exercise 9)
#
# A layer computes a pre-activation a_r = W_r h_{r-1} and a post-activation
# h_r = Phi_r(a_r). Backpropagation can carry either derivative backwards:
#
# * Eq. 3.12, post-activation: Delta_r = dL/dh_r,
#   Delta_r = W_{r+1}^T [Phi'_{r+1}(a_{r+1}) * Delta_{r+1}].
# * Eq. 3.18, pre-activation: delta_r = dL/da_r,
#   delta_r = Phi'_r(a_r) * (W_{r+1}^T delta_{r+1}).
#
# They are the same computation grouped differently (delta_r = Phi'_r(a_r) * Delta_r),
# so both give dL/dW_r = delta_r h_{r-1}^T. Here both are written out in
# NumPy for an MLP whose four hidden layers use sigmoid, tanh, ReLU and hard
# tanh (Section 3.2.5), and compared with each other and with the engine.

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


def save_diagram(digraph, name):
    """Write a diagram into the output folder (rendered when Graphviz's dot is installed)."""
    ag.viz.save_diagram(digraph, os.path.join(OUTPUT, name))
    return digraph


# %% [markdown]
# ## The activations and their derivatives (Section 3.2.5)

# %%
def sigmoid(a):
    return 1 / (1 + np.exp(-a))


ACTIVATIONS = {  # name: (Phi, Phi')
    "sigmoid": (sigmoid, lambda a: sigmoid(a) * (1 - sigmoid(a))),
    "tanh": (np.tanh, lambda a: 1 - np.tanh(a) ** 2),
    "relu": (lambda a: np.maximum(a, 0), lambda a: (a > 0).astype(float)),
    "hard_tanh": (lambda a: np.clip(a, -1, 1), lambda a: ((a > -1) & (a < 1)).astype(float)),
}
ENGINE = {"sigmoid": ag.sigmoid, "tanh": ag.tanh, "relu": ag.relu, "hard_tanh": ag.hard_tanh}
layer_activations = ["sigmoid", "tanh", "relu", "hard_tanh"]

# %% [markdown]
# ## A small MLP: 3 inputs, four hidden layers of 4 units, one linear output, squared loss
# L = (o - y)^2 / 2 with o = v^T h_4.

# %%
rng = np.random.default_rng(9)
sizes = [3, 4, 4, 4, 4]
weights = [rng.normal(0, 1.0, size=(sizes[r + 1], sizes[r])) for r in range(4)]
v = rng.normal(0, 1.0, size=4)
x = rng.normal(0, 1.0, size=3)
y = 0.5

pre, post = [], [x]  # a_r and h_r (h_0 = x)
for W, name in zip(weights, layer_activations):
    pre.append(W @ post[-1])
    post.append(ACTIVATIONS[name][0](pre[-1]))
o = v @ post[-1]
loss = 0.5 * (o - y) ** 2
# no pre-activation sits on a kink of ReLU or hard tanh, where the derivative jumps
assert all(np.min(np.abs(a)) > 1e-6 and np.min(np.abs(np.abs(a) - 1)) > 1e-6 for a in pre)
print(f"o = {o:.6f}, L = {loss:.6f}")

# %% [markdown]
# ## Eq. 3.12: the post-activation recurrence (Delta)

# %%
dL_do = o - y
Delta = [None] * 5
Delta[4] = dL_do * v                                   # dL/dh_4
for r in range(3, 0, -1):                              # Delta_r from Delta_{r+1}
    derivative_next = ACTIVATIONS[layer_activations[r]][1](pre[r])   # Phi'_{r+1}(a_{r+1})
    Delta[r] = weights[r].T @ (derivative_next * Delta[r + 1])
post_activation_grads = [np.outer(ACTIVATIONS[layer_activations[r]][1](pre[r]) * Delta[r + 1], post[r])
                         for r in range(4)]

# %% [markdown]
# ## Eq. 3.18: the pre-activation recurrence (delta)

# %%
delta = [None] * 4
delta[3] = ACTIVATIONS[layer_activations[3]][1](pre[3]) * (dL_do * v)   # dL/da_4
for r in range(2, -1, -1):
    delta[r] = ACTIVATIONS[layer_activations[r]][1](pre[r]) * (weights[r + 1].T @ delta[r + 1])
pre_activation_grads = [np.outer(delta[r], post[r]) for r in range(4)]

for r in range(4):
    # the two recurrences are one computation grouped differently: delta_r = Phi'_r(a_r) * Delta_r
    assert np.allclose(delta[r], ACTIVATIONS[layer_activations[r]][1](pre[r]) * Delta[r + 1], rtol=0, atol=1e-14)
    assert np.allclose(pre_activation_grads[r], post_activation_grads[r], rtol=0, atol=1e-14)
print("Eq. 3.12 and Eq. 3.18 give the same dL/dW_r for every layer")

# %% [markdown]
# ## The engine
# The same network with tensors; `backward()` must match both recurrences.

# %%
W_tensors = [ag.tensor(W, requires_grad=True, name=f"W{r + 1}") for r, W in enumerate(weights)]
v_tensor = ag.tensor(v, requires_grad=True, name="v")
h = ag.tensor(x, name="x")
hidden = []
for r, (W, name) in enumerate(zip(W_tensors, layer_activations)):
    a = W @ h
    a.name = f"a{r + 1}"
    h = ENGINE[name](a)
    h.name = f"h{r + 1} ({name})"
    h.retain_grad()
    hidden.append(h)
o_tensor = v_tensor @ h
o_tensor.name = "o"
L = 0.5 * (o_tensor - y) ** 2
L.name = "L"
L.backward()
for r in range(4):
    assert np.allclose(W_tensors[r].grad.numpy(), pre_activation_grads[r], rtol=1e-12, atol=1e-14)
    assert np.allclose(hidden[r].grad.numpy(), Delta[r + 1], rtol=1e-12, atol=1e-14)  # Delta_r = dL/dh_r
assert np.allclose(v_tensor.grad.numpy(), dL_do * post[4], rtol=1e-12)
print("the engine's dL/dW_r and dL/dh_r equal the hand-written recurrences")
save_diagram(ag.draw(L, title="MLP with sigmoid, tanh, ReLU and hard tanh layers"), "mlp_four_activations.svg")

# %% [markdown]
# ## Where the gradient flows: |delta_r| per layer
# ReLU and hard tanh pass a derivative of exactly 0 or 1; sigmoid at most 1/4.

# %%
figure, axes = plt.subplots(figsize=(6, 3.5))
for r in range(4):
    axes.bar(np.arange(4) + 0.2 * r, np.abs(delta[r]), width=0.2, label=f"layer {r + 1}: {layer_activations[r]}")
axes.set_xlabel("unit")
axes.set_xticks(np.arange(4) + 0.3, [str(unit + 1) for unit in range(4)])
axes.set_ylabel("|delta_r| = |dL/da_r|")
axes.legend(fontsize=8)
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "delta_by_layer.png"), dpi=100)
plt.close(figure)
