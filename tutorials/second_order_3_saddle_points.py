# %% [markdown]
# # Second order 3: where Newton's method fails: a degenerate point and a saddle (Figure 3.17, Section 3.5.6.3)
#
# Newton's update W* = W_0 - H^-1 grad L(W_0) (Eq. 3.48) jumps to the
# stationary point of the quadratic model (Eq. 3.47), whether that point is
# a minimum, a maximum or a saddle. Two small examples from the text:
#
# * f(x) = x^3 has f'(0) = f''(0) = 0: a degenerate stationary point that is
#   no minimum (f keeps falling for x < 0). From x > 0 Newton's step is
#   x <- x - 3x^2 / 6x = x / 2: it creeps towards 0 and stalls there.
# * g(x, y) = x^2 - y^2 has a saddle at the origin. Its Hessian
#   diag(2, -2) is indefinite, and since g is quadratic, one Newton step from
#   anywhere lands exactly on the saddle. Gradient descent, by contrast, is
#   pushed away along y, the direction of negative curvature; momentum makes
#   the escape quicker.
#
# `optim.Newton` detects the indefinite or singular Hessian, warns, and (by
# default) uses |H| (the eigenvalues by magnitude), which turns the step
# away from the saddle; `indefinite="ignore"` with `line_search=None` keeps
# the plain Eq. 3.48 step to show the failure.

# %%
import os
import sys
import warnings

import matplotlib
import numpy as np

if "ipykernel" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt

import autograd_core as ag
from autograd_core import optim

OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)


def run(loss_of, start, make_optimizer, steps, second_derivatives=False):
    """The path of an optimizer (one iteration per step) from ``start``."""
    W = ag.Tensor(np.array(start, dtype=float), requires_grad=True)
    opt = make_optimizer([W])

    def closure():
        opt.zero_grad()
        loss = loss_of(W)
        loss.backward(create_graph=second_derivatives, retain_graph=second_derivatives)
        return loss

    path = [W.data.copy()]
    for _ in range(steps):
        if isinstance(opt, optim.SGD):
            closure()
            opt.step()
        else:
            opt.step(closure)
        path.append(W.data.copy())
        if getattr(opt, "stopped", False):
            break
    return np.array(path), opt


# %% [markdown]
# ## f(x) = x^3: Newton stalls at the degenerate point

# %%
def cube(W):
    return (W ** 3).sum()


newton_path, newton = run(cube, [1.5], lambda p: optim.Newton(p, line_search=None, gtol=1e-4), 30,
                          second_derivatives=True)
print(f"Newton on x^3 from 1.5: {len(newton_path) - 1} steps, x = {newton_path[-1, 0]:.2e}; "
      f"'{newton.message}'")
np.testing.assert_allclose(newton_path[1:5, 0], 1.5 / 2 ** np.arange(1, 5))
assert newton.converged and 0 < newton_path[-1, 0] < 1e-2   # a 'converged' run at a point that is no minimum

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    guarded_path, guarded = run(cube, [-0.5], lambda p: optim.Newton(p, line_search="backtracking"), 4,
                                second_derivatives=True)
print(f"from x = -0.5 (f'' < 0) optim.Newton warns ({caught[0].message}) and goes downhill: "
      f"x = {np.round(guarded_path[:, 0], 3)}")
assert any("indefinite" in str(warning.message) for warning in caught)
assert np.all(np.diff(guarded_path[:, 0]) < 0)

figure, axes = plt.subplots(figsize=(7, 4.5))
xs = np.linspace(-1.2, 1.7, 300)
axes.plot(xs, xs ** 3, color="slategray", label="f(x) = x^3")
axes.plot(newton_path[:12, 0], newton_path[:12, 0] ** 3, "o-", color="crimson", markersize=4,
          label="Newton from x = 1.5: x <- x / 2, stalls at 0")
axes.plot(guarded_path[:, 0], guarded_path[:, 0] ** 3, "s--", color="seagreen", markersize=4,
          label="optim.Newton from x = -0.5: |H| step, downhill")
axes.axhline(0, color="black", lw=0.5)
axes.set_ylim(-1.8, 3.5)
axes.legend(fontsize=9, loc="upper left")
axes.set_title("Figure 3.17: the degenerate stationary point of x^3")
figure.savefig(os.path.join(OUTPUT, "figure_3_17_x_cubed.png"), dpi=100, bbox_inches="tight")

# %% [markdown]
# ## g(x, y) = x^2 - y^2: one Newton step to the saddle; gradient descent escapes

# %%
def saddle(W):
    return W[0] * W[0] - W[1] * W[1]


START = [1.5, 0.05]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    plain_path, plain = run(saddle, START, lambda p: optim.Newton(p, indefinite="ignore", line_search=None), 5,
                            second_derivatives=True)
    absolute_path, _ = run(saddle, START, lambda p: optim.Newton(p, line_search="backtracking"), 6,
                           second_derivatives=True)
sgd_path, _ = run(saddle, START, lambda p: optim.SGD(p, lr=0.1), 25)
momentum_path, _ = run(saddle, START, lambda p: optim.SGD(p, lr=0.1, momentum=0.8), 25)
print(f"plain Newton: {plain_path[1]} after one step (the saddle), then '{plain.message}'")
np.testing.assert_allclose(plain_path[1], [0.0, 0.0], atol=1e-15)
assert plain.converged and len(plain_path) == 2
for name, path in [("gradient descent", sgd_path), ("with momentum", momentum_path),
                   ("optim.Newton (|H|)", absolute_path)]:
    value = saddle(ag.Tensor(path[-1])).item()
    print(f"{name:>20}: after {len(path) - 1} steps |y| = {abs(path[-1, 1]):.2f}, g = {value:.2f}")
assert abs(momentum_path[-1, 1]) > abs(sgd_path[-1, 1]) > 1.0   # momentum escapes faster
assert abs(absolute_path[-1, 1]) > 1.0

figure, axes = plt.subplots(figsize=(7, 6))
xs, ys = np.linspace(-2, 2, 200), np.linspace(-2, 2, 200)
X, Y = np.meshgrid(xs, ys)
contours = axes.contour(X, Y, X * X - Y * Y, levels=np.linspace(-4, 4, 17), cmap="RdBu_r", linewidths=0.8)
axes.clabel(contours, fontsize=7)
for path, style, label in [(plain_path, "o-", "Newton (Eq. 3.48): to the saddle in one step"),
                           (sgd_path, ".-", "gradient descent, alpha = 0.1"),
                           (momentum_path, ".-", "gradient descent with momentum 0.8"),
                           (absolute_path, "s-", "optim.Newton, |H| (default), backtracking")]:
    shown = path[np.all(np.abs(path) <= 2.2, axis=1)]
    axes.plot(shown[:, 0], shown[:, 1], style, markersize=4, label=label)
axes.plot(0, 0, "kx", markersize=10)
axes.set_xlim(-2, 2)
axes.set_ylim(-2, 2)
axes.set_aspect("equal")
axes.legend(fontsize=8, loc="lower left")
axes.set_title("g(x, y) = x^2 - y^2 from (1.5, 0.05)")
figure.savefig(os.path.join(OUTPUT, "saddle_trajectories.png"), dpi=100, bbox_inches="tight")
