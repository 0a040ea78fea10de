"""The search strategies of Section 3.3.1, each a function with the same keywords and a ``Study`` as result.

- ``grid_search``: every combination of listed values (or of evenly spaced
  points of each range), with a warning when the best value is on the edge of
  the grid, since the optimum may lie beyond it.
- ``random_search``: each hyperparameter drawn independently (log-uniformly
  where the space says so); at the same budget it tries many more distinct
  values of each hyperparameter than a grid.
- ``coarse_to_fine``: the text's multi-resolution sampling: sample the whole
  box, then boxes geometrically smaller around the best so far.
- ``successive_halving`` and ``hyperband``: runs compared at rungs of epochs
  and the worst killed, so that only a few train to completion.
- ``bayesian``: Optuna's TPE sampler (or another Optuna sampler).

Every strategy takes ``n_trials`` (the budget), ``seed`` (the same seed gives
the same study on every executor), ``executor`` ("serial", "processes",
"ray" or None), ``n_workers``, ``address`` (a Ray cluster), ``direction``,
``max_epochs``, ``divergence_factor``, ``storage`` (a JSON file to save to and
resume from) and ``progress``. The objective is ``objective(config, trial)``,
calls ``trial.report(epoch, value)`` to allow early killing, and returns the
value to minimise (or maximise).
"""
import itertools
import math
import numbers
import warnings

import numpy

from autograd_core import extras

from . import space as spaces
from .schedulers import SuccessiveHalving, rungs
from .search import Search, check_count, run_search


class GridEdgeWarning(UserWarning):
    """The best value of a hyperparameter is the smallest or largest of its grid: extend the grid that way."""


def _search(strategy, objective, space, settings, n_trials, seed, direction, executor, n_workers, address,
            storage, progress, divergence_factor):
    return Search(strategy, objective, space, settings, n_trials=n_trials, seed=seed, direction=direction,
                  executor=executor, n_workers=n_workers, address=address, storage=storage, progress=progress,
                  divergence_factor=divergence_factor)


def _check_max_epochs(max_epochs, required=False):
    if max_epochs is None and not required:
        return None
    return check_count(max_epochs, "max_epochs")


def _grid_values(space, n_trials):
    """name -> the grid's values: a Choice's values, and for ranges as many points as the budget allows."""
    choices = {name: dimension.grid(0) for name, dimension in space.items() if isinstance(dimension, spaces.Choice)}
    ranges = [name for name in space if name not in choices]
    combinations = math.prod(len(values) for values in choices.values())
    if ranges:
        if n_trials is None:
            raise ValueError(f"grid_search needs n_trials to place grid points in the ranges {ranges}; or give "
                             f"each hyperparameter a list of values")
        per_range = 1
        while (per_range + 1) ** len(ranges) * combinations <= n_trials:
            per_range += 1
        if per_range ** len(ranges) * combinations > n_trials:
            raise ValueError(f"grid_search: n_trials={n_trials} is fewer than the {combinations} combinations of "
                             f"the listed values")
    values = {}
    for name, dimension in space.items():
        values[name] = choices[name] if name in choices else dimension.grid(per_range)
    return values


def _warn_on_grid_edges(study, values):
    if not study.finished():
        return
    best = study.best_config
    for name, grid in values.items():
        numeric = [value for value in grid if isinstance(value, numbers.Real) and not isinstance(value, bool)]
        if len(numeric) < 3 or len(numeric) != len(grid):
            continue
        for edge, value in (("lower", min(numeric)), ("upper", max(numeric))):
            if best[name] == value:
                warnings.warn(f"grid_search: the best {name}={value!r} is on the {edge} edge of its grid "
                              f"{sorted(numeric)}; the optimum may lie beyond it, extend the grid "
                              f"{'below' if edge == 'lower' else 'above'}", GridEdgeWarning, stacklevel=3)


def grid_search(objective, space, n_trials=None, *, seed=0, executor=None, n_workers=None, address=None,
                direction="minimize", max_epochs=None, divergence_factor=10.0, storage=None, progress=True):
    """Every combination of the grid's values, in order.

    ``space``: name -> list of values (or ``tune.Choice``), or a range
    (``tune.Uniform``, ``tune.LogUniform``, ``tune.IntUniform``) which gets k
    evenly spaced points (in log space for log ranges), k as large as
    ``n_trials`` allows. Warns (``GridEdgeWarning``) when the best value of a
    hyperparameter with at least three numeric values is at an end of its grid.
    """
    space = spaces.as_space(space)
    if n_trials is not None:
        n_trials = check_count(n_trials, "n_trials")
    max_epochs = _check_max_epochs(max_epochs)
    values = _grid_values(space, n_trials)
    names = list(values)
    configs = [dict(zip(names, combination)) for combination in itertools.product(*values.values())]
    if n_trials is not None and len(configs) > n_trials:
        raise ValueError(f"grid_search: the grid has {len(configs)} combinations, more than n_trials={n_trials}")
    search = _search("grid_search", objective, space, {"grid": values, "max_epochs": max_epochs}, len(configs), seed,
                     direction, executor, n_workers, address, storage, progress, divergence_factor)

    def plan(search):
        search.run([search.trial(number, config, max_epochs) for number, config in enumerate(configs)])

    study = run_search(search, plan)
    _warn_on_grid_edges(study, values)
    return study


def random_search(objective, space, n_trials, *, seed=0, executor=None, n_workers=None, address=None,
                  direction="minimize", max_epochs=None, divergence_factor=10.0, storage=None, progress=True):
    """``n_trials`` configurations, each hyperparameter drawn independently from its range with ``seed``."""
    space = spaces.as_space(space)
    n_trials = check_count(n_trials, "n_trials")
    max_epochs = _check_max_epochs(max_epochs)
    search = _search("random_search", objective, space, {"max_epochs": max_epochs}, n_trials, seed, direction,
                     executor, n_workers, address, storage, progress, divergence_factor)
    rng = numpy.random.default_rng(search.seed)
    configs = [spaces.sample(space, rng) for _ in range(n_trials)]

    def plan(search):
        search.run([search.trial(number, config, max_epochs) for number, config in enumerate(configs)])

    return run_search(search, plan)


def coarse_to_fine(objective, space, n_trials, *, rounds=3, shrink=0.25, seed=0, executor=None, n_workers=None,
                   address=None, direction="minimize", max_epochs=None, divergence_factor=10.0, storage=None,
                   progress=True):
    """Multi-resolution random search: round r samples a box ``shrink``**r as wide around the best so far.

    The ``n_trials`` are split evenly over ``rounds``; widths are measured in
    each range's own scale (log for LogUniform), boxes stay inside the
    original ranges, and ``Choice`` hyperparameters keep all their values.
    """
    space = spaces.as_space(space)
    n_trials = check_count(n_trials, "n_trials")
    rounds = check_count(rounds, "rounds")
    if rounds > n_trials:
        raise ValueError(f"coarse_to_fine needs at least one trial per round: rounds={rounds} > n_trials={n_trials}")
    if isinstance(shrink, bool) or not isinstance(shrink, numbers.Real) or not 0 < shrink < 1:
        raise ValueError(f"shrink must be a number in (0, 1), the width of each round's box relative to the "
                         f"previous one; got {shrink!r}")
    max_epochs = _check_max_epochs(max_epochs)
    sizes = [n_trials // rounds + (1 if index < n_trials % rounds else 0) for index in range(rounds)]
    search = _search("coarse_to_fine", objective, space, {"rounds": rounds, "shrink": shrink, "max_epochs": max_epochs},
                     n_trials, seed, direction, executor, n_workers, address, storage, progress, divergence_factor)

    def plan(search):
        number = 0
        for round_index, size in enumerate(sizes):
            box = space
            if round_index and search.study.finished():
                best = search.study.best_config
                box = {name: dimension.around(best[name], shrink ** round_index)
                       for name, dimension in space.items()}
            rng = numpy.random.default_rng([search.seed, round_index])
            trials = [search.trial(number + index, spaces.sample(box, rng), max_epochs) for index in range(size)]
            search.run(trials)
            number += size

    return run_search(search, plan)


def _check_budgets(max_epochs, min_epochs, eta):
    max_epochs = check_count(max_epochs, "max_epochs")
    min_epochs = check_count(min_epochs, "min_epochs")
    if min_epochs > max_epochs:
        raise ValueError(f"min_epochs={min_epochs} must not exceed max_epochs={max_epochs}")
    if isinstance(eta, bool) or not isinstance(eta, numbers.Real) or not eta >= 2:
        raise ValueError(f"eta must be a number >= 2 (each rung keeps the best 1/eta), got {eta!r}")
    return max_epochs, min_epochs


def successive_halving(objective, space, n_trials, *, max_epochs, min_epochs=1, eta=3, seed=0, executor=None,
                       n_workers=None, address=None, direction="minimize", divergence_factor=10.0, storage=None,
                       progress=True):
    """Random configurations trained for up to ``max_epochs``; at rungs of min_epochs eta^i epochs the worst killed.

    A run reaching a rung goes on only if it is among the best 1/eta of the
    runs compared there (see ``schedulers.SuccessiveHalving``); runs that turn
    NaN or climb ``divergence_factor`` above their first value die at once.
    The objective should train for ``trial.max_epochs`` epochs and report after each.
    """
    space = spaces.as_space(space)
    n_trials = check_count(n_trials, "n_trials")
    max_epochs, min_epochs = _check_budgets(max_epochs, min_epochs, eta)
    rung_epochs = rungs(min_epochs, max_epochs, eta)
    search = _search("successive_halving", objective, space,
                     {"max_epochs": max_epochs, "min_epochs": min_epochs, "eta": eta}, n_trials, seed, direction,
                     executor, n_workers, address, storage, progress, divergence_factor)
    rng = numpy.random.default_rng(search.seed)
    configs = [spaces.sample(space, rng) for _ in range(n_trials)]
    scheduler = SuccessiveHalving({number: (0, rung_epochs) for number in range(n_trials)}, eta, direction)

    def plan(search):
        search.run([search.trial(number, config, max_epochs) for number, config in enumerate(configs)], scheduler)

    return run_search(search, plan)


def hyperband_brackets(n_trials, max_epochs, min_epochs, eta):
    """[(first rung in epochs, number of trials)] per bracket, from most to least aggressive.

    Bracket s starts its runs at max_epochs / eta^s epochs and gets a share of
    the trials proportional to eta^s / (s + 1), as in Li et al.'s Hyperband.
    """
    s_max = int(math.floor(math.log(max_epochs / min_epochs) / math.log(eta) + 1e-9))
    brackets = []
    for s in range(s_max, -1, -1):
        first_rung = max(min_epochs, int(round(max_epochs / eta ** s)))
        brackets.append((first_rung, (s_max + 1) / (s + 1) * eta ** s))
    total_weight = sum(weight for _, weight in brackets)
    shares = [n_trials * weight / total_weight for _, weight in brackets]
    counts = [int(math.floor(share)) for share in shares]
    for index in sorted(range(len(shares)), key=lambda index: counts[index] - shares[index])[:n_trials - sum(counts)]:
        counts[index] += 1
    return [(first_rung, count) for (first_rung, _), count in zip(brackets, counts) if count > 0]


def hyperband(objective, space, n_trials, *, max_epochs, min_epochs=1, eta=3, seed=0, executor=None, n_workers=None,
              address=None, direction="minimize", divergence_factor=10.0, storage=None, progress=True):
    """Successive halving in several brackets, from many runs killed early to a few trained fully.

    Successive halving must guess how soon runs can be judged; hyperband hedges
    by running brackets whose first rung is max_epochs / eta^s for each s,
    with more trials in the brackets that start small (``hyperband_brackets``).
    """
    space = spaces.as_space(space)
    n_trials = check_count(n_trials, "n_trials")
    max_epochs, min_epochs = _check_budgets(max_epochs, min_epochs, eta)
    brackets = hyperband_brackets(n_trials, max_epochs, min_epochs, eta)
    search = _search("hyperband", objective, space, {"max_epochs": max_epochs, "min_epochs": min_epochs, "eta": eta},
                     n_trials, seed, direction, executor, n_workers, address, storage, progress, divergence_factor)
    rng = numpy.random.default_rng(search.seed)
    assignment = {}
    trials = []
    for bracket, (first_rung, count) in enumerate(brackets):
        for _ in range(count):
            number = len(trials)
            assignment[number] = (bracket, rungs(first_rung, max_epochs, eta))
            trials.append(search.trial(number, spaces.sample(space, rng), max_epochs, bracket))
    scheduler = SuccessiveHalving(assignment, eta, direction)

    def plan(search):
        search.run(trials, scheduler)

    return run_search(search, plan)


def _optuna_distribution(optuna, name, dimension):
    distributions = optuna.distributions
    if isinstance(dimension, spaces.Uniform):
        return distributions.FloatDistribution(dimension.low, dimension.high, log=dimension.log)
    if isinstance(dimension, spaces.IntUniform):
        return distributions.IntDistribution(dimension.low, dimension.high, log=dimension.log)
    return distributions.CategoricalDistribution(dimension.values)


def _optuna_sampler(optuna, sampler, seed):
    if not isinstance(sampler, str):
        return sampler
    samplers = {"tpe": optuna.samplers.TPESampler, "random": optuna.samplers.RandomSampler,
                "cmaes": optuna.samplers.CmaEsSampler, "gp": optuna.samplers.GPSampler}
    if sampler not in samplers:
        raise ValueError(f"sampler must be one of {sorted(samplers)} or an Optuna sampler, got {sampler!r}")
    return samplers[sampler](seed=seed)


def bayesian(objective, space, n_trials, *, sampler="tpe", batch_size=4, seed=0, executor=None, n_workers=None,
             address=None, direction="minimize", max_epochs=None, divergence_factor=10.0, storage=None,
             progress=True):
    """Bayesian optimisation on Optuna (TPE by default): each batch of configurations chosen from all results so far.

    ``batch_size`` configurations are asked for at a time and run in parallel;
    it is fixed (not the number of workers) so that a seed gives the same
    study on every executor. Killed and diverged runs are told to Optuna as
    pruned, failed ones as failed. Needs the ``tune`` extra (Optuna).
    """
    optuna = extras.require("optuna", extra="tune", purpose="bayesian search")
    space = spaces.as_space(space)
    n_trials = check_count(n_trials, "n_trials")
    batch_size = check_count(batch_size, "batch_size")
    max_epochs = _check_max_epochs(max_epochs)
    distributions = {name: _optuna_distribution(optuna, name, dimension) for name, dimension in space.items()}
    search = _search("bayesian", objective, space,
                     {"sampler": sampler if isinstance(sampler, str) else type(sampler).__name__,
                      "batch_size": batch_size, "max_epochs": max_epochs},
                     n_trials, seed, direction, executor, n_workers, address, storage, progress, divergence_factor)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    optuna_study = optuna.create_study(direction=direction, sampler=_optuna_sampler(optuna, sampler, search.seed))
    states = {"finished": optuna.trial.TrialState.COMPLETE, "killed": optuna.trial.TrialState.PRUNED,
              "diverged": optuna.trial.TrialState.PRUNED, "failed": optuna.trial.TrialState.FAIL}

    def plan(search):
        number = 0
        while number < n_trials:
            asked = [optuna_study.ask(distributions) for _ in range(min(batch_size, n_trials - number))]
            configs = [{name: asked_trial.params[name] for name in space} for asked_trial in asked]
            results = search.run([search.trial(number + index, config, max_epochs)
                                  for index, config in enumerate(configs)])
            for asked_trial, result in zip(asked, results):
                value = result.value if result.status == "finished" else None
                optuna_study.tell(asked_trial, value, state=states[result.status])
            number += len(asked)

    return run_search(search, plan)
