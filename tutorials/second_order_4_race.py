# %% [markdown]
# # Second order 4: a race of every method of Section 3.5, on Rosenbrock and on the digits network
#
# The first-order methods (Sections 3.5.1-3.5.4) against the second-order
# ones (Section 3.5.6), counted two ways: by evaluations of the loss and its
# gradient (what the text counts: one closure call, a line search's trial
# points included) and by seconds (what a user waits; a Newton step costs d
# Hessian-vector products, a Hessian-free step a few dozen). Learning rates
# of the first-order methods are reasonable values, not the result of a search.
#
# Newton's method is in the Rosenbrock race only: on the digits network its
# d x d Hessian (d about 1200) costs d backward passes per step.

# %%
import os
import sys
import time
import warnings

import matplotlib
import numpy as np

if "ipykernel" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt

import autograd_core as ag
from autograd_core import nn, optim
from autograd_core.optim import problems

OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)
FAST = os.environ.get("AUTOGRAD_CORE_FAST") == "1"
FIRST_ORDER_STEPS = 1500 if FAST else 5000
DIGITS_EVALUATIONS = 30 if FAST else 300
CG_ITERATIONS = 10 if FAST else 50

FIRST_ORDER = {
    "SGD": lambda params: optim.SGD(params, lr=1e-3),
    "momentum 0.9": lambda params: optim.SGD(params, lr=2e-4, momentum=0.9),
    "Nesterov 0.9": lambda params: optim.SGD(params, lr=2e-4, momentum=0.9, nesterov=True),
    "AdaGrad": lambda params: optim.AdaGrad(params, lr=0.5),
    "RMSProp": lambda params: optim.RMSProp(params, lr=0.01),
    "AdaDelta": lambda params: optim.AdaDelta(params),
    "Adam": lambda params: optim.Adam(params, lr=0.05),
}
SECOND_ORDER = ["newton", "hessian_free", "nonlinear_cg", "bfgs", "lbfgs"]


def first_order_race(loss_of, params, make_optimizer, steps):
    """(evaluations, seconds, losses) of a first-order method; each step is one evaluation."""
    opt = make_optimizer(params)
    losses, seconds, clock = [], [], 0.0
    def closure():
        opt.zero_grad()
        loss = loss_of()
        loss.backward()
        return loss

    for _ in range(steps):
        started = time.perf_counter()
        loss = opt.step(closure)  # Nesterov evaluates at the look-ahead point: still one evaluation
        clock += time.perf_counter() - started
        losses.append(loss.item())
        seconds.append(clock)
    return np.arange(1, steps + 1), np.array(seconds), np.array(losses)


def second_order_race(loss_of, params, method, max_evaluations, **settings):
    """(evaluations, seconds, losses) from a second-order optimizer's history."""
    classes = {"newton": optim.Newton, "hessian_free": optim.HessianFree, "nonlinear_cg": optim.NonlinearCG,
               "bfgs": optim.BFGS, "lbfgs": optim.LBFGS}
    opt = classes[method](params, gtol=1e-9, **settings)
    second = method in ("newton", "hessian_free")

    def closure():
        opt.zero_grad()
        loss = loss_of()
        loss.backward(create_graph=second, retain_graph=second)
        return loss

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Newton's notices about indefinite Hessians
        while opt.nfev < max_evaluations and not opt.stopped:
            opt.step(closure)
    history = opt.history
    return (np.array([record["evaluations"] for record in history]), np.array([record["time"] for record in history]),
            np.array([record["loss"] for record in history]))


def plot_race(results, title, filename, floor):
    figure, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    colours = plt.cm.tab20(np.linspace(0, 1, 20))
    for number, (name, (evaluations, seconds, losses)) in enumerate(results.items()):
        style = "-" if name in SECOND_ORDER else ":"
        values = np.maximum(losses, floor)
        colour = colours[(2 * number) % 20 + (2 * number) // 20]
        axes[0].plot(evaluations, values, style, label=name, lw=1.8, color=colour)
        axes[1].plot(np.maximum(seconds, 1e-4), values, style, label=name, lw=1.8, color=colour)
    axes[0].set_xlabel("evaluations of the loss and gradient")
    axes[1].set_xlabel("seconds")
    axes[1].set_xscale("log")
    for ax in axes:
        ax.set_yscale("log")
        ax.set_ylabel("loss")
    axes[0].legend(fontsize=8, ncol=2)
    figure.suptitle(title + " (solid: second order, dotted: first order)")
    figure.savefig(os.path.join(OUTPUT, filename), dpi=100, bbox_inches="tight")


# %% [markdown]
# ## Rosenbrock's valley from (-1.2, 1)

# %%
START = np.array([-1.2, 1.0])
rosenbrock_results = {}
for name, make in FIRST_ORDER.items():
    W = ag.Tensor(START.copy(), requires_grad=True)
    rosenbrock_results[name] = first_order_race(lambda W=W: problems.rosenbrock(W), [W], make, FIRST_ORDER_STEPS)
for method in SECOND_ORDER:
    W = ag.Tensor(START.copy(), requires_grad=True)
    rosenbrock_results[method] = second_order_race(lambda W=W: problems.rosenbrock(W), [W], method, 500)
plot_race(rosenbrock_results, "Rosenbrock", "race_rosenbrock.png", floor=1e-16)

for name, (evaluations, seconds, losses) in rosenbrock_results.items():
    below = np.nonzero(losses < 1e-8)[0]
    reached = f"{evaluations[below[0]]} evaluations, {seconds[below[0]]:.3f} s" if below.size else "not reached"
    print(f"{name:>14}: loss {losses[-1]:.1e} after {evaluations[-1]} evaluations; loss < 1e-8: {reached}")
for method in ("bfgs", "lbfgs", "newton"):
    evaluations, _, losses = rosenbrock_results[method]
    assert losses[-1] < 1e-12 and evaluations[-1] < 100, method
assert min(rosenbrock_results[name][2][-1] for name in FIRST_ORDER) > 1e-10

# %% [markdown]
# ## The digits network, full batch
# An MLP 64-16-10 with tanh on scikit-learn's digits; every method sees the
# whole training set at each evaluation, so evaluations are comparable.

# %%
X_train, X_test, y_train, y_test = nn.datasets.digits_split(test_fraction=0.2, seed=0)
X_train, X_test = ag.Tensor(X_train / 16.0), X_test / 16.0
DIGITS_FIRST_ORDER = {"momentum 0.9": lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
                      "RMSProp": lambda params: optim.RMSProp(params, lr=3e-3),
                      "Adam": lambda params: optim.Adam(params, lr=1e-2)}
digits_results, accuracies = {}, {}
for name in list(DIGITS_FIRST_ORDER) + SECOND_ORDER[1:]:
    model = nn.MLP([64, 16, 10], activation="tanh", init="xavier", rng=0)

    def loss_of(model=model):
        return ag.cross_entropy(model(X_train), y_train)

    if name in DIGITS_FIRST_ORDER:
        digits_results[name] = first_order_race(loss_of, model.parameters(), DIGITS_FIRST_ORDER[name],
                                                DIGITS_EVALUATIONS)
    else:
        settings = {"max_cg_iterations": CG_ITERATIONS} if name == "hessian_free" else {}
        digits_results[name] = second_order_race(loss_of, model.parameters(), name, DIGITS_EVALUATIONS, **settings)
    accuracies[name] = nn.training.accuracy(nn.training.predict(model, X_test), y_test)
    evaluations, seconds, losses = digits_results[name]
    print(f"{name:>14}: loss {losses[-1]:.2e} after {evaluations[-1]} evaluations, {seconds[-1]:.1f} s; "
          f"test accuracy {accuracies[name]:.1%}")
plot_race(digits_results, "digits MLP 64-16-10, full batch", "race_digits.png", floor=1e-6)
assert digits_results["lbfgs"][2][-1] < digits_results["lbfgs"][2][0] / 5
