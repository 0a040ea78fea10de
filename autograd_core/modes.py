"""Global switches of the engine: whether operations are recorded, and anomaly detection.

``no_grad`` turns recording off (the forward pass of evaluation or of an
optimiser's update builds no graph); ``enable_grad`` turns it back on inside a
``no_grad`` block; ``detect_anomaly`` makes the first operation whose forward
or backward produces NaN or infinity raise an error that names it.
"""
import functools


class _State:
    grad_enabled = True
    anomaly_enabled = False
    data_assignments = 0  # how many times any tensor's .data was assigned: version checks skip when unchanged


state = _State()


def is_grad_enabled():
    """True when new operations are recorded in the computational graph."""
    return state.grad_enabled


class _Switch:
    """A context manager, also usable as a decorator, that sets one flag of ``state``."""

    attribute = ""
    value = True

    def __enter__(self):
        self._previous = getattr(state, self.attribute)
        setattr(state, self.attribute, self.value)
        return self

    def __exit__(self, *exc_info):
        setattr(state, self.attribute, self._previous)
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with type(self)():
                return function(*args, **kwargs)

        return wrapper


class no_grad(_Switch):
    """Record nothing: results of operations have no ``grad_fn`` and ``requires_grad=False``.

    >>> with no_grad():
    ...     y = x * 2          # no graph is built
    """

    attribute = "grad_enabled"
    value = False


class enable_grad(_Switch):
    """Record operations again, inside a ``no_grad`` block."""

    attribute = "grad_enabled"
    value = True


class detect_anomaly(_Switch):
    """Raise ``FloatingPointError`` at the first operation whose forward or backward yields NaN or inf.

    The error names the operation, so the source of a NaN loss is found at once
    instead of many steps later. It checks every array, so it is slow: use it
    while debugging.
    """

    attribute = "anomaly_enabled"
    value = True


class set_grad_enabled:
    """Turn recording on or off: at once when called, and back as it was when used as a context manager.

    >>> ag.set_grad_enabled(False)          # from here on, no graph (PyTorch's torch.set_grad_enabled)
    >>> with ag.set_grad_enabled(is_training):
    ...     loss = model(x)                 # recorded only when is_training
    """

    def __init__(self, mode):
        if not isinstance(mode, (bool, int)):
            raise TypeError(f"set_grad_enabled needs True or False, got {mode!r}")
        self._previous = is_grad_enabled()
        state.grad_enabled = bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        state.grad_enabled = self._previous
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
