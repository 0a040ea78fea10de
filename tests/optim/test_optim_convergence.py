"""Every optimizer minimises a convex quadratic and the Rosenbrock function from a fixed start."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim
from optim_problems import convex_quadratic, rosenbrock

START = [-1.2, 1.0]

# (name, factory, steps, quadratic threshold, Rosenbrock threshold); the losses start at 17.3 and 24.2
OPTIMIZERS = [
    ("sgd", lambda p: optim.SGD(p, lr=1e-3), 3000, 1e-3, 0.2),
    ("momentum", lambda p: optim.SGD(p, lr=1e-3, momentum=0.9), 2000, 1e-8, 1e-4),
    ("nesterov", lambda p: optim.SGD(p, lr=1e-3, momentum=0.9, nesterov=True), 2000, 1e-8, 1e-4),
    ("nesterov-reformulated", lambda p: optim.SGD(p, lr=1e-3, momentum=0.9, nesterov="reformulated"),
     2000, 1e-8, 1e-4),
    ("delta-bar-delta", lambda p: optim.DeltaBarDelta(p, lr=1e-3), 2000, 1e-8, 1e-2),
    ("adagrad", lambda p: optim.AdaGrad(p, lr=0.5), 2000, 1e-6, 0.05),
    ("rmsprop", lambda p: optim.RMSProp(p, lr=0.01), 2000, 1e-3, 0.05),
    ("rmsprop-nesterov", lambda p: optim.RMSProp(p, lr=1e-3, momentum=0.9, nesterov=True), 2000, 1e-4, 1e-3),
    ("adadelta", lambda p: optim.AdaDelta(p), 3000, 0.02, 1.0),
    ("adam", lambda p: optim.Adam(p, lr=0.05), 2000, 1e-8, 1e-4),
]


def minimise(make_optimizer, loss_function, steps):
    w = ag.tensor(np.array(START), requires_grad=True)
    opt = make_optimizer([w])

    def closure():
        opt.zero_grad()
        loss = loss_function(w)
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
    with ag.no_grad():
        return loss_function(w).item()


@pytest.mark.parametrize("name, make, steps, quadratic_below, rosenbrock_below", OPTIMIZERS,
                         ids=[row[0] for row in OPTIMIZERS])
def test_minimises_convex_quadratic_and_rosenbrock(name, make, steps, quadratic_below, rosenbrock_below):
    assert minimise(make, convex_quadratic, steps) < quadratic_below
    assert minimise(make, rosenbrock, steps) < rosenbrock_below

