"""RMSProp (Eq. 3.41), and RMSProp with Nesterov momentum (Eq. 3.42), Section 3.5.3.

RMSProp replaces AdaGrad's sum by an exponential average with decay rho in (0, 1)::

    A_i <- rho A_i + (1 - rho) (dL/dw_i)^2
    w_i <- w_i - alpha / sqrt(A_i + epsilon) * dL/dw_i

With Nesterov momentum (Eq. 3.42) the partial derivative is taken at the
lookahead point W + beta V, and the step feeds a velocity::

    g_i = dL/dw_i evaluated at W + beta V
    A_i <- rho A_i + (1 - rho) g_i^2
    v_i <- beta v_i - alpha / sqrt(A_i + epsilon) * g_i
    w_i <- w_i + v_i

A_i is updated before it scales the step, as in Eq. 3.41, so the first step
never divides by sqrt(epsilon) alone. The lookahead needs ``step(closure)``.
``momentum > 0`` with ``nesterov=False`` gives the same velocity with the
gradient at W (RMSProp with classical momentum).

The text puts epsilon inside the square root (``eps_inside_sqrt=True``, the
default); PyTorch and Keras use alpha / (sqrt(A_i) + epsilon) (``eps_inside_sqrt=False``).
"""
from .optimizer import Optimizer, denominator


class RMSProp(Optimizer):
    """RMSProp: ``lr`` alpha, ``rho`` the decay, ``eps`` epsilon, ``momentum`` beta, ``nesterov`` (Eq. 3.42)."""

    def __init__(self, params, lr=0.001, rho=0.9, eps=1e-8, momentum=0.0, nesterov=False, eps_inside_sqrt=True,
                 weight_decay=0.0):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, momentum=momentum, nesterov=nesterov,
                                      eps_inside_sqrt=eps_inside_sqrt, weight_decay=weight_decay))

    def check_settings(self, group):
        super().check_settings(group)
        if group["nesterov"] not in (False, True):
            raise ValueError(f"nesterov must be True or False, got {group['nesterov']!r}")
        if group["nesterov"] and group["momentum"] == 0:
            raise ValueError("RMSProp with Nesterov momentum (Eq. 3.42) needs momentum > 0 (beta)")

    def uses_lookahead(self, group):
        return bool(group["nesterov"])

    def lookahead(self, param, state, group):
        velocity = state.get("velocity")
        return None if velocity is None else group["momentum"] * velocity

    def update(self, param, grad, state, group):
        alpha, beta, rho = group["lr"], group["momentum"], group["rho"]
        A = state.get("A")
        if A is None:
            A = state["A"] = (1 - rho) * (grad * grad)       # A_i <- rho * 0 + (1 - rho) g_i^2
        else:
            A *= rho                                           # A_i <- rho A_i + (1 - rho) g_i^2
            A += (1 - rho) * (grad * grad)
        scaled_step = alpha * grad / denominator(A, group["eps"], group["eps_inside_sqrt"])
        if beta == 0:
            param.sub_(scaled_step)                            # w_i <- w_i - alpha / sqrt(A_i + eps) g_i
            return
        velocity = state.get("velocity")
        if velocity is None:
            velocity = state["velocity"] = -scaled_step        # v_i <- beta * 0 - alpha / sqrt(A_i + eps) g_i
        else:
            velocity *= beta
            velocity -= scaled_step
        param.add_(velocity)                                   # w_i <- w_i + v_i
