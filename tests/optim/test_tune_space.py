"""Search spaces of optim.tune: log-uniform sampling (Section 3.3.1), grids, shrunken boxes, bad input."""
import math

import numpy
import pytest

from autograd_core.optim import tune
from autograd_core.optim.tune import space as spaces


def test_log_uniform_gives_each_decade_the_same_share():
    rng = numpy.random.default_rng(0)
    samples = numpy.array([tune.LogUniform(1e-4, 1e-0).sample(rng) for _ in range(4000)])
    decades = numpy.histogram(numpy.log10(samples), bins=[-4, -3, -2, -1, 0])[0] / len(samples)
    assert numpy.all(numpy.abs(decades - 0.25) < 0.03), decades
    uniform = numpy.array([tune.Uniform(1e-4, 1e-0).sample(rng) for _ in range(4000)])
    assert (uniform < 1e-1).mean() < 0.15  # a linear scale leaves the small decades almost unvisited


def test_samples_stay_in_range_and_integers_reach_both_ends():
    rng = numpy.random.default_rng(1)
    values = {tune.IntUniform(2, 5).sample(rng) for _ in range(300)}
    assert values == {2, 3, 4, 5}
    logs = [tune.IntUniform(16, 256, log=True).sample(rng) for _ in range(300)]
    assert min(logs) >= 16 and max(logs) <= 256 and all(isinstance(value, int) for value in logs)
    assert {tune.Choice(["relu", "tanh"]).sample(rng) for _ in range(50)} == {"relu", "tanh"}


def test_grid_points_are_even_in_the_range_own_scale():
    assert numpy.allclose(tune.LogUniform(1e-4, 1e-1).grid(4), [1e-4, 1e-3, 1e-2, 1e-1])
    assert numpy.allclose(tune.Uniform(0, 1).grid(3), [0, 0.5, 1])
    assert tune.IntUniform(1, 4).grid(4) == [1, 2, 3, 4]
    assert tune.Choice([8, 16]).grid(1) == [8, 16]


def test_around_shrinks_in_log_space_and_stays_inside():
    box = tune.LogUniform(1e-5, 1e-1).around(1e-3, 0.25)
    assert math.isclose(math.log10(box.high) - math.log10(box.low), 1.0)
    assert math.isclose(math.sqrt(box.low * box.high), 1e-3)
    edge = tune.LogUniform(1e-5, 1e-1).around(1e-5, 0.25)
    assert math.isclose(edge.low, 1e-5) and math.isclose(edge.high, 1e-4)
    assert tune.Uniform(0, 1).around(0.9, 0.5).describe() == {"kind": "Uniform", "low": 0.5, "high": 1.0}


def test_description_round_trip():
    space = {"lr": tune.LogUniform(1e-4, 1e-1), "m": tune.Uniform(0.5, 0.99), "h": tune.IntUniform(8, 64, log=True),
             "act": tune.Choice(["relu", "tanh"])}
    assert spaces.from_description(spaces.describe(space)) == space


@pytest.mark.parametrize("make, message", [
    (lambda: tune.LogUniform(0, 1), "0 < low"),
    (lambda: tune.Uniform(1, 1), "low < high"),
    (lambda: tune.Uniform(float("nan"), 1), "finite number for low"),
    (lambda: tune.Uniform(0, "1"), "finite number for high"),
    (lambda: tune.IntUniform(1.5, 3), "integer for low"),
    (lambda: tune.IntUniform(0, 3, log=True), "low >= 1"),
    (lambda: tune.Choice([]), "at least one value"),
    (lambda: tune.Choice("relu"), "list of values"),
])
def test_bad_ranges_are_refused_with_the_argument_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("space", [{}, None, [("lr", tune.Uniform(0, 1))], {"lr": 0.1}, {1: [1, 2]}])
def test_bad_spaces_are_refused(space):
    with pytest.raises(TypeError):
        spaces.as_space(space)


def test_lists_stand_for_choices():
    assert spaces.as_space({"hidden": [32, 64]}) == {"hidden": tune.Choice([32, 64])}
