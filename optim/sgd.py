"""Stochastic gradient descent, with momentum and Nesterov momentum (Eq. 3.32 and Section 3.5.2).

Plain mini-batch SGD (Eq. 3.32)::

    W <- W - alpha dL/dW

Eq. 3.32 sums the loss over the mini-batch; the losses of ``nn`` and the engine
(``cross_entropy``, ``mse``) average it, so dL/dW here is the text's divided by
the batch size m and ``lr`` plays the role of alpha / m. The step is the same
for a given alpha / m; only the scale of the learning rate differs.

Momentum (Section 3.5.2), with V the velocity (initially 0) and beta the momentum::

    V <- beta V - alpha dL/dW
    W <- W + V

Nesterov momentum, as the text writes it, takes the gradient at the point the
momentum is about to carry the weights to::

    V <- beta V - alpha dL/dW evaluated at W + beta V
    W <- W + V

which needs the loss evaluated at W + beta V: pass ``step(closure)``.

Other frameworks (PyTorch, Keras, Sutskever et al. 2013) store the lookahead
point W~ = W + beta V instead of W. Substituting it into the two lines above
gives, with g = dL/dW at W~ (the current weights, so no closure is needed)::

    V  <- beta V - alpha g
    W~ <- W~ + beta V - alpha g        (using the new V)

The two forms visit the same sequence of gradients; their weights differ by
beta V at every step (W~_t = W_t + beta V_t), which vanishes as training settles.
PyTorch's ``buf <- mu buf + g; p <- p - lr (g + mu buf)`` is this form with buf = -V / alpha.
``nesterov="reformulated"`` selects it.
"""
from .optimizer import Optimizer, required

_NESTEROV_FORMS = (False, True, "lookahead", "reformulated")


class SGD(Optimizer):
    """SGD with optional momentum and Nesterov momentum; see the module docstring for the equations.

    Parameters: ``lr`` (alpha), ``momentum`` (beta), ``nesterov`` (False; True or
    ``"lookahead"``: the text's form, which needs ``step(closure)``;
    ``"reformulated"``: the equivalent form that needs only the current
    gradient), ``weight_decay`` (adds weight_decay * W to dL/dW).

    >>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> loss.backward(); opt.step(); opt.zero_grad()
    """

    def __init__(self, params, lr=required, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay))

    def check_settings(self, group):
        super().check_settings(group)
        if group["nesterov"] not in _NESTEROV_FORMS:
            raise ValueError(f"nesterov must be one of {_NESTEROV_FORMS}, got {group['nesterov']!r}")
        if group["nesterov"] and group["momentum"] == 0:
            raise ValueError("Nesterov momentum needs momentum > 0 (beta), got momentum=0")

    def uses_lookahead(self, group):
        return group["nesterov"] in (True, "lookahead")

    def lookahead(self, param, state, group):
        velocity = state.get("velocity")
        return None if velocity is None else group["momentum"] * velocity

    def update(self, param, grad, state, group):
        alpha, beta = group["lr"], group["momentum"]
        if beta == 0:
            param.sub_(alpha * grad)                         # W <- W - alpha dL/dW  (Eq. 3.32)
            return
        velocity = state.get("velocity")
        if velocity is None:
            velocity = state["velocity"] = (-alpha) * grad   # V <- beta * 0 - alpha dL/dW
        else:
            velocity *= beta                                 # V <- beta V - alpha dL/dW
            velocity -= alpha * grad
        if group["nesterov"] == "reformulated":
            param.add_(beta * velocity - alpha * grad)       # W~ <- W~ + beta V - alpha dL/dW(W~)
        else:
            param.add_(velocity)                             # W <- W + V
