"""Timing helpers shared by the benchmarks.

Every measurement is the median of several repeats taken after a few warm-up
calls, with the garbage collector left on (the engines under test create and
drop many Python objects, and collection cost is part of what a user pays).
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Timing:
    """Result of :func:`measure`: seconds per call."""

    median: float
    minimum: float
    samples: list[float] = field(default_factory=list)

    @property
    def ms(self) -> float:
        return self.median * 1e3

    @property
    def us(self) -> float:
        return self.median * 1e6

    @property
    def noisy(self) -> bool:
        """True when the median is more than 25 % above the fastest repeat: a
        sign that something else was using the CPUs during the measurement."""
        return len(self.samples) >= 3 and self.median > 1.25 * self.minimum

    def as_dict(self) -> dict[str, Any]:
        return {"median_s": self.median, "min_s": self.minimum, "noisy": self.noisy, "samples_s": self.samples}


def measure(
    fn: Callable[[], Any],
    *,
    repeats: int = 7,
    warmup: int = 2,
    number: int = 1,
    max_time: float | None = None,
) -> Timing:
    """Median wall-clock seconds of one call of ``fn``.

    ``fn`` is called ``warmup`` times untimed, then ``repeats`` times in timed
    groups of ``number`` calls each (a group's time is divided by ``number``).
    If ``max_time`` is given, repeats stop early once that many seconds have
    been spent timing (at least one repeat is always taken).
    """
    for _ in range(warmup):
        fn()
    samples: list[float] = []
    clock = time.perf_counter
    spent = 0.0
    for _ in range(max(1, repeats)):
        t0 = clock()
        for _ in range(number):
            fn()
        dt = clock() - t0
        samples.append(dt / number)
        spent += dt
        if max_time is not None and spent >= max_time:
            break
    return Timing(statistics.median(samples), min(samples), samples)


def measure_fresh(
    setup: Callable[[], Any],
    fn: Callable[[Any], Any],
    *,
    repeats: int = 5,
    warmup: int = 1,
) -> Timing:
    """Like :func:`measure`, but ``setup()`` builds a fresh input (untimed)
    before every call of ``fn(input)``; for calls that consume their input,
    such as a backward pass that frees the graph."""
    for _ in range(warmup):
        fn(setup())
    samples: list[float] = []
    clock = time.perf_counter
    for _ in range(max(1, repeats)):
        arg = setup()
        t0 = clock()
        fn(arg)
        samples.append(clock() - t0)
        del arg
    return Timing(statistics.median(samples), min(samples), samples)


def time_once(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    """Seconds taken by a single call of ``fn(*args, **kwargs)``, and its result."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def peak_memory(fn: Callable[[], Any], *, warmup: int = 1) -> int:
    """Peak bytes allocated (above what was live before) during one call of ``fn``.

    Uses :mod:`tracemalloc`, which sees NumPy's array buffers as well as Python
    objects. Memory that was already allocated when the call starts (weights,
    input batch) is not counted, so this is the transient cost of the call.
    """
    for _ in range(warmup):
        fn()
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return peak - base
