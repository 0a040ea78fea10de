"""Which array module an array belongs to: NumPy on the CPU, CuPy on a GPU.

Every operation asks ``get_array_module(array)`` for its ``xp`` and calls
``xp.exp``, ``xp.matmul`` and so on, so one body of code serves both devices
(the approach of Chainer's ``backend.py``). CuPy is imported lazily and is
optional: without it only the ``"cpu"`` device exists. A further array library
(or a test's stand-in for one) joins with ``register_array_module``.
"""
import numpy

_cupy = None
_cupy_checked = False
_registered = {}  # array type -> (its module, its device name), from register_array_module


def register_array_module(array_type, module, device):
    """Make arrays of ``array_type`` belong to ``module`` on the device named ``device``.

    ``module`` offers NumPy's functions for those arrays (as CuPy does), including
    ``asarray`` from NumPy data; the arrays offer ``.get()``, a NumPy copy. After
    this, ``get_array_module`` returns ``module``, ``device_of`` returns ``device``
    and ``Tensor(..., device=device)`` or ``.to(device)`` move data there. The
    test suite registers a NumPy-backed stand-in that refuses NumPy's own
    functions, so that a hard-coded ``numpy.`` call on data fails without a GPU.
    """
    if not isinstance(array_type, type):
        raise TypeError(f"array_type must be a class, got {array_type!r}")
    if not isinstance(device, str) or device in ("cpu", "gpu") or device.startswith("cuda") or ":" in device:
        raise ValueError(f"device must be a new name without ':' (not cpu, gpu or cuda...), got {device!r}")
    _registered[array_type] = (module, device)


def unregister_array_module(array_type):
    """Undo ``register_array_module(array_type, ...)``; arrays of that type are NumPy's again."""
    _registered.pop(array_type, None)


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
    if _registered and type(array) in _registered:
        return _registered[type(array)][0]
    module_name = type(array).__module__
    if module_name.startswith("cupy"):
        return cupy_module()
    return numpy


def device_of(array):
    """``"cpu"`` for NumPy data, ``"cuda:N"`` for CuPy data on device N."""
    if _registered and type(array) in _registered:
        return _registered[type(array)][1]
    if type(array) is numpy.ndarray or not type(array).__module__.startswith("cupy"):
        return "cpu"
    return f"cuda:{array.device.id}"


def normalize_device(device):
    """Turn ``None``, ``"cpu"``, ``"cuda"``, ``"cuda:1"`` or ``"gpu"`` into a canonical name."""
    if device is None or device == "cpu":
        return "cpu"
    if any(device == registered_device for _, registered_device in _registered.values()):
        return device
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
    for module, registered_device in _registered.values():
        if device == registered_device:
            return module.asarray(to_numpy(array))
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
