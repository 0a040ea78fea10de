"""nn.parallel.DataParallel on a local Ray: one synchronous step on N workers is one single-process step.

One Ray (2 CPUs) is shared by the whole module; actors ask for a quarter of a
CPU, so 4 workers run on 2 cores.
"""
from functools import partial

import numpy as np
import pytest

pytest.importorskip("ray", reason="nn.parallel needs Ray: pip install -e '.[distributed]'")

import autograd_core as ag  # noqa: E402
from autograd_core import nn, optim  # noqa: E402
from autograd_core.extras import ray_session  # noqa: E402
from autograd_core.nn.parallel import DataParallel  # noqa: E402

pytestmark = pytest.mark.slow  # starts Ray and worker processes: about ten seconds in all

MODEL_FN = partial(nn.MLP, [6, 5, 3], rng=0, dtype=np.float64)
OPTIMIZER_FN = partial(optim.SGD, lr=0.1, momentum=0.9)


@pytest.fixture(scope="module", autouse=True)
def ray():
    session = ray_session(num_cpus=2)
    yield session
    session.shutdown()


def single_process_steps(batches):
    model = MODEL_FN()
    optimizer = OPTIMIZER_FN(list(model.parameters()))
    losses = []
    for X, y in batches:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(ag.Tensor(X)), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, model.state_dict()


def batches(count, size=11, seed=3):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((size, 6)), rng.integers(0, 3, size=size)) for _ in range(count)]


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_synchronous_steps_equal_single_process_steps_in_float64(workers):
    data = batches(2)  # 11 examples: shards of unequal size (3, 3, 2, 3 on four workers)
    expected_losses, expected_state = single_process_steps(data)
    trainer = DataParallel(MODEL_FN, OPTIMIZER_FN, workers=workers)
    try:
        losses = [trainer.step(X, y) for X, y in data]
        state = trainer.state_dict()
    finally:
        trainer.shutdown()
    np.testing.assert_allclose(losses, expected_losses, rtol=1e-12, atol=1e-12)
    assert list(state) == list(expected_state)
    for name, value in expected_state.items():
        np.testing.assert_allclose(state[name], value, rtol=1e-12, atol=1e-12, err_msg=name)
    parameters = sum(value.size for value in expected_state.values())
    per_step = 2 * workers * parameters * 8  # gradients up and down in float64
    assert trainer.bytes_by_kind["gradients up"] + trainer.bytes_by_kind["gradients down"] == 2 * per_step
    assert trainer.bytes_by_kind["data"] == sum(X.nbytes + y.nbytes for X, y in data)
    assert trainer.bytes_sent >= 2 * per_step


def test_bad_arguments_are_refused_before_any_actor_starts():
    with pytest.raises(ValueError, match="workers must be a positive integer, got 0"):
        DataParallel(MODEL_FN, OPTIMIZER_FN, workers=0)
    with pytest.raises(ValueError, match="compression must be None or 'int8', got 'int4'"):
        DataParallel(MODEL_FN, OPTIMIZER_FN, workers=2, compression="int4")


def test_int8_compression_keeps_replicas_identical_and_sends_a_byte_per_number():
    data = batches(6, size=16)
    float_losses, _ = single_process_steps(data)
    with DataParallel(MODEL_FN, OPTIMIZER_FN, workers=2, compression="int8") as trainer:
        X, y = data[0]
        with pytest.raises(ValueError, match="a batch of 1 examples cannot be split across 2 workers"):
            trainer.step(X[:1], y[:1])
        with pytest.raises(ValueError, match="one row per example"):
            trainer.step(X, y[:5])
        losses = [trainer.step(X, y) for X, y in data]
        states = [trainer.ray.get(actor.state_dict.remote()) for actor in trainer.actors]
    with pytest.raises(RuntimeError, match="shut down"):
        trainer.step(X, y)
    for name, value in states[0].items():
        np.testing.assert_array_equal(states[1][name], value)  # every replica decoded the same bytes
    np.testing.assert_allclose(losses, float_losses, rtol=0.05)  # 8-bit gradients: close, not equal
    assert losses != pytest.approx(float_losses, rel=1e-12)
    parameters = sum(value.size for value in states[0].values())
    per_direction = 2 * (parameters + 8 * 4)  # two workers, one byte per number and a scale per tensor
    assert trainer.bytes_by_kind["gradients up"] == trainer.bytes_by_kind["gradients down"] == 6 * per_direction


def test_fit_with_data_parallel_gives_the_serial_fit():
    rng = np.random.default_rng(8)
    X, y = rng.standard_normal((40, 6)), rng.integers(0, 3, size=40)
    settings = dict(epochs=2, batch_size=10, seed=4, progress=False, validation=(X[:8], y[:8]),
                    metrics={"accuracy": nn.accuracy})
    serial_model = MODEL_FN()
    serial = nn.fit(serial_model, (X, y), **settings)
    parallel_model = MODEL_FN()
    with DataParallel(MODEL_FN, partial(nn.MomentumSGD, lr=0.1, momentum=0.9), workers=2) as trainer:
        history = nn.fit(parallel_model, (X, y), parallel=trainer, **settings)
        with pytest.raises(ValueError, match="leave optimizer=None"):
            nn.fit(parallel_model, (X, y), parallel=trainer, optimizer=optim.SGD(parallel_model.parameters(), lr=1))
    assert set(history) == set(serial)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(history[key], serial[key], rtol=1e-12, atol=1e-12, err_msg=key)
    for name, value in serial_model.state_dict().items():
        np.testing.assert_allclose(parallel_model.state_dict()[name], value, rtol=1e-12, atol=1e-12)
