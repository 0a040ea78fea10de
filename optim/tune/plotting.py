"""Pictures of a search: the value against each hyperparameter, and each run's curve with the killed ones ending early.

Hyperparameters sampled on a log scale are drawn on log axes, as the text
samples them (Section 3.3.1). Needs matplotlib (the ``plot`` extra).
"""
import math

from autograd_core import extras

from . import space as spaces

STYLE = {"finished": dict(color="tab:blue", marker="o"), "killed": dict(color="tab:orange", marker="x"),
         "diverged": dict(color="tab:red", marker="v"), "failed": dict(color="tab:gray", marker="s")}


def _pyplot():
    return extras.require("matplotlib.pyplot", extra="plot", purpose="plots of a study")


def _value_axis(ax, values):
    positive = [value for value in values if value is not None and math.isfinite(value)]
    if positive and min(positive) > 0 and max(positive) / min(positive) > 100:
        ax.set_yscale("log")


def plot_study(study, path=None):
    """One panel per hyperparameter: each trial's value (killed runs: their last report) against the setting."""
    plt = _pyplot()
    names = list(study.space)
    figure, axes = plt.subplots(1, len(names), figsize=(3.6 * len(names), 3.2), squeeze=False)
    best = study.best_trial if study.finished() else None
    shown = [trial for trial in study.trials if trial.value is not None and math.isfinite(trial.value)]
    for ax, name in zip(axes[0], names):
        dimension = study.space[name]
        categorical = isinstance(dimension, spaces.Choice)
        labels = [str(value) for value in dimension.values] if categorical else None

        def position(value, labels=labels):
            return labels.index(str(value)) if labels is not None else value

        for status, style in STYLE.items():
            group = [trial for trial in shown if trial.status == status]
            if group:
                ax.scatter([position(trial.config[name]) for trial in group], [trial.value for trial in group],
                           label=status, alpha=0.75, **style)
        if best is not None:
            ax.scatter([position(best.config[name])], [best.value], marker="*", s=220, color="gold",
                       edgecolor="black", zorder=5, label="best")
        if categorical:
            ax.set_xticks(range(len(labels)), labels)
        elif dimension.log:
            ax.set_xscale("log")
        _value_axis(ax, [trial.value for trial in shown])
        ax.set_xlabel(name + (" (log scale)" if dimension.log else ""))
        ax.set_ylabel("value")
    axes[0][0].legend(fontsize=8)
    figure.suptitle(f"{study.strategy}: {len(study.trials)} trials")
    figure.tight_layout()
    if path is not None:
        figure.savefig(path, dpi=110)
    return figure


def plot_reports(study, path=None, ax=None):
    """Each trial's reported value against the epochs trained, with a marker where it ended (a cross: killed)."""
    plt = _pyplot()
    figure = None
    if ax is None:
        figure, ax = plt.subplots(figsize=(6.4, 4.2))
    values = []
    for trial in study.trials:
        if not trial.reports:
            continue
        epochs = [epoch + 1 for epoch, _ in trial.reports]
        curve = [value for _, value in trial.reports]
        values.extend(curve)
        style = STYLE[trial.status]
        ax.plot(epochs, curve, color=style["color"], alpha=0.6, linewidth=1)
        if math.isfinite(curve[-1]):
            ax.plot(epochs[-1], curve[-1], linestyle="none", **style)
    for status, style in STYLE.items():
        if any(trial.status == status for trial in study.trials):
            ax.plot([], [], label=status, **style)
    _value_axis(ax, values)
    ax.set_xlabel("epochs trained")
    ax.set_ylabel("reported value")
    ax.set_title(f"{study.strategy}: {study.total_epochs} epochs in all")
    ax.legend(fontsize=8)
    if figure is not None:
        figure.tight_layout()
        if path is not None:
            figure.savefig(path, dpi=110)
    return figure if figure is not None else ax.figure
