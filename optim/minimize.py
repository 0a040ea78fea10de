"""``optim.minimize``: run one method of Section 3.5.6 to convergence, scipy-style.

``minimize(fun, x0, method="bfgs")`` minimises a scalar function of one Tensor
with ``Newton``, ``HessianFree``, ``NonlinearCG``, ``BFGS`` or ``LBFGS`` and
returns an ``OptimizeResult`` with the minimiser, the counts of iterations,
evaluations and Hessian-vector products, whether it converged and why, and the
per-iteration history (loss, gradient norm, step size) for plots and for
comparing methods.
"""
import warnings
from dataclasses import dataclass, field

import autograd_core as ag
from autograd_core.backend import get_array_module

from .bfgs import BFGS
from .hessian_free import HessianFree
from .lbfgs import LBFGS
from .newton import Newton
from .nonlinear_cg import NonlinearCG

METHODS = {"newton": Newton, "hessian_free": HessianFree, "nonlinear_cg": NonlinearCG, "bfgs": BFGS,
           "lbfgs": LBFGS}


@dataclass
class OptimizeResult:
    """The outcome of ``minimize``: x, fun, jac (the gradient at x), counts, success, message, history.

    ``nfev`` and ``ngev`` count evaluations of the loss and of its gradient (one
    closure call gives both, so they are equal); ``nhev`` counts Hessian-vector
    products (a full Hessian counts d). ``history`` has one dict per iteration
    (the first is the starting point); ``history_of(key)`` gives one column.
    """

    x: object
    fun: float
    jac: object
    nit: int
    nfev: int
    ngev: int
    nhev: int
    success: bool
    message: str
    method: str
    history: list = field(default_factory=list, repr=False)

    def history_of(self, key):
        """One column of the history, e.g. ``history_of("loss")``, as a list."""
        if self.history and key not in self.history[0]:
            raise KeyError(f"the history has no {key!r}; its keys are {sorted(self.history[0])}")
        return [record[key] for record in self.history]


def minimize(fun, x0, method="lbfgs", gtol=1e-5, maxiter=1000, line_search="strong_wolfe", callback=None,
             **options):
    """Minimise ``fun`` (a Tensor of x's shape -> a scalar Tensor) from ``x0`` (an array or a Tensor, not changed).

    ``method``: ``"newton"``, ``"hessian_free"``, ``"nonlinear_cg"``, ``"bfgs"``
    or ``"lbfgs"``; ``gtol``: stop when the largest absolute gradient entry is
    at most gtol (scipy's criterion); ``maxiter``: the most iterations;
    ``line_search``: ``"strong_wolfe"``, ``"backtracking"``, ``"exact"`` or None;
    ``callback(x)`` after each iteration; further ``options`` go to the method
    (e.g. ``history_size=10``, ``damping=1e-3``, ``hvp="finite_difference"``).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    if isinstance(maxiter, bool) or not isinstance(maxiter, int) or maxiter < 0:
        raise ValueError(f"maxiter must be an integer >= 0, got {maxiter!r}")
    if not callable(fun):
        raise TypeError(f"fun must be a function of a Tensor returning a scalar Tensor, got {type(fun).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function of x or None, got {type(callback).__name__}")
    x = _starting_point(x0)
    optimizer = METHODS[method]([x], gtol=gtol, line_search=line_search, **options)
    keep_graph = optimizer.needs_second_derivatives and optimizer.uses_exact_hessian()

    def closure():
        optimizer.zero_grad()
        loss = fun(x)
        if not isinstance(loss, ag.Tensor):
            raise TypeError(f"fun must return a scalar Tensor built from its argument, got {type(loss).__name__}")
        if loss.size != 1:
            raise ValueError(f"fun must return a scalar, got a Tensor of shape {loss.shape}")
        if not loss.requires_grad:
            raise ValueError("fun's result does not depend on its argument (requires_grad is False): build it "
                             "from x with autograd_core operations")
        with warnings.catch_warnings():
            # the reference-cycle warning of backward(create_graph=True) does not apply: the next
            # evaluation's zero_grad sets every .grad to None, which breaks the cycle
            warnings.filterwarnings("ignore", message=r"backward\(create_graph=True\) stores", category=UserWarning)
            loss.reshape(()).backward(create_graph=keep_graph, retain_graph=keep_graph)
        return loss

    optimizer.evaluate(closure)
    while optimizer.nit < maxiter and not optimizer.stopped:
        optimizer.step(closure)
        if callback is not None:
            callback(x.data.copy())
    if maxiter == 0 or (optimizer.nit >= maxiter and not optimizer.converged):
        message = f"stopped after maxiter = {maxiter} iterations: {optimizer.message}" if optimizer.stopped else \
            f"reached maxiter = {maxiter} iterations before the largest gradient entry fell below gtol = {gtol:g}"
    else:
        message = optimizer.message
    point = optimizer.point
    return OptimizeResult(x=x.data.copy(), fun=point.loss, jac=point.gradient.copy(), nit=optimizer.nit,
                          nfev=optimizer.nfev, ngev=optimizer.ngev, nhev=optimizer.nhev,
                          success=optimizer.converged, message=message, method=method,
                          history=[dict(record) for record in optimizer.history])


def _starting_point(x0):
    """A fresh float leaf Tensor with x0's values (integers become float64); ValueError for empty or non-finite."""
    if x0 is None:
        raise TypeError("x0 must be an array or a Tensor of floating-point numbers, got None")
    try:
        data = x0.data if isinstance(x0, ag.Tensor) else x0
        x = ag.Tensor(data)
    except (TypeError, ValueError) as error:
        raise TypeError(f"x0 must be an array or a Tensor of numbers, got {type(x0).__name__}: {error}") from None
    if x.dtype.kind in "biu":
        x = ag.Tensor(x.data, dtype="float64")
    if x.size == 0:
        raise ValueError(f"x0 is empty (shape {x.shape}): minimize needs at least one variable")
    xp = get_array_module(x.data)
    if not bool(xp.isfinite(x.data).all()):
        raise ValueError("x0 has NaN or infinite entries: start from finite values")
    return ag.Tensor(x.data.copy(), requires_grad=True)
