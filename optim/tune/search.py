"""The machinery every search strategy shares: numbering and seeding trials, running them, recording, resuming.

A strategy plans configurations (all at once, or round by round from the
results so far) and hands lists of trials to ``Search.run``. Search gives
trial n the seed SeedSequence([seed, n]) whatever the executor, keeps every
result in the study, saves it after each trial when given ``storage``, and
takes trials already in the storage file instead of running them again. One
tqdm bar shows trials done and the best value so far.
"""
import json
import numbers
import os
import warnings

import numpy

from . import space as spaces
from .executors import make_executor
from .schedulers import Scheduler
from .study import Study, load_study
from .trial import Trial


class TrialFailedWarning(UserWarning):
    """A trial's objective raised an error; the search recorded it as "failed" and went on."""


def check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer (searches are reproducible from it), got {seed!r}")
    return int(seed)


def check_count(value, argument, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{argument} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _as_json(value):
    """``value`` as it reads back from JSON (tuples become lists); unchanged when JSON cannot hold it."""
    try:
        return json.loads(json.dumps(value))
    except TypeError:
        return value


class Search:
    """Runs the trials of one study on one executor; use as a context manager, or call ``close``."""

    def __init__(self, strategy, objective, space, settings, *, n_trials, seed, direction, executor, n_workers,
                 address, storage, progress, divergence_factor):
        if not callable(objective):
            raise TypeError(f"objective must be a function objective(config, trial) -> value, got {objective!r}")
        if divergence_factor is not None and (isinstance(divergence_factor, bool) or
                                              not isinstance(divergence_factor, numbers.Real) or
                                              not divergence_factor > 1):
            raise ValueError(f"divergence_factor must be a number > 1 (or None to catch only NaN and infinity), "
                             f"got {divergence_factor!r}")
        self.objective = objective
        self.seed = check_seed(seed)
        self.storage = None if storage is None else os.fspath(storage)
        settings = _as_json(dict(settings, seed=self.seed, n_trials=n_trials))
        self.study = Study(strategy, space, direction, settings, divergence_factor)
        self.recorded = self._load_recorded()
        self.executor = make_executor(executor, n_workers, address)
        self.bar = self._progress_bar(n_trials, progress)

    def _load_recorded(self):
        if self.storage is None or not os.path.exists(self.storage):
            return {}
        previous = load_study(self.storage)
        mine = self.study
        for what, theirs, ours in (("strategy", previous.strategy, mine.strategy),
                                   ("direction", previous.direction, mine.direction),
                                   ("space", spaces.describe(previous.space), _as_json(spaces.describe(mine.space))),
                                   ("settings", previous.settings, mine.settings)):
            if theirs != ours:
                raise ValueError(f"storage {self.storage!r} holds another study: its {what} is {theirs!r}, this "
                                 f"search's is {ours!r}; give another file to start afresh")
        return {trial.number: trial for trial in previous.trials}

    def _progress_bar(self, total, enabled):
        if not enabled:
            return None
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return None
        return tqdm(total=total, unit="trial", desc=self.study.strategy, leave=True)

    def trial(self, number, config, max_epochs=None, bracket=0):
        """Trial ``number`` with ``config`` and its own seed, ready to run."""
        seed = int(numpy.random.SeedSequence([self.seed, number]).generate_state(1)[0])
        return Trial(number, config, seed, max_epochs, self.study.direction, self.study.divergence_factor, bracket)

    def run(self, trials, scheduler=None):
        """Run ``trials`` (taking recorded ones from storage) and return them, finished, in the same order."""
        scheduler = scheduler or Scheduler()
        to_run = []
        for trial in trials:
            recorded = self.recorded.get(trial.number)
            if recorded is None:
                to_run.append(trial)
                continue
            if _as_json(recorded.config) != _as_json(trial.config):
                raise ValueError(f"storage {self.storage!r} records trial {trial.number} with config "
                                 f"{recorded.config}, but this search plans {trial.config}: it is another study")
            scheduler.restore(recorded)
            self._record(recorded)
        self.executor.run(self.objective, to_run, scheduler, self._record)
        by_number = {trial.number: trial for trial in self.study.trials}
        return [by_number[trial.number] for trial in trials]

    def _record(self, trial):
        self.study.add(trial)
        if trial.status == "failed":
            warnings.warn(f"trial {trial.number} with config {trial.config} failed: {trial.error}",
                          TrialFailedWarning, stacklevel=2)
        if self.storage is not None:
            self.study.save(self.storage)
        if self.bar is not None:
            self.bar.update(1)
            if self.study.finished():
                self.bar.set_postfix(best=f"{self.study.best_value:.4g}", refresh=False)

    def close(self):
        self.executor.close()
        if self.bar is not None:
            self.bar.close()
        if self.storage is not None:
            self.study.save(self.storage)


def run_search(search, plan):
    """Run ``plan(search)``; Ctrl-C ends the search early and still returns the study so far."""
    try:
        plan(search)
    except KeyboardInterrupt:
        search.study.interrupted = True
    finally:
        search.close()
    return search.study
