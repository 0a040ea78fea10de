"""Shared problems for the optim tests: a non-quadratic loss with a closed-form gradient, and test functions."""
import numpy as np

import autograd_core as ag

START = np.array([[0.8, -1.3, 0.4], [-0.2, 1.1, -0.7]])
OFFSET = np.array([[0.3, -0.5, 0.1], [0.2, 0.0, -0.4]])


def quartic_loss(W):
    """L = sum(W^4 / 4 + W^2 + OFFSET * W): curvature varies, so the rules are tested off a quadratic."""
    return (W ** 4 * 0.25 + W * W + ag.tensor(OFFSET) * W).sum()


def quartic_grad(W):
    """dL/dW of ``quartic_loss``, written out by hand."""
    return W ** 3 + 2 * W + OFFSET


def run_engine(make_optimizer, steps, dtype=np.float64, use_closure=False):
    """Take ``steps`` steps of an optimizer on ``quartic_loss``; return the parameter's final array."""
    W = ag.tensor(START.astype(dtype), requires_grad=True)
    opt = make_optimizer([W])

    def closure():
        opt.zero_grad()
        loss = quartic_loss(W)
        loss.backward()
        return loss

    for _ in range(steps):
        if use_closure:
            opt.step(closure)
        else:
            closure()
            opt.step()
    return W.data


def rosenbrock(w):
    """L = (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1)."""
    x, y = w[0], w[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def convex_quadratic(w):
    """L = x^2 + 10 y^2 + (x - y)^2 / 2: convex, condition number about 11."""
    x, y = w[0], w[1]
    return x * x + 10 * y * y + 0.5 * (x - y) ** 2
