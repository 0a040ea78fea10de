"""The second-order methods of Section 3.5.6 against scipy.optimize, and on the digits network against Adam.

Part 1, side by side with scipy (a development dependency): on the 2-D
Rosenbrock function from (-1.2, 1), the 100-D extended Rosenbrock function,
a 50-D quadratic with condition number 10^4, and L2-regularised logistic
regression on scikit-learn's breast-cancer data (standardised), each method
and scipy's counterpart run to the same gtol (largest absolute gradient entry).
Both sides evaluate the same functions through autograd_core (scipy gets
``jac=True``, so its nfev counts loss-and-gradient points like ours; Newton-CG
and trust-ncg get exact Hessian-vector products by double backpropagation).
Newton-CG has no gtol: it stops on its step size (xtol = 1e-12).

Part 2: an MLP 64-32-10 (tanh) on the digits, full-batch L-BFGS and
Hessian-free against Adam (mini-batches of 32, and full-batch), each for the
same wall-clock budget; the table gives the training objective (mean
cross-entropy + 1e-4/2 |W|^2) and test accuracy at checkpoints.

    python benchmarks/second_order_vs_scipy.py               # both parts, about two minutes on 2 cores
    python benchmarks/second_order_vs_scipy.py --part scipy  # the scipy table only
    python benchmarks/second_order_vs_scipy.py --part digits --seconds 10
"""
import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import autograd_core as ag  # noqa: E402
from autograd_core import nn, optim  # noqa: E402
from autograd_core.optim import problems  # noqa: E402

OURS = ["bfgs", "lbfgs", "nonlinear_cg", "hessian_free", "newton"]
SCIPY = ["BFGS", "L-BFGS-B", "CG", "Newton-CG", "trust-ncg"]
GTOL = 1e-6


def breast_cancer():
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    features = (data.data - data.data.mean(axis=0)) / data.data.std(axis=0)
    return features, data.target.astype(np.float64)


def scipy_problems():
    hessian = problems.spectrum_matrix(np.logspace(0, 4, 50), seed=1)
    linear = np.random.default_rng(2).standard_normal(50)
    features, labels = breast_cancer()
    return {
        "Rosenbrock 2-D": (problems.rosenbrock, np.array([-1.2, 1.0])),
        "extended Rosenbrock 100-D": (problems.extended_rosenbrock, np.tile([-1.2, 1.0], 50)),
        "quadratic 50-D, cond 1e4": (problems.quadratic(hessian, linear), np.zeros(50)),
        "logistic regression (breast cancer)": (problems.logistic_regression(features, labels),
                                                np.zeros(features.shape[1] + 1)),
    }


def run_scipy(method, loss, start, gtol):
    from scipy.optimize import minimize

    def value_and_gradient(x):
        tensor = ag.Tensor(x, requires_grad=True)
        value = loss(tensor)
        value.backward()
        return float(value.data), tensor.grad.data.copy()

    def hessian_vector_product(x, p):
        return ag.hvp(loss, ag.Tensor(x), p).data

    options, extra = {"gtol": gtol, "maxiter": 20000}, {}
    if method == "L-BFGS-B":
        options.update(maxcor=30, ftol=1e-30)
    if method == "Newton-CG":
        options = {"xtol": 1e-12, "maxiter": 20000}
    if method in ("Newton-CG", "trust-ncg"):
        extra["hessp"] = hessian_vector_product
    started = time.perf_counter()
    result = minimize(value_and_gradient, start, jac=True, method=method, options=options, **extra)
    seconds = time.perf_counter() - started
    return {"nit": result.nit, "nfev": result.nfev, "nhev": getattr(result, "nhev", 0), "seconds": seconds,
            "fun": float(result.fun), "x": result.x, "success": bool(result.success)}


def run_ours(method, loss, start, gtol):
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Newton's indefinite-Hessian notices
        result = optim.minimize(loss, start, method=method, gtol=gtol, maxiter=20000)
    seconds = time.perf_counter() - started
    return {"nit": result.nit, "nfev": result.nfev, "nhev": result.nhev, "seconds": seconds, "fun": result.fun,
            "x": result.x, "success": result.success}


def scipy_table(gtol):
    print(f"## Part 1: against scipy.optimize (gtol = {gtol:g}; x* from trust-ncg at gtol 1e-11)\n")
    print("| problem | method | iterations | evaluations | H-v products | time (s) | final loss | |x - x*| | "
          "converged |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, (loss, start) in scipy_problems().items():
        reference = run_scipy("trust-ncg", loss, start, 1e-11)["x"]
        rows = [(f"optim {method}", run_ours(method, loss, start, gtol)) for method in OURS]
        rows += [(f"scipy {method}", run_scipy(method, loss, start, gtol)) for method in SCIPY]
        for label, row in rows:
            error = float(np.abs(row["x"] - reference).max())
            print(f"| {name} | {label} | {row['nit']} | {row['nfev']} | {row['nhev']} | {row['seconds']:.3f} | "
                  f"{row['fun']:.6g} | {error:.1e} | {'yes' if row['success'] else 'no'} |", flush=True)


# --- part 2: the digits network -------------------------------------------------------------------
L2 = 1e-4


def digits_data():
    X_train, X_test, y_train, y_test = nn.datasets.digits_split(test_fraction=0.2, seed=0)
    return X_train / 16.0, X_test / 16.0, y_train, y_test


def objective(model, X, y):
    """Mean cross-entropy + L2/2 |W|^2 over all parameters (smooth, so second-order methods apply)."""
    penalty = sum((param * param).sum() for param in model.parameters())
    return ag.cross_entropy(model(ag.Tensor(X)), y) + 0.5 * L2 * penalty


def train_digits(method, seconds, checkpoints, seed=0):
    X_train, X_test, y_train, y_test = digits_data()
    model = nn.MLP([64, 32, 10], activation="tanh", init="xavier", rng=seed)
    second = method == "hessian_free"
    if method == "lbfgs":
        opt = optim.LBFGS(model.parameters(), gtol=1e-8)
    elif method == "hessian_free":
        opt = optim.HessianFree(model.parameters(), gtol=1e-8, max_cg_iterations=50)
    elif method == "adam_full":
        opt = optim.Adam(model.parameters(), lr=1e-2)
    else:
        opt = optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(seed)
    order, position = rng.permutation(len(X_train)), 0

    def full_closure():
        opt.zero_grad()
        loss = objective(model, X_train, y_train)
        loss.backward(create_graph=second, retain_graph=second)
        return loss

    def measure():
        with ag.no_grad():
            loss = float(objective(model, X_train, y_train).item())
        accuracy = nn.training.accuracy(nn.training.predict(model, X_test), y_test)
        return loss, accuracy

    results, clock, steps, evaluations = {}, 0.0, 0, 0
    pending = sorted(checkpoints)
    results[0.0] = measure() + (0, 0)
    while pending and clock < seconds:
        started = time.perf_counter()
        if method == "adam":
            if position + 32 > len(order):
                order, position = rng.permutation(len(X_train)), 0
            batch = order[position:position + 32]
            position += 32
            opt.zero_grad()
            objective(model, X_train[batch], y_train[batch]).backward()
            opt.step()
            evaluations += 1
        elif method == "adam_full":
            full_closure()
            opt.step()
            evaluations += 1
        else:
            opt.step(full_closure)
            evaluations = opt.nfev
        clock += time.perf_counter() - started
        steps += 1
        while pending and clock >= pending[0]:
            results[pending.pop(0)] = measure() + (steps, evaluations)
        if getattr(opt, "stopped", False):
            break
    for checkpoint in pending:
        results[checkpoint] = measure() + (steps, evaluations)
    return results


def digits_table(seconds):
    checkpoints = [value for value in (1, 2, 5, 10, 20, 40, 80) if value < seconds] + [seconds]
    print(f"\n## Part 2: digits MLP 64-32-10 (tanh), {seconds:g} s each; objective = mean cross-entropy + "
          f"{L2:g}/2 |W|^2\n")
    header = " | ".join(f"{checkpoint:g} s" for checkpoint in checkpoints)
    print(f"| method | {header} |")
    print("| --- |" + " ---: |" * len(checkpoints))
    labels = {"lbfgs": "L-BFGS (full batch)", "hessian_free": "Hessian-free (full batch)",
              "adam": "Adam lr 1e-3 (batches of 32)", "adam_full": "Adam lr 1e-2 (full batch)"}
    for method, label in labels.items():
        results = train_digits(method, seconds, checkpoints)
        cells = [f"{results[c][0]:.4f} / {results[c][1]:.1%} ({results[c][2]} steps)" for c in checkpoints]
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)
    print("\nEach cell: training objective / test accuracy (steps taken); the clock excludes the measurements.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["scipy", "digits", "both"], default="both")
    parser.add_argument("--gtol", type=float, default=GTOL)
    parser.add_argument("--seconds", type=float, default=20.0, help="wall-clock budget per method on the digits")
    arguments = parser.parse_args()
    if arguments.part in ("scipy", "both"):
        scipy_table(arguments.gtol)
    if arguments.part in ("digits", "both"):
        digits_table(arguments.seconds)


if __name__ == "__main__":
    main()
