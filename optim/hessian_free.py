"""Hessian-free optimisation: truncated Newton with linear conjugate gradients (Section 3.5.6.1).

Each outer iteration builds the quadratic model of Eq. 3.47 at W_t, damped
Levenberg-Marquardt style,

    m(p) = L(W_t) + p^T grad L(W_t) + 1/2 p^T (H + lambda I) p,

and minimises it approximately by linear conjugate gradients (Eq. 3.49-3.50,
``optim.conjugate_gradient``), which needs H only through products H v:

* ``hvp="exact"``: by double backpropagation, d(grad L . v)/dW, from the
  gradient's graph (the closure calls ``loss.backward(create_graph=True, retain_graph=True)``);
* ``hvp="finite_difference"``: Eq. 3.51,
  H v ~ [grad L(W + delta v) - grad L(W)] / delta, one extra evaluation of the
  closure per product (counted in ``nfev`` as well as ``nhev``).

The CG stops at ``max_cg_iterations``, when its residual falls below the
tolerance, or on negative curvature (a direction with v^T (H + lambda I) v <= 0,
where the model has no minimum: CG returns its last iterate, or -grad L at
its first iteration). A line search along the CG solution follows, and
lambda is adapted from the ratio rho of the actual to the predicted decrease
(Martens 2010): lambda <- 2/3 lambda when rho > 3/4, 3/2 lambda when rho < 1/4.
"""
import math

import numpy

from .conjugate_gradient import linear_conjugate_gradient
from .second_order import SecondOrderOptimizer, _check_number

HVPS = ("exact", "finite_difference")


class HessianFree(SecondOrderOptimizer):
    """Truncated Newton: linear CG on the damped quadratic model, then a line search.

    ``cg_tolerance=None`` (default) uses scipy's forcing sequence, stopping CG
    when |r| <= min(0.5, sqrt(|g|)) |g|, which tightens as the gradient shrinks
    (superlinear convergence); a number fixes the relative tolerance.
    ``damping`` is the initial lambda (small: the model is trusted until it
    fails), adapted after each step when ``adapt_damping`` is true.
    ``max_cg_iterations`` caps the inner loop (Martens used 250).
    """

    needs_second_derivatives = True

    def __init__(self, params, hvp="exact", damping=1e-4, adapt_damping=True, max_cg_iterations=250,
                 cg_tolerance=None, finite_difference_step=None, gtol=1e-5, line_search="strong_wolfe", c1=1e-4,
                 c2=0.9, max_line_search_evaluations=25):
        super().__init__(params, dict(hvp=hvp, damping=damping, adapt_damping=adapt_damping,
                                      max_cg_iterations=max_cg_iterations, cg_tolerance=cg_tolerance,
                                      finite_difference_step=finite_difference_step, gtol=gtol,
                                      line_search=line_search, c1=c1, c2=c2,
                                      max_line_search_evaluations=max_line_search_evaluations))
        self._closure = None

    def check_settings(self, group):
        super().check_settings(group)
        if group["hvp"] not in HVPS:
            raise ValueError(f"hvp must be one of {HVPS}, got {group['hvp']!r}")
        _check_number("damping", group["damping"], inclusive=True)
        _check_number("max_cg_iterations", group["max_cg_iterations"], low=1, inclusive=True, integer=True)
        if group["cg_tolerance"] is not None:
            _check_number("cg_tolerance", group["cg_tolerance"])
        if group["finite_difference_step"] is not None:
            _check_number("finite_difference_step", group["finite_difference_step"])

    def uses_exact_hessian(self):
        return self.param_groups[0]["hvp"] == "exact"

    def finite_difference_hint(self):
        return ", or pass hvp='finite_difference' (Eq. 3.51), which needs first derivatives only"

    def step(self, closure=None):
        """One outer iteration; the closure is kept for the finite-difference products of Eq. 3.51."""
        self._closure = closure
        try:
            return super().step(closure)
        finally:
            self._closure = None

    def hessian_vector_product(self, point, vector, group):
        """H v at ``point``: exact (double backpropagation) or by Eq. 3.51."""
        self.nhev += 1
        if group["hvp"] == "exact":
            return self.flat.hessian_vector_product(point.grads, vector)
        xp = self.flat.xp
        vector_norm = float(xp.linalg.norm(vector))
        if vector_norm == 0:
            return xp.zeros_like(vector)
        delta = group["finite_difference_step"]
        if delta is None:
            epsilon = float(numpy.finfo(numpy.dtype(self.flat.dtype)).eps)
            delta = math.sqrt(epsilon) * (1 + float(xp.linalg.norm(point.W))) / vector_norm
        shifted = self._evaluate(self._closure, point.W + delta * vector)
        return (shifted.gradient - point.gradient) / delta

    def direction(self, point, group):
        """The CG minimiser of the damped model (Eq. 3.47, 3.49-3.50)."""
        xp = self.flat.xp
        gradient = point.gradient
        damping = self.state.get("damping", group["damping"])
        gradient_norm = float(xp.linalg.norm(gradient))
        tolerance = group["cg_tolerance"]
        if tolerance is None:
            tolerance = min(0.5, math.sqrt(gradient_norm))

        def damped_product(vector):
            return self.hessian_vector_product(point, vector, group) + damping * vector

        solved = linear_conjugate_gradient(damped_product, -gradient, max_iterations=group["max_cg_iterations"],
                                           tolerance=tolerance)
        if group["hvp"] == "finite_difference":
            self.flat.set(point.W)
        self.state["damping"] = damping
        self.state["cg_iterations"] = solved.iterations
        self.state["model_slope"] = float(gradient @ solved.solution)
        self.state["model_curvature"] = solved.curvature
        note = f"CG: {solved.iterations} iterations, {solved.reason}"
        if solved.reason == "negative curvature":
            note += " detected"
        return solved.solution, 1.0, note

    def remember(self, old, new, step_vector, step, group):
        """Levenberg-Marquardt: compare L's actual change with the model's prediction at the accepted step."""
        slope, curvature = self.state.pop("model_slope", None), self.state.pop("model_curvature", None)
        if not group["adapt_damping"] or slope is None:
            return ""
        predicted = step * slope + 0.5 * step * step * curvature
        if not predicted < 0:
            return ""
        ratio = (new.loss - old.loss) / predicted
        damping = self.state.get("damping", group["damping"])
        if ratio > 0.75:
            damping *= 2 / 3
        elif ratio < 0.25:
            damping = max(damping * 1.5, 1e-8)
        self.state["damping"] = damping
        return f"rho = {ratio:.3g}, lambda = {damping:.3g}"
