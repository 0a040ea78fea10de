"""Weight initialisation schemes of Section 3.3.3, seeded reproducibly.

Each scheme is a function ``scheme(shape, rng=None, dtype=numpy.float64)``
returning an array. A weight matrix of shape (r_in, r_out) maps r_in = fan-in
inputs to r_out = fan-out outputs (the layout of ``nn.Linear``: y = x W + b).
``rng`` is a ``numpy.random.Generator`` or an integer seed; the same seed
gives the same weights (without one, ``ag.manual_seed`` decides).

- ``normal``: Gaussian with a small fixed standard deviation (1e-2).
- ``fan_in_normal``: Gaussian with standard deviation sqrt(1/r), r the fan-in,
  so that the variance of a unit's input does not grow with r.
- ``fan_in_uniform``: uniform in [-1/sqrt(r), 1/sqrt(r)].
- ``xavier_normal``: Xavier/Glorot, standard deviation sqrt(2/(r_in + r_out)).
- ``he_normal``: He, standard deviation sqrt(2/r_in), for rectifiers.
- ``zeros`` (biases) and ``constant`` (all-equal weights: they never break
  symmetry, since all units of a layer then get identical updates).
"""
import math

import numpy

import autograd_core as ag

SMALL_STD = 1e-2


def as_generator(rng):
    """A ``numpy.random.Generator`` from a Generator, an integer seed, or None.

    None means the package's own generator, which ``ag.manual_seed`` seeds (fresh entropy until then), so
    ``ag.manual_seed(0)`` makes the weights of layers built without ``rng=`` reproducible, as in PyTorch.
    """
    if isinstance(rng, numpy.random.Generator):
        return rng
    if rng is None:
        return ag.default_generator()
    if isinstance(rng, (int, numpy.integer)):
        return numpy.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy.random.Generator, an integer seed or None, got {type(rng).__name__}")


def fans(shape):
    """(r_in, r_out): fan-in and fan-out of a weight of ``shape`` (in, out); a vector has fan-in 1."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return 1, shape[0]
    receptive = math.prod(shape[2:])
    return shape[0] * receptive, shape[1] * receptive


def normal(shape, rng=None, dtype=numpy.float64, std=SMALL_STD):
    """w ~ N(0, std^2) with a small fixed std (1e-2 by default), whatever the layer's size."""
    return (as_generator(rng).standard_normal(shape) * std).astype(dtype)


def fan_in_normal(shape, rng=None, dtype=numpy.float64):
    """w ~ N(0, 1/r), r = fan-in: the sum of r inputs then keeps roughly unit variance."""
    fan_in, _ = fans(shape)
    return normal(shape, rng, dtype, std=math.sqrt(1.0 / fan_in))


def fan_in_uniform(shape, rng=None, dtype=numpy.float64):
    """w ~ U[-1/sqrt(r), 1/sqrt(r)], r = fan-in."""
    fan_in, _ = fans(shape)
    bound = 1.0 / math.sqrt(fan_in)
    return as_generator(rng).uniform(-bound, bound, size=shape).astype(dtype)


def xavier_normal(shape, rng=None, dtype=numpy.float64):
    """Xavier/Glorot: w ~ N(0, 2 / (r_in + r_out)), balancing the forward and the backward pass."""
    fan_in, fan_out = fans(shape)
    return normal(shape, rng, dtype, std=math.sqrt(2.0 / (fan_in + fan_out)))


def he_normal(shape, rng=None, dtype=numpy.float64):
    """He: w ~ N(0, 2 / r_in), which makes up for a rectifier zeroing half its inputs."""
    fan_in, _ = fans(shape)
    return normal(shape, rng, dtype, std=math.sqrt(2.0 / fan_in))


def zeros(shape, rng=None, dtype=numpy.float64):
    """All zeros: the usual start for biases (``rng`` is accepted and unused, for a uniform signature)."""
    return numpy.zeros(shape, dtype=dtype)


def constant(shape, rng=None, dtype=numpy.float64, value=0.5):
    """Every entry equal to ``value``: a bad initialisation for weights, kept to show symmetry."""
    return numpy.full(shape, value, dtype=dtype)


SCHEMES = {
    "normal": normal,
    "fan_in_normal": fan_in_normal,
    "fan_in_uniform": fan_in_uniform,
    "xavier": xavier_normal,
    "xavier_normal": xavier_normal,
    "glorot": xavier_normal,
    "he": he_normal,
    "he_normal": he_normal,
    "zeros": zeros,
    "constant": constant,
}


def get(scheme):
    """The scheme function named ``scheme`` (see ``SCHEMES``), or ``scheme`` itself when it is callable."""
    if callable(scheme):
        return scheme
    if scheme not in SCHEMES:
        raise ValueError(f"unknown initialisation {scheme!r}; choose one of {sorted(SCHEMES)} or pass a "
                         "function (shape, rng, dtype) -> array")
    return SCHEMES[scheme]
