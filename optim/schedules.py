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


class LearningRateState:
    """What every schedule shares: the optimizer's current rates, and saving and restoring its own state."""

    @property
    def last_lr(self):
        """The learning rate of each group, now."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        return {name: value for name, value in vars(self).items() if name != "optimizer"}

    def load_state_dict(self, state_dict):
        unknown = set(state_dict) - set(self.state_dict())
        if unknown:
            raise ValueError(f"{type(self).__name__} has no setting(s) {sorted(unknown)}")
        vars(self).update(state_dict)


class Schedule(LearningRateState, abc.ABC):
    """Base of the decay schedules: ``step()`` advances t and sets each group's lr to ``rate(alpha_0, t)``."""

    def __init__(self, optimizer):
        for number, group in enumerate(optimizer.param_groups):
            if "lr" not in group:
                raise ValueError(f"parameter group {number} of {type(optimizer).__name__} has no 'lr' to schedule")
        self.optimizer = optimizer
        self.initial_lrs = [group["lr"] for group in optimizer.param_groups]
        self.t = 0

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
        if not k >= 0:
            raise ValueError(f"the decay rate k must be >= 0, got {k!r}")
        super().__init__(optimizer)
        self.k = k

    def rate(self, initial_lr, t):
        return initial_lr * math.exp(-self.k * t)


class InverseDecay(Schedule):
    """alpha_t = alpha_0 / (1 + k t)."""

    def __init__(self, optimizer, k):
        if not k >= 0:
            raise ValueError(f"the decay rate k must be >= 0, got {k!r}")
        super().__init__(optimizer)
        self.k = k

    def rate(self, initial_lr, t):
        return initial_lr / (1 + self.k * t)


class StepDecay(Schedule):
    """alpha_t = alpha_0 factor^floor(t / step_size): multiply by ``factor`` every ``step_size`` calls."""

    def __init__(self, optimizer, step_size, factor=0.5):
        if not (isinstance(step_size, int) and step_size >= 1):
            raise ValueError(f"step_size must be a positive integer, got {step_size!r}")
        if not 0 < factor <= 1:
            raise ValueError(f"factor must lie in (0, 1], got {factor!r}")
        super().__init__(optimizer)
        self.step_size = step_size
        self.factor = factor

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
        if not 0 < factor < 1:
            raise ValueError(f"factor must lie in (0, 1), got {factor!r}")
        if patience < 0 or cooldown < 0:
            raise ValueError(f"patience and cooldown must be >= 0, got {patience!r} and {cooldown!r}")
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
