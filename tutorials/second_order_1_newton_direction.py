# %% [markdown]
# # Second order 1: the Newton direction points at the minimum (Figure 3.14)
#
# Section 3.5.6 approximates the loss around W_0 by its second-order Taylor
# expansion (Eq. 3.47),
#
#     L(W) ~ L(W_0) + (W - W_0)^T grad L(W_0) + 1/2 (W - W_0)^T H (W - W_0),
#
# and jumps to its minimum, the Newton update (Eq. 3.48)
#
#     W* = W_0 - H^-1 grad L(W_0).
#
# On an elongated bowl the steepest-descent direction -grad L points across
# the valley, mostly along the steep axis; premultiplying by the inverse
# Hessian rescales each eigen-direction by its curvature, and the result
# points straight at the minimum. The Hessian here is exact: `ag.hessian`
# differentiates the gradient a second time (double backpropagation).

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

# A rotated, elongated bowl: eigenvalues 1 and 12 along axes turned by 30 degrees, minimum at (1, 0.5).
ANGLE = np.pi / 6
ROTATION = np.array([[np.cos(ANGLE), -np.sin(ANGLE)], [np.sin(ANGLE), np.cos(ANGLE)]])
CURVATURE = ROTATION @ np.diag([1.0, 12.0]) @ ROTATION.T
CENTRE = np.array([1.0, 0.5])


def bowl(W):
    offset = W - ag.Tensor(CENTRE)
    return 0.5 * (offset * (ag.Tensor(CURVATURE) @ offset)).sum()


def bowl_grid(X, Y):
    dx, dy = X - CENTRE[0], Y - CENTRE[1]
    return 0.5 * (CURVATURE[0, 0] * dx * dx + 2 * CURVATURE[0, 1] * dx * dy + CURVATURE[1, 1] * dy * dy)


# %% [markdown]
# ## Both directions at a few points
# At each point: the gradient by backpropagation, the Hessian by
# differentiating it again, and the two directions.

# %%
points = np.array([[-1.5, 1.5], [2.8, 2.0], [-0.5, -1.5], [3.0, -0.8], [0.0, 2.6]])
rows = []
for point in points:
    W = ag.Tensor(point, requires_grad=True)
    gradient = ag.grad(bowl(W), W).data
    hessian = ag.hessian(bowl, point).data
    newton = -np.linalg.solve(hessian, gradient)
    rows.append((point, -gradient, newton))
    # the Newton step lands on the minimum; the steepest-descent direction misses it
    np.testing.assert_allclose(point + newton, CENTRE, atol=1e-12)
    to_centre = (CENTRE - point) / np.linalg.norm(CENTRE - point)
    cosine = float(-gradient @ to_centre / np.linalg.norm(gradient))
    print(f"from {point}: steepest descent is {np.degrees(np.arccos(min(cosine, 1.0))):5.1f} degrees off the "
          f"minimum; Newton 0.0")

np.testing.assert_allclose(ag.hessian(bowl, points[0]).data, CURVATURE, atol=1e-12)

# %%
figure, axes = plt.subplots(figsize=(7, 5.5))
xs, ys = np.linspace(-2.5, 4.0, 200), np.linspace(-2.2, 3.2, 200)
X, Y = np.meshgrid(xs, ys)
axes.contour(X, Y, bowl_grid(X, Y), levels=np.geomspace(0.05, 60, 14), cmap="Blues", linewidths=0.8)
for point, steepest, newton in rows:
    scale = np.linalg.norm(newton)
    steepest_arrow = steepest / np.linalg.norm(steepest) * scale * 0.6
    axes.annotate("", point + steepest_arrow, point,
                  arrowprops=dict(arrowstyle="->", color="crimson", lw=1.8))
    axes.annotate("", point + newton, point, arrowprops=dict(arrowstyle="->", color="seagreen", lw=1.8))
    axes.plot(*point, "ko", markersize=4)
axes.plot(*CENTRE, "k*", markersize=13)
axes.plot([], [], color="crimson", label="steepest descent -grad L (scaled)")
axes.plot([], [], color="seagreen", label="Newton -H^-1 grad L (Eq. 3.48)")
axes.legend(loc="lower right", fontsize=9)
axes.set_aspect("equal")
axes.set_title("Figure 3.14: steepest-descent and Newton directions on an elongated bowl")
figure.savefig(os.path.join(OUTPUT, "figure_3_14_newton_direction.png"), dpi=100, bbox_inches="tight")

# %% [markdown]
# ## The same with `optim.Newton`
# The optimizer takes the exact Hessian of the loss over all its parameters
# (here one vector), so on a quadratic one step from anywhere is enough: two
# evaluations (the start and the new point) and d = 2 Hessian-vector products.

# %%
W = ag.Tensor(np.array([-2.0, 3.0]), requires_grad=True)
opt = optim.Newton([W])


def closure():
    opt.zero_grad()
    loss = bowl(W)
    loss.backward(create_graph=True, retain_graph=True)  # keep the gradient's graph for the Hessian
    return loss


opt.step(closure)
print(f"after one Newton step: W = {W.data}, loss {bowl(W).item():.2e}; evaluations {opt.nfev}, "
      f"Hessian-vector products {opt.nhev}; converged: {opt.converged}")
np.testing.assert_allclose(W.data, CENTRE, atol=1e-12)
