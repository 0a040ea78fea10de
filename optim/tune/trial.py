"""A trial: one training run with one configuration, and how it reports, is killed and ends (Section 3.3.1).

The objective receives ``(config, trial)`` and calls ``trial.report(epoch,
value)`` after each epoch. The report is where the search steps in, as the
text asks: "runs that are obviously poor or diverge can be quickly killed".
A run whose value turns NaN or infinite, or climbs ``divergence_factor``
times above where it started, is stopped at once (status ``"diverged"``); a
scheduler such as successive halving may also stop it at a rung
(``"killed"``). Stopping is an exception raised inside ``report``, which the
search catches, so the objective needs no code for it (as Optuna's pruning).
"""
import math
import numbers
import time

import numpy

STATUSES = ("finished", "killed", "diverged", "failed")


class TrialStopped(Exception):
    """Raised by ``Trial.report`` to end a run early; the search catches it and records the status."""

    status = None

    def __init__(self, message, rung=None):
        super().__init__(message)
        self.rung = rung


class TrialKilled(TrialStopped):
    """The scheduler stopped a run that is among the worst at a rung (successive halving, hyperband)."""

    status = "killed"


class TrialDiverged(TrialStopped):
    """A run's reported value became NaN or infinite, or rose far above its first report."""

    status = "diverged"


def as_value(value, argument):
    """A Python float from a number, a 0-d or one-element array, or a one-element Tensor."""
    if isinstance(value, bool):
        raise TypeError(f"{argument} must be a number, got a bool ({value!r})")
    if isinstance(value, numbers.Real):
        return float(value)
    data = getattr(value, "data", value)
    size = getattr(data, "size", None)
    if size == 1 and hasattr(data, "item"):
        return float(data.item())
    raise TypeError(f"{argument} must be a number (or a one-element array or Tensor), got {value!r}")


class Trial:
    """One run of the objective: its ``config``, ``seed``, ``reports`` [(epoch, value)], ``status``, ``value``.

    ``number`` is its place in the study; ``max_epochs`` the budget a
    successive-halving search gives every run (None when the objective
    decides); ``rung`` the epoch count at which it was killed; ``error`` the
    exception of a failed run; ``seconds`` its wall time; ``state`` the model
    weights kept by ``keep`` for ``Study.ensemble``.
    """

    def __init__(self, number, config, seed, max_epochs=None, direction="minimize", divergence_factor=10.0,
                 bracket=0):
        self.number = int(number)
        self.config = dict(config)
        self.seed = int(seed)
        self.max_epochs = max_epochs
        self.direction = direction
        self.divergence_factor = divergence_factor
        self.bracket = int(bracket)
        self.reports = []
        self.status = "pending"
        self.value = None
        self.rung = None
        self.error = None
        self.seconds = None
        self.state = None
        self._scheduler = None
        self._stopped = None

    # --- what the objective calls ----------------------------------------------------------------
    def report(self, epoch, value):
        """Record ``value`` after epoch ``epoch`` (0, 1, 2, ... as ``range`` counts); may raise ``TrialStopped``.

        After epoch e the run has trained e + 1 epochs; successive halving
        compares runs when that count reaches a rung.
        """
        if self._stopped is not None:
            raise self._stopped
        if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 0:
            raise ValueError(f"trial.report needs epoch as an integer >= 0, got {epoch!r}")
        epoch = int(epoch)
        if self.reports and epoch <= self.reports[-1][0]:
            raise ValueError(f"trial.report needs increasing epochs: got epoch={epoch} after epoch="
                             f"{self.reports[-1][0]}")
        value = as_value(value, "trial.report's value")
        self.reports.append([epoch, value])
        if self._diverged(value):
            self._stopped = TrialDiverged(f"trial {self.number} diverged at epoch {epoch}: value {value!r} after "
                                          f"starting at {self.reports[0][1]!r}", rung=epoch + 1)
            raise self._stopped
        if self._scheduler is not None:
            self._ask_scheduler(epoch + 1, value)

    def keep(self, model):
        """Keep a copy of ``model``'s weights (its ``state_dict``) for ``Study.ensemble``."""
        if not hasattr(model, "state_dict"):
            raise TypeError(f"trial.keep needs an nn.Module (something with state_dict()), got {type(model).__name__}")
        self.state = {name: numpy.array(_to_numpy(array)) for name, array in model.state_dict().items()}

    @property
    def epochs(self):
        """How many epochs the run reported."""
        return len(self.reports)

    # --- what the search uses --------------------------------------------------------------------
    def _diverged(self, value):
        if not math.isfinite(value):
            return True
        start = self.reports[0][1]
        rise = value - start if self.direction == "minimize" else start - value
        return self.divergence_factor is not None and rise > (self.divergence_factor - 1) * abs(start) > 0

    def _ask_scheduler(self, epochs_done, value):
        pause = 0.002
        while True:
            decision = self._scheduler.decide(self.number, epochs_done, value)
            if decision != "wait":
                break
            # an earlier trial has not reached this rung yet; it runs on another worker
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        if decision == "kill":
            self._stopped = TrialKilled(f"trial {self.number} killed at rung {epochs_done} with value {value!r}",
                                        rung=epochs_done)
            raise self._stopped

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_scheduler"] = None
        return state

    def to_dict(self):
        """The trial as JSON-ready data (weights as lists with their dtype and shape)."""
        record = {key: getattr(self, key) for key in ("number", "config", "seed", "max_epochs", "bracket", "status",
                                                       "value", "rung", "error", "seconds", "reports")}
        if self.state is not None:
            record["state"] = {name: {"dtype": str(array.dtype), "shape": list(array.shape),
                                      "data": array.ravel().tolist()} for name, array in self.state.items()}
        return record

    @classmethod
    def from_dict(cls, record, direction="minimize", divergence_factor=10.0):
        trial = cls(record["number"], record["config"], record["seed"], record.get("max_epochs"), direction,
                    divergence_factor, record.get("bracket", 0))
        if record["status"] not in STATUSES:
            raise ValueError(f"trial {record['number']} has unknown status {record['status']!r}; "
                             f"expected one of {STATUSES}")
        for key in ("status", "value", "rung", "error", "seconds"):
            setattr(trial, key, record.get(key))
        trial.reports = [[int(epoch), float(value)] for epoch, value in record.get("reports", [])]
        if record.get("state") is not None:
            trial.state = {}
            for name, entry in record["state"].items():
                shape = tuple(int(size) for size in entry["shape"])
                array = numpy.asarray(entry["data"], dtype=numpy.dtype(entry["dtype"]))
                if array.size != math.prod(shape):
                    raise ValueError(f"trial {trial.number}: weights {name!r} hold {array.size} values for shape "
                                     f"{shape}")
                trial.state[name] = array.reshape(shape)
        return trial

    def __repr__(self):
        value = "None" if self.value is None else f"{self.value:.6g}"
        return (f"Trial(number={self.number}, status={self.status!r}, value={value}, epochs={self.epochs}, "
                f"config={self.config})")


def _to_numpy(array):
    array = getattr(array, "data", array)
    return array.get() if hasattr(array, "get") and not isinstance(array, numpy.ndarray) else array


def run_trial(objective, trial, scheduler=None):
    """Run ``objective(trial.config, trial)`` and return the trial with its status, value and time.

    The value is what the objective returns, or its last report when it
    returns None. Killed and diverged runs keep their reports and last value;
    a failing run records its error; nothing is raised except KeyboardInterrupt.
    """
    trial._scheduler = scheduler
    started = time.perf_counter()
    try:
        returned = objective(trial.config, trial)
        if trial._stopped is not None:
            raise trial._stopped
        if returned is None:
            if not trial.reports:
                raise ValueError("the objective returned None and reported nothing: return the value to optimise")
            returned = trial.reports[-1][1]
        trial.value = as_value(returned, "the objective's return value")
        trial.status = "finished" if math.isfinite(trial.value) else "diverged"
    except TrialStopped as stop:
        trial.status, trial.rung = stop.status, stop.rung
        trial.value = trial.reports[-1][1] if trial.reports else None
    except Exception as error:  # a failing run must not lose the others' results
        trial.status = "failed"
        trial.error = f"{type(error).__name__}: {error}"
    finally:
        trial.seconds = time.perf_counter() - started
        trial._scheduler = None
        if scheduler is not None:
            scheduler.finish(trial.number)
    return trial
