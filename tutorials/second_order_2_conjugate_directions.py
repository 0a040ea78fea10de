# %% [markdown]
# # Second order 2: conjugate directions reach the centre of an ellipse in two steps (Figure 3.16)
#
# Section 3.5.6.1. On a quadratic bowl L(W) = 1/2 W^T H W - b^T W, steepest
# descent with an exact line search zig-zags: each step ends where the new
# gradient is orthogonal to the old direction, so the next step partly undoes
# the previous one. Conjugate gradients choose directions that are
# H-conjugate (q_i^T H q_j = 0): moving along one never spoils the minimum
# already reached along the others, so a d-dimensional bowl is done in d steps.
# Each new direction is (Eq. 3.49, 3.50)
#
#     q_{t+1} = -grad L(W_{t+1}) + beta_t q_t,   beta_t = q_t^T H grad L(W_{t+1}) / q_t^T H q_t.
#
# The eigenvectors of H are one conjugate set (orthogonal too); CG finds
# another that is *not* orthogonal.

# %%
import os
import sys

import matplotlib
import numpy as np

if "ipykernel" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt

from autograd_core import optim
from autograd_core.optim import problems

OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)

ANGLE = np.pi / 5
ROTATION = np.array([[np.cos(ANGLE), -np.sin(ANGLE)], [np.sin(ANGLE), np.cos(ANGLE)]])
H = ROTATION @ np.diag([1.0, 15.0]) @ ROTATION.T
b = H @ np.array([0.5, -0.3])          # the centre W* = H^-1 b = (0.5, -0.3)
CENTRE = np.linalg.solve(H, b)
START = np.array([-2.0, -1.1])
loss = problems.quadratic(H, b)


def path_of(**settings):
    visited = [START.copy()]
    result = optim.minimize(loss, START, gtol=1e-6, maxiter=200, callback=visited.append, **settings)
    return np.array(visited), result


# %% [markdown]
# ## Steepest descent against conjugate gradients, both with exact line searches
# `NonlinearCG` with `restart=1` restarts at every step, i.e. plain steepest
# descent; with the default it is conjugate gradients, which on a quadratic
# with the exact line search (`line_search="exact"`) is linear CG.

# %%
steepest_path, steepest = path_of(method="nonlinear_cg", restart=1, line_search="exact")
cg_path, cg = path_of(method="nonlinear_cg", line_search="exact")
print(f"steepest descent: {steepest.nit} steps to max |grad| <= 1e-6; conjugate gradients: {cg.nit} steps")
assert cg.nit == 2 and np.abs(cg_path[2] - CENTRE).max() < 1e-12
assert steepest.success and cg.success and steepest.nit >= 4 * cg.nit, (steepest.message, cg.message)

# consecutive steepest-descent steps are orthogonal (the zig-zag); CG's two steps are H-conjugate, not orthogonal
steps = np.diff(steepest_path, axis=0)
assert abs(steps[0] @ steps[1]) < 1e-10 * np.linalg.norm(steps[0]) * np.linalg.norm(steps[1])
cg_steps = np.diff(cg_path[:3], axis=0)
conjugacy = cg_steps[0] @ H @ cg_steps[1]
cosine = cg_steps[0] @ cg_steps[1] / np.linalg.norm(cg_steps[0]) / np.linalg.norm(cg_steps[1])
print(f"CG directions: q_0^T H q_1 = {conjugacy:.1e}, angle between them {np.degrees(np.arccos(cosine)):.1f} degrees")
assert abs(conjugacy) < 1e-10 and abs(cosine) > 0.1

# %%
eigenvalues, eigenvectors = np.linalg.eigh(H)
figure, axes = plt.subplots(1, 2, figsize=(12, 5))
xs, ys = np.linspace(-2.6, 2.6, 200), np.linspace(-2.0, 1.6, 200)
X, Y = np.meshgrid(xs, ys)
points = np.stack([X - CENTRE[0], Y - CENTRE[1]], axis=-1)
Z = 0.5 * np.einsum("...i,ij,...j->...", points, H, points)
for ax in axes:
    ax.contour(X, Y, Z, levels=np.geomspace(0.02, 40, 14), cmap="Blues", linewidths=0.8)
    ax.plot(*CENTRE, "k*", markersize=12)
    ax.set_aspect("equal")
axes[0].plot(steepest_path[:, 0], steepest_path[:, 1], "o-", color="crimson", markersize=3,
             label=f"steepest descent ({steepest.nit} steps)")
axes[0].plot(cg_path[:, 0], cg_path[:, 1], "o-", color="seagreen", lw=2, label=f"conjugate gradients ({cg.nit} steps)")
axes[0].legend(loc="upper left", fontsize=9)
axes[0].set_title("(a) exact line searches from the same start")
for vector in eigenvectors.T:
    axes[1].annotate("", CENTRE + 1.1 * vector, CENTRE - 1.1 * vector,
                     arrowprops=dict(arrowstyle="<->", color="slategray", lw=1.5))
for number, step in enumerate(cg_steps):
    origin = cg_path[number]
    axes[1].annotate("", origin + step, origin, arrowprops=dict(arrowstyle="->", color="seagreen", lw=2))
axes[1].plot([], [], color="slategray", label="eigenvectors: orthogonal and H-conjugate")
axes[1].plot([], [], color="seagreen", label="CG directions: H-conjugate, not orthogonal")
axes[1].legend(loc="upper left", fontsize=9)
axes[1].set_title("(b) two conjugate pairs")
figure.suptitle("Figure 3.16: conjugate directions on an ellipse")
figure.savefig(os.path.join(OUTPUT, "figure_3_16_conjugate_directions.png"), dpi=100, bbox_inches="tight")

# %% [markdown]
# ## In d dimensions: at most d steps
# Linear CG (`optim.linear_conjugate_gradient`) on quadratics with
# eigenvalues evenly spaced in [1, 100]: the residual drops to rounding level
# in at most d steps. With a much wider spread of eigenvalues, floating-point
# rounding erodes conjugacy and it can take a few more.

# %%
for dimension in (2, 10, 50):
    matrix = problems.spectrum_matrix(np.linspace(1, 100, dimension), seed=dimension)
    rhs = np.random.default_rng(dimension).standard_normal(dimension)
    solved = optim.linear_conjugate_gradient(lambda v, matrix=matrix: matrix @ v, rhs, tolerance=1e-10)
    error = np.abs(solved.solution - np.linalg.solve(matrix, rhs)).max()
    print(f"d = {dimension:2d}: {solved.iterations:2d} CG steps, |p - p*| = {error:.1e}")
    assert solved.iterations <= dimension and error < 1e-8
