"""Objectives for the tune tests, at module level so that process pools and Ray can import them.

``noisy_quadratic`` is the synthetic problem of known answer: a training curve
that settles at (log10(lr) - OPTIMUM_LOG10_LR)^2 plus a little noise seeded by
the trial, so every strategy should find lr near 10^OPTIMUM_LOG10_LR.
"""
import math

import numpy

OPTIMUM_LOG10_LR = -2.5
DEFAULT_EPOCHS = 9


def final_loss(config):
    return (math.log10(config["lr"]) - OPTIMUM_LOG10_LR) ** 2 + 0.05 * (config.get("momentum", 0.9) - 0.9) ** 2


def noisy_quadratic(config, trial):
    """Loss after epoch e: final + 4 * 0.6^e + noise(0.005); reports every epoch; returns the last loss."""
    rng = numpy.random.default_rng(trial.seed)
    final = final_loss(config)
    loss = None
    for epoch in range(trial.max_epochs or DEFAULT_EPOCHS):
        loss = final + 4.0 * 0.6 ** epoch + 0.005 * rng.standard_normal()
        trial.report(epoch, loss)
    return loss


def diverges_above_lr(config, trial):
    """Like noisy_quadratic, but runs with lr > 0.01 blow up: NaN from the third epoch on."""
    for epoch in range(trial.max_epochs or DEFAULT_EPOCHS):
        loss = float("nan") if config["lr"] > 0.01 and epoch >= 2 else final_loss(config) + 0.5 ** epoch
        trial.report(epoch, loss)
    return loss


def fails_above_lr(config, trial):
    if config["lr"] > 0.01:
        raise RuntimeError(f"out of memory at lr={config['lr']}")
    return noisy_quadratic(config, trial)


def exits_in_trial_1(config, trial):
    """Kills its own worker process in trial 1 (as an out-of-memory kill would)."""
    if trial.number == 1:
        import os

        os._exit(1)
    return final_loss(config)
