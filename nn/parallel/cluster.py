"""Ray plumbing shared by the parallel schemes: a connected Ray, actors with a share of a CPU, batch shards.

Every scheme reuses a Ray that is already running (``ray.is_initialized()``),
else starts one on this machine, or joins a cluster with ``address=`` (the
same script runs on a laptop and on a cluster). Actors ask for a fraction of a
CPU by default, so that more workers than cores can run; ``num_gpus=1`` gives
each replica a GPU, and ``device="cuda"`` puts its parameters there.
"""
import numpy

from ..arrays import to_numpy

#: The share of a CPU one actor asks for unless told otherwise: four workers fit on one core.
DEFAULT_CPUS_PER_ACTOR = 0.25


def check_workers(workers):
    """``workers`` as a positive int, or a ValueError naming what it got."""
    if isinstance(workers, bool) or not isinstance(workers, (int, numpy.integer)) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    return int(workers)


class Actor:
    """Base of the classes that run as Ray actors here."""

    def ready(self):
        """True once the actor's process has started and its ``__init__`` has run."""
        return True


def start_actors(ray, actor_class, count, num_cpus=None, num_gpus=0, args=()):
    """``count`` started Ray actors of ``actor_class`` (an ``Actor``), each asking for ``num_cpus`` and ``num_gpus``.

    It waits until every actor has run its ``__init__``, so that an error there
    (a ``model_fn`` that fails, say) is raised here and timings start warm.
    """
    num_cpus = DEFAULT_CPUS_PER_ACTOR if num_cpus is None else num_cpus
    if not num_cpus >= 0 or not num_gpus >= 0:
        raise ValueError(f"num_cpus and num_gpus must be >= 0, got {num_cpus!r} and {num_gpus!r}")
    remote_class = ray.remote(actor_class).options(num_cpus=num_cpus, num_gpus=num_gpus)
    actors = [remote_class.remote(*args) for _ in range(count)]
    ray.get([actor.ready.remote() for actor in actors])
    return actors


def stop_actors(ray, actors):
    """End the actors' processes (their state is lost)."""
    for actor in actors:
        ray.kill(actor)


def shard_slices(count, workers):
    """Contiguous slices that cut ``count`` examples into ``workers`` shards differing in size by at most one."""
    if count < workers:
        raise ValueError(f"a batch of {count} examples cannot be split across {workers} workers: "
                         "give every worker at least one example (a larger batch, or fewer workers)")
    bounds = numpy.linspace(0, count, workers + 1).round().astype(int)
    return [slice(int(start), int(stop)) for start, stop in zip(bounds[:-1], bounds[1:])]


def check_batch(X, y):
    """``X`` and ``y`` as NumPy arrays (they travel to the workers so) with as many rows, or a ValueError."""
    X, y = to_numpy(X), to_numpy(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(f"X and y must have one row per example, got shapes {X.shape} and {y.shape}")
    return X, y
