"""Newton, HessianFree, NonlinearCG, BFGS and LBFGS: their defining properties, failure cases and contracts."""
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn, optim
from autograd_core.optim import problems
from autograd_core.optim.flat_parameters import FlatParameters

METHODS = {"newton": optim.Newton, "hessian_free": optim.HessianFree, "nonlinear_cg": optim.NonlinearCG,
           "bfgs": optim.BFGS, "lbfgs": optim.LBFGS}
SECOND_DERIVATIVES = {"newton", "hessian_free"}


def make_closure(opt, loss_of, second_derivatives=False, counter=None):
    def closure():
        if counter is not None:
            counter.append(1)
        opt.zero_grad()
        loss = loss_of()
        loss.backward(create_graph=second_derivatives, retain_graph=second_derivatives)
        return loss
    return closure


def evenly_spread_quadratic(dimension, seed=0):
    hessian = problems.spectrum_matrix(np.linspace(1, 100, dimension), seed=seed)
    linear = np.random.default_rng(seed + 1).standard_normal(dimension)
    return hessian, linear, np.linalg.solve(hessian, linear)


# --- conjugate gradients (Eq. 3.49-3.50, Figure 3.16) ---------------------------------------------
@pytest.mark.parametrize("dimension", [2, 10, 50])
def test_linear_cg_reaches_the_minimum_in_at_most_d_steps(dimension):
    hessian, linear, minimiser = evenly_spread_quadratic(dimension)
    solved = optim.linear_conjugate_gradient(lambda v: hessian @ v, linear, tolerance=1e-10)
    assert solved.iterations <= dimension and solved.reason == "residual below tolerance"
    assert np.abs(solved.solution - minimiser).max() <= 1e-8


@pytest.mark.parametrize("dimension", [2, 10, 50])
def test_hessian_free_inner_cg_solves_a_quadratic_in_one_outer_step(dimension):
    hessian, linear, minimiser = evenly_spread_quadratic(dimension)
    W = ag.Tensor(np.zeros(dimension), requires_grad=True)
    opt = optim.HessianFree([W], damping=0.0, cg_tolerance=1e-10, max_cg_iterations=dimension, line_search=None)
    loss = problems.quadratic(hessian, linear)
    opt.step(make_closure(opt, lambda: loss(W), second_derivatives=True))
    assert opt.state["cg_iterations"] <= dimension
    assert np.abs(W.data - minimiser).max() <= 1e-8
    assert opt.nhev == opt.state["cg_iterations"] + 1 or opt.nhev == opt.state["cg_iterations"]


def test_cg_directions_are_conjugate_and_gradients_orthogonal():
    hessian, linear, _ = evenly_spread_quadratic(8, seed=3)
    solved = optim.linear_conjugate_gradient(lambda v: hessian @ v, linear, tolerance=1e-12, keep_directions=True)
    directions = np.array(solved.directions)
    gradients = np.array(solved.gradients[:len(directions)])
    conjugacy = directions @ hessian @ directions.T
    off_diagonal = conjugacy - np.diag(np.diag(conjugacy))
    assert np.abs(off_diagonal).max() <= 1e-8 * np.abs(np.diag(conjugacy)).max()
    inner = gradients @ gradients.T
    assert np.abs(inner - np.diag(np.diag(inner))).max() <= 1e-8 * np.abs(np.diag(inner)).max()


def test_cg_stops_at_negative_curvature_with_the_steepest_descent_direction():
    hessian = np.diag([-1.0, 2.0])
    solved = optim.linear_conjugate_gradient(lambda v: hessian @ v, np.array([1.0, 0.0]))
    assert solved.reason == "negative curvature" and np.array_equal(solved.solution, [1.0, 0.0])


# --- Hessian-vector products -----------------------------------------------------------------------
def random_network(seed):
    rng = np.random.default_rng(seed)
    params = [ag.Tensor(rng.normal(size=(3, 4)), requires_grad=True), ag.Tensor(rng.normal(size=4), requires_grad=True),
              ag.Tensor(rng.normal(size=(4, 1)), requires_grad=True)]
    inputs, targets = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))

    def loss_of(A, b, C):
        return ag.mse(ag.tanh(ag.Tensor(inputs) @ A + b) @ C, targets)
    return params, loss_of


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_hvp_matches_the_full_hessian_and_finite_differences_agree_to_order_delta(seed):
    params, loss_of = random_network(seed)
    flat = FlatParameters(params)
    W = flat.get()
    v = np.random.default_rng(seed + 10).normal(size=flat.size)

    def loss_of_vector(vector):
        pieces, offset = [], 0
        for shape, size in zip(flat.shapes, flat.sizes):
            pieces.append(vector[offset:offset + size].reshape(shape))
            offset += size
        return loss_of(*pieces)

    loss = loss_of(*params)
    loss.backward(create_graph=True, retain_graph=True)
    exact = flat.hessian_vector_product(flat.gradient_graph(), v)
    assert np.abs(exact - ag.hessian(loss_of_vector, W).data @ v).max() <= 1e-10
    assert np.abs(exact - ag.hvp(loss_of_vector, W, v).data).max() <= 1e-10
    assert np.abs(flat.hessian(flat.gradient_graph()) - ag.hessian(loss_of_vector, W).data).max() <= 1e-10

    def gradient_at(vector):
        x = ag.Tensor(vector, requires_grad=True)
        return ag.grad(loss_of_vector(x), x).data

    errors = []
    for delta in (1e-3, 1e-4):
        finite = (gradient_at(W + delta * v) - gradient_at(W)) / delta  # Eq. 3.51
        errors.append(np.abs(finite - exact).max())
    assert errors[0] <= 10 * np.linalg.norm(v) ** 2 * 1e-3
    assert errors[1] < errors[0] / 5  # first order in delta


def test_hessian_free_with_finite_differences_counts_each_product_as_an_evaluation():
    W = ag.Tensor(np.array([-1.2, 1.0]), requires_grad=True)
    opt = optim.HessianFree([W], hvp="finite_difference")
    calls = []
    closure = make_closure(opt, lambda: problems.rosenbrock(W), counter=calls)
    for _ in range(200):
        opt.step(closure)
        if opt.converged:
            break
    assert opt.converged and np.abs(W.data - 1).max() <= 1e-5
    assert opt.nfev == len(calls) and opt.nhev > 0 and opt.nfev > opt.nhev


# --- Newton's method: one step on a quadratic, and where it fails ----------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_newton_reaches_a_quadratics_minimum_in_one_step_from_anywhere(seed):
    hessian, linear, minimiser = evenly_spread_quadratic(6, seed=seed)
    W = ag.Tensor(np.random.default_rng(seed).normal(scale=100, size=6), requires_grad=True)
    opt = optim.Newton([W])
    opt.step(make_closure(opt, lambda: problems.quadratic(hessian, linear)(W), second_derivatives=True))
    assert opt.nit == 1 and opt.nfev == 2 and opt.nhev == 6
    assert np.abs(W.data - minimiser).max() <= 1e-9


def newton_run(loss_of, start, steps, **settings):
    W = ag.Tensor(np.array(start, dtype=float), requires_grad=True)
    opt = optim.Newton([W], **settings)
    closure = make_closure(opt, lambda: loss_of(W), second_derivatives=True)
    path = [W.data.copy()]
    for _ in range(steps):
        opt.step(closure)
        path.append(W.data.copy())
        if opt.stopped:
            break
    return opt, np.array(path)


def test_newton_stalls_at_the_degenerate_point_of_x_cubed():
    # x > 0: H = 6x > 0, the step x <- x / 2 heads for x = 0, where the gradient vanishes but no minimum is
    opt, path = newton_run(lambda W: (W ** 3).sum(), [1.0], 40, line_search=None)
    np.testing.assert_allclose(path[:6, 0], [1, 0.5, 0.25, 0.125, 0.0625, 0.03125])
    assert opt.converged and abs(path[-1, 0]) < 1e-2 and "converged" in opt.message


def test_newton_on_x_cubed_with_negative_curvature_warns_and_goes_downhill():
    with pytest.warns(RuntimeWarning, match="indefinite"):
        opt, path = newton_run(lambda W: (W ** 3).sum(), [-1.0], 3)
    assert np.all(np.diff(path[:, 0]) < 0) and np.isfinite(path).all()
    assert "indefinite Hessian" in opt.history[1]["note"]


def saddle(W):
    return W[0] * W[0] - W[1] * W[1]


def test_plain_newton_jumps_to_the_saddle_in_one_step():
    with pytest.warns(RuntimeWarning, match="indefinite"):
        opt, path = newton_run(saddle, [1.0, 0.5], 3, indefinite="ignore", line_search=None)
    np.testing.assert_allclose(path[1], [0.0, 0.0], atol=1e-15)
    assert opt.converged  # the gradient vanishes at the saddle: Newton's method is satisfied there


@pytest.mark.parametrize("mode", ["absolute", "steepest_descent"])
def test_safeguarded_newton_escapes_the_saddle(mode):
    with pytest.warns(RuntimeWarning, match="indefinite"):
        opt, path = newton_run(saddle, [1.0, 0.5], 3, indefinite=mode)
    assert abs(path[-1, 1]) > 1.0 and saddle(ag.Tensor(path[-1])).item() < -1.0
    assert np.isfinite(path).all()


def test_newton_on_a_singular_hessian_warns_and_never_produces_nan():
    # L = (x + y)^2 + y: H = [[2, 2], [2, 2]] is singular; the minimum does not exist (unbounded along x = -y + t)
    def loss(W):
        return (W[0] + W[1]) ** 2 + W[1]
    for mode in ("absolute", "steepest_descent", "ignore"):
        with pytest.warns(RuntimeWarning, match="singular"):
            opt, path = newton_run(loss, [1.0, 1.0], 2, indefinite=mode, line_search=None if mode == "ignore" else
                                   "strong_wolfe")
        assert np.isfinite(path).all()


def test_newton_on_a_zero_hessian_falls_back_to_steepest_descent():
    with pytest.warns(RuntimeWarning, match="singular"):
        opt, path = newton_run(lambda W: (W ** 3 + W).sum(), [0.0, 0.0], 1)
    assert np.all(path[-1] < path[0]) and "steepest descent" in opt.history[1]["note"]


def test_newton_with_damping_takes_shorter_steps():
    hessian, linear, minimiser = evenly_spread_quadratic(4)
    W = ag.Tensor(np.zeros(4), requires_grad=True)
    opt = optim.Newton([W], damping=1e3, line_search=None)
    opt.step(make_closure(opt, lambda: problems.quadratic(hessian, linear)(W), second_derivatives=True))
    expected = np.linalg.solve(hessian + 1e3 * np.eye(4), linear)
    np.testing.assert_allclose(W.data, expected, rtol=1e-10)


# --- quasi-Newton and nonlinear CG -----------------------------------------------------------------
@pytest.mark.parametrize("beta", ["polak_ribiere", "fletcher_reeves"])
def test_nonlinear_cg_with_exact_line_search_is_linear_cg_on_a_quadratic(beta):
    hessian, linear, minimiser = evenly_spread_quadratic(10)
    result = optim.minimize(problems.quadratic(hessian, linear), np.zeros(10), method="nonlinear_cg", beta=beta,
                            line_search="exact", gtol=1e-8)
    assert result.success and result.nit <= 10 + 2
    assert np.abs(result.x - minimiser).max() <= 1e-8


def test_bfgs_with_exact_line_search_terminates_on_a_quadratic():
    hessian, linear, minimiser = evenly_spread_quadratic(10)
    result = optim.minimize(problems.quadratic(hessian, linear), np.zeros(10), method="bfgs", line_search="exact",
                            gtol=1e-8)
    assert result.success and result.nit <= 10 + 2
    assert np.abs(result.x - minimiser).max() <= 1e-8


@pytest.mark.parametrize("method, note", [("bfgs", "update skipped"), ("lbfgs", "pair not stored")])
def test_quasi_newton_skips_pairs_that_break_the_curvature_condition(method, note):
    # cos(x) from 0.2 with backtracking: the first step lands where the slope fell, q^T v < 0
    result = optim.minimize(lambda W: ag.cos(W).sum(), np.array([0.2]), method=method, line_search="backtracking",
                            maxiter=1)
    assert note in result.history[1]["note"]


def test_bfgs_inverse_hessian_approaches_the_inverse_hessian():
    hessian, linear, _ = evenly_spread_quadratic(5)
    W = ag.Tensor(np.zeros(5), requires_grad=True)
    opt = optim.BFGS([W], line_search="exact", gtol=1e-12)
    closure = make_closure(opt, lambda: problems.quadratic(hessian, linear)(W))
    for _ in range(5):
        opt.step(closure)
    np.testing.assert_allclose(opt.state["inverse_hessian"], np.linalg.inv(hessian), rtol=1e-6, atol=1e-8)


def test_lbfgs_keeps_at_most_history_size_pairs():
    W = ag.Tensor(np.tile([-1.2, 1.0], 5), requires_grad=True)
    opt = optim.LBFGS([W], history_size=3)
    closure = make_closure(opt, lambda: problems.extended_rosenbrock(W))
    for _ in range(10):
        opt.step(closure)
    assert len(opt.state["steps"]) == len(opt.state["gradient_changes"]) == 3


def test_the_loop_of_the_issue_converges():
    x = ag.Tensor(np.array([-1.2, 1.0]), requires_grad=True)
    opt = optim.LBFGS([x], history_size=30, line_search="strong_wolfe")
    closure = make_closure(opt, lambda: problems.rosenbrock(x))
    for _ in range(100):
        loss = opt.step(closure)
        if opt.converged:
            break
    assert opt.converged and float(loss.item()) < 1e-10 and np.abs(x.data - 1).max() <= 1e-5


def test_hessian_free_adapts_its_damping_levenberg_marquardt_style():
    hessian, linear, _ = evenly_spread_quadratic(6)
    W = ag.Tensor(np.full(6, 5.0), requires_grad=True)
    opt = optim.HessianFree([W], damping=10.0, line_search=None, cg_tolerance=1e-10)
    closure = make_closure(opt, lambda: problems.quadratic(hessian, linear)(W), second_derivatives=True)
    opt.step(closure)
    assert opt.state["damping"] == pytest.approx(10.0 * 2 / 3)  # the damped model under-predicts: rho > 3/4


def test_hessian_free_detects_negative_curvature():
    W = ag.Tensor(np.array([1.0, 0.5]), requires_grad=True)
    opt = optim.HessianFree([W], damping=0.0)
    opt.step(make_closure(opt, lambda: saddle(W), second_derivatives=True))
    assert "negative curvature detected" in opt.history[1]["note"]
    assert saddle(W).item() < 0.75


# --- contracts: closure, counting, several tensors, state, dtypes ----------------------------------
@pytest.mark.parametrize("method", sorted(METHODS))
def test_counts_are_honest_and_a_converged_optimizer_does_not_evaluate_again(method):
    x = ag.Tensor(np.array([-1.2, 1.0]), requires_grad=True)
    opt = METHODS[method]([x], gtol=1e-6)
    calls = []
    closure = make_closure(opt, lambda: problems.rosenbrock(x), method in SECOND_DERIVATIVES, calls)
    for _ in range(300):
        opt.step(closure)
        if opt.converged:
            break
    assert opt.converged and opt.nfev == opt.ngev == len(calls)
    assert [record["iteration"] for record in opt.history] == list(range(opt.nit + 1))
    before = len(calls)
    opt.step(closure)
    assert len(calls) == before


@pytest.mark.parametrize("method", sorted(METHODS))
def test_several_tensors_are_one_vector(method):
    # the same function of (a, b) split over two tensors and of one vector: identical iterates
    def loss_of(a, b):
        return problems.extended_rosenbrock(ag.concatenate([a, b]))
    start = np.array([-1.2, 1.0, -1.0, 1.5])
    a, b = ag.Tensor(start[:2], requires_grad=True), ag.Tensor(start[2:], requires_grad=True)
    whole = ag.Tensor(start.copy(), requires_grad=True)
    split_opt, whole_opt = METHODS[method]([a, b]), METHODS[method]([whole])
    second = method in SECOND_DERIVATIVES
    split_closure = make_closure(split_opt, lambda: loss_of(a, b), second)
    whole_closure = make_closure(whole_opt, lambda: problems.extended_rosenbrock(whole), second)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Newton meets an indefinite Hessian on the way
        for _ in range(8):
            split_opt.step(split_closure)
            whole_opt.step(whole_closure)
    np.testing.assert_allclose(np.concatenate([a.data, b.data]), whole.data, rtol=1e-10, atol=1e-12)


def test_a_models_parameters_train_with_lbfgs_and_hessian_free():
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(40, 3))
    targets = np.sin(inputs @ np.array([[1.0], [-0.5], [0.3]]))
    for make, second in ((lambda model: optim.LBFGS(model.parameters()), False),
                         (lambda model: optim.HessianFree(model.parameters()), True)):
        model = nn.MLP([3, 8, 1], activation="tanh", rng=1)
        opt = make(model)
        closure = make_closure(opt, lambda model=model: ag.mse(model(ag.Tensor(inputs)), targets), second)
        first = opt.step(closure).item()
        for _ in range(30):
            last = opt.step(closure).item()
        assert last < 0.1 * first


@pytest.mark.parametrize("method", sorted(METHODS))
def test_state_dict_round_trip_continues_the_same_run(method):
    second = method in SECOND_DERIVATIVES

    def run(steps, state=None, start=(-1.2, 1.0)):
        x = ag.Tensor(np.array(start), requires_grad=True)
        opt = METHODS[method]([x])
        if state is not None:
            opt.load_state_dict(state)
        closure = make_closure(opt, lambda: problems.rosenbrock(x), second)
        for _ in range(steps):
            opt.step(closure)
        return x, opt

    x_first, opt_first = run(4)
    saved = opt_first.state_dict()
    x_straight, opt_straight = run(8)
    x_resumed, opt_resumed = run(4, saved, start=tuple(x_first.data))
    np.testing.assert_allclose(x_resumed.data, x_straight.data, rtol=1e-12)
    assert opt_resumed.nit == opt_straight.nit
    assert opt_resumed.nfev == opt_straight.nfev + (1 if second else 0)  # the gradient's graph is not saved
    other_kind = METHODS["bfgs" if method != "bfgs" else "lbfgs"]([x_first])
    with pytest.raises(ValueError, match="saved by"):
        other_kind.load_state_dict(saved)


def test_state_dict_of_another_size_is_refused():
    x = ag.Tensor(np.array([-1.2, 1.0]), requires_grad=True)
    opt = optim.BFGS([x])
    closure = make_closure(opt, lambda: problems.rosenbrock(x))
    opt.step(closure)
    opt.step(closure)
    other = optim.BFGS([ag.Tensor(np.zeros(3), requires_grad=True)])
    with pytest.raises(ValueError, match="vector W of 3 entries"):
        other.load_state_dict(opt.state_dict())


@pytest.mark.parametrize("method", sorted(METHODS))
def test_float32_parameters_stay_float32_and_converge(method):
    x = ag.Tensor(np.array([-1.2, 1.0], dtype=np.float32), requires_grad=True)
    opt = METHODS[method]([x], gtol=1e-3)
    closure = make_closure(opt, lambda: problems.rosenbrock(x), method in SECOND_DERIVATIVES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # float32 Hessians near the valley may look singular
        for _ in range(500):
            opt.step(closure)
            if opt.stopped:
                break
    assert x.dtype == np.float32 and opt.point.gradient.dtype == np.float32
    assert np.abs(x.data - 1).max() <= 1e-2, opt.message


# --- bad input -------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", sorted(METHODS))
def test_step_without_a_closure_says_why_one_is_needed(method):
    opt = METHODS[method]([ag.Tensor(np.zeros(2), requires_grad=True)])
    with pytest.raises(TypeError, match="line search"):
        opt.step()


def test_closures_that_break_the_contract_get_clear_errors():
    x = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    opt = optim.BFGS([x])
    with pytest.raises(ValueError, match="scalar loss"):
        opt.step(lambda: x * 2)
    opt.zero_grad()
    with pytest.raises(RuntimeError, match="backward"):
        opt.step(lambda: (x * x).sum())
    with pytest.raises(TypeError, match="closure must return the loss"):
        opt.step(lambda: "loss")
    newton = optim.Newton([x])
    with pytest.raises(RuntimeError, match="create_graph=True"):
        newton.step(make_closure(newton, lambda: (x ** 4).sum()))
    hessian_free = optim.HessianFree([x])
    with pytest.raises(RuntimeError, match="finite_difference"):
        hessian_free.step(make_closure(hessian_free, lambda: (x ** 4).sum()))


def test_a_non_finite_start_is_refused():
    x = ag.Tensor(np.array([np.nan, 1.0]), requires_grad=True)
    opt = optim.LBFGS([x])
    with pytest.raises(ValueError, match="not finite"):
        opt.step(make_closure(opt, lambda: (x * x).sum()))


@pytest.mark.parametrize("method, settings, match", [
    ("bfgs", {"gtol": -1.0}, "gtol"), ("bfgs", {"gtol": float("nan")}, "gtol"),
    ("lbfgs", {"line_search": "wolfe"}, "line_search"), ("lbfgs", {"history_size": 0}, "history_size"),
    ("lbfgs", {"history_size": 2.5}, "history_size"), ("bfgs", {"c1": 0.9, "c2": 0.1}, "Wolfe"),
    ("newton", {"damping": -1.0}, "damping"), ("newton", {"indefinite": "panic"}, "indefinite"),
    ("hessian_free", {"hvp": "approximate"}, "hvp"), ("hessian_free", {"max_cg_iterations": 0}, "max_cg"),
    ("hessian_free", {"cg_tolerance": 0.0}, "cg_tolerance"), ("nonlinear_cg", {"beta": "hestenes"}, "beta"),
    ("nonlinear_cg", {"restart": 0}, "restart"), ("bfgs", {"max_line_search_evaluations": 0}, "max_line"),
])
def test_bad_settings_are_refused(method, settings, match):
    with pytest.raises(ValueError, match=match):
        METHODS[method]([ag.Tensor(np.zeros(2), requires_grad=True)], **settings)


def test_bad_parameters_are_refused():
    with pytest.raises(TypeError, match="one dtype"):
        optim.BFGS([ag.Tensor(np.zeros(2), requires_grad=True),
                    ag.Tensor(np.zeros(2, dtype=np.float32), requires_grad=True)])
    with pytest.raises(ValueError, match="one parameter group"):
        optim.LBFGS([{"params": [ag.Tensor(np.zeros(2), requires_grad=True)]},
                     {"params": [ag.Tensor(np.zeros(2), requires_grad=True)]}])
    opt = optim.BFGS([ag.Tensor(np.zeros(2), requires_grad=True)])
    with pytest.raises(ValueError, match="one parameter group"):
        opt.add_param_group({"params": [ag.Tensor(np.zeros(2), requires_grad=True)]})
    with pytest.raises(ValueError, match="empty"):
        optim.BFGS([])
    with pytest.raises(ValueError, match="no entries"):
        optim.BFGS([ag.Tensor(np.zeros((0, 3)), requires_grad=True)])
    with pytest.raises(TypeError, match="step\\(closure\\)"):
        optim.BFGS([ag.Tensor(np.zeros(2), requires_grad=True)]).update(None, None, None, None)


def test_parameters_changed_between_steps_are_evaluated_again():
    x = ag.Tensor(np.array([-1.2, 1.0]), requires_grad=True)
    opt = optim.LBFGS([x])
    calls = []
    closure = make_closure(opt, lambda: problems.rosenbrock(x), counter=calls)
    opt.step(closure)
    used = len(calls)
    x.data = np.array([1.0, 1.0])
    loss = opt.step(closure)
    assert len(calls) == used + 1 and loss.item() == 0.0 and opt.converged


@pytest.mark.gpu
@pytest.mark.parametrize("method", sorted(METHODS))
def test_methods_run_on_cupy_parameters(method):
    x = ag.Tensor(np.array([-1.2, 1.0]), requires_grad=True, device="cuda")
    opt = METHODS[method]([x], gtol=1e-6)
    closure = make_closure(opt, lambda: problems.rosenbrock(x), method in SECOND_DERIVATIVES)
    for _ in range(300):
        opt.step(closure)
        if opt.stopped:
            break
    assert opt.converged and x.device.startswith("cuda")
    assert np.abs(x.numpy() - 1).max() <= 1e-5
