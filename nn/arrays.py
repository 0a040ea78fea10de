"""Small helpers shared by the nn modules: which array module holds an array, and conversions.

``array_module`` lets preprocessing and data loading serve NumPy and CuPy
arrays from one body of code, as the engine's operations do.
"""
import numpy

import autograd_core as ag


def array_module(array):
    """``numpy`` for NumPy arrays and Python numbers, ``cupy`` for CuPy arrays."""
    if isinstance(array, ag.Tensor):
        array = array.data
    if type(array).__module__.startswith("cupy"):
        import cupy

        return cupy
    return numpy


def raw(value):
    """The array behind a Tensor, or the value itself."""
    return value.data if isinstance(value, ag.Tensor) else value


def to_numpy(value):
    """A NumPy array with the values of a Tensor, a NumPy or CuPy array, or a number."""
    value = raw(value)
    if array_module(value) is not numpy:
        return value.get()
    return numpy.asarray(value)


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
