"""optim.tune: hyperparameter search with early killing, run serially, in processes or on Ray (Section 3.3.1).

    >>> from autograd_core.optim import tune
    >>> space = {"lr": tune.LogUniform(1e-4, 1e-1), "momentum": tune.Uniform(0.5, 0.99),
    ...          "hidden": tune.Choice([32, 64, 128, 256])}
    >>> def objective(config, trial):
    ...     model, opt = build(config, seed=trial.seed)
    ...     for epoch in range(20):
    ...         val_loss = train_one_epoch(model, opt)
    ...         trial.report(epoch, val_loss)     # the search may kill the run here
    ...     return val_loss
    >>> study = tune.random_search(objective, space, n_trials=60, seed=0, executor="processes")
    >>> study.best_config, study.best_value, study.trials
"""
from .ensemble import Ensemble
from .executors import EXECUTORS, available_cores
from .schedulers import Scheduler, SuccessiveHalving
from .search import TrialFailedWarning
from .space import Choice, Dimension, IntUniform, LogUniform, Uniform
from .strategies import (GridEdgeWarning, bayesian, coarse_to_fine, grid_search, hyperband, hyperband_brackets,
                         random_search, successive_halving)
from .study import Study, load_study
from .trial import STATUSES, Trial, TrialDiverged, TrialKilled, TrialStopped

__all__ = [
    "Choice", "Dimension", "EXECUTORS", "Ensemble", "GridEdgeWarning", "IntUniform", "LogUniform", "STATUSES",
    "Scheduler", "Study", "SuccessiveHalving", "Trial", "TrialDiverged", "TrialFailedWarning", "TrialKilled",
    "TrialStopped", "Uniform", "available_cores", "bayesian", "coarse_to_fine", "grid_search", "hyperband",
    "hyperband_brackets", "load_study", "random_search", "successive_halving",
]
