"""nn.parallel.ParameterServer on a local Ray: asynchronous training converges on digits, staleness is recorded,
and int8 compression in both directions keeps the accuracy."""
from functools import partial

import numpy as np
import pytest

pytest.importorskip("ray", reason="nn.parallel needs Ray: pip install -e '.[distributed]'")
pytest.importorskip("sklearn", reason="the digits data set comes with scikit-learn")

import autograd_core as ag  # noqa: E402
from autograd_core import nn, optim  # noqa: E402
from autograd_core.extras import ray_session  # noqa: E402
from autograd_core.nn.parallel import ParameterServer  # noqa: E402

pytestmark = pytest.mark.slow  # starts Ray and worker processes

MODEL_FN = partial(nn.MLP, [64, 32, 10], rng=0, dtype=np.float64)
OPTIMIZER_FN = partial(optim.SGD, lr=0.2, momentum=0.5)
EPOCHS, BATCH_SIZE = 4, 32
#: asynchronous updates see stale weights; they may cost this much accuracy against one process
ACCURACY_MARGIN = 0.04


@pytest.fixture(scope="module", autouse=True)
def ray():
    session = ray_session(num_cpus=2)
    yield session
    session.shutdown()


@pytest.fixture(scope="module")
def digits():
    X_train, X_test, y_train, y_test = nn.datasets.digits_split(seed=0)
    return X_train / 16.0, X_test / 16.0, y_train, y_test


def accuracy_of(model_state, X, y):
    model = MODEL_FN()
    model.load_state_dict(model_state)
    return nn.accuracy(nn.predict(model, X), y)


def serial_state(X, y, seed):
    model = MODEL_FN()
    optimizer = OPTIMIZER_FN(list(model.parameters()))
    loader = nn.DataLoader(X, y, batch_size=BATCH_SIZE, shuffle=True, seed=seed, drop_last=False)
    for _ in range(EPOCHS):
        for X_batch, y_batch in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(ag.Tensor(X_batch)), y_batch).backward()
            optimizer.step()
    return model.state_dict()


def test_one_worker_is_serial_training_with_zero_staleness(digits):
    X_train, _, y_train, _ = digits
    X, y = X_train[:200], y_train[:200]
    with ParameterServer(MODEL_FN, OPTIMIZER_FN, workers=1) as server:
        with pytest.raises(ValueError, match="epochs must be a positive integer, got 0"):
            server.fit(X, y, epochs=0)
        with pytest.raises(ValueError, match="batch_size must be a positive integer, got 2.5"):
            server.fit(X, y, batch_size=2.5)
        with pytest.raises(ValueError, match="one row per example"):
            server.fit(X, y[:5])
        server.fit(X, y, epochs=2, batch_size=BATCH_SIZE, seed=5)
        state = server.state_dict()
    order = np.random.default_rng(5).permutation(len(X))  # fit's shard of the only worker, and its loader seed
    model = MODEL_FN()
    optimizer = OPTIMIZER_FN(list(model.parameters()))
    loader = nn.DataLoader(X[order], y[order], batch_size=BATCH_SIZE, shuffle=True, seed=6, drop_last=False)
    for _ in range(2):
        for X_batch, y_batch in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(ag.Tensor(X_batch)), y_batch).backward()
            optimizer.step()
    for name, value in model.state_dict().items():
        np.testing.assert_allclose(state[name], value, rtol=1e-12, atol=1e-12, err_msg=name)
    assert server.staleness == [0] * 14  # 200 examples in batches of 32: 7 updates per epoch


@pytest.mark.parametrize("compression", [None, "int8"])
def test_asynchronous_training_converges_on_digits_and_records_staleness(digits, compression):
    X_train, X_test, y_train, y_test = digits
    serial_accuracy = accuracy_of(serial_state(X_train, y_train, seed=0), X_test, y_test)
    with ParameterServer(MODEL_FN, OPTIMIZER_FN, workers=2, compression=compression) as server:
        server.fit(X_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE)
        accuracy = accuracy_of(server.state_dict(), X_test, y_test)
    assert serial_accuracy > 0.9
    assert accuracy >= serial_accuracy - ACCURACY_MARGIN, (accuracy, serial_accuracy, compression)
    updates = 2 * EPOCHS * int(np.ceil(len(X_train) / 2 / BATCH_SIZE))
    assert server.updates == updates and len(server.staleness) == updates
    assert all(isinstance(value, int) and value >= 0 for value in server.staleness)
    parameters = sum(value.size for value in MODEL_FN().state_dict().values())
    bytes_per_number = 8 if compression is None else 1
    scales = 0 if compression is None else 8 * 4  # one float64 scale per tensor, four tensors
    assert server.bytes_by_kind["gradients up"] == updates * (parameters * bytes_per_number + scales)
    assert server.bytes_by_kind["weights down"] == updates * (parameters * bytes_per_number + scales)


def test_an_unknown_compression_is_refused_before_any_actor_starts():
    with pytest.raises(ValueError, match="compression must be None or 'int8', got 'float16'"):
        ParameterServer(MODEL_FN, OPTIMIZER_FN, workers=2, compression="float16")
    with pytest.raises(ValueError, match="workers must be a positive integer, got -1"):
        ParameterServer(MODEL_FN, OPTIMIZER_FN, workers=-1)
