"""Adam: RMSProp's scaling with a momentum-like average of the gradient and bias correction (Eq. 3.44-3.46).

With A_i the exponential average of squared partial derivatives (decay rho),
F_i the exponential average of the partial derivatives (decay rho_f), both
initially 0, and t the number of steps taken so far, counting this one::

    A_i <- rho A_i + (1 - rho) (dL/dw_i)^2                   (Eq. 3.44)
    F_i <- rho_f F_i + (1 - rho_f) dL/dw_i                   (Eq. 3.45)
    alpha_t = alpha sqrt(1 - rho^t) / (1 - rho_f^t)          (Eq. 3.46, bias correction)
    w_i <- w_i - alpha_t / sqrt(A_i + epsilon) * F_i

Defaults: rho_f = 0.9, rho = 0.999, alpha = 0.001, as in the text.

Epsilon: the text puts it inside the square root (``eps_inside_sqrt=True``).
``eps_inside_sqrt=False`` uses alpha_t / (sqrt(A_i) + epsilon), the form of
Kingma and Ba's efficient variant; PyTorch and Keras instead correct A_i and
F_i before adding epsilon, alpha F^_i / (sqrt(A^_i) + epsilon), which equals
the latter with epsilon scaled by sqrt(1 - rho^t), a difference that matters
only while sqrt(A_i) is of the order of epsilon.
"""
import math

from .optimizer import Optimizer, denominator


class Adam(Optimizer):
    """Adam (Eq. 3.44-3.46): ``lr`` alpha, ``rho_f`` and ``rho`` the decays, ``eps`` epsilon.

    ``betas=(rho_f, rho)`` is PyTorch's spelling of the two decays, accepted in their place.
    """

    def __init__(self, params, lr=0.001, rho_f=0.9, rho=0.999, eps=1e-8, eps_inside_sqrt=True, weight_decay=0.0,
                 betas=None):
        if betas is not None:
            if (rho_f, rho) != (0.9, 0.999):
                raise ValueError(f"Adam: give the decays as betas=(rho_f, rho) or as rho_f= and rho=, not both "
                                 f"(got betas={betas!r}, rho_f={rho_f!r}, rho={rho!r})")
            try:
                rho_f, rho = betas
            except (TypeError, ValueError):
                raise ValueError(f"Adam: betas must be a pair (rho_f, rho) such as (0.9, 0.999), "
                                 f"got {betas!r}") from None
        super().__init__(params, dict(lr=lr, rho_f=rho_f, rho=rho, eps=eps, eps_inside_sqrt=eps_inside_sqrt,
                                      weight_decay=weight_decay))

    def update(self, param, grad, state, group):
        rho, rho_f = group["rho"], group["rho_f"]
        t = state.get("step", 0) + 1
        state["step"] = t
        A, F = state.get("A"), state.get("F")
        if A is None:
            A = state["A"] = (1 - rho) * (grad * grad)           # Eq. 3.44 from A_i = 0
            F = state["F"] = (1 - rho_f) * grad                  # Eq. 3.45 from F_i = 0
        else:
            A *= rho                                             # A_i <- rho A_i + (1 - rho) g_i^2
            A += (1 - rho) * (grad * grad)
            F *= rho_f                                           # F_i <- rho_f F_i + (1 - rho_f) g_i
            F += (1 - rho_f) * grad
        alpha_t = group["lr"] * math.sqrt(1 - rho**t) / (1 - rho_f**t)     # Eq. 3.46
        param.sub_(alpha_t * F / denominator(A, group["eps"], group["eps_inside_sqrt"]))
