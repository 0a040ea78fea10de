"""Newton's method: jump to the minimum of the quadratic approximation (Eq. 3.47-3.48).

Around W_0 the loss is approximated by its second-order Taylor expansion
(Eq. 3.47),

    L(W) ~ L(W_0) + (W - W_0)^T grad L(W_0) + 1/2 (W - W_0)^T H (W - W_0),

whose stationary point is the Newton update (Eq. 3.48)

    W* = W_0 - H^-1 grad L(W_0).

H is the exact Hessian of the loss over all the weights, computed by double
backpropagation: each entry of the gradient (kept with its graph by
``loss.backward(create_graph=True, retain_graph=True)``) is differentiated again, as
``ag.hessian`` does. On a quadratic with positive-definite H one step reaches
the minimum from anywhere.

Where it fails. Eq. 3.48 finds a stationary point of the quadratic model, not
necessarily a minimum: with an indefinite H (a saddle such as x^2 - y^2) it
jumps to the saddle, and where H is singular (the degenerate point of
f(x) = x^3, or a loss flat along some direction) H^-1 does not exist. The
``indefinite`` setting says what happens when H + lambda I is not safely
positive definite (smallest eigenvalue <= sqrt(eps) times the largest
magnitude); a RuntimeWarning is issued in every case:

* ``"absolute"`` (default): use |H|, H's eigenvectors with the magnitudes of
  its eigenvalues (floored at sqrt(eps) times the largest), a descent
  direction that moves away from saddles (the saddle-free Newton of
  Section 3.5.6.3's discussion);
* ``"steepest_descent"``: fall back to q = -grad L;
* ``"ignore"``: the plain Eq. 3.48 step on H's invertible part (eigenvalues
  too close to zero are dropped, as a pseudo-inverse does), for showing how
  Newton's method fails (with ``line_search=None``, since the step may go uphill).

It never divides by a zero eigenvalue and never raises numpy's LinAlgError.
"""
import warnings

import numpy

from .second_order import SecondOrderOptimizer, _check_number

INDEFINITE = ("absolute", "steepest_descent", "ignore")


class Newton(SecondOrderOptimizer):
    """Newton's method with the exact Hessian, optional damping H + lambda I, and a line search.

    The closure must call ``loss.backward(create_graph=True, retain_graph=True)``. Each step costs
    one evaluation plus d Hessian-vector products (counted in ``nhev``), and
    an eigendecomposition of the d x d matrix: suitable for small d.
    """

    needs_second_derivatives = True

    def __init__(self, params, damping=0.0, indefinite="absolute", gtol=1e-5, line_search="strong_wolfe", c1=1e-4,
                 c2=0.9, max_line_search_evaluations=25):
        super().__init__(params, dict(damping=damping, indefinite=indefinite, gtol=gtol, line_search=line_search,
                                      c1=c1, c2=c2, max_line_search_evaluations=max_line_search_evaluations))

    def check_settings(self, group):
        super().check_settings(group)
        _check_number("damping", group["damping"], inclusive=True)
        if group["indefinite"] not in INDEFINITE:
            raise ValueError(f"indefinite must be one of {INDEFINITE}, got {group['indefinite']!r}")

    def direction(self, point, group):
        """q = -(H + lambda I)^-1 grad L(W) (Eq. 3.48), changed as ``indefinite`` says unless H is positive definite."""
        xp = self.flat.xp
        gradient = point.gradient
        hessian = self.flat.hessian(point.grads)
        self.nhev += self.flat.size
        hessian = (hessian + hessian.T) / 2 + group["damping"] * xp.eye(self.flat.size, dtype=self.flat.dtype)
        if not bool(xp.isfinite(hessian).all()):
            warnings.warn("Newton: the Hessian has non-finite entries at this point; stepping along -grad L instead",
                          RuntimeWarning, stacklevel=4)
            return -gradient, 1.0, "non-finite Hessian: steepest descent"
        eigenvalues, eigenvectors = xp.linalg.eigh(hessian)
        largest = float(xp.abs(eigenvalues).max())
        floor = float(numpy.sqrt(numpy.finfo(numpy.dtype(self.flat.dtype)).eps)) * largest
        smallest = float(eigenvalues.min())
        projected = eigenvectors.T @ gradient
        if smallest > floor:
            return -(eigenvectors @ (projected / eigenvalues)), 1.0, ""
        kind = "singular" if smallest >= -floor else "indefinite"
        mode = group["indefinite"]
        if largest == 0 or mode == "steepest_descent":
            fallback = "steepest descent"
            direction = -gradient
        elif mode == "absolute":
            fallback = "|H| (eigenvalues by magnitude)"
            direction = -(eigenvectors @ (projected / xp.maximum(xp.abs(eigenvalues), floor)))
        else:
            fallback = "the plain Newton step on H's invertible part"
            kept = xp.abs(eigenvalues) > floor
            direction = -(eigenvectors @ xp.where(kept, projected / xp.where(kept, eigenvalues, 1), 0))
        warnings.warn(f"Newton: the Hessian{' + damping' if group['damping'] else ''} is {kind} at this point "
                      f"(eigenvalues from {smallest:.3g} to {float(eigenvalues.max()):.3g}); using {fallback}",
                      RuntimeWarning, stacklevel=4)
        return direction, 1.0, f"{kind} Hessian: {fallback}"
