"""Linear conjugate gradients: minimise a quadratic in at most d steps (Eq. 3.49-3.50, Figure 3.16).

To minimise the quadratic model m(p) = g^T p + 1/2 p^T B p (Eq. 3.47 with
B = H, or H + lambda I when damped), i.e. to solve B p = -g, conjugate
gradients move along directions that are mutually B-conjugate
(q_i^T B q_j = 0 for i != j), each with the exact line-search step, so that no
step undoes the progress of an earlier one. Starting from the steepest
descent direction, each new direction is (Eq. 3.49)

    q_{t+1} = -grad m(p_{t+1}) + beta_t q_t,   beta_t = q_t^T B grad m(p_{t+1}) / q_t^T B q_t   (Eq. 3.50),

which makes it B-conjugate to q_t and, on a quadratic, to all earlier ones.
In exact arithmetic the minimum of a d-dimensional strictly convex quadratic
is reached in at most d steps. In floating point the directions slowly lose
conjugacy, so with widely spread eigenvalues (a large condition number) the
residual may need more than d steps to fall below a tight tolerance.

B enters only through products B q: a matrix, or a Hessian-vector product
(``matvec``), which is what Hessian-free optimisation needs.
"""
from dataclasses import dataclass, field

from autograd_core.backend import get_array_module


@dataclass
class ConjugateGradientResult:
    """The solution p, the iterations taken, why it stopped, p^T B p, and per-iteration directions and residuals."""

    solution: object
    iterations: int
    reason: str
    curvature: float
    directions: list = field(default_factory=list)
    residual_norms: list = field(default_factory=list)
    gradients: list = field(default_factory=list)


def linear_conjugate_gradient(matvec, rhs, max_iterations=None, tolerance=1e-10, keep_directions=False):
    """Solve B p = rhs (minimise 1/2 p^T B p - rhs^T p) from p = 0 by CG with Eq. 3.49-3.50.

    ``matvec(q)`` returns B q; stops when |r| <= ``tolerance`` * |rhs|, after
    ``max_iterations`` (default: d), or on negative curvature q^T B q <= 0, when
    it returns the last iterate (or, at the first iteration, the steepest
    descent direction rhs, with ``reason="negative curvature"``). With
    ``keep_directions`` it keeps every direction q_t and gradient grad m(p_t)
    (for the exercises on conjugacy and orthogonality).
    """
    xp = get_array_module(rhs)
    size = rhs.shape[0]
    max_iterations = size if max_iterations is None else max_iterations
    solution = xp.zeros_like(rhs)
    residual = rhs.copy()  # r = rhs - B p = -grad m(p)
    direction = residual.copy()
    rhs_norm = float(xp.linalg.norm(rhs))
    result = ConjugateGradientResult(solution, 0, "", 0.0)
    result.residual_norms.append(rhs_norm)
    if keep_directions:
        result.gradients.append(-residual.copy())
    if rhs_norm == 0:
        result.reason = "the right-hand side is zero"
        return result
    for iteration in range(max_iterations):
        product = matvec(direction)
        curvature = float(direction @ product)
        if not curvature > 0:
            result.reason = "negative curvature"
            if iteration == 0:
                result.solution = rhs.copy()
            break
        if keep_directions:
            result.directions.append(direction.copy())
        step = float(residual @ direction) / curvature
        solution = solution + step * direction
        residual = residual - step * product
        result.iterations = iteration + 1
        result.solution = solution
        residual_norm = float(xp.linalg.norm(residual))
        result.residual_norms.append(residual_norm)
        if keep_directions:
            result.gradients.append(-residual.copy())
        if residual_norm <= tolerance * rhs_norm:
            result.reason = "residual below tolerance"
            break
        beta = -float(product @ residual) / curvature  # Eq. 3.50 with grad m(p_{t+1}) = -r_{t+1}
        direction = residual + beta * direction
    else:
        result.reason = f"reached max_iterations = {max_iterations}"
    if result.iterations == 0 and result.reason == "negative curvature":
        result.curvature = curvature  # the solution is the first direction, rhs itself
    else:
        result.curvature = float(result.solution @ (rhs - residual))  # p^T B p, since B p = rhs - r
    return result
