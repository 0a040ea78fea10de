"""Schedulers: who decides, at each report, whether a run goes on (Section 3.3.1, early killing).

``Scheduler`` never kills (grid, random, coarse-to-fine and Bayesian search;
divergence is caught by the trial itself). ``SuccessiveHalving`` is the text's
"only one winner is allowed to train to completion": runs are compared at
rungs of r, r eta, r eta^2, ... epochs, and at each rung a run goes on only if
it is among the best 1/eta of the runs that reached the rung.

The comparison is made in trial order, so that the same seed gives the same
kills whether the trials run one after another, in processes or on Ray: at a
rung, trial n is compared with itself and every trial numbered below n (of its
bracket) that reached the rung, and it waits (``"wait"``) until each of those
has either reached the rung or ended. Executors start trials in order, so the
trials waited on are running or done and the lowest running trial never waits.
"""
import math

CONTINUE, KILL, WAIT = "continue", "kill", "wait"


class Scheduler:
    """Lets every run go on. ``decide`` answers "continue", "kill" or "wait"; ``finish`` marks a run ended."""

    kills = False

    def decide(self, number, epochs_done, value):
        return CONTINUE

    def finish(self, number):
        return None

    def restore(self, trial):
        """Take in a trial recorded before a resume, as if it had just run."""
        return None


class SuccessiveHalving(Scheduler):
    """Kill a run at a rung unless it is among the best ceil(k / eta) of the k runs compared there.

    ``brackets``: trial number -> (bracket id, rungs in epochs). Successive
    halving has one bracket; hyperband several, each with its own first rung;
    runs are only compared inside their bracket.
    """

    kills = True

    def __init__(self, brackets, eta, direction="minimize"):
        if eta < 2:
            raise ValueError(f"successive halving needs eta >= 2 (the fraction 1/eta survives each rung), got {eta!r}")
        self.brackets = {int(number): (bracket, tuple(rungs)) for number, (bracket, rungs) in brackets.items()}
        self.eta = eta
        self.sign = 1.0 if direction == "minimize" else -1.0
        self.members = {}
        for number, (bracket, _) in sorted(self.brackets.items()):
            self.members.setdefault(bracket, []).append(number)
        self.values = {}
        self.ended = set()

    def decide(self, number, epochs_done, value):
        bracket, rungs = self.brackets[number]
        if epochs_done not in rungs:
            return CONTINUE
        at_rung = self.values.setdefault((bracket, epochs_done), {})
        at_rung[number] = self.sign * value
        earlier = [other for other in self.members[bracket] if other < number]
        if any(other not in at_rung and other not in self.ended for other in earlier):
            return WAIT
        compared = [(score, other) for other, score in at_rung.items() if other <= number]
        survivors = math.ceil(len(compared) / self.eta)
        rank = sorted(compared).index((self.sign * value, number))
        return CONTINUE if rank < survivors else KILL

    def finish(self, number):
        self.ended.add(number)

    def restore(self, trial):
        bracket, rungs = self.brackets[trial.number]
        for epoch, value in trial.reports:
            if epoch + 1 in rungs:
                self.values.setdefault((bracket, epoch + 1), {})[trial.number] = self.sign * value
        self.ended.add(trial.number)


def rungs(min_epochs, max_epochs, eta):
    """The epoch counts at which runs are compared: min_epochs eta^i below max_epochs."""
    result = []
    budget = min_epochs
    while budget < max_epochs:
        result.append(int(budget))
        budget *= eta
    return tuple(result)
