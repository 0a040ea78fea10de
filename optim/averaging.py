"""Polyak averaging: evaluate with an average of the weights along the path (Section 3.5.7, Figure 3.15).

When the weights bounce across a valley, the average of their recent values
lies near its floor. With W_t the weights after step t (t = 1, 2, ...)::

    simple average        W-bar_t = (1/t) sum_{i=1..t} W_i
                                  = W-bar_{t-1} + (W_t - W-bar_{t-1}) / t
    exponential average   W-bar_t = sum_{i=1..t} beta^(t-i) W_i / sum_{i=1..t} beta^(t-i)
                                  = W-bar_{t-1} + (W_t - W-bar_{t-1}) (1 - beta) / (1 - beta^t)

Both are kept by the recursion on the right, which equals the explicit formula
on the left at every t (the normaliser sum_i beta^(t-i) = (1 - beta^t) / (1 - beta)
is what the recursion divides by). The familiar W-bar_t = beta W-bar_{t-1} +
(1 - beta) W_t started at W-bar_1 = W_1 is not the same average: it gives W_1
the weight beta^(t-1) instead of beta^(t-1) / sum_i beta^(t-i), so for W_t = t,
beta = 0.9 and 20 steps it gives 12.22 where the formula gives 13.77. The
exponential form forgets the early, poor weights. The average is kept
beside any optimizer (call ``update()`` after each ``step()``) and swapped into
the parameters for evaluation::

    averager = optim.PolyakAverage(model.parameters(), beta=0.99)
    for batch in batches:
        ...; opt.step(); averager.update()
    with averager.averaged():
        evaluate(model)           # runs with W-bar; the trained W is back afterwards
"""
import contextlib

import autograd_core as ag

from .optimizer import parameter_list


class PolyakAverage:
    """A running simple (``beta=None``) or exponential (``beta`` in (0, 1)) average of parameters."""

    def __init__(self, params, beta=None, start=0):
        if beta is not None and not 0 < beta < 1:
            raise ValueError(f"beta must lie in (0, 1) for the exponential average, or be None for the simple "
                             f"average; got {beta!r}")
        if start < 0:
            raise ValueError(f"start (the number of updates to skip before averaging) must be >= 0, got {start!r}")
        self.params = parameter_list(params)
        if not self.params:
            raise ValueError("PolyakAverage got an empty list of parameters")
        self.beta = beta
        self.start = start
        self.calls = 0
        self.count = 0
        self.averages = None
        self.swapped = False

    def update(self):
        """Fold the current weights into the average (skipping the first ``start`` calls)."""
        if self.swapped:
            raise RuntimeError("update() while the averaged weights are swapped in would average the average: "
                               "call swap() again (or leave the averaged() block) first")
        self.calls += 1
        if self.calls <= self.start:
            return
        self.count += 1
        if self.averages is None:
            self.averages = [param.data.copy() for param in self.params]    # W-bar_1 = W_1
            return
        if self.beta is None:
            rate = 1.0 / self.count                                         # W-bar += (W_t - W-bar) / t
        else:
            rate = (1 - self.beta) / (1 - self.beta ** self.count)          # ... (1 - beta) / (1 - beta^t)
        for average, param in zip(self.averages, self.params):
            average += (param.data - average) * rate

    def swap(self):
        """Exchange the weights and their average (call again to swap back).

        The parameters change in place through ``copy_``, so their versions are
        bumped and a graph recorded with the other weights cannot be backpropagated
        by mistake.
        """
        if self.averages is None:
            raise RuntimeError("there is no average yet: call update() after at least one optimizer step "
                               f"(the first {self.start} updates are skipped)")
        with ag.no_grad():
            for average, param in zip(self.averages, self.params):
                weights = param.data.copy()
                param.copy_(average)
                average[...] = weights
        self.swapped = not self.swapped

    @contextlib.contextmanager
    def averaged(self):
        """Within the block the parameters hold the averaged weights; the trained weights come back after."""
        self.swap()
        try:
            yield self
        finally:
            self.swap()

    def copy_to_params(self):
        """Overwrite the parameters with the average for good (for example at the end of training)."""
        if self.averages is None:
            raise RuntimeError("there is no average yet: call update() after at least one optimizer step")
        if self.swapped:
            self.swap()
        with ag.no_grad():
            for average, param in zip(self.averages, self.params):
                param.copy_(average)

    def state_dict(self):
        return {"beta": self.beta, "start": self.start, "calls": self.calls, "count": self.count,
                "averages": None if self.averages is None else [average.copy() for average in self.averages],
                "swapped": self.swapped}

    def load_state_dict(self, state_dict):
        averages = state_dict["averages"]
        if averages is not None:
            if len(averages) != len(self.params):
                raise ValueError(f"the saved average has {len(averages)} arrays, this one has {len(self.params)} "
                                 "parameters")
            for number, (average, param) in enumerate(zip(averages, self.params)):
                if tuple(average.shape) != tuple(param.shape):
                    raise ValueError(f"saved average {number} has shape {tuple(average.shape)}, the parameter "
                                     f"has shape {tuple(param.shape)}")
            averages = [average.copy() for average in averages]
        if state_dict["swapped"] != self.swapped:
            raise ValueError("save and load the average while the trained weights are in place (not swapped)")
        self.beta, self.start = state_dict["beta"], state_dict["start"]
        self.calls, self.count, self.averages = state_dict["calls"], state_dict["count"], averages
