"""AdaGrad: per-parameter rates from the accumulated squared partial derivatives (Eq. 3.40, Section 3.5.3).

For each parameter w_i, with A_i the running sum of its squared partial derivatives (initially 0)::

    A_i <- A_i + (dL/dw_i)^2
    w_i <- w_i - alpha / sqrt(A_i + epsilon) * dL/dw_i

The text puts epsilon inside the square root (``eps_inside_sqrt=True``, the
default); PyTorch and Keras add it outside, alpha / (sqrt(A_i) + epsilon)
(``eps_inside_sqrt=False``).
"""
from .optimizer import Optimizer, denominator


class AdaGrad(Optimizer):
    """AdaGrad (Eq. 3.40): ``lr`` is alpha, ``eps`` is epsilon; see the module docstring."""

    def __init__(self, params, lr=0.01, eps=1e-8, eps_inside_sqrt=True, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, eps=eps, eps_inside_sqrt=eps_inside_sqrt, weight_decay=weight_decay))

    def update(self, param, grad, state, group):
        A = state.get("A")
        if A is None:
            A = state["A"] = grad * grad                      # A_i <- 0 + (dL/dw_i)^2
        else:
            A += grad * grad                                  # A_i <- A_i + (dL/dw_i)^2
        param.sub_(group["lr"] * grad / denominator(A, group["eps"], group["eps_inside_sqrt"]))
