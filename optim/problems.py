"""Classic test problems for the methods of Section 3.5.6, written with autograd_core operations.

Each is a function of one Tensor returning a scalar Tensor, for ``optim.minimize``,
the tests against scipy.optimize, the benchmarks and the tutorials:
the Rosenbrock valley, the extended Rosenbrock function in d dimensions, a
quadratic with a chosen spectrum, and L2-regularised logistic regression.
"""
import numpy

import autograd_core as ag
from autograd_core.backend import get_array_module


def rosenbrock(w):
    """L(x, y) = (1 - x)^2 + 100 (y - x^2)^2: a curved valley, minimum 0 at (1, 1); start at (-1.2, 1)."""
    if w.shape != (2,):
        raise ValueError(f"rosenbrock takes a vector of 2 entries, got shape {w.shape}")
    x, y = w[0], w[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def extended_rosenbrock(w):
    """sum_i 100 (w_{2i} - w_{2i-1}^2)^2 + (1 - w_{2i-1})^2 over pairs (Moré, Garbow and Hillstrom, problem 21).

    d even; the unique minimum is 0 at (1, ..., 1); the standard start is (-1.2, 1, -1.2, 1, ...).
    """
    if w.ndim != 1 or w.shape[0] % 2:
        raise ValueError(f"extended_rosenbrock takes a vector of even length, got shape {w.shape}")
    odd, even = w[0::2], w[1::2]
    return (100 * (even - odd * odd) ** 2 + (1 - odd) ** 2).sum()


def quadratic(hessian, linear=None):
    """The function L(W) = 1/2 W^T H W - b^T W, minimised at W* = H^-1 b (H symmetric positive definite)."""
    xp = get_array_module(hessian)
    hessian_tensor = ag.Tensor(hessian)
    linear_tensor = ag.Tensor(linear if linear is not None else xp.zeros(hessian.shape[0], dtype=hessian.dtype))

    def loss(w):
        return 0.5 * (w * (hessian_tensor @ w)).sum() - (linear_tensor * w).sum()

    return loss


def spectrum_matrix(eigenvalues, seed=0, dtype=numpy.float64):
    """A random symmetric matrix Q diag(eigenvalues) Q^T with a Haar-random orthogonal Q (a NumPy array)."""
    eigenvalues = numpy.asarray(eigenvalues, dtype=numpy.float64)
    rng = numpy.random.default_rng(seed)
    q, r = numpy.linalg.qr(rng.standard_normal((eigenvalues.size, eigenvalues.size)))
    q *= numpy.sign(numpy.diag(r))
    return ((q * eigenvalues) @ q.T).astype(dtype)


def logistic_regression(features, labels, l2=1e-3):
    """L(w, b) = mean logistic loss of sigma(X w + b) against y in {0, 1} + l2/2 |w|^2, over W = (w, b).

    The L2 term keeps the minimum unique when the classes are (nearly) separable.
    """
    features_tensor = ag.Tensor(features)
    labels_array = labels.astype(features.dtype)
    count = features.shape[1]

    def loss(W):
        weights, bias = W[:count], W[count]
        logits = features_tensor @ weights + bias
        return ag.binary_cross_entropy(logits, labels_array) + 0.5 * l2 * (weights * weights).sum()

    return loss
