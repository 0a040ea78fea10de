"""The engine's switches: whether operations are recorded (per thread), and anomaly detection (per process).

``no_grad`` turns recording off (the forward pass of evaluation or of an
optimiser's update builds no graph); ``enable_grad`` turns it back on inside a
``no_grad`` block; ``detect_anomaly`` makes the first operation whose forward
or backward produces NaN or infinity raise an error that names it.

Which switches are per thread (as in PyTorch):

- **Grad mode** (``no_grad``, ``enable_grad``, ``is_grad_enabled``, and the
  switch a backward pass flips while it runs) is a ``contextvars.ContextVar``:
  each thread (and each asyncio task) has its own, and every new thread starts
  with recording on. One thread evaluating under ``no_grad`` does not stop
  another from training.
- **Anomaly mode** (``detect_anomaly``) is one flag for the whole process,
  like PyTorch's: turning it on in one thread turns it on in all of them.

The engine also keeps one process-wide clock of in-place changes
(``in_place_clock``): every versioned in-place operation takes the next tick,
and a node remembers the tick current when it ran, so that a backward pass
skips the version check of a node when nothing has changed in place since.
"""
import contextvars
import functools
import itertools
import threading

#: This thread's grad mode; ``grad_mode.set(flag)`` returns a token for ``grad_mode.reset(token)``.
grad_mode = contextvars.ContextVar("autograd_core_grad_mode", default=True)
#: ``grad_enabled()`` reads this thread's grad mode (one call: cheaper than an attribute of a thread-local object).
grad_enabled = grad_mode.get


class _ProcessState:
    """The switches shared by every thread."""

    anomaly_enabled = False


state = _ProcessState()


class _InPlaceClock:
    """A counter of in-place changes; ``tick()`` is atomic, ``now`` the last tick handed out."""

    def __init__(self):
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self.now = 0

    def tick(self):
        with self._lock:
            self.now = next(self._counter)
            return self.now


in_place_clock = _InPlaceClock()


def is_grad_enabled():
    """True when new operations are recorded in the computational graph (in this thread)."""
    return grad_mode.get()


class _Switch:
    """A context manager, also usable as a decorator, that sets one switch and restores it on exit."""

    value = True

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with type(self)():
                return function(*args, **kwargs)

        return wrapper


class _GradModeSwitch(_Switch):
    def __enter__(self):
        self._token = grad_mode.set(self.value)
        return self

    def __exit__(self, *exc_info):
        grad_mode.reset(self._token)
        return False


class no_grad(_GradModeSwitch):
    """Record nothing in this thread: results have no ``grad_fn`` and ``requires_grad=False``.

    >>> with no_grad():
    ...     y = x * 2          # no graph is built
    """

    value = False


class enable_grad(_GradModeSwitch):
    """Record operations again (in this thread), inside a ``no_grad`` block."""

    value = True


class detect_anomaly(_Switch):
    """Raise at the first operation whose forward or backward yields NaN or inf, for the whole process.

    The error names the operation, so the source of a NaN loss is found at once
    instead of many steps later. Under this switch every array a node saves for
    backward is also fingerprinted, and the fingerprint is checked at backward:
    a write that bypassed the engine (``x.data[0] = 10``, ``numpy.multiply(x.data,
    2, out=x.data)``) is then reported, naming the operation and the tensor,
    instead of giving a wrong gradient. It checks every array, so it is slow:
    use it while debugging. Unlike grad mode it is one flag for all threads.
    """

    def __enter__(self):
        self._previous = state.anomaly_enabled
        state.anomaly_enabled = True
        return self

    def __exit__(self, *exc_info):
        state.anomaly_enabled = self._previous
        return False


class set_grad_enabled:
    """Turn recording on or off in this thread: at once when called, and back as it was when used as a context manager.

    >>> ag.set_grad_enabled(False)          # from here on, no graph (PyTorch's torch.set_grad_enabled)
    >>> with ag.set_grad_enabled(is_training):
    ...     loss = model(x)                 # recorded only when is_training
    """

    def __init__(self, mode):
        if not isinstance(mode, (bool, int)):
            raise TypeError(f"set_grad_enabled needs True or False, got {mode!r}")
        self._previous = grad_mode.get()
        grad_mode.set(bool(mode))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        grad_mode.set(self._previous)
        return False


class inference_mode(no_grad):
    """PyTorch's ``inference_mode()``: here the same as ``no_grad`` (nothing is recorded inside it).

    ``inference_mode(False)`` records as usual, so one call site can serve both.
    """

    def __init__(self, mode=True):
        self.value = not mode

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with inference_mode(not self.value):
                return function(*args, **kwargs)

        return wrapper
