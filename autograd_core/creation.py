"""Creation functions: zeros, ones, full, eye, arange, linspace, rand, randn and their ``_like`` forms.

Each takes ``dtype=``, ``device=`` (``"cpu"``, ``"cuda"``, ``"cuda:N"``) and
``requires_grad=``, and a shape as a tuple or as separate integers
(``zeros((2, 3))`` or ``zeros(2, 3)``). The dtype defaults to NumPy's
(float64 for floating-point values, the precision gradient checks need).

Random tensors come from a seedable generator: ``manual_seed(seed)`` reseeds
the package's own generators (NumPy's ``default_rng`` on the CPU, CuPy's on
the GPU), and ``rng=`` takes a Generator or an integer seed for one call. A
NumPy Generator used for a GPU tensor draws on the CPU and copies, so one
seed gives the same numbers on both devices.
"""
import operator

import numpy

from . import backend
from .tensor import Tensor

_generators = {}  # "cpu" or "cuda:N" -> the generator that rand and randn use when not given rng


def manual_seed(seed):
    """Reseed the generators behind ``rand``, ``randn`` and ``randn_like`` (all devices)."""
    seed = operator.index(seed)
    if seed < 0:
        raise ValueError(f"manual_seed needs a non-negative integer, got {seed}")
    _generators.clear()
    _generators["seed"] = seed
    return seed


def default_generator(device="cpu"):
    """The generator ``rand`` and ``randn`` draw from on ``device`` (seeded by ``manual_seed``)."""
    device = backend.normalize_device(device)
    generator = _generators.get(device)
    if generator is None:
        generator = _generators[device] = _module_for(device).random.default_rng(_generators.get("seed"))
    return generator


def _module_for(device):
    if device == "cpu":
        return numpy
    cupy = backend.cupy_module()
    if cupy is None:
        raise RuntimeError(f"cannot create a tensor on {device!r}: CuPy is not installed or no CUDA device is "
                           "visible. Install the extra with `pip install autograd-core[cuda12]` (or [cuda13]).")
    return cupy


def _shape(name, shape):
    """A shape from ``(2, 3)``, ``[2, 3]`` or the separate integers ``2, 3``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        shape = tuple(operator.index(size) for size in shape)
    except TypeError:
        raise TypeError(f"{name}: a shape is integers, given as a tuple or separately, got {shape!r}") from None
    if any(size < 0 for size in shape):
        raise ValueError(f"{name}: sizes must be non-negative, got shape {shape}")
    return shape


def _float_unless(dtype):
    """The dtype asked for, or float64 (NumPy's default for zeros, ones, eye and random values)."""
    return numpy.float64 if dtype is None else dtype


def _finish(array, dtype, requires_grad, name):
    """The Tensor of ``array`` made on ``device`` (the array is built there directly)."""
    if dtype is not None and array.dtype != numpy.dtype(dtype):
        array = array.astype(dtype)
    if requires_grad and array.dtype.kind != "f":
        raise TypeError(f"{name}: only floating-point tensors can require gradients, got dtype {array.dtype}; "
                        "pass dtype=numpy.float64 (or float32)")
    return Tensor._make(array, bool(requires_grad), None)


def _build(device, make):
    """``make(xp)`` run with the array module of ``device`` (and that GPU selected)."""
    device = backend.normalize_device(device)
    xp = _module_for(device)
    if device == "cpu":
        return make(xp)
    with xp.cuda.Device(int(device.split(":")[1])):
        return make(xp)


def zeros(*shape, dtype=None, device=None, requires_grad=False):
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    shape = _shape("zeros", shape)
    array = _build(device, lambda xp: xp.zeros(shape, dtype=_float_unless(dtype)))
    return _finish(array, dtype, requires_grad, "zeros")


def ones(*shape, dtype=None, device=None, requires_grad=False):
    """A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``."""
    shape = _shape("ones", shape)
    array = _build(device, lambda xp: xp.ones(shape, dtype=_float_unless(dtype)))
    return _finish(array, dtype, requires_grad, "ones")


def full(shape, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor of ``shape`` with every entry ``fill_value`` (NumPy's dtype rule for the value)."""
    shape = _shape("full", (shape,) if not isinstance(shape, (tuple, list)) else (tuple(shape),))
    array = _build(device, lambda xp: xp.full(shape, fill_value, dtype=dtype))
    return _finish(array, dtype, requires_grad, "full")


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """The n x m identity matrix (n x n when ``m`` is None)."""
    n = operator.index(n)
    m = n if m is None else operator.index(m)
    if n < 0 or m < 0:
        raise ValueError(f"eye: sizes must be non-negative, got n={n}, m={m}")
    array = _build(device, lambda xp: xp.eye(n, m, dtype=_float_unless(dtype)))
    return _finish(array, dtype, requires_grad, "eye")


def arange(start, stop=None, step=1, dtype=None, device=None, requires_grad=False):
    """Evenly spaced values in [start, stop) (NumPy's ``arange``: integers give an integer tensor)."""
    if step == 0:
        raise ValueError("arange: step must not be 0")
    array = _build(device, lambda xp: xp.arange(start, stop, step, dtype=dtype))
    return _finish(array, dtype, requires_grad, "arange")


def linspace(start, stop, num=50, dtype=None, device=None, requires_grad=False, steps=None):
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive (PyTorch's ``steps=`` is accepted)."""
    if steps is not None:
        num = steps
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"linspace: the number of values must be non-negative, got {num}")
    array = _build(device, lambda xp: xp.linspace(start, stop, num, dtype=dtype))
    return _finish(array, dtype, requires_grad, "linspace")


def _generator_for(device, rng):
    """(generator, where it draws): the one given, a fresh one from a seed, or the default one."""
    device = backend.normalize_device(device)
    if rng is None:
        return default_generator(device), device
    if isinstance(rng, (int, numpy.integer)) and not isinstance(rng, bool):
        return _module_for(device).random.default_rng(int(rng)), device
    if isinstance(rng, numpy.random.Generator):
        return rng, "cpu"
    if type(rng).__module__.startswith("cupy"):
        return rng, device
    raise TypeError(f"rng must be a numpy (or cupy) random Generator, an integer seed or None, got {rng!r}")


def _random(name, shape, dtype, device, requires_grad, rng, draw):
    shape = _shape(name, shape)
    dtype = numpy.dtype(_float_unless(dtype))
    if dtype.kind != "f":
        raise TypeError(f"{name}: random values are floating-point, got dtype={dtype}")
    generator, draws_on = _generator_for(device, rng)
    array = draw(generator, shape, dtype)
    target = backend.normalize_device(device)
    if draws_on != target:
        array = backend.move_to(array, target)
    return _finish(array, dtype, requires_grad, name)


def _draw_with_dtype(method):
    def draw(generator, shape, dtype):
        working = dtype if dtype in (numpy.float32, numpy.float64) else numpy.float64
        return getattr(generator, method)(shape, dtype=working).astype(dtype, copy=False)

    return draw


def rand(*shape, dtype=None, device=None, requires_grad=False, rng=None):
    """Uniform values in [0, 1): ``rand(2, 3)``; ``rng`` a Generator or seed (else the default generator)."""
    return _random("rand", shape, dtype, device, requires_grad, rng, _draw_with_dtype("random"))


def randn(*shape, dtype=None, device=None, requires_grad=False, rng=None):
    """Standard normal values: ``randn(2, 3)``; ``rng`` a Generator or seed (else the default generator)."""
    return _random("randn", shape, dtype, device, requires_grad, rng, _draw_with_dtype("standard_normal"))


def _like(tensor, dtype, device):
    data = tensor.data if isinstance(tensor, Tensor) else numpy.asarray(tensor)
    return (data.shape, data.dtype if dtype is None else dtype,
            backend.device_of(data) if device is None else device)


def zeros_like(tensor, dtype=None, device=None, requires_grad=False):
    """Zeros with ``tensor``'s shape, dtype and device (unless given)."""
    shape, dtype, device = _like(tensor, dtype, device)
    return zeros(shape, dtype=dtype, device=device, requires_grad=requires_grad)


def ones_like(tensor, dtype=None, device=None, requires_grad=False):
    """Ones with ``tensor``'s shape, dtype and device (unless given)."""
    shape, dtype, device = _like(tensor, dtype, device)
    return ones(shape, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(tensor, fill_value, dtype=None, device=None, requires_grad=False):
    """``fill_value`` everywhere, with ``tensor``'s shape, dtype and device (unless given)."""
    shape, dtype, device = _like(tensor, dtype, device)
    return full(shape, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)


def randn_like(tensor, dtype=None, device=None, requires_grad=False, rng=None):
    """Standard normal values with ``tensor``'s shape, floating dtype and device (unless given)."""
    shape, dtype, device = _like(tensor, dtype, device)
    if numpy.dtype(dtype).kind != "f":
        dtype = numpy.float64
    return randn(shape, dtype=dtype, device=device, requires_grad=requires_grad, rng=rng)
