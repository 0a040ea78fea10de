"""Learning-rate schedules (Section 3.5.1): exponential, inverse and step decay, and reduce-on-plateau.

A schedule holds an optimizer and rewrites ``group["lr"]`` in each of its
parameter groups, so it composes with every optimizer of this package (for
AdaDelta, ``lr`` multiplies the text's step). With alpha_0 each group's
learning rate when the schedule was made and t the number of calls to
``step()`` so far (steps or epochs, as the caller chooses)::

    exponential decay   alpha_t = alpha_0 exp(-k t)
    inverse decay       alpha_t = alpha_0 / (1 + k t)
    step decay          alpha_t = alpha_0 factor^floor(t / step_size)

``ReduceOnPlateau`` instead watches a held-out loss passed to ``step(loss)``
and multiplies the rates by ``factor`` when it has not improved for
``patience`` calls.

    >>> opt = optim.SGD(params, lr=0.1)
    >>> schedule = optim.ExponentialDecay(opt, k=0.01)
    >>> for epoch in range(epochs):
    ...     train_one_epoch(opt)
    ...     schedule.step()
"""
import abc
import math
import numbers


def check_number(owner, name, value, minimum=None, maximum=None, include_minimum=True, include_maximum=True,
                 finite=True):
    """Raise TypeError unless ``value`` is a real number (not a bool), ValueError unless it is in range."""
    low = "" if minimum is None else f"{'[' if include_minimum else '('}{minimum:g}"
    high = "" if maximum is None else f"{maximum:g}{']' if include_maximum else ')'}"
    wanted = (f"a {'finite ' if finite else ''}number" +
              (f" in {low}, {high}" if low and high else f" {'>=' if include_minimum else '>'} {minimum:g}" if low
               else ""))
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be {wanted}, got {type(value).__name__} {value!r}")
    too_low = minimum is not None and (value < minimum or (value == minimum and not include_minimum))
    too_high = maximum is not None and (value > maximum or (value == maximum and not include_maximum))
    if math.isnan(value) or (finite and not math.isfinite(value)) or too_low or too_high:
        raise ValueError(f"{owner}: {name} must be {wanted}, got {value!r}")


def check_count(owner, name, value, minimum=0):
    """Raise TypeError unless ``value`` is an integer (not a bool), ValueError unless it is >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an integer >= {minimum}, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}, got {value!r}")


class LearningRateState:
    """What every schedule shares: the optimizer's current rates, and saving and restoring its own state."""

    @property
    def last_lr(self):
        """The learning rate of each group, now."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        return {name: value for name, value in vars(self).items() if name != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore a state saved by ``state_dict``; every value is checked first, as the constructor checks it."""
        if not isinstance(state_dict, dict):
            raise TypeError(f"{type(self).__name__}.load_state_dict expects the dict returned by state_dict(), "
                            f"got {type(state_dict).__name__}")
        unknown = set(state_dict) - set(self.state_dict())
        if unknown:
            raise ValueError(f"{type(self).__name__} has no setting(s) {sorted(unknown)}")
        candidate = {**self.state_dict(), **state_dict}
        self.check_state(candidate)
        vars(self).update(candidate)

    def check_state(self, state):
        """Raise TypeError or ValueError for a setting or counter of the wrong kind or out of range."""


class Schedule(LearningRateState, abc.ABC):
    """Base of the decay schedules: ``step()`` advances t and sets each group's lr to ``rate(alpha_0, t)``."""

    def __init__(self, optimizer):
        for number, group in enumerate(optimizer.param_groups):
            if "lr" not in group:
                raise ValueError(f"parameter group {number} of {type(optimizer).__name__} has no 'lr' to schedule")
        self.optimizer = optimizer
        self.initial_lrs = [group["lr"] for group in optimizer.param_groups]
        self.t = 0

    def check_state(self, state):
        owner = type(self).__name__
        check_count(owner, "t", state["t"])
        lrs = state["initial_lrs"]
        if not isinstance(lrs, (list, tuple)) or len(lrs) != len(self.optimizer.param_groups):
            raise ValueError(f"{owner}: initial_lrs must list one learning rate for each of the "
                             f"{len(self.optimizer.param_groups)} parameter group(s), got {lrs!r}")
        for lr in lrs:
            check_number(owner, "each initial learning rate", lr, minimum=0)

    @abc.abstractmethod
    def rate(self, initial_lr, t):
        """alpha_t for a group whose learning rate started at ``initial_lr``."""

    def step(self):
        """Advance t by one and write the new learning rates into the optimizer's groups."""
        self.t += 1
        for group, initial_lr in zip(self.optimizer.param_groups, self.initial_lrs):
            group["lr"] = self.rate(initial_lr, self.t)


class ExponentialDecay(Schedule):
    """alpha_t = alpha_0 exp(-k t)."""

    def __init__(self, optimizer, k):
        check_number(type(self).__name__, "the decay rate k", k, minimum=0)
        super().__init__(optimizer)
        self.k = k

    def check_state(self, state):
        super().check_state(state)
        check_number(type(self).__name__, "the decay rate k", state["k"], minimum=0)

    def rate(self, initial_lr, t):
        return initial_lr * math.exp(-self.k * t)


class InverseDecay(Schedule):
    """alpha_t = alpha_0 / (1 + k t)."""

    def __init__(self, optimizer, k):
        check_number(type(self).__name__, "the decay rate k", k, minimum=0)
        super().__init__(optimizer)
        self.k = k

    def check_state(self, state):
        super().check_state(state)
        check_number(type(self).__name__, "the decay rate k", state["k"], minimum=0)

    def rate(self, initial_lr, t):
        return initial_lr / (1 + self.k * t)


class StepDecay(Schedule):
    """alpha_t = alpha_0 factor^floor(t / step_size): multiply by ``factor`` every ``step_size`` calls."""

    def __init__(self, optimizer, step_size, factor=0.5):
        self._check_settings(step_size, factor)
        super().__init__(optimizer)
        self.step_size = step_size
        self.factor = factor

    def _check_settings(self, step_size, factor):
        owner = type(self).__name__
        if isinstance(step_size, bool) or not isinstance(step_size, numbers.Integral) or step_size < 1:
            raise ValueError(f"{owner}: step_size must be a positive integer, got {step_size!r}")
        check_number(owner, "factor", factor, minimum=0, maximum=1, include_minimum=False)

    def check_state(self, state):
        super().check_state(state)
        self._check_settings(state["step_size"], state["factor"])

    def rate(self, initial_lr, t):
        return initial_lr * self.factor ** (t // self.step_size)


class ReduceOnPlateau(LearningRateState):
    """Multiply every group's lr by ``factor`` when a held-out loss stops improving.

    ``step(loss)`` records the loss (lower is better). An improvement means
    falling below best - |best| threshold; when more than ``patience`` calls in
    a row bring none, the rates are reduced (never below ``min_lr``) and
    ``cooldown`` calls pass before the count starts again.
    """

    def __init__(self, optimizer, factor=0.1, patience=10, threshold=1e-4, cooldown=0, min_lr=0.0):
        self.optimizer = optimizer
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.cooldown = cooldown
        self.min_lr = min_lr
        self.best = math.inf
        self.bad_steps = 0
        self.cooldown_left = 0
        self.reductions = 0
        self.check_state(self.state_dict())

    def check_state(self, state):
        owner = type(self).__name__
        check_number(owner, "factor", state["factor"], minimum=0, maximum=1, include_minimum=False,
                     include_maximum=False)
        check_count(owner, "patience", state["patience"])
        check_count(owner, "cooldown", state["cooldown"])
        check_number(owner, "threshold", state["threshold"], minimum=0)
        check_number(owner, "min_lr", state["min_lr"], minimum=0)
        check_number(owner, "best", state["best"], finite=False)
        for name in ("bad_steps", "cooldown_left", "reductions"):
            check_count(owner, name, state[name])

    def step(self, loss):
        """Record one held-out loss; reduce the learning rates if it is the ``patience``-th without progress."""
        loss = float(loss)
        if self.best == math.inf or loss < self.best - abs(self.best) * self.threshold:
            self.best = loss
            self.bad_steps = 0
        else:
            self.bad_steps += 1
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.bad_steps = 0
        if self.bad_steps > self.patience:
            for group in self.optimizer.param_groups:
                group["lr"] = max(group["lr"] * self.factor, self.min_lr)
            self.reductions += 1
            self.bad_steps = 0
            self.cooldown_left = self.cooldown
