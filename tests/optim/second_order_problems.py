"""Shared problems for the second-order tests: the four of the scipy comparison, scipy's runs on them."""
import functools

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.optim import problems

DIMENSION_QUADRATIC = 50


@functools.lru_cache(maxsize=None)
def breast_cancer():
    """scikit-learn's breast-cancer data, standardised: (features, labels)."""
    datasets = pytest.importorskip("sklearn.datasets")
    data = datasets.load_breast_cancer()
    features = (data.data - data.data.mean(axis=0)) / data.data.std(axis=0)
    return features, data.target.astype(np.float64)


def ill_conditioned_quadratic(dtype=np.float64):
    """50-D quadratic, eigenvalues log-spaced in [1, 10^4] (condition number 10^4): (loss, minimiser)."""
    hessian = problems.spectrum_matrix(np.logspace(0, 4, DIMENSION_QUADRATIC), seed=1, dtype=dtype)
    linear = np.random.default_rng(2).standard_normal(DIMENSION_QUADRATIC).astype(dtype)
    return problems.quadratic(hessian, linear), np.linalg.solve(hessian.astype(np.float64), linear)


def problem(name):
    """(loss function, starting point) of one named problem."""
    if name == "rosenbrock_2d":
        return problems.rosenbrock, np.array([-1.2, 1.0])
    if name == "rosenbrock_100d":
        return problems.extended_rosenbrock, np.tile([-1.2, 1.0], 50)
    if name == "quadratic_50d":
        return ill_conditioned_quadratic()[0], np.zeros(DIMENSION_QUADRATIC)
    if name == "logistic_regression":
        features, labels = breast_cancer()
        return problems.logistic_regression(features, labels), np.zeros(features.shape[1] + 1)
    raise KeyError(name)


def value_and_gradient(loss):
    """x (NumPy) -> (L(x), grad L(x)) through the engine, for scipy.optimize with jac=True."""
    def evaluate(x):
        tensor = ag.Tensor(x, requires_grad=True)
        value = loss(tensor)
        value.backward()
        return float(value.data), tensor.grad.data.copy()
    return evaluate


def hessian_vector_product(loss):
    """(x, p) -> H(x) p through the engine (exact), for scipy's Newton-CG and trust-ncg."""
    def product(x, p):
        return ag.hvp(loss, ag.Tensor(x), p).data
    return product


@functools.lru_cache(maxsize=None)
def scipy_minimize(name, method, gtol):
    """scipy.optimize.minimize on a named problem, stopping at the same gtol where scipy has one."""
    optimize = pytest.importorskip("scipy.optimize")
    loss, start = problem(name)
    options = {"gtol": gtol, "maxiter": 20000}
    extra = {}
    if method == "L-BFGS-B":
        options.update(maxcor=30, ftol=1e-30)  # stop on the gradient only, with the text's m = 30
    if method == "Newton-CG":
        options = {"xtol": 1e-12, "maxiter": 20000}  # Newton-CG has no gtol
    if method in ("Newton-CG", "trust-ncg"):
        extra["hessp"] = hessian_vector_product(loss)
    return optimize.minimize(value_and_gradient(loss), start, jac=True, method=method, options=options, **extra)
