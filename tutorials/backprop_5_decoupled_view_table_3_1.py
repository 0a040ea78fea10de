# %% [markdown]
# # 5. The decoupled view: every row of Table 3.1 (Section 3.2.6, Exercise 10)
#
# Decoupling the linear step from the activation turns every layer into a
# function z_out = f(z_in) whose backward pass multiplies the incoming
# gradient g = dL/dz_out by the transposed Jacobian (Eq. 3.24):
# dL/dz_in = J^T g. Table 3.1 lists that product for each kind of layer:
#
# | layer | forward | backward |
# | --- | --- | --- |
# | linear | z_out = W^T z_in | g_in = W g |
# | sigmoid | z_out = sigma(z_in) | g_in = g * z_out (1 - z_out) |
# | tanh | z_out = tanh(z_in) | g_in = g * (1 - z_out^2) |
# | ReLU | z_out = max(z_in, 0) | g_in = g * I(z_in > 0) |
# | hard tanh | z_out = clip(z_in, -1, 1) | g_in = g * I(-1 < z_in < 1) |
# | max | z_out = max_i z_in,i | g_in = g at the argmax, 0 elsewhere |
# | arbitrary | z_out = f(z_in) | g_in = J^T g |
#
# Each row below is written by hand in NumPy and checked against the engine.

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
rng = np.random.default_rng(31)


def save_diagram(digraph, name):
    """Write a diagram into the output folder (rendered when Graphviz's dot is installed)."""
    ag.viz.save_diagram(digraph, os.path.join(OUTPUT, name))
    return digraph


def engine_backward(layer, z_in, g):
    """dL/dz_in from the engine for a layer given as a function of a Tensor, with dL/dz_out = g."""
    z = ag.tensor(z_in, requires_grad=True)
    return ag.grad(layer(z), z, grad_outputs=g).numpy()


# inputs kept away from the kinks at 0 and +-1, where ReLU's and hard tanh's derivatives jump
z_in = np.array([-2.3, -0.7, -0.2, 0.4, 0.9, 1.6])
g = rng.normal(size=6)

# %% [markdown]
# ## Linear, sigmoid, tanh, ReLU, hard tanh, max

# %%
W = rng.normal(size=(6, 3))
rows = {
    "linear": (lambda z: W.T @ z, lambda z: ag.tensor(W.T) @ z, lambda z, out, g: W @ g, 3),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), ag.sigmoid, lambda z, out, g: g * out * (1 - out), 6),
    "tanh": (np.tanh, ag.tanh, lambda z, out, g: g * (1 - out ** 2), 6),
    "ReLU": (lambda z: np.maximum(z, 0), ag.relu, lambda z, out, g: g * (z > 0), 6),
    "hard tanh": (lambda z: np.clip(z, -1, 1), ag.hard_tanh, lambda z, out, g: g * ((z > -1) & (z < 1)), 6),
    "max": (np.max, ag.max, lambda z, out, g: g * (z == z.max()), 1),
}
for name, (forward, layer, backward_by_hand, out_size) in rows.items():
    g_out = g[:out_size] if out_size > 1 else np.float64(g[0])
    z_out = forward(z_in)
    by_hand = backward_by_hand(z_in, z_out, g_out)
    by_engine = engine_backward(layer, z_in, g_out)
    assert np.allclose(by_hand, by_engine, rtol=1e-12, atol=1e-15), (name, by_hand, by_engine)
    print(f"{name:>9}: backward by hand equals the engine's, {np.round(by_hand, 4)}")

# %% [markdown]
# ## An arbitrary function, through its Jacobian
# A custom operation needs only its forward and its Jacobian; the engine
# forms J^T g itself. f(z) = (z_1 z_2, sin z_1, z_2^2 + z_3).

# %%
class Arbitrary(ag.Function):
    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return np.array([z[0] * z[1], np.sin(z[0]), z[1] ** 2 + z[2]])

    @staticmethod
    def jacobian(ctx):
        (z,) = ctx.saved_tensors
        return np.array([[z[1], z[0], 0.0],
                         [np.cos(z[0]), 0.0, 0.0],
                         [0.0, 2 * z[1], 1.0]])


z3 = np.array([0.3, -1.2, 0.8])
g3 = np.array([0.5, -2.0, 1.5])
J = np.array([[z3[1], z3[0], 0.0], [np.cos(z3[0]), 0.0, 0.0], [0.0, 2 * z3[1], 1.0]])
by_engine = engine_backward(Arbitrary.apply, z3, g3)
assert np.allclose(by_engine, J.T @ g3, rtol=1e-12)
assert ag.gradcheck(lambda z: Arbitrary.apply(z), ag.tensor(z3, requires_grad=True))
print("arbitrary function: the engine's J^T g equals the hand-made one, and gradcheck agrees")

# %% [markdown]
# ## Softmax with cross-entropy: o - y (Eq. 3.22, Exercise 10)
# With o = softmax(v) and L = -sum_k y_k log o_k for a one-hot y, the
# derivative with respect to the scores is dL/dv = o - y. The engine gets it
# both from the composed graph (softmax, log, product, sum) and from the
# fused `ag.cross_entropy`.

# %%
v = rng.normal(size=5)
target = np.zeros(5)
target[2] = 1.0
probabilities = np.exp(v - v.max()) / np.exp(v - v.max()).sum()

scores = ag.tensor(v, requires_grad=True, name="v")
o = ag.softmax(scores)
o.name = "o = softmax(v)"
L = -(ag.tensor(target, name="y") * ag.log(o)).sum()
L.name = "L"
composed = ag.grad(L, scores, retain_graph=True).numpy()
fused = ag.grad(ag.cross_entropy(scores[None, :], np.array([2]), reduction="sum"), scores).numpy()
assert np.allclose(composed, probabilities - target, rtol=1e-12, atol=1e-15)
assert np.allclose(fused, probabilities - target, rtol=1e-12, atol=1e-15)
print("dL/dv = o - y:", np.round(probabilities - target, 4))
save_diagram(ag.draw(L, title="softmax then cross-entropy: dL/dv = o - y"), "softmax_cross_entropy.svg")

# %% [markdown]
# ## The derivative of each activation row

# %%
grid = np.linspace(-2.5, 2.5, 501)
figure, axes = plt.subplots(1, 2, figsize=(9, 3.5))
for name, function in (("sigmoid", ag.sigmoid), ("tanh", ag.tanh), ("ReLU", ag.relu), ("hard tanh", ag.hard_tanh)):
    z = ag.tensor(grid, requires_grad=True)
    out = function(z)
    out.sum().backward()
    axes[0].plot(grid, out.numpy(), label=name)
    axes[1].plot(grid, z.grad.numpy(), label=name)
axes[0].set_title("Phi(z)")
axes[1].set_title("Phi'(z), by backpropagation")
axes[1].legend(fontsize=8)
figure.tight_layout()
figure.savefig(os.path.join(OUTPUT, "table_3_1_activations.png"), dpi=100)
plt.close(figure)
