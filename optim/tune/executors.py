"""Where trials run: one after another, in a local process pool, or as Ray tasks (Section 3.7.2).

Runs with different hyperparameters need no communication, so they are the
first place to use more than one core or machine. Each executor runs a list of
trials in order with at most ``n_workers`` at a time and hands each finished
trial to a callback. The scheduler that may kill runs lives in one place and
every running trial reports to it while it runs: directly in the serial
executor, through a ``multiprocessing`` manager for processes, and as a Ray
actor on Ray, so early killing works across workers.
"""
import concurrent.futures
import concurrent.futures.process
import multiprocessing
import multiprocessing.managers
import os
import pickle
import signal
from collections import deque

from autograd_core import extras

from .trial import run_trial

EXECUTORS = ("serial", "processes", "ray")


def available_cores():
    """The number of cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def make_executor(executor, n_workers=None, address=None):
    """An executor from its name; None means "processes" when more than one core is free, else "serial"."""
    if executor is None:
        executor = "processes" if available_cores() > 1 else "serial"
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS} (or None for the default), got {executor!r}")
    if n_workers is not None and (isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1):
        raise ValueError(f"n_workers must be a positive integer or None, got {n_workers!r}")
    if address is not None and executor != "ray":
        raise ValueError(f"address= names a Ray cluster; it needs executor='ray', got executor={executor!r}")
    if executor == "serial":
        return SerialExecutor()
    if executor == "processes":
        return ProcessExecutor(n_workers or available_cores())
    return RayExecutor(n_workers, address)


class SerialExecutor:
    """Every trial in this process, in order. Earlier trials are done when a later one reports."""

    name = "serial"
    n_workers = 1

    def run(self, objective, trials, scheduler, on_done):
        for trial in trials:
            on_done(run_trial(objective, trial, scheduler))

    def close(self):
        return None


class _Windowed:
    """Submits trials in order, never more than ``n_workers`` running, so that the lowest never waits.

    When a worker dies (``lost_worker``: a process pool breaks as a whole), the
    trials that were running are rerun one at a time: the one whose worker dies
    alone is recorded as failed, the others run normally.
    """

    lost_worker = ()

    def run(self, objective, trials, scheduler, on_done):
        pending = deque(trials)
        suspects = deque()
        running = {}
        handle = self._scheduler_handle(scheduler)
        try:
            while pending or suspects or running:
                if suspects and not running:
                    trial = suspects.popleft()
                    try:
                        on_done(self._result(self._submit(objective, trial, handle)))
                    except self.lost_worker as error:
                        self._restart()
                        on_done(self._failed(trial, handle, f"its worker process died ({error!r})"))
                    continue
                while pending and not suspects and len(running) < self.n_workers:
                    trial = pending.popleft()
                    running[self._submit(objective, trial, handle)] = trial
                for job in self._wait(list(running)):
                    trial = running.pop(job)
                    try:
                        result = self._result(job)
                    except self.lost_worker:
                        suspects.extend(sorted([trial, *running.values()], key=lambda lost: lost.number))
                        running.clear()
                        self._restart()
                        break
                    except Exception as error:  # the task itself could not run: the trial failed, the others go on
                        result = self._failed(trial, handle, f"{type(error).__name__}: {error}")
                    on_done(result)
        except BaseException:
            self._cancel(list(running))
            raise

    def _failed(self, trial, handle, error):
        trial.status = "failed"
        trial.error = error
        if handle is not None:
            handle.finish(trial.number)
        return trial


class _SchedulerManager(multiprocessing.managers.BaseManager):
    """A server process that holds the scheduler; workers reach it through proxies."""


def _host(scheduler):
    return scheduler


_SchedulerManager.register("Scheduler", callable=_host, exposed=("decide", "finish"))


class ProcessExecutor(_Windowed):
    """A local pool of ``n_workers`` processes (concurrent.futures). The objective must be picklable."""

    name = "processes"
    lost_worker = concurrent.futures.process.BrokenProcessPool

    def __init__(self, n_workers):
        self.n_workers = n_workers
        self.pool = concurrent.futures.ProcessPoolExecutor(max_workers=n_workers)
        self.manager = None

    def run(self, objective, trials, scheduler, on_done):
        try:
            pickle.dumps(objective)
        except Exception as error:
            raise TypeError(f"executor='processes' sends the objective to other processes by pickle, and "
                            f"{objective!r} cannot be pickled ({error}); define it at the top level of a module, "
                            f"or use executor='serial' or executor='ray'") from error
        super().run(objective, trials, scheduler, on_done)

    def _restart(self):
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = concurrent.futures.ProcessPoolExecutor(max_workers=self.n_workers)

    def _scheduler_handle(self, scheduler):
        if not scheduler.kills:
            return scheduler
        if self.manager is None:
            self.manager = _SchedulerManager()
            # Ctrl-C reaches the whole process group: the scheduler must outlive it while the search winds down
            self.manager.start(initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))
        return self.manager.Scheduler(scheduler)

    def _submit(self, objective, trial, handle):
        return self.pool.submit(run_trial, objective, trial, handle)

    def _wait(self, jobs):
        done, _ = concurrent.futures.wait(jobs, return_when=concurrent.futures.FIRST_COMPLETED)
        return done

    def _result(self, job):
        return job.result()

    def _cancel(self, jobs):
        for job in jobs:
            job.cancel()

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.manager is not None:
            self.manager.shutdown()


class _RemoteScheduler:
    """What a trial on a Ray worker holds: calls to the scheduler actor, answered while the trial runs."""

    def __init__(self, actor):
        self.actor = actor

    def decide(self, number, epochs_done, value):
        import ray

        return ray.get(self.actor.decide.remote(number, epochs_done, value))

    def finish(self, number):
        import ray

        ray.get(self.actor.finish.remote(number))


class RayExecutor(_Windowed):
    """Ray tasks, one CPU each, on a running Ray, a local one, or the cluster at ``address``.

    At most as many trials run at once as the cluster has CPUs, so that Ray
    starts every submitted trial at once: successive halving's waits assume
    the trials waited on are running. (Other work holding the cluster's CPUs
    can still make Ray queue a trial; give such a cluster its own ``n_workers``.)
    """

    name = "ray"

    def __init__(self, n_workers=None, address=None):
        self.ray = extras.ray_session(address)
        cpus = max(int(self.ray.cluster_resources().get("CPU", 1)), 1)
        self.n_workers = min(n_workers or cpus, cpus)
        self.remote_run_trial = self.ray.remote(num_cpus=1, max_retries=0)(run_trial)
        self.objective_refs = {}

    def _scheduler_handle(self, scheduler):
        if not scheduler.kills:
            return scheduler
        actor = self.ray.remote(num_cpus=0)(_SchedulerActor).remote(scheduler)
        return _RemoteScheduler(actor)

    def _submit(self, objective, trial, handle):
        if id(objective) not in self.objective_refs:
            self.objective_refs[id(objective)] = (objective, self.ray.put(objective))
        return self.remote_run_trial.remote(self.objective_refs[id(objective)][1], trial, handle)

    def _wait(self, jobs):
        done, _ = self.ray.wait(jobs, num_returns=1)
        return done

    def _result(self, job):
        return self.ray.get(job)

    def _cancel(self, jobs):
        for job in jobs:
            self.ray.cancel(job, force=True)

    def close(self):
        self.objective_refs.clear()


class _SchedulerActor:
    """The scheduler as a Ray actor: one copy of the rung tables, updated by every worker's reports."""

    def __init__(self, scheduler):
        self.scheduler = scheduler

    def decide(self, number, epochs_done, value):
        return self.scheduler.decide(number, epochs_done, value)

    def finish(self, number):
        return self.scheduler.finish(number)
