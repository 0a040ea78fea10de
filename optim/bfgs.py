"""BFGS: a quasi-Newton method that learns the inverse Hessian from gradient changes (Eq. 3.52-3.56).

Instead of inverting H (Eq. 3.48), BFGS keeps an approximation G_t of H^-1 and
moves along q = -G_t grad L(W_t) (Eq. 3.52, with a line search for alpha_t).
After each step it asks G_{t+1} to satisfy the secant condition (Eq. 3.53-3.54)

    v_t = G_{t+1} q_t,   v_t = W_{t+1} - W_t,   q_t = grad L(W_{t+1}) - grad L(W_t),

with the smallest change from G_t (Eq. 3.55), which gives the update of Eq. 3.56:

    G_{t+1} = (I - Delta_t v_t q_t^T) G_t (I - Delta_t q_t v_t^T) + Delta_t v_t v_t^T,  Delta_t = 1 / (q_t^T v_t).
"""
from .second_order import SecondOrderOptimizer


class BFGS(SecondOrderOptimizer):
    """BFGS with G_0 = I, rescaled before the first update as is standard.

    Before the first update G_0 becomes (q^T v / q^T q) I (Nocedal and Wright,
    Eq. 6.20), so that its scale matches the loss's curvature
    (``initial_scaling=False`` keeps G_0 = I, as scipy's BFGS does: better on
    strongly ill-conditioned quadratics, far slower on the 100-D Rosenbrock);
    the first step is min(1, 1 / |grad L|) along -grad L. The update (Eq. 3.56) is applied in
    its expanded form,

        G <- G - Delta (v (G q)^T + (G q) v^T) + (Delta + Delta^2 q^T G q) v v^T,

    which costs O(d^2) time and memory (no d x d matrix product). When the
    curvature condition q^T v > 0 fails, G could lose positive definiteness, so
    the update is skipped and the history says so. Memory: the d x d matrix G.
    """

    def __init__(self, params, initial_scaling=True, gtol=1e-5, line_search="strong_wolfe", c1=1e-4, c2=0.9,
                 max_line_search_evaluations=25):
        super().__init__(params, dict(initial_scaling=initial_scaling, gtol=gtol, line_search=line_search, c1=c1, c2=c2,
                                      max_line_search_evaluations=max_line_search_evaluations))

    def direction(self, point, group):
        """q = -G_t grad L(W_t) (Eq. 3.52); the first step before any update is scaled to length <= 1."""
        inverse_hessian = self.state.get("inverse_hessian")
        if inverse_hessian is None:
            norm = float(self.flat.xp.linalg.norm(point.gradient))
            return -point.gradient, min(1.0, 1.0 / norm), ""
        return -(inverse_hessian @ point.gradient), 1.0, ""

    def remember(self, old, new, step_vector, step, group):
        """Eq. 3.56 with v = W_{t+1} - W_t and q = grad L(W_{t+1}) - grad L(W_t); skipped unless q^T v > 0."""
        xp = self.flat.xp
        v = step_vector
        q = new.gradient - old.gradient
        curvature = float(q @ v)
        if not curvature > 1e-10 * float(xp.linalg.norm(q)) * float(xp.linalg.norm(v)):
            return f"BFGS update skipped: q^T v = {curvature:.3g} is not positive (curvature condition)"
        inverse_hessian = self.state.get("inverse_hessian")
        if inverse_hessian is None:
            inverse_hessian = xp.eye(self.flat.size, dtype=self.flat.dtype)
            if group["initial_scaling"]:
                inverse_hessian *= curvature / float(q @ q)
        delta = 1.0 / curvature
        Gq = inverse_hessian @ q
        inverse_hessian -= delta * (xp.outer(v, Gq) + xp.outer(Gq, v))
        inverse_hessian += (delta + delta * delta * float(q @ Gq)) * xp.outer(v, v)
        self.state["inverse_hessian"] = inverse_hessian
        return ""
