"""Delta-bar-delta: a learning rate per parameter that grows while its partial derivative keeps its sign
and shrinks when the sign flips (Jacobs 1988; Section 3.5.3).

Each parameter w_i has its own rate alpha_i = alpha * gain_i (gain_i starts at 1)
and a trace delta-bar_i of its past partial derivatives (initially 0)::

    delta_i       = dL/dw_i
    gain_i       <- gain_i + kappa            if delta-bar_i * delta_i > 0   (sign kept: grow additively)
    gain_i       <- gain_i * (1 - phi)        if delta-bar_i * delta_i < 0   (sign flipped: shrink geometrically)
    w_i          <- w_i - alpha * gain_i * delta_i
    delta-bar_i  <- (1 - theta) delta_i + theta delta-bar_i

With theta = 0 (the default) delta-bar_i is the previous partial derivative,
so the rule is exactly the text's "grow while the sign stays, shrink when it
flips"; Jacobs' original smooths it with theta around 0.7. Keeping the
per-parameter gains relative to alpha (Jacobs adds kappa to alpha_i itself,
which is the same thing with kappa scaled by alpha) lets a learning-rate
schedule scale every alpha_i at once. ``max_gain`` caps the growth.
"""
from autograd_core.backend import get_array_module

from .optimizer import Optimizer


class DeltaBarDelta(Optimizer):
    """Delta-bar-delta: ``lr`` alpha, ``kappa`` the additive growth of a gain, ``phi`` its fractional decrease,
    ``theta`` the smoothing of delta-bar, ``max_gain`` the cap on a gain. See the module docstring."""

    def __init__(self, params, lr=0.01, kappa=0.1, phi=0.5, theta=0.0, max_gain=100.0, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, kappa=kappa, phi=phi, theta=theta, max_gain=max_gain,
                                      weight_decay=weight_decay))

    def check_settings(self, group):
        super().check_settings(group)
        if not group["kappa"] >= 0:
            raise ValueError(f"kappa (the additive growth of a gain) must be >= 0, got {group['kappa']!r}")
        for name in ("phi", "theta"):
            if not 0 <= group[name] < 1:
                raise ValueError(f"{name} must lie in [0, 1), got {group[name]!r}")
        if not group["max_gain"] >= 1:
            raise ValueError(f"max_gain must be >= 1, got {group['max_gain']!r}")

    def update(self, param, grad, state, group):
        xp = get_array_module(param.data)
        if "gain" not in state:
            state["gain"] = xp.ones_like(param.data)
            state["delta_bar"] = xp.zeros_like(param.data)
        gain, delta_bar = state["gain"], state["delta_bar"]
        agreement = delta_bar * grad
        gain += group["kappa"] * (agreement > 0)                                 # sign kept: grow
        gain *= xp.where(agreement < 0, 1 - group["phi"], 1).astype(gain.dtype)  # sign flipped: shrink
        xp.minimum(gain, group["max_gain"], out=gain)
        param.sub_(group["lr"] * gain * grad)                                    # w_i <- w_i - alpha_i dL/dw_i
        delta_bar *= group["theta"]                                              # delta-bar <- (1-theta) delta
        delta_bar += (1 - group["theta"]) * grad                                 #              + theta delta-bar
