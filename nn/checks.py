"""Checks of settings and inputs shared by the nn modules, so that bad input gets one clear sentence.

Every check names the argument, what it got and what it needs, and raises
``TypeError`` for a value of the wrong kind (a float where a size is needed,
a list where a tensor is needed) and ``ValueError`` for a value of the right
kind out of range. They run once per setting or once per call, never per
element, so they cost nothing measurable beside the arithmetic.
"""
import math
import numbers

import autograd_core as ag


def describe(value):
    """A short description of a value for an error message: its type, and its shape when it has one."""
    if isinstance(value, ag.Tensor):
        return f"a Tensor of shape {tuple(value.shape)}"
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "dtype"):
        return f"an array of shape {tuple(shape)} and dtype {value.dtype}"
    if value is None:
        return "None"
    return f"{type(value).__name__} {value!r}" if isinstance(value, (numbers.Number, str)) \
        else f"a {type(value).__name__}"


def positive_int(value, name, owner):
    """``value`` as an int when it is an integer >= 1 (not a bool, not a float such as 3.7)."""
    return _integer(value, name, owner, minimum=1)


def non_negative_int(value, name, owner):
    """``value`` as an int when it is an integer >= 0."""
    return _integer(value, name, owner, minimum=0)


def _integer(value, name, owner, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an integer >= {minimum}, got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}, got {value}")
    return int(value)


def real_number(value, name, owner, minimum=None, maximum=None, include_minimum=True, include_maximum=True):
    """``value`` as a float when it is a finite real number in the given range (bounds included by default)."""
    interval = _interval(minimum, maximum, include_minimum, include_maximum)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a finite number{interval}, got {describe(value)}")
    number = float(value)
    too_low = minimum is not None and (number < minimum or (number == minimum and not include_minimum))
    too_high = maximum is not None and (number > maximum or (number == maximum and not include_maximum))
    if not math.isfinite(number) or too_low or too_high:
        raise ValueError(f"{owner}: {name} must be a finite number{interval}, got {value!r}")
    return number


def _interval(minimum, maximum, include_minimum, include_maximum):
    if minimum is not None and maximum is not None:
        return f" in {'[' if include_minimum else '('}{minimum:g}, {maximum:g}{']' if include_maximum else ')'}"
    if minimum is not None:
        return f" {'>=' if include_minimum else '>'} {minimum:g}"
    if maximum is not None:
        return f" {'<=' if include_maximum else '<'} {maximum:g}"
    return ""


def tensor_like(value, name, owner, min_ndim=0):
    """Refuse anything but a Tensor or an array (NumPy or CuPy) with at least ``min_ndim`` axes."""
    if not isinstance(value, ag.Tensor) and not (hasattr(value, "shape") and hasattr(value, "dtype")
                                                and hasattr(value, "ndim")):
        raise TypeError(f"{owner}: {name} must be a Tensor or an array, got {describe(value)}; "
                        "wrap data with ag.tensor(...) or numpy.asarray(...)")
    if value.ndim < min_ndim:
        raise ValueError(f"{owner}: {name} must have at least {min_ndim} axis{'es' if min_ndim > 1 else ''}, "
                         f"got {describe(value)}")
    return value


def features_last(value, name, owner, num_features):
    """A Tensor or array of at least one axis whose last axis holds ``num_features`` features."""
    tensor_like(value, name, owner, min_ndim=1)
    if value.shape[-1] != num_features:
        raise ValueError(f"{owner}: {name} must have {num_features} features in its last axis, "
                         f"got shape {tuple(value.shape)}")
    return value
