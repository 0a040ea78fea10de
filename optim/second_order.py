"""The common loop of the second-order methods of Section 3.5.6: direction, line search, update.

Newton's method, Hessian-free optimisation, nonlinear conjugate gradients,
BFGS and L-BFGS all treat the parameters as one vector W and repeat the same
iteration: from W_t with loss L(W_t) and gradient grad L(W_t), choose a
search direction q_t (each method its own way), choose a step alpha_t along
it by a line search (``optim.line_search``), set W_{t+1} = W_t + alpha_t q_t,
and update the method's memory from the step v_t = W_{t+1} - W_t and the
change of gradient q_t' = grad L(W_{t+1}) - grad L(W_t).

``SecondOrderOptimizer`` runs that iteration once per ``step(closure)``. The
closure is required: a line search re-evaluates the loss at trial points.
One evaluation is one closure call (a loss and its gradient); ``nfev`` and
``ngev`` count them all, trial points included, and ``nhev`` counts
Hessian-vector products (a full d x d Hessian counts as d of them, its cost
by double backpropagation). The loss and gradient at the accepted point are
kept, so the next step does not evaluate the same point again unless the
parameters were changed in between.
"""
import abc
import math
import time
from dataclasses import dataclass

import autograd_core as ag

from . import line_search as line_searches
from .flat_parameters import FlatParameters
from .optimizer import Optimizer


@dataclass
class Point:
    """One evaluation: the weights W, L(W), grad L(W) (flat), and the parameters' gradient Tensors."""

    W: object
    loss: float
    gradient: object
    grads: list
    loss_tensor: object


def _check_number(name, value, low=0.0, inclusive=False, integer=False):
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite {'integer' if integer else 'number'}, got {value!r}")
    if value < low or (value == low and not inclusive):
        raise ValueError(f"{name} must be {'>=' if inclusive else '>'} {low}, got {value!r}")


class SecondOrderOptimizer(Optimizer):
    """Base class of the methods of Section 3.5.6; subclasses choose the direction and keep their memory.

    Settings shared by all: ``gtol`` (stop when max_i |dL/dW_i| <= gtol, as in
    scipy), ``line_search`` (``"strong_wolfe"``, ``"backtracking"``,
    ``"exact"`` for quadratics, or None for the plain step alpha = 1), ``c1``
    and ``c2`` (the Wolfe constants) and ``max_line_search_evaluations``.
    Attributes: ``converged`` (the gradient is below ``gtol``), ``stopped``
    (converged, or no step can make progress), ``message``, ``nit``, ``nfev``,
    ``ngev``, ``nhev`` and ``history`` (one dict per iteration: loss,
    gradient_norm, gradient_max, step_size, step_norm, evaluations, time, note).
    """

    #: True where the method differentiates the gradient again (the closure must keep its graph)
    needs_second_derivatives = False

    def __init__(self, params, defaults):
        common = {"gtol": 1e-5, "line_search": "strong_wolfe", "c1": 1e-4, "c2": 0.9,
                  "max_line_search_evaluations": 25}
        common.update(defaults)
        super().__init__(params, common)
        self.flat = FlatParameters(self.param_groups[0]["params"])
        self.converged = False
        self.stopped = False
        self.message = "no step taken yet"
        self.nit = self.nfev = self.ngev = self.nhev = 0
        self.history = []
        self.state = {}
        self._point = None
        self._seconds = 0.0

    @property
    def point(self):
        """The last accepted point (W, loss, gradient), or None before the first step."""
        return self._point

    def add_param_group(self, group):
        """Only one group: all parameters form the one vector W (a second group raises ValueError)."""
        if self.param_groups:
            raise ValueError(f"{type(self).__name__} treats all parameters as one vector W and takes one parameter "
                             "group; put every parameter in it")
        super().add_param_group(group)

    # --- settings ------------------------------------------------------------------------------
    def check_settings(self, group):
        _check_number("gtol", group["gtol"], inclusive=True)
        if group["line_search"] is not None and group["line_search"] not in line_searches.NAMES:
            raise ValueError(f"line_search must be one of {line_searches.NAMES} or None, got {group['line_search']!r}")
        if not 0 < group["c1"] < group["c2"] < 1:
            raise ValueError(f"the Wolfe constants need 0 < c1 < c2 < 1, got c1={group['c1']!r}, c2={group['c2']!r}")
        _check_number("max_line_search_evaluations", group["max_line_search_evaluations"], low=1, inclusive=True,
                      integer=True)

    def update(self, param, grad, state, group):
        raise TypeError(f"{type(self).__name__} updates all parameters together as one vector W: call "
                        "step(closure), not the per-parameter rule of the first-order optimizers")

    # --- what subclasses provide ---------------------------------------------------------------
    @abc.abstractmethod
    def direction(self, point, group):
        """The search direction q at ``point``, the first trial step, and a note for the history (or '')."""

    def remember(self, old, new, step_vector, step, group):
        """Update the method's memory after the step W_{t+1} - W_t = ``step_vector``; return a note or ''."""
        return ""

    def forget(self):
        """Drop the method's memory (used after a failed line search, before a steepest-descent retry)."""
        self.state.clear()

    # --- evaluation ----------------------------------------------------------------------------
    def _evaluate(self, closure, W):
        """Set the parameters to W, run the closure, and return the Point (one evaluation)."""
        self.flat.set(W)
        with ag.enable_grad():
            loss = closure()
        self.nfev += 1
        self.ngev += 1
        if isinstance(loss, ag.Tensor):
            if loss.size != 1:
                raise ValueError(f"the closure must return the scalar loss, got a Tensor of shape {loss.shape}")
            value = float(loss.data.reshape(()))
        elif isinstance(loss, (int, float)) and not isinstance(loss, bool):
            value = float(loss)
        else:
            raise TypeError(f"the closure must return the loss (a scalar Tensor), got {type(loss).__name__}")
        gradient = self.flat.gradient()
        grads = [param.grad for param in self.flat.params]
        if self.needs_second_derivatives and self.flat.gradient_graph() is None and self.uses_exact_hessian():
            raise RuntimeError(
                f"{type(self).__name__} differentiates the gradient again (exact second derivatives by double "
                "backpropagation), so the closure must keep the gradient's graph: call "
                "loss.backward(create_graph=True, retain_graph=True) inside it" + self.finite_difference_hint() +
                " (a loss linear in every weight has no second derivatives: use a first-order method)")
        return Point(W, value, gradient, grads, ag.Tensor(loss.data) if isinstance(loss, ag.Tensor) else loss)

    def uses_exact_hessian(self):
        """True when second derivatives come from the gradient's graph (HessianFree's finite differences do not)."""
        return True

    def finite_difference_hint(self):
        """An alternative to suggest when the closure did not keep the gradient's graph ('' when none)."""
        return ""

    def _current_point(self, closure):
        W = self.flat.get()
        point = self._point
        if point is None or point.W.shape != W.shape or not bool(self.flat.xp.array_equal(point.W, W)):
            point = self._evaluate(closure, W)
        elif point.grads is None and self.needs_second_derivatives and self.uses_exact_hessian():
            point = self._evaluate(closure, W)  # restored by load_state_dict: the gradient's graph was not saved
        self._point = point
        return point

    # --- the iteration -------------------------------------------------------------------------
    def step(self, closure=None):
        """One iteration: direction, line search, update; returns the loss at the new point (a Tensor).

        ``closure`` must clear the gradients, compute the loss, call
        ``loss.backward()`` (``backward(create_graph=True, retain_graph=True)`` for exact second
        derivatives) and return the loss.
        """
        started = time.perf_counter()
        try:
            return self._iterate(closure, started)
        finally:
            self._seconds += time.perf_counter() - started

    def evaluate(self, closure):
        """Evaluate the loss and gradient at the current weights (once; counted) without moving.

        Records the starting point in the history and sets ``converged`` when the
        gradient is already below ``gtol``. Returns the loss.
        """
        started = time.perf_counter()
        try:
            return self._begin(closure, started).loss_tensor
        finally:
            self._seconds += time.perf_counter() - started

    def _begin(self, closure, started):
        if closure is None or not callable(closure):
            raise TypeError(
                f"{type(self).__name__}.step needs a closure: its line search evaluates the loss at trial points. "
                "Pass def closure(): opt.zero_grad(); loss = ...; loss.backward(); return loss, then "
                f"opt.step(closure); got {closure!r}")
        point = self._current_point(closure)
        if not (math.isfinite(point.loss) and bool(self.flat.xp.isfinite(point.gradient).all())):
            raise ValueError(f"the loss or its gradient is not finite at the current weights (loss {point.loss}): "
                             "start from finite values")
        if not self.history:
            self._record(point, 0.0, 0.0, "start", started)
        self._check_convergence(point, self.param_groups[0])
        return point

    def _iterate(self, closure, started):
        group = self.param_groups[0]
        point = self._begin(closure, started)
        if self.converged or self.stopped:
            return point.loss_tensor
        new_point, step, step_vector, note = self._move(closure, point, group)
        if new_point is None:
            self.flat.set(point.W)
            self._restore_grads(point)
            self.stopped = True
            self.message = f"stopped: no step along the direction or steepest descent decreases the loss ({note})"
            self._record(point, 0.0, 0.0, f"stopped: {note}", started)  # the failed searches' evaluations count
            return point.loss_tensor
        extra = self.remember(point, new_point, step_vector, step, group)
        self.nit += 1
        self._point = new_point
        self.flat.set(new_point.W)
        self._restore_grads(new_point)
        self._record(new_point, step, float(self.flat.xp.linalg.norm(step_vector)),
                     "; ".join(part for part in (note, extra) if part), started)
        self._check_convergence(new_point, group)
        return new_point.loss_tensor

    def _restore_grads(self, point):
        if point.grads is None:
            return
        for param, grad in zip(self.flat.params, point.grads):
            param.grad = grad

    def _check_convergence(self, point, group):
        largest = float(self.flat.xp.abs(point.gradient).max())
        if largest <= group["gtol"]:
            self.converged = self.stopped = True
            self.message = f"converged: the largest gradient entry {largest:.3g} <= gtol = {group['gtol']:g}"
        return self.converged

    def _move(self, closure, point, group):
        """Find the next point: the method's direction, then steepest descent if that fails. (None, ...) if both do."""
        direction, initial_step, note = self.direction(point, group)
        attempt = self._search(closure, point, direction, initial_step, group)
        if attempt is not None:
            return attempt + (note,)
        self.forget()
        steepest = -point.gradient
        initial_step = min(1.0, 1.0 / max(float(self.flat.xp.linalg.norm(steepest)), 1e-300))
        attempt = self._search(closure, point, steepest, initial_step, group)
        if attempt is not None:
            return attempt + ((note + "; " if note else "") + "line search failed: memory reset, steepest descent",)
        return None, 0.0, None, "line search failed along the steepest-descent direction too"

    def _search(self, closure, point, direction, initial_step, group):
        xp = self.flat.xp
        slope0 = float(point.gradient @ direction)
        trials = {}

        def evaluate(alpha):
            trial = self._evaluate(closure, point.W + alpha * direction)
            trials[alpha] = trial
            if not (math.isfinite(trial.loss) and bool(xp.isfinite(trial.gradient).all())):
                return math.inf, math.nan
            return trial.loss, float(trial.gradient @ direction)

        if group["line_search"] is None:
            evaluate(initial_step)
            trial = trials[initial_step]
            if not (math.isfinite(trial.loss) and bool(xp.isfinite(trial.gradient).all())):
                return None
            return trial, initial_step, trial.W - point.W
        if not (math.isfinite(slope0) and slope0 < 0):
            return None
        options = {"max_evaluations": group["max_line_search_evaluations"]}
        if group["line_search"] in ("backtracking", "strong_wolfe"):
            options["c1"] = group["c1"]
        if group["line_search"] == "strong_wolfe":
            options["c2"] = group["c2"]
        if group["line_search"] == "exact":
            options = {}
        result = line_searches.search(group["line_search"], evaluate, point.loss, slope0, initial_step, **options)
        accepted = trials.get(result.step)
        if accepted is None or not math.isfinite(accepted.loss) or accepted.loss > point.loss:
            return None
        if not result.success and accepted.loss == point.loss:
            return None
        return accepted, result.step, accepted.W - point.W

    def _record(self, point, step, step_norm, note, started):
        gradient = point.gradient
        self.history.append({
            "iteration": self.nit, "loss": point.loss,
            "gradient_norm": float(self.flat.xp.linalg.norm(gradient)),
            "gradient_max": float(self.flat.xp.abs(gradient).max()),
            "step_size": step, "step_norm": step_norm, "evaluations": self.nfev,
            "time": self._seconds + time.perf_counter() - started, "note": note,
        })

    # --- saving and restoring ------------------------------------------------------------------
    def state_dict(self):
        """Settings, the method's memory (copied arrays), counters, history and the last evaluated point."""
        settings = {name: value for name, value in self.param_groups[0].items() if name != "params"}
        point = None
        if self._point is not None:
            point = {"W": self._point.W.copy(), "loss": self._point.loss, "gradient": self._point.gradient.copy()}
        return {
            "optimizer": type(self).__name__, "param_groups": [settings], "state": _copy(self.state),
            "counters": {"nit": self.nit, "nfev": self.nfev, "ngev": self.ngev, "nhev": self.nhev},
            "converged": self.converged, "stopped": self.stopped, "message": self.message,
            "history": [dict(record) for record in self.history], "point": point,
        }

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict`` saved, onto the parameters' device and dtype; ValueError on a mismatch."""
        if not isinstance(state_dict, dict) or not {"state", "param_groups", "counters"} <= set(state_dict):
            raise ValueError("load_state_dict expects the dict returned by state_dict(), with keys 'state', "
                             f"'param_groups' and 'counters'; got {type(state_dict).__name__}")
        if state_dict.get("optimizer") != type(self).__name__:
            raise ValueError(f"this state was saved by {state_dict.get('optimizer')}, not {type(self).__name__}")
        size = self.flat.size
        state = _restore(state_dict["state"], size, self.flat)
        point = state_dict.get("point")
        if point is not None:
            restored = _restore(point, size, self.flat)
            point = Point(restored["W"], restored["loss"], restored["gradient"], None, ag.Tensor(restored["loss"]))
        settings = dict(state_dict["param_groups"][0])
        group = dict(self.param_groups[0], **settings)
        self.check_settings(group)
        self.param_groups[0].update(settings)
        self.state = state
        self._point = point
        counters = state_dict["counters"]
        self.nit, self.nfev, self.ngev, self.nhev = (counters["nit"], counters["nfev"], counters["ngev"],
                                                     counters["nhev"])
        self.converged = bool(state_dict.get("converged", False))
        self.stopped = bool(state_dict.get("stopped", False))
        self.message = state_dict.get("message", "")
        self.history = [dict(record) for record in state_dict.get("history", [])]


def _copy(value):
    if hasattr(value, "shape") and hasattr(value, "copy"):
        return value.copy()
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _restore(value, size, flat):
    """Copy saved arrays onto the parameters' device and dtype, checking every axis has the length of W."""
    if hasattr(value, "shape") and hasattr(value, "copy"):
        if value.ndim and any(length != size for length in value.shape):
            raise ValueError(f"a saved array has shape {tuple(value.shape)}, but these parameters form a vector W "
                             f"of {size} entries")
        return ag.Tensor(value, dtype=flat.dtype, device=flat.params[0].device).data.copy()
    if isinstance(value, dict):
        return {key: _restore(item, size, flat) for key, item in value.items()}
    if isinstance(value, list):
        return [_restore(item, size, flat) for item in value]
    return value
