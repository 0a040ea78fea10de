"""Search spaces: how each hyperparameter is sampled (Section 3.3.1).

The text's advice is to sample a learning rate or a regularisation weight on a
logarithmic scale: draw log(alpha) uniformly in [log a, log b] rather than
alpha in [a, b], so that each order of magnitude gets the same share of the
trials. ``LogUniform`` does that, ``Uniform`` samples on a linear scale,
``IntUniform`` draws integers, and ``Choice`` picks among listed values. Every
dimension can also give evenly spaced grid points (``grid``) and a box shrunk
around a centre (``around``), which is what the coarse-to-fine search of the
text samples from in its later rounds.
"""
import math
import numbers

import numpy


class Dimension:
    """One hyperparameter's range. Subclasses define ``sample``, ``grid``, ``around`` and ``describe``."""

    log = False

    def sample(self, rng):
        raise TypeError(f"{type(self).__name__} does not define sample(rng)")

    def __eq__(self, other):
        return type(self) is type(other) and self.describe() == other.describe()

    def __hash__(self):
        return hash(repr(self.describe()))

    def __repr__(self):
        fields = ", ".join(f"{key}={value!r}" for key, value in self.describe().items() if key != "kind")
        return f"{type(self).__name__}({fields})"


def _finite_number(value, name, owner):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{owner} needs a finite number for {name}, got {value!r}")
    return float(value)


class Uniform(Dimension):
    """x ~ U[low, high]: every value of the interval equally likely."""

    def __init__(self, low, high):
        self.low = _finite_number(low, "low", "Uniform")
        self.high = _finite_number(high, "high", "Uniform")
        if not self.low < self.high:
            raise ValueError(f"Uniform needs low < high, got low={low!r}, high={high!r}")

    def _to_unit(self, value):
        return value

    def _from_unit(self, value):
        return float(value)

    def sample(self, rng):
        return self._from_unit(rng.uniform(self._to_unit(self.low), self._to_unit(self.high)))

    def grid(self, count):
        """``count`` evenly spaced points from low to high (in log space for LogUniform)."""
        if count == 1:
            return [self._from_unit((self._to_unit(self.low) + self._to_unit(self.high)) / 2)]
        points = numpy.linspace(self._to_unit(self.low), self._to_unit(self.high), count)
        return [self._from_unit(point) for point in points]

    def around(self, centre, fraction):
        """The same kind of range, ``fraction`` as wide (in its own scale), centred on ``centre``, inside this one."""
        low, high = self._to_unit(self.low), self._to_unit(self.high)
        half_width = (high - low) * fraction / 2
        middle = min(max(self._to_unit(centre), low + half_width), high - half_width)
        return type(self)(self._from_unit(middle - half_width), self._from_unit(middle + half_width))

    def describe(self):
        return {"kind": type(self).__name__, "low": self.low, "high": self.high}


class LogUniform(Uniform):
    """log x ~ U[log low, log high] (the text's sampling of learning rates and penalties); needs 0 < low < high."""

    log = True

    def __init__(self, low, high):
        super().__init__(low, high)
        if self.low <= 0:
            raise ValueError(f"LogUniform needs 0 < low, got low={low!r}; use Uniform for ranges that include 0")

    def _to_unit(self, value):
        return math.log(value)

    def _from_unit(self, value):
        return float(math.exp(value))


class IntUniform(Dimension):
    """An integer n in [low, high], both included; ``log=True`` samples log n uniformly (sizes of layers)."""

    def __init__(self, low, high, log=False):
        for name, value in (("low", low), ("high", high)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise ValueError(f"IntUniform needs an integer for {name}, got {value!r}")
        if not low < high:
            raise ValueError(f"IntUniform needs low < high, got low={low!r}, high={high!r}")
        if log and low < 1:
            raise ValueError(f"IntUniform(log=True) needs low >= 1, got low={low!r}")
        self.low, self.high, self.log = int(low), int(high), bool(log)
        self._continuous = (LogUniform if self.log else Uniform)(self.low - 0.5, self.high + 0.5)

    def _round(self, value):
        return int(min(max(round(value), self.low), self.high))

    def sample(self, rng):
        return self._round(self._continuous.sample(rng))

    def grid(self, count):
        return sorted({self._round(value) for value in self._continuous.grid(count)})

    def around(self, centre, fraction):
        box = self._continuous.around(centre, fraction)
        low, high = self._round(box.low), self._round(box.high)
        return IntUniform(low, high, self.log) if low < high else Choice([low])

    def describe(self):
        return {"kind": "IntUniform", "low": self.low, "high": self.high, "log": self.log}


class Choice(Dimension):
    """One of ``values``, each equally likely (for example hidden sizes or activation names)."""

    def __init__(self, values):
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise ValueError(f"Choice needs a list of values, got {values!r}")
        self.values = list(values)
        if not self.values:
            raise ValueError("Choice needs at least one value, got an empty list")

    def sample(self, rng):
        return self.values[int(rng.integers(len(self.values)))]

    def grid(self, count):
        return list(self.values)

    def around(self, centre, fraction):
        return self

    def describe(self):
        return {"kind": "Choice", "values": list(self.values)}


KINDS = {kind.__name__: kind for kind in (Uniform, LogUniform, IntUniform, Choice)}


def as_space(space, argument="space"):
    """Check a dict name -> Dimension (a list stands for ``Choice(list)``) and return it as such a dict."""
    if not isinstance(space, dict) or not space:
        raise TypeError(f"{argument} must be a non-empty dict of hyperparameter name -> tune.Uniform, "
                        f"tune.LogUniform, tune.IntUniform, tune.Choice or a list of values; got {space!r}")
    checked = {}
    for name, dimension in space.items():
        if not isinstance(name, str):
            raise TypeError(f"hyperparameter names must be strings, got {name!r} in {argument}")
        if isinstance(dimension, (list, tuple)):
            dimension = Choice(dimension)
        if not isinstance(dimension, Dimension):
            raise TypeError(f"{argument}[{name!r}] must be a tune.Uniform, tune.LogUniform, tune.IntUniform, "
                            f"tune.Choice or a list of values, got {dimension!r}")
        checked[name] = dimension
    return checked


def sample(space, rng):
    """One configuration: name -> a value drawn from each dimension with ``rng``, in the space's order."""
    return {name: dimension.sample(rng) for name, dimension in space.items()}


def describe(space):
    """A JSON-ready description of the space, from which ``from_description`` rebuilds it."""
    return {name: dimension.describe() for name, dimension in space.items()}


def from_description(description):
    """The space that ``describe`` wrote."""
    space = {}
    for name, fields in description.items():
        fields = dict(fields)
        kind = fields.pop("kind")
        if kind not in KINDS:
            raise ValueError(f"unknown kind of hyperparameter {kind!r} for {name!r}; known: {sorted(KINDS)}")
        space[name] = Choice(fields["values"]) if kind == "Choice" else KINDS[kind](**fields)
    return space
