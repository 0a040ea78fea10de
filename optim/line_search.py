"""Line searches: how far to move along a search direction (Section 3.5.6).

Every method of Section 3.5.6 picks a direction q and then a step alpha along
it, W <- W + alpha q. The line search sees only the one-dimensional function

    phi(alpha) = L(W + alpha q),   phi'(alpha) = grad L(W + alpha q) . q,

through ``evaluate(alpha) -> (phi(alpha), phi'(alpha))`` (one call is one
evaluation of the loss and its gradient), starting from ``phi0 = phi(0)`` and
``slope0 = phi'(0) < 0``. Three searches:

* ``backtracking`` (Armijo): shrink alpha until the sufficient-decrease
  condition phi(alpha) <= phi(0) + c1 alpha phi'(0) holds;
* ``strong_wolfe``: bracket a step and zoom into it with cubic
  interpolation until sufficient decrease and the strong curvature condition
  |phi'(alpha)| <= c2 |phi'(0)| both hold (Nocedal and Wright, Algorithms 3.5
  and 3.6);
* ``exact_quadratic``: the closed form alpha* = -q^T grad L / q^T H q, exact
  when L is quadratic (the exact line search of the text's conjugate-gradient
  discussion). q^T H q is read off the change of the slope along q, which is
  exact for a quadratic.

Each returns a ``LineSearchResult``. ``search(name, ...)`` picks one by name.
"""
import math
from dataclasses import dataclass

NAMES = ("backtracking", "strong_wolfe", "exact")


@dataclass
class LineSearchResult:
    """The accepted step ``step`` with phi and phi' there, the evaluations used, and whether it succeeded."""

    step: float
    value: float
    slope: float
    evaluations: int
    success: bool
    message: str


def _check_start(phi0, slope0):
    if not math.isfinite(phi0) or not math.isfinite(slope0):
        raise ValueError(f"a line search needs a finite starting point, got phi(0) = {phi0}, phi'(0) = {slope0}")
    if slope0 >= 0:
        raise ValueError(f"a line search needs a descent direction, phi'(0) < 0; got phi'(0) = {slope0}")


def _check_positive(name, value):
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


def backtracking(evaluate, phi0, slope0, initial_step=1.0, c1=1e-4, shrink=0.5, max_evaluations=30):
    """Armijo backtracking: the first alpha in initial_step, then smaller, with phi(alpha) <= phi(0) + c1 alpha phi'(0).

    Each rejected step is replaced by the minimiser of the quadratic through
    phi(0), phi'(0) and phi(alpha), kept within [0.1 alpha, ``shrink`` alpha]
    (a plain halving when the interpolation is useless, as for a non-finite phi).
    """
    _check_start(phi0, slope0)
    _check_positive("initial_step", initial_step)
    if not 0 < c1 < 1:
        raise ValueError(f"c1 must lie in (0, 1), got {c1!r}")
    if not 0 < shrink < 1:
        raise ValueError(f"shrink must lie in (0, 1), got {shrink!r}")
    alpha = float(initial_step)
    for evaluation in range(1, max_evaluations + 1):
        value, slope = evaluate(alpha)
        if math.isfinite(value) and value <= phi0 + c1 * alpha * slope0:
            return LineSearchResult(alpha, value, slope, evaluation, True, "sufficient decrease")
        curvature = value - phi0 - slope0 * alpha
        proposal = -slope0 * alpha * alpha / (2 * curvature) if math.isfinite(value) and curvature > 0 else 0.0
        alpha = min(max(proposal, 0.1 * alpha), shrink * alpha)
    return LineSearchResult(alpha, value, slope, max_evaluations, False,
                            f"no sufficient decrease after {max_evaluations} evaluations")


def cubic_minimizer(alpha_1, value_1, slope_1, alpha_2, value_2, slope_2, bounds=None):
    """The minimiser of the cubic through (alpha_i, phi_i, phi'_i), i = 1, 2, clipped to ``bounds``.

    Without ``bounds`` the interval between the two points; when the cubic has
    no minimiser (or an input is not finite) the middle of the bounds.
    """
    low, high = bounds if bounds is not None else (min(alpha_1, alpha_2), max(alpha_1, alpha_2))
    numbers = (alpha_1, value_1, slope_1, alpha_2, value_2, slope_2)
    if not all(math.isfinite(number) for number in numbers) or alpha_1 == alpha_2:
        return (low + high) / 2
    d1 = slope_1 + slope_2 - 3 * (value_1 - value_2) / (alpha_1 - alpha_2)
    d2_square = d1 * d1 - slope_1 * slope_2
    if d2_square < 0:
        return (low + high) / 2
    d2 = math.copysign(math.sqrt(d2_square), alpha_2 - alpha_1)
    denominator = slope_2 - slope_1 + 2 * d2
    if denominator == 0:
        return (low + high) / 2
    minimizer = alpha_2 - (alpha_2 - alpha_1) * (slope_2 + d2 - d1) / denominator
    if not math.isfinite(minimizer):
        return (low + high) / 2
    return min(max(minimizer, low), high)


def strong_wolfe(evaluate, phi0, slope0, initial_step=1.0, c1=1e-4, c2=0.9, max_evaluations=25,
                 max_step=1e10):
    """A step with phi(alpha) <= phi(0) + c1 alpha phi'(0) and |phi'(alpha)| <= c2 |phi'(0)| (strong Wolfe).

    Bracketing: grow alpha (by cubic extrapolation, at most tenfold) until an
    interval must hold an acceptable step; zoom: shrink that interval by cubic
    interpolation, safeguarded away from its ends. c1 = 1e-4 and c2 = 0.9 suit
    quasi-Newton and Newton methods; nonlinear conjugate gradients want c2 = 0.1.
    When it runs out of evaluations it returns the best point seen with
    ``success=False``.
    """
    _check_start(phi0, slope0)
    _check_positive("initial_step", initial_step)
    if not 0 < c1 < c2 < 1:
        raise ValueError(f"the Wolfe constants need 0 < c1 < c2 < 1, got c1={c1!r}, c2={c2!r}")
    sufficient = lambda alpha, value: math.isfinite(value) and value <= phi0 + c1 * alpha * slope0  # noqa: E731
    previous = (0.0, phi0, slope0)
    alpha = min(float(initial_step), max_step)
    value, slope = evaluate(alpha)
    evaluations = 1
    bracket = None
    while True:
        if not sufficient(alpha, value) or (evaluations > 1 and value >= previous[1]):
            bracket = [previous, (alpha, value, slope)]
            break
        if abs(slope) <= -c2 * slope0:
            return LineSearchResult(alpha, value, slope, evaluations, True, "strong Wolfe conditions hold")
        if slope >= 0:
            bracket = [(alpha, value, slope), previous]
            break
        if evaluations >= max_evaluations or alpha >= max_step:
            return LineSearchResult(alpha, value, slope, evaluations, False,
                                    f"the step kept growing: {evaluations} evaluations, step {alpha:g}")
        grown = cubic_minimizer(previous[0], previous[1], previous[2], alpha, value, slope,
                                bounds=(alpha + 0.01 * (alpha - previous[0]), min(10 * alpha, max_step)))
        previous = (alpha, value, slope)
        alpha = grown
        value, slope = evaluate(alpha)
        evaluations += 1
    # zoom: bracket[0] is the low end (sufficient decrease, lowest phi so far), bracket[1] the other end
    insufficient_progress = False
    while evaluations < max_evaluations:
        (low_alpha, low_value, low_slope), (high_alpha, high_value, high_slope) = bracket
        width = abs(high_alpha - low_alpha)
        if width <= 1e-12 * max(abs(low_alpha), 1e-12):
            break
        alpha = cubic_minimizer(low_alpha, low_value, low_slope, high_alpha, high_value, high_slope)
        left, right = min(low_alpha, high_alpha), max(low_alpha, high_alpha)
        margin = 0.1 * width
        if min(right - alpha, alpha - left) < margin:
            # an interpolant hugging an end makes little progress: push it inside (PyTorch's safeguard)
            if insufficient_progress or alpha >= right or alpha <= left:
                alpha = right - margin if abs(alpha - right) < abs(alpha - left) else left + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        value, slope = evaluate(alpha)
        evaluations += 1
        if not sufficient(alpha, value) or value >= low_value:
            bracket[1] = (alpha, value, slope)
        else:
            if abs(slope) <= -c2 * slope0:
                return LineSearchResult(alpha, value, slope, evaluations, True, "strong Wolfe conditions hold")
            if slope * (high_alpha - low_alpha) >= 0:
                bracket[1] = bracket[0]
            bracket[0] = (alpha, value, slope)
    low_alpha, low_value, low_slope = bracket[0]
    if low_alpha > 0 and sufficient(low_alpha, low_value):
        return LineSearchResult(low_alpha, low_value, low_slope, evaluations, False,
                                "the zoom ran out of evaluations; the best step decreases the loss enough")
    return LineSearchResult(low_alpha, low_value, low_slope, evaluations, False,
                            f"no step satisfying the Wolfe conditions in {evaluations} evaluations")


def exact_quadratic(evaluate, phi0, slope0, initial_step=1.0):
    """alpha* = -q^T grad L(W) / q^T H q, the exact minimiser along q when L is quadratic (two evaluations).

    q^T H q comes from the slope at a trial step: phi'(t) - phi'(0) = t q^T H q
    for a quadratic. A non-positive curvature means L is not a convex quadratic
    along q; the search then reports failure instead of stepping to a maximum.
    """
    _check_start(phi0, slope0)
    _check_positive("initial_step", initial_step)
    trial = float(initial_step)
    trial_value, trial_slope = evaluate(trial)
    curvature = (trial_slope - slope0) / trial
    if not math.isfinite(curvature) or curvature <= 0:
        return LineSearchResult(trial, trial_value, trial_slope, 1, False,
                                f"the exact line search needs positive curvature along the direction, "
                                f"got q^T H q = {curvature:g}: the loss is not a convex quadratic here")
    alpha = -slope0 / curvature
    value, slope = evaluate(alpha)
    success = math.isfinite(value) and value <= phi0
    return LineSearchResult(alpha, value, slope, 2, success,
                            "exact step along the direction" if success else
                            "the closed-form step did not decrease the loss: the loss is not quadratic here")


def search(name, evaluate, phi0, slope0, initial_step=1.0, **options):
    """Run the line search called ``name`` (one of ``NAMES``) with its own ``options``."""
    if name == "backtracking":
        return backtracking(evaluate, phi0, slope0, initial_step, **options)
    if name == "strong_wolfe":
        return strong_wolfe(evaluate, phi0, slope0, initial_step, **options)
    if name == "exact":
        return exact_quadratic(evaluate, phi0, slope0, initial_step, **options)
    raise ValueError(f"line_search must be one of {NAMES} or None, got {name!r}")
