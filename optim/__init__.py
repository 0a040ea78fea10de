"""optim: the first-order training methods of Section 3.5, built on autograd_core's public API.

Optimizers (``SGD``, ``DeltaBarDelta``, ``AdaGrad``, ``RMSProp``, ``AdaDelta``,
``Adam``) take ``model.parameters()`` or parameter groups and expose
``step(closure=None)``, ``zero_grad()``, ``state_dict()`` and
``load_state_dict()``; schedules rewrite their learning rates (Section 3.5.1);
``clip_grad_value`` and ``clip_grad_norm`` tame cliffs (Section 3.5.5); and
``PolyakAverage`` keeps an average of the weights for evaluation (Section 3.5.7);
``tune`` searches hyperparameters (Section 3.3.1).

The second-order methods of Section 3.5.6 (``Newton``, ``HessianFree``,
``NonlinearCG``, ``BFGS``, ``LBFGS``) treat all parameters as one vector W,
need ``step(closure)`` (their line searches, ``optim.line_search``, evaluate
the loss at trial points) and expose ``converged``; ``minimize`` runs one of
them to convergence on a function of a Tensor and returns an ``OptimizeResult``.

    >>> from autograd_core import optim
    >>> opt = optim.Adam(model.parameters(), lr=1e-3)
    >>> loss = model_loss(); loss.backward()
    >>> optim.clip_grad_norm(model.parameters(), max_norm=1.0)
    >>> opt.step(); opt.zero_grad()
"""
if __name__ != "autograd_core.optim":
    # The checkout keeps optim/ at the top level, but it is installed and imported only as
    # autograd_core.optim; a second copy under another name would make two incompatible classes.
    raise ImportError(f"import this package as 'from autograd_core import optim', not as {__name__!r}")

from .adadelta import AdaDelta
from .adagrad import AdaGrad
from . import line_search
from .adam import Adam
from .averaging import PolyakAverage
from .bfgs import BFGS
from .clipping import clip_grad_norm, clip_grad_value, grad_norm
from .conjugate_gradient import linear_conjugate_gradient
from .delta_bar_delta import DeltaBarDelta
from .hessian_free import HessianFree
from .lbfgs import LBFGS
from .minimize import OptimizeResult, minimize
from .newton import Newton
from .nonlinear_cg import NonlinearCG
from .optimizer import Optimizer
from .rmsprop import RMSProp
from .schedules import ExponentialDecay, InverseDecay, ReduceOnPlateau, Schedule, StepDecay
from .sgd import SGD
from . import tune

__all__ = [
    "AdaDelta", "AdaGrad", "Adam", "DeltaBarDelta", "ExponentialDecay", "InverseDecay", "Optimizer",
    "PolyakAverage", "RMSProp", "ReduceOnPlateau", "SGD", "Schedule", "StepDecay", "clip_grad_norm",
    "clip_grad_value", "grad_norm", "tune",
    "BFGS", "HessianFree", "LBFGS", "Newton", "NonlinearCG", "OptimizeResult", "line_search",
    "linear_conjugate_gradient", "minimize",
]
