"""AdaDelta: RMSProp whose learning rate is replaced by the history of the updates (Eq. 3.43, Section 3.5.3).

With A_i the exponential average of squared partial derivatives and delta_i the
exponential average of squared increments (both initially 0)::

    A_i     <- rho A_i + (1 - rho) (dL/dw_i)^2
    Dw_i    =  - sqrt((delta_i + epsilon) / (A_i + epsilon)) * dL/dw_i
    w_i     <- w_i + Dw_i
    delta_i <- rho delta_i + (1 - rho) Dw_i^2

The text has no learning rate. ``lr`` (default 1, which is the text's rule)
multiplies Dw_i so that the learning-rate schedules compose with AdaDelta as
with every other optimizer (PyTorch does the same). Eq. 3.43 has no epsilon;
Zeiler's AdaDelta paper adds one inside both square roots, and so does this
class by default (``eps_inside_sqrt=True``): it is what makes the first steps
move at all, since delta_i starts at 0.
``eps_inside_sqrt=False`` uses (sqrt(delta_i) + epsilon) / (sqrt(A_i) + epsilon).
"""
from autograd_core.backend import get_array_module

from .optimizer import Optimizer, denominator


class AdaDelta(Optimizer):
    """AdaDelta (Eq. 3.43): ``rho`` the decay, ``eps`` epsilon, ``lr`` a multiplier (1 = the text)."""

    def __init__(self, params, rho=0.9, eps=1e-6, lr=1.0, eps_inside_sqrt=True, weight_decay=0.0):
        super().__init__(params, dict(rho=rho, eps=eps, lr=lr, eps_inside_sqrt=eps_inside_sqrt,
                                      weight_decay=weight_decay))

    def update(self, param, grad, state, group):
        rho, epsilon, inside = group["rho"], group["eps"], group["eps_inside_sqrt"]
        if "A" not in state:
            xp = get_array_module(param.data)
            state["A"] = xp.zeros_like(param.data)
            state["delta"] = xp.zeros_like(param.data)
        A, delta = state["A"], state["delta"]
        A *= rho                                                   # A_i <- rho A_i + (1 - rho) g_i^2
        A += (1 - rho) * (grad * grad)
        increment = denominator(delta, epsilon, inside)            # Dw_i = -sqrt((delta_i + eps) / (A_i + eps)) g_i
        increment /= denominator(A, epsilon, inside)
        increment *= -grad
        if group["lr"] != 1:
            increment *= group["lr"]
        param.add_(increment)                                      # w_i <- w_i + Dw_i
        delta *= rho                                               # delta_i <- rho delta_i + (1 - rho) Dw_i^2
        delta += (1 - rho) * (increment * increment)
