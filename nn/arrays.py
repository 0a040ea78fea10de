"""Small helpers shared by the nn modules: which array module holds an array, and conversions.

``array_module`` lets preprocessing and data loading serve NumPy and CuPy
arrays from one body of code, as the engine's operations do.
"""
import autograd_core as ag
from autograd_core.backend import get_array_module
from autograd_core.backend import to_numpy as backend_to_numpy


def array_module(array):
    """The array's own module (the engine's ``get_array_module``): ``numpy`` for NumPy arrays and numbers."""
    if isinstance(array, ag.Tensor):
        array = array.data
    return get_array_module(array)


def raw(value):
    """The array behind a Tensor, or the value itself."""
    return value.data if isinstance(value, ag.Tensor) else value


def to_numpy(value):
    """A NumPy array with the values of a Tensor, a NumPy or CuPy array, or a number."""
    return backend_to_numpy(raw(value))


def as_tensor(value):
    """``value`` if it is a Tensor, else a constant Tensor wrapping it."""
    return value if isinstance(value, ag.Tensor) else ag.Tensor(value)


def cast_to(value, dtype):
    """``value`` in ``dtype``: a Tensor through a recorded ``astype`` (its gradient comes back in its own
    dtype), an array through ``astype``; unchanged when it already has that dtype."""
    if raw(value).dtype == dtype:
        return value
    if isinstance(value, ag.Tensor):
        return value.astype(dtype)
    return array_module(value).asarray(value, dtype=dtype)
