"""optim.minimize: the whole run, scipy-style, with its result object and its errors."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim
from autograd_core.optim import problems


@pytest.mark.parametrize("method", sorted(optim.minimize.__globals__["METHODS"]))
def test_result_object_has_the_counts_and_the_history(method):
    result = optim.minimize(problems.rosenbrock, np.array([-1.2, 1.0]), method=method, gtol=1e-8, maxiter=1000)
    assert isinstance(result, optim.OptimizeResult) and result.method == method
    assert result.success and "converged" in result.message
    assert np.abs(result.x - 1).max() <= 1e-6 and result.fun < 1e-12
    assert np.abs(result.jac).max() <= 1e-8
    assert result.nfev == result.ngev >= result.nit >= 1
    assert (result.nhev > 0) == (method in ("newton", "hessian_free"))
    assert len(result.history) == result.nit + 1
    losses = result.history_of("loss")
    assert losses[0] == pytest.approx(24.2) and losses[-1] == result.fun
    assert all(later <= earlier for earlier, later in zip(losses, losses[1:]))  # every step decreases L
    assert result.history_of("evaluations")[-1] == result.nfev
    assert result.history_of("gradient_max")[-1] <= 1e-8
    assert all(record["step_size"] > 0 for record in result.history[1:])
    times = result.history_of("time")
    assert all(later >= earlier for earlier, later in zip(times, times[1:]))


def test_x0_is_not_changed_and_may_be_a_tensor_a_list_or_integers():
    start = np.array([-1.2, 1.0])
    tensor_start = ag.Tensor(start.copy(), requires_grad=True)
    optim.minimize(problems.rosenbrock, tensor_start, method="bfgs")
    assert np.array_equal(tensor_start.data, start)
    result = optim.minimize(problems.rosenbrock, [-1, 1], method="lbfgs")  # integers become float64
    assert result.success and result.x.dtype == np.float64


def test_maxiter_stops_the_run_and_says_so():
    result = optim.minimize(problems.rosenbrock, np.array([-1.2, 1.0]), method="nonlinear_cg", maxiter=3)
    assert not result.success and result.nit == 3 and "maxiter = 3" in result.message
    result = optim.minimize(problems.rosenbrock, np.array([-1.2, 1.0]), method="bfgs", maxiter=0)
    assert not result.success and result.nit == 0 and result.nfev == 1


@pytest.mark.parametrize("method", ["newton", "hessian_free", "nonlinear_cg", "bfgs", "lbfgs"])
def test_scalar_and_matrix_variables_keep_their_shape(method):
    scalar = optim.minimize(lambda x: (x - 2) ** 2 + x ** 4 / 10, 3.0, method=method)
    assert scalar.success and scalar.x.shape == () and abs(scalar.x - 1.4233183448) < 1e-5
    matrix = optim.minimize(lambda x: ((x - 1) ** 2).sum(), np.zeros((2, 3)), method=method)
    assert matrix.success and matrix.x.shape == (2, 3) and np.abs(matrix.x - 1).max() < 1e-6


def test_a_start_at_the_minimum_takes_no_iteration():
    result = optim.minimize(problems.rosenbrock, np.array([1.0, 1.0]), method="newton")
    assert result.success and result.nit == 0 and result.nfev == 1


def test_callback_sees_every_iterate():
    seen = []
    result = optim.minimize(problems.rosenbrock, np.array([-1.2, 1.0]), method="lbfgs", callback=seen.append)
    assert len(seen) == result.nit and np.array_equal(seen[-1], result.x)


@pytest.mark.parametrize("line_search", ["backtracking", "strong_wolfe"])
@pytest.mark.parametrize("method", ["newton", "hessian_free", "bfgs", "lbfgs"])
def test_every_line_search_works_with_every_method(method, line_search):
    result = optim.minimize(problems.rosenbrock, np.array([-1.2, 1.0]), method=method, line_search=line_search,
                            maxiter=3000)
    assert result.success, result.message
    assert np.abs(result.x - 1).max() <= 1e-4


def test_method_options_reach_the_optimizer():
    result = optim.minimize(problems.rosenbrock, np.array([-1.2, 1.0]), method="hessian_free",
                            hvp="finite_difference", damping=1e-3)
    assert result.success and result.nhev > 0
    with pytest.raises(ValueError, match="history_size"):
        optim.minimize(problems.rosenbrock, np.array([-1.2, 1.0]), method="lbfgs", history_size=-1)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"method": "sgd"}, ValueError, "method must be one of"),
    ({"maxiter": -1}, ValueError, "maxiter"),
    ({"maxiter": 2.5}, ValueError, "maxiter"),
    ({"gtol": -1.0}, ValueError, "gtol"),
    ({"callback": 3}, TypeError, "callback"),
])
def test_bad_arguments_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        optim.minimize(problems.rosenbrock, np.array([-1.2, 1.0]), **kwargs)


@pytest.mark.parametrize("x0, error, match", [
    (None, TypeError, "x0"), (np.array([]), ValueError, "empty"), (np.array([np.nan, 1.0]), ValueError, "NaN"),
    (np.array(["a", "b"]), TypeError, "x0"),
])
def test_bad_starting_points_are_refused(x0, error, match):
    with pytest.raises(error, match=match):
        optim.minimize(problems.rosenbrock, x0)


def test_bad_functions_are_refused():
    start = np.array([1.0, 2.0])
    with pytest.raises(TypeError, match="fun must be a function"):
        optim.minimize("rosenbrock", start)
    with pytest.raises(TypeError, match="scalar Tensor"):
        optim.minimize(lambda x: 3.0, start)
    with pytest.raises(ValueError, match="scalar"):
        optim.minimize(lambda x: x * x, start)
    with pytest.raises(ValueError, match="does not depend"):
        optim.minimize(lambda x: ag.Tensor(np.array(1.0)), start)
    with pytest.raises(ValueError, match="not finite"):
        optim.minimize(lambda x: (x * float("inf")).sum(), start)
    with pytest.raises(ValueError, match="takes a vector of 2"):
        optim.minimize(problems.rosenbrock, np.zeros(3))


def test_a_loss_unbounded_below_stops_without_nan():
    result = optim.minimize(lambda x: -(x * x).sum(), np.array([1.0, 1.0]), method="lbfgs", maxiter=50)
    assert not result.success and np.isfinite(result.x).all()


def test_an_exact_line_search_on_a_non_quadratic_falls_back_honestly():
    result = optim.minimize(problems.rosenbrock, np.array([-1.2, 1.0]), method="bfgs", line_search="exact",
                            maxiter=500)
    assert np.isfinite(result.fun) and result.fun <= 24.2
    assert result.success or "stopped" in result.message
