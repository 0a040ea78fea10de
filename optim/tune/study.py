"""A study: every trial of one search, the best configuration, and saving and resuming as JSON (Section 3.3.1).

A study keeps every trial whatever its end (finished, killed at a rung,
diverged, failed with its error), so one failing or interrupted run never
loses the others' results. ``save`` writes plain JSON (no pickle: loading
runs no code) and a search given ``storage=path`` saves after every trial and,
when the file exists, resumes from it: trials already recorded are not run
again, and the rest are planned exactly as in the first run.
"""
import collections
import json
import os
import tempfile

from . import space as spaces
from .trial import Trial

FORMAT = "autograd_core.optim.tune.study/1"


class Study:
    """The trials of one search: ``trials``, ``best_trial``, ``best_config``, ``best_value``, ``plot``, ``ensemble``.

    ``strategy`` names the search, ``settings`` its keywords (seed, budget,
    rungs, ...), ``direction`` is "minimize" or "maximize". ``interrupted`` is
    True when Ctrl-C ended the search early.
    """

    def __init__(self, strategy, space, direction="minimize", settings=None, divergence_factor=10.0):
        if direction not in ("minimize", "maximize"):
            raise ValueError(f"direction must be 'minimize' or 'maximize', got {direction!r}")
        self.strategy = strategy
        self.space = space
        self.direction = direction
        self.settings = dict(settings or {})
        self.divergence_factor = divergence_factor
        self.trials = []
        self.interrupted = False

    # --- results ----------------------------------------------------------------------------------
    def add(self, trial):
        self.trials.append(trial)
        self.trials.sort(key=lambda recorded: recorded.number)

    def finished(self):
        """The trials that ran to completion with a finite value."""
        return [trial for trial in self.trials if trial.status == "finished"]

    def ranked(self):
        """The finished trials from best to worst (ties by trial number)."""
        sign = 1.0 if self.direction == "minimize" else -1.0
        return sorted(self.finished(), key=lambda trial: (sign * trial.value, trial.number))

    @property
    def best_trial(self):
        ranked = self.ranked()
        if not ranked:
            failures = [trial.error for trial in self.trials if trial.status == "failed"]
            detail = f"; the first failure: {failures[0]}" if failures else ""
            raise ValueError(f"no trial finished (statuses: {dict(self.statuses())}){detail}")
        return ranked[0]

    @property
    def best_config(self):
        return dict(self.best_trial.config)

    @property
    def best_value(self):
        return self.best_trial.value

    def statuses(self):
        """How many trials ended each way, e.g. Counter({"finished": 3, "killed": 20})."""
        return collections.Counter(trial.status for trial in self.trials)

    @property
    def total_epochs(self):
        """Epochs reported by all trials together: the search's cost in training."""
        return sum(trial.epochs for trial in self.trials)

    @property
    def total_seconds(self):
        return sum(trial.seconds or 0.0 for trial in self.trials)

    def __len__(self):
        return len(self.trials)

    def __repr__(self):
        best = f", best_value={self.best_value:.6g}" if self.finished() else ""
        return f"Study(strategy={self.strategy!r}, trials={len(self.trials)}, statuses={dict(self.statuses())}{best})"

    # --- files ------------------------------------------------------------------------------------
    def to_dict(self):
        return {"format": FORMAT, "strategy": self.strategy, "direction": self.direction,
                "divergence_factor": self.divergence_factor, "space": spaces.describe(self.space),
                "settings": self.settings, "interrupted": self.interrupted,
                "trials": [trial.to_dict() for trial in self.trials]}

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a saved study: expected format {FORMAT!r}, got "
                             f"{data.get('format') if isinstance(data, dict) else type(data).__name__!r}")
        study = cls(data["strategy"], spaces.from_description(data["space"]), data["direction"], data["settings"],
                    data.get("divergence_factor", 10.0))
        study.interrupted = bool(data.get("interrupted", False))
        for record in data["trials"]:
            study.add(Trial.from_dict(record, study.direction, study.divergence_factor))
        return study

    def save(self, path):
        """Write the study to ``path`` as JSON, atomically (a crash mid-write leaves the old file)."""
        try:
            text = json.dumps(self.to_dict(), indent=1)
        except TypeError as error:
            raise TypeError(f"the study cannot be saved as JSON: configurations and values must be numbers, "
                            f"strings, booleans, None or lists of them ({error})") from error
        folder = os.path.dirname(os.path.abspath(path))
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".study-", suffix=".json")
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.replace(temporary, path)

    # --- pictures and models ----------------------------------------------------------------------
    def plot(self, path=None):
        """Value against each hyperparameter, log axes where it was sampled in log; killed runs marked."""
        from .plotting import plot_study

        return plot_study(self, path)

    def plot_reports(self, path=None, ax=None):
        """Each trial's reported value against epoch; killed and diverged runs end early, marked with a cross."""
        from .plotting import plot_reports

        return plot_reports(self, path, ax)

    def ensemble(self, k, build):
        """The ``k`` best finished runs' models, averaged at prediction (the text's "a few winners").

        ``build(config)`` makes a fresh model for a configuration; each gets
        the weights its trial kept with ``trial.keep(model)``.
        """
        from .ensemble import Ensemble

        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"ensemble needs k as a positive integer, got {k!r}")
        kept = [trial for trial in self.ranked() if trial.state is not None]
        if len(kept) < k:
            raise ValueError(f"ensemble(k={k}) needs {k} finished trials with kept weights, the study has "
                             f"{len(kept)}: call trial.keep(model) at the end of the objective")
        models = []
        for trial in kept[:k]:
            model = build(dict(trial.config))
            model.load_state_dict(trial.state)
            models.append(model)
        return Ensemble(models)


def load_study(path):
    """The study saved at ``path`` by ``Study.save`` (JSON only; nothing in it is run)."""
    with open(path) as stream:
        return Study.from_dict(json.load(stream))
