"""The line searches of optim.line_search on one-dimensional functions phi(alpha)."""
import math

import numpy as np
import pytest

from autograd_core.optim import line_search


def counted(phi, dphi):
    calls = []

    def evaluate(alpha):
        calls.append(alpha)
        return phi(alpha), dphi(alpha)
    return evaluate, calls


# phi(alpha) = (alpha - 3)^2 + 1 + alpha^4 / 100: a smooth non-quadratic with its minimum near alpha = 2.6
def phi(alpha):
    return (alpha - 3) ** 2 + 1 + alpha ** 4 / 100


def dphi(alpha):
    return 2 * (alpha - 3) + alpha ** 3 / 25


@pytest.mark.parametrize("initial_step", [1e-3, 0.5, 1.0, 10.0, 1e3])
def test_strong_wolfe_conditions_hold_at_the_returned_step(initial_step):
    evaluate, calls = counted(phi, dphi)
    result = line_search.strong_wolfe(evaluate, phi(0), dphi(0), initial_step=initial_step, c1=1e-4, c2=0.1)
    assert result.success, result.message
    assert result.value <= phi(0) + 1e-4 * result.step * dphi(0)
    assert abs(result.slope) <= 0.1 * abs(dphi(0))
    assert result.evaluations == len(calls) and result.step in calls
    assert result.value == phi(result.step) and result.slope == dphi(result.step)


@pytest.mark.parametrize("initial_step", [1.0, 10.0, 1e4])
def test_backtracking_gives_sufficient_decrease(initial_step):
    evaluate, calls = counted(phi, dphi)
    result = line_search.backtracking(evaluate, phi(0), dphi(0), initial_step=initial_step)
    assert result.success
    assert result.value <= phi(0) + 1e-4 * result.step * dphi(0)
    assert result.step <= initial_step and len(calls) == result.evaluations


def test_backtracking_takes_the_first_step_when_it_is_good():
    evaluate, calls = counted(phi, dphi)
    result = line_search.backtracking(evaluate, phi(0), dphi(0), initial_step=1.0)
    assert result.step == 1.0 and calls == [1.0]


def test_exact_line_search_is_exact_on_a_quadratic():
    # phi(alpha) = 2 (alpha - 0.7)^2 - 1: minimiser 0.7
    evaluate, calls = counted(lambda a: 2 * (a - 0.7) ** 2 - 1, lambda a: 4 * (a - 0.7))
    result = line_search.exact_quadratic(evaluate, 2 * 0.49 - 1, -2.8, initial_step=5.0)
    assert result.success and len(calls) == 2
    assert result.step == pytest.approx(0.7, rel=1e-12) and result.value == pytest.approx(-1, abs=1e-12)


def test_exact_line_search_refuses_negative_curvature():
    evaluate, _ = counted(lambda a: -a * a - a, lambda a: -2 * a - 1)
    result = line_search.exact_quadratic(evaluate, 0.0, -1.0)
    assert not result.success and "positive curvature" in result.message


def test_non_finite_trial_values_are_shrunk_away():
    # phi blows up (inf) beyond alpha = 2: the searches must come back inside
    def blowing_up(alpha):
        return math.inf if alpha > 2 else (alpha - 1) ** 2

    def blowing_up_slope(alpha):
        return math.nan if alpha > 2 else 2 * (alpha - 1)

    for search in (line_search.strong_wolfe, line_search.backtracking):
        evaluate, _ = counted(blowing_up, blowing_up_slope)
        result = search(evaluate, 1.0, -2.0, initial_step=100.0)
        assert result.success and math.isfinite(result.value) and result.value < 1.0


def test_cubic_minimizer_is_exact_for_a_cubic():
    # phi(a) = a^3 - 3 a: local minimum at a = 1
    f, g = (lambda a: a ** 3 - 3 * a), (lambda a: 3 * a * a - 3)
    assert line_search.cubic_minimizer(0.0, f(0.0), g(0.0), 2.0, f(2.0), g(2.0)) == pytest.approx(1.0)
    assert line_search.cubic_minimizer(2.0, f(2.0), g(2.0), 0.0, f(0.0), g(0.0)) == pytest.approx(1.0)


def test_the_search_reports_failure_when_it_runs_out_of_evaluations():
    evaluate, calls = counted(lambda a: -a, lambda a: -1.0)  # unbounded below: the step keeps growing
    result = line_search.strong_wolfe(evaluate, 0.0, -1.0, max_evaluations=5)
    assert not result.success and len(calls) == 5


@pytest.mark.parametrize("phi0, slope0", [(1.0, 0.0), (1.0, 2.0), (math.nan, -1.0), (1.0, math.inf)])
def test_bad_starts_are_refused(phi0, slope0):
    for search in (line_search.strong_wolfe, line_search.backtracking, line_search.exact_quadratic):
        with pytest.raises(ValueError, match="phi"):
            search(lambda a: (0.0, 0.0), phi0, slope0)


def test_bad_settings_are_refused():
    evaluate, _ = counted(phi, dphi)
    with pytest.raises(ValueError, match="c1"):
        line_search.strong_wolfe(evaluate, phi(0), dphi(0), c1=0.5, c2=0.4)
    with pytest.raises(ValueError, match="initial_step"):
        line_search.backtracking(evaluate, phi(0), dphi(0), initial_step=-1.0)
    with pytest.raises(ValueError, match="line_search must be one of"):
        line_search.search("wolfe", evaluate, phi(0), dphi(0))
    assert np.isfinite(line_search.search("exact", evaluate, phi(0), dphi(0)).step)
