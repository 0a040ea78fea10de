"""L-BFGS: BFGS from the m most recent steps, without the d x d matrix (Section 3.5.6.2).

The product G_t grad L(W_t) of Eq. 3.52 is computed by the two-loop recursion
over the pairs (v_i, q_i), v_i = W_{i+1} - W_i, q_i = grad L(W_{i+1}) - grad L(W_i),
of the last m steps: it applies Eq. 3.56 m times to the initial matrix
G_0 = gamma I, gamma = q^T v / q^T q of the newest pair, without forming any
matrix. Memory O(m d), time O(m d) per step.
"""
from .second_order import SecondOrderOptimizer, _check_number


class LBFGS(SecondOrderOptimizer):
    """Limited-memory BFGS keeping the ``history_size`` most recent pairs (m = 30 by default, as in the text).

    The first step is min(1, 1 / |grad L|) along -grad L; later steps try
    alpha = 1 first. Pairs failing the curvature condition q^T v > 0 are
    not stored (the history says so).
    """

    def __init__(self, params, history_size=30, gtol=1e-5, line_search="strong_wolfe", c1=1e-4, c2=0.9,
                 max_line_search_evaluations=25):
        super().__init__(params, dict(history_size=history_size, gtol=gtol, line_search=line_search, c1=c1, c2=c2,
                                      max_line_search_evaluations=max_line_search_evaluations))

    def check_settings(self, group):
        super().check_settings(group)
        _check_number("history_size", group["history_size"], low=1, inclusive=True, integer=True)

    def direction(self, point, group):
        """q = -G_t grad L(W_t) by the two-loop recursion (Nocedal and Wright, Algorithm 7.4)."""
        steps, changes = self.state.get("steps", []), self.state.get("gradient_changes", [])
        if not steps:
            norm = float(self.flat.xp.linalg.norm(point.gradient))
            return -point.gradient, min(1.0, 1.0 / norm), ""
        r = point.gradient.copy()
        coefficients = []
        for v, q in zip(reversed(steps), reversed(changes)):
            coefficient = float(v @ r) / float(q @ v)
            coefficients.append(coefficient)
            r -= coefficient * q
        newest_v, newest_q = steps[-1], changes[-1]
        r *= float(newest_q @ newest_v) / float(newest_q @ newest_q)
        for (v, q), coefficient in zip(zip(steps, changes), reversed(coefficients)):
            correction = float(q @ r) / float(q @ v)
            r += (coefficient - correction) * v
        return -r, 1.0, ""

    def remember(self, old, new, step_vector, step, group):
        """Append the pair (v_t, q_t), dropping the oldest beyond ``history_size``."""
        xp = self.flat.xp
        q = new.gradient - old.gradient
        curvature = float(q @ step_vector)
        if not curvature > 1e-10 * float(xp.linalg.norm(q)) * float(xp.linalg.norm(step_vector)):
            return f"pair not stored: q^T v = {curvature:.3g} is not positive (curvature condition)"
        steps = self.state.setdefault("steps", [])
        changes = self.state.setdefault("gradient_changes", [])
        steps.append(step_vector.copy())
        changes.append(q)
        while len(steps) > group["history_size"]:
            steps.pop(0)
            changes.pop(0)
        return ""
