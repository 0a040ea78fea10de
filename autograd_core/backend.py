"""Which array module an array belongs to: NumPy on the CPU, CuPy on a GPU.

Every operation asks ``get_array_module(array)`` for its ``xp`` and calls
``xp.exp``, ``xp.matmul`` and so on, so one body of code serves both devices
(the approach of Chainer's ``backend.py``). CuPy is imported lazily and is
optional: without it only the ``"cpu"`` device exists.
"""
import numpy

_cupy = None
_cupy_checked = False


def cupy_module():
    """Return the ``cupy`` module, or ``None`` when CuPy or a GPU is unavailable."""
    global _cupy, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            import cupy

            if cupy.cuda.runtime.getDeviceCount() > 0:
                _cupy = cupy
        except Exception:  # ImportError, or CUDA present but unusable
            _cupy = None
    return _cupy


def gpu_available():
    """True when CuPy imports and sees at least one CUDA device."""
    return cupy_module() is not None


def get_array_module(array):
    """The array's own module: ``numpy`` for NumPy arrays and scalars, ``cupy`` for CuPy arrays."""
    if type(array) is numpy.ndarray:
        return numpy
    module_name = type(array).__module__
    if module_name.startswith("cupy"):
        return cupy_module()
    return numpy


def device_of(array):
    """``"cpu"`` for NumPy data, ``"cuda:N"`` for CuPy data on device N."""
    if type(array) is numpy.ndarray or not type(array).__module__.startswith("cupy"):
        return "cpu"
    return f"cuda:{array.device.id}"


def normalize_device(device):
    """Turn ``None``, ``"cpu"``, ``"cuda"``, ``"cuda:1"`` or ``"gpu"`` into a canonical name."""
    if device is None or device == "cpu":
        return "cpu"
    if isinstance(device, str) and (device.startswith("cuda") or device == "gpu"):
        index = 0
        if ":" in device:
            index_text = device.split(":", 1)[1]
            if not index_text.isdigit():
                raise ValueError(f"device {device!r}: the part after 'cuda:' must be a GPU index such as 'cuda:0'")
            index = int(index_text)
        return f"cuda:{index}"
    raise ValueError(f"unknown device {device!r}: use 'cpu', 'cuda' or 'cuda:N'")


def move_to(array, device):
    """Copy ``array`` to ``device`` (a canonical name); return it unchanged if it is already there."""
    device = normalize_device(device)
    if device_of(array) == device:
        return array
    if device == "cpu":
        return array.get()
    cupy = cupy_module()
    if cupy is None:
        raise RuntimeError(
            f"cannot move data to {device!r}: CuPy is not installed or no CUDA device is visible. "
            "Install the extra with `pip install -e '.[cuda12]'` (or [cuda13]) from a clone, on a machine with a GPU."
        )
    with cupy.cuda.Device(int(device.split(":")[1])):
        return cupy.asarray(array)


def to_numpy(array):
    """A NumPy array with the same values (copied off the GPU if needed)."""
    if type(array) is numpy.ndarray:
        return array
    if device_of(array) != "cpu":
        return array.get()
    return numpy.asarray(array)
