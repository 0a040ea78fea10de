"""Deterministic problems shared by every implementation, so that all of them
start from the same numbers."""

from __future__ import annotations

import numpy as np

# The two MLP sizes measured: (layer sizes, batch size).
MLP_SMALL = ((784, 256, 256, 10), 128)
MLP_LARGE = ((784, 1024, 1024, 10), 512)


def make_mlp_problem(sizes, batch, seed=0, dtype=np.float32):
    """A random input batch, integer labels, and He-initialised weights.

    Returns ``(X, y, params)`` where ``params`` is ``[W1, b1, W2, b2, ...]``,
    ``W_i`` of shape ``(sizes[i], sizes[i+1])`` and ``b_i`` of shape
    ``(sizes[i+1],)``; ``X`` is ``(batch, sizes[0])`` and ``y`` holds ints in
    ``[0, sizes[-1])``.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], size=batch).astype(np.int64)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        W = (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(dtype)
        b = np.zeros(fan_out, dtype=dtype)
        params += [W, b]
    return X, y, params


def make_moons(n_samples=100, noise=0.1, seed=0):
    """Two interleaving half circles, like ``sklearn.datasets.make_moons``.

    Returns ``(X, y)`` with ``X`` of shape ``(n_samples, 2)`` (float64) and
    ``y`` in ``{-1.0, +1.0}`` (the labels the hinge loss wants).
    """
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_in)
    outer = np.stack([np.cos(t_out), np.sin(t_out)], axis=1)
    inner = np.stack([1.0 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1)
    X = np.concatenate([outer, inner], axis=0)
    y = np.concatenate([-np.ones(n_out), np.ones(n_in)])
    rng = np.random.default_rng(seed)
    X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def scalar_mlp_weights(sizes=(2, 16, 16, 1), seed=0):
    """Per-neuron weights for the scalar MLP, as nested Python floats.

    Returns a list over layers; each layer is a list over neurons of
    ``(weights, bias)`` with ``weights`` a list of ``nin`` floats drawn
    uniformly from ``[-1, 1]`` (micrograd's choice) and ``bias`` 0.0.
    """
    rng = np.random.default_rng(seed)
    layers = []
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        layer = []
        for _ in range(nout):
            layer.append(([float(v) for v in rng.uniform(-1.0, 1.0, size=nin)], 0.0))
        layers.append(layer)
    return layers
