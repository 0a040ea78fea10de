"""Nonlinear conjugate gradients: Eq. 3.49 with beta estimated without the Hessian (Section 3.5.6.1).

Each direction is the negative gradient plus a multiple of the previous one,
q_{t+1} = -grad L(W_{t+1}) + beta_t q_t (Eq. 3.49). On a quadratic, Eq. 3.50's
beta_t = q_t^T H grad L(W_{t+1}) / q_t^T H q_t makes the directions
H-conjugate; for a general loss H changes from point to point, and beta is
taken from gradients alone:

    Fletcher-Reeves:  beta_t = |g_{t+1}|^2 / |g_t|^2
    Polak-Ribiere:    beta_t = g_{t+1}^T (g_{t+1} - g_t) / |g_t|^2

(equal to Eq. 3.50 on a quadratic with exact line searches). A line search
picks each step.
"""
from .second_order import SecondOrderOptimizer, _check_number

BETAS = ("polak_ribiere", "fletcher_reeves")


class NonlinearCG(SecondOrderOptimizer):
    """Nonlinear CG; ``beta="polak_ribiere"`` (default) or ``"fletcher_reeves"``.

    Polak-Ribiere restarts (beta = 0, a steepest-descent step) when beta < 0;
    both restart every ``restart`` steps (default d, the number of weights)
    and whenever the new direction is not a descent direction. The first trial
    step is scipy's: min(1, 2.02 (L_t - L_{t-1}) / (g_t^T q_t)), and
    min(1, 1.01 / |g|) at the start. c2 = 0.4 in the Wolfe conditions, as in scipy.
    """

    def __init__(self, params, beta="polak_ribiere", restart=None, gtol=1e-5, line_search="strong_wolfe", c1=1e-4,
                 c2=0.4, max_line_search_evaluations=25):
        super().__init__(params, dict(beta=beta, restart=restart, gtol=gtol, line_search=line_search, c1=c1, c2=c2,
                                      max_line_search_evaluations=max_line_search_evaluations))

    def check_settings(self, group):
        super().check_settings(group)
        if group["beta"] not in BETAS:
            raise ValueError(f"beta must be one of {BETAS}, got {group['beta']!r}")
        if group["restart"] is not None:
            _check_number("restart", group["restart"], low=1, inclusive=True, integer=True)

    def direction(self, point, group):
        """q_{t+1} = -g_{t+1} + beta_t q_t (Eq. 3.49), or -g_{t+1} at a restart."""
        xp = self.flat.xp
        gradient = point.gradient
        previous_gradient = self.state.get("gradient")
        restart_every = group["restart"] or self.flat.size
        note = ""
        if previous_gradient is None or self.state["since_restart"] >= restart_every:
            beta = 0.0
            note = "restart" if previous_gradient is not None else ""
        else:
            denominator = float(previous_gradient @ previous_gradient)
            if group["beta"] == "fletcher_reeves":
                beta = float(gradient @ gradient) / denominator
            else:
                beta = float(gradient @ (gradient - previous_gradient)) / denominator
                if beta < 0:
                    beta, note = 0.0, "restart: beta < 0"
        direction = -gradient + beta * self.state["direction"] if beta else -gradient
        if beta and not float(gradient @ direction) < 0:
            direction, beta, note = -gradient, 0.0, "restart: not a descent direction"
        if beta == 0:
            self.state["since_restart"] = 0
        slope = float(gradient @ direction)
        previous_loss = self.state.get("loss")
        if previous_loss is None:
            initial_step = min(1.0, 1.01 / float(xp.linalg.norm(gradient)))
        else:
            initial_step = 2.02 * (point.loss - previous_loss) / slope
            initial_step = min(1.0, initial_step) if initial_step > 0 else 1.0
        return direction, initial_step, note

    def remember(self, old, new, step_vector, step, group):
        """Keep g_t, L(W_t) and the direction just taken, for the next beta and trial step."""
        self.state["gradient"] = old.gradient
        self.state["loss"] = old.loss
        self.state["direction"] = step_vector / step
        self.state["since_restart"] = self.state.get("since_restart", 0) + 1
        return ""
