"""Diagnostics of a training run: per-layer gradients, update sizes and activations (Section 3.4).

Section 3.4 names the ways deep networks fail to train: gradients that shrink
layer after layer (vanishing, Eq. 3.38: with sigmoid units each layer
multiplies the gradient by w Phi'(v) <= w / 4), gradients that blow up
(exploding), units that saturate (sigmoid and tanh outputs pinned near their
limits, where Phi' is almost 0), and ReLU units that die (output 0, and so
gradient 0, for every input). ``GradientMonitor`` watches for all of them:

    >>> monitor = nn.diagnostics.GradientMonitor(model)
    >>> for X_batch, y_batch in loader:
    ...     loss = nn.functional.cross_entropy(model(X_batch), y_batch)
    ...     optimizer.zero_grad(); loss.backward(); optimizer.step()
    ...     monitor.step()
    >>> print(monitor.summary())      # one line, with VANISHING / EXPLODING / DYING flags
    >>> monitor.plot("gradients.png")

Activations are recorded by forward hooks on the activation modules
(installed by the monitor on those module instances only, removed by
``remove()``); gradients and weights are read from the parameters at each
``step()``.
"""
import math

from .activations import HardTanh, LeakyReLU, ReLU, Sigmoid, Tanh
from .arrays import array_module, raw
from .layers import Maxout

# Where Phi'(v) has fallen below about 1/100 of its peak: sigmoid beyond 0.01 / 0.99, tanh beyond +-0.99.
SATURATION = {Sigmoid: lambda xp, h: (h < 0.01) | (h > 0.99), Tanh: lambda xp, h: xp.abs(h) > 0.99,
              HardTanh: lambda xp, h: xp.abs(h) >= 1.0}
WATCHED = (Sigmoid, Tanh, HardTanh, ReLU, LeakyReLU, Maxout)


def _norm(array):
    xp = array_module(array)
    return float(xp.sqrt(xp.sum(xp.square(array.astype(xp.float64)))))


class _ActivationRecord:
    """What one activation layer produced since the last step: moments, saturation, units ever active."""

    def __init__(self, kind):
        self.kind = kind
        self.history = {"mean": [], "std": [], "saturated": [], "dead": [], "inactive": []}
        self.epoch_active = None
        self.epoch_dead = []
        self.epoch_inactive = []
        self._clear()

    def _clear(self):
        self.total = self.total_square = self.count = self.saturated = 0.0
        self.active = None

    def observe(self, h):
        xp = array_module(h)
        flat = h.reshape(-1, h.shape[-1]) if h.ndim > 1 else h.reshape(1, -1)
        self.total += float(xp.sum(flat))
        self.total_square += float(xp.sum(xp.square(flat)))
        self.count += flat.size
        if self.kind in SATURATION:
            self.saturated += float(xp.sum(SATURATION[self.kind](xp, flat)))
        active = xp.any(flat > 0, axis=0)
        self.active = active if self.active is None else self.active | active
        self.epoch_active = active if self.epoch_active is None else self.epoch_active | active

    def close_step(self):
        if self.count == 0:
            for values in self.history.values():
                values.append(math.nan)
            return
        mean = self.total / self.count
        self.history["mean"].append(mean)
        self.history["std"].append(math.sqrt(max(self.total_square / self.count - mean * mean, 0.0)))
        self.history["saturated"].append(self.saturated / self.count if self.kind in SATURATION else math.nan)
        never_positive = 1.0 - float(self.active.mean())
        # a ReLU unit that is never positive passes no gradient: dead; a leaky one still learns: only inactive
        self.history["dead"].append(never_positive if self.kind is ReLU else 0.0)
        self.history["inactive"].append(never_positive)
        self._clear()

    def close_epoch(self):
        if self.epoch_active is None:
            return math.nan
        never_positive = 1.0 - float(self.epoch_active.mean())
        self.epoch_inactive.append(never_positive)
        self.epoch_dead.append(never_positive if self.kind is ReLU else 0.0)
        self.epoch_active = None
        return self.epoch_dead[-1]


class GradientMonitor:
    """Per-parameter gradient norms and update-to-weight ratios, and per-activation-layer statistics, each step.

    ``vanishing_ratio``: flag vanishing when the earliest weight's gradient
    norm is below this fraction of the last's (1e-6, the text's 10-layer
    sigmoid chain). ``exploding_ratio``: flag exploding when it is above this
    multiple of the last's, or when the total gradient norm has grown this
    many times since the first step, or when any norm is NaN or infinite.
    ``dead_threshold``: flag dying when a ReLU layer has more than this
    fraction of dead units (output 0 for every example of the step's batches).
    """

    def __init__(self, model, vanishing_ratio=1e-6, exploding_ratio=1e3, dead_threshold=0.5):
        if not hasattr(model, "named_parameters") or not hasattr(model, "named_modules"):
            raise TypeError(f"GradientMonitor needs an nn.Module, got {type(model).__name__}")
        for name, value in (("vanishing_ratio", vanishing_ratio), ("exploding_ratio", exploding_ratio)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        if isinstance(dead_threshold, bool) or not isinstance(dead_threshold, (int, float)) or \
                not 0 <= dead_threshold <= 1:
            raise ValueError(f"dead_threshold must be a fraction in [0, 1], got {dead_threshold!r}")
        self.model = model
        self.vanishing_ratio = float(vanishing_ratio)
        self.exploding_ratio = float(exploding_ratio)
        self.dead_threshold = float(dead_threshold)
        self.parameters = [(name, parameter) for name, parameter in model.named_parameters()
                           if parameter.requires_grad]
        if not self.parameters:
            raise ValueError("GradientMonitor: the model has no parameters that require gradients")
        # the layers compared for vanishing and exploding: weight matrices, not biases or normalisation scales
        self.layers = [name for name, parameter in self.parameters if parameter.ndim >= 2] or \
                      [name for name, _ in self.parameters]
        self.grad_norms = {name: [] for name, _ in self.parameters}
        self.update_ratios = {name: [] for name, _ in self.parameters}
        self.activations = {}
        self.steps = 0
        self._previous_weights = None
        self._hooked = []
        watched = [(name, module) for name, module in model.named_modules() if isinstance(module, WATCHED)]
        for name, module in watched:
            if "forward" in module.__dict__:
                raise ValueError(f"the activation module {name or type(module).__name__!r} already has a hook (another "
                                 f"GradientMonitor?): call remove() on that monitor first")
        for name, module in watched:
            self._hook(name or type(module).__name__, module)

    # --- hooks ------------------------------------------------------------------------------------
    def _hook(self, name, module):
        record = _ActivationRecord(type(module))
        self.activations[name] = record
        forward = module.forward

        def recording_forward(*inputs, **keywords):
            output = forward(*inputs, **keywords)
            if module.training:
                record.observe(raw(output))
            return output

        module.forward = recording_forward
        self._hooked.append(module)

    def remove(self):
        """Take the hooks off the model's activation modules (the recorded history stays)."""
        for module in self._hooked:
            del module.forward
        self._hooked = []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()

    # --- recording --------------------------------------------------------------------------------
    def step(self):
        """Record this step: call it after each backward (before or after the optimiser's step, always the same).

        Gradient norm ||dL/dW|| per parameter; update-to-weight ratio
        ||W_t - W_(t-1)|| / ||W_(t-1)|| between this call and the previous one
        (NaN at the first); the activation statistics of the forwards since the last call.
        """
        weights = {}
        for name, parameter in self.parameters:
            grad = parameter.grad
            self.grad_norms[name].append(math.nan if grad is None else _norm(raw(grad)))
            weights[name] = raw(parameter).copy()
            previous = None if self._previous_weights is None else self._previous_weights[name]
            if previous is None:
                self.update_ratios[name].append(math.nan)
            else:
                size = _norm(previous)
                change = _norm(weights[name] - previous)
                self.update_ratios[name].append(change / size if size > 0 else math.inf if change > 0 else 0.0)
        self._previous_weights = weights
        for record in self.activations.values():
            record.close_step()
        self.steps += 1

    def end_epoch(self):
        """Per activation layer, the fraction of units that died since the last ``end_epoch`` (ReLU only; else 0).

        A unit died if it output 0 for every example of the epoch. Each
        layer's record also keeps ``epoch_inactive``: the units never positive,
        which for a leaky ReLU or maxout still pass a gradient.
        """
        return {name: record.close_epoch() for name, record in self.activations.items()}

    # --- reading ----------------------------------------------------------------------------------
    def _require_steps(self):
        if self.steps == 0:
            raise ValueError("GradientMonitor has recorded nothing yet: call monitor.step() after each backward")

    def layer_norms(self, step=-1):
        """[(weight name, gradient norm)] from the input side to the output side at ``step`` (the last by default)."""
        self._require_steps()
        return [(name, self.grad_norms[name][step]) for name in self.layers]

    @property
    def dead_fraction(self):
        """Per ReLU layer, the fraction of units that output 0 for every example of the last step's batches."""
        return {name: record.history["dead"][-1] for name, record in self.activations.items()
                if record.kind is ReLU and record.history["dead"]}

    @property
    def saturated_fraction(self):
        """Per sigmoid, tanh or hard-tanh layer, the fraction of outputs in the flat tails at the last step."""
        return {name: record.history["saturated"][-1] for name, record in self.activations.items()
                if record.kind in SATURATION and record.history["saturated"]}

    def first_to_last_ratio(self, step=-1):
        """||dL/dW_first|| / ||dL/dW_last||: far below 1: vanishing; far above: exploding."""
        norms = self.layer_norms(step)
        first, last = norms[0][1], norms[-1][1]
        if not (math.isfinite(first) and math.isfinite(last)):
            return math.nan
        return first / last if last > 0 else math.inf if first > 0 else math.nan

    @property
    def vanishing(self):
        ratio = self.first_to_last_ratio()
        return len(self.layers) > 1 and math.isfinite(ratio) and ratio < self.vanishing_ratio

    @property
    def exploding(self):
        self._require_steps()
        latest = [norms[-1] for norms in self.grad_norms.values()]
        if any(not math.isfinite(norm) for norm in latest):
            return True
        ratio = self.first_to_last_ratio()
        if len(self.layers) > 1 and ratio > self.exploding_ratio:
            return True
        totals = [math.sqrt(sum(norms[step] ** 2 for norms in self.grad_norms.values())) for step in (0, -1)]
        return totals[0] > 0 and totals[1] > self.exploding_ratio * totals[0]

    @property
    def dying(self):
        """The ReLU layers whose dead fraction is above ``dead_threshold``."""
        return [name for name, fraction in self.dead_fraction.items() if fraction > self.dead_threshold]

    def summary(self):
        """One line: the first and last layers' gradient norms, the update size, and the flags raised."""
        self._require_steps()
        norms = self.layer_norms()
        (first_name, first), (last_name, last) = norms[0], norms[-1]
        ratios = sorted(values[-1] for values in self.update_ratios.values() if math.isfinite(values[-1]))
        update = f"update/weight {ratios[len(ratios) // 2]:.1e}" if ratios else "update/weight n/a"
        flags = []
        if self.vanishing:
            flags.append(f"VANISHING (first/last {self.first_to_last_ratio():.1e})")
        if self.exploding:
            flags.append("EXPLODING")
        dying = self.dying
        if dying:
            flags.append("DYING " + ", ".join(f"{name} {self.dead_fraction[name]:.0%} dead" for name in dying))
        saturated = {name: value for name, value in self.saturated_fraction.items() if value > self.dead_threshold}
        if saturated:
            flags.append("SATURATED " + ", ".join(f"{name} {value:.0%}" for name, value in saturated.items()))
        return (f"step {self.steps}: grad norm {first_name} {first:.1e} ... {last_name} {last:.1e}; {update}; "
                f"{'; '.join(flags) if flags else 'no problem flagged'}")

    def plot(self, path=None):
        """Gradient norm per weight against step (log scale), and the activation layers' dead or saturated fraction."""
        from autograd_core import extras

        plt = extras.require("matplotlib.pyplot", extra="plot", purpose="GradientMonitor.plot")
        self._require_steps()
        figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
        colours = plt.cm.viridis([index / max(len(self.layers) - 1, 1) for index in range(len(self.layers))])
        for colour, name in zip(colours, self.layers):
            left.plot(range(1, self.steps + 1), self.grad_norms[name], color=colour, label=name)
        left.set_yscale("log")
        left.set_xlabel("step")
        left.set_ylabel("||dL/dW||")
        left.set_title("gradient norm per layer (dark: input side)")
        left.legend(fontsize=7, ncol=2)
        for name, record in self.activations.items():
            key = "dead" if record.kind is ReLU else "saturated" if record.kind in SATURATION else "inactive"
            right.plot(range(1, self.steps + 1), record.history[key], label=f"{name} ({key})")
        right.set_ylim(-0.02, 1.02)
        right.set_xlabel("step")
        right.set_ylabel("fraction of units / outputs")
        right.set_title("activation layers")
        if self.activations:
            right.legend(fontsize=7)
        figure.tight_layout()
        if path is not None:
            figure.savefig(path, dpi=110)
        return figure
