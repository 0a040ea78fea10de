"""fit, evaluate and predict; the digits run on a shorter schedule; the command line."""
import builtins
import sys

import numpy as np
import pytest

from autograd_core import nn
from autograd_core.nn.__main__ import main


pytestmark = pytest.mark.usefixtures("float64_layers")  # gradcheck and float64 references


def blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    centres = np.array([[2.0, 0.0], [-1.0, 2.0], [-1.0, -2.0]])
    return centres[labels] + rng.normal(scale=0.5, size=(n, 2)), labels


def test_fit_returns_history_and_learns():
    X, y = blobs()
    model = nn.MLP([2, 16, 3], batch_norm="post", rng=0)
    history = nn.fit(model, (X, y), epochs=5, batch_size=16, validation=blobs(60, seed=1),
                     metrics={"accuracy": nn.accuracy}, progress=False)
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"}
    assert all(len(values) == 5 for values in history.values())
    assert history["loss"][-1] < history["loss"][0]
    assert history.last()["val_accuracy"] > 0.9
    assert model.training


def test_fit_uses_a_given_optimizer():
    class CountingSGD(nn.MomentumSGD):
        steps = 0

        def step(self):
            CountingSGD.steps += 1
            super().step()

    X, y = blobs()
    model = nn.MLP([2, 4, 3], rng=0)
    nn.fit(model, nn.DataLoader(X, y, batch_size=50), optimizer=CountingSGD(model.parameters(), lr=0.1),
           epochs=2, progress=False)
    assert CountingSGD.steps == 2 * 3


def test_fit_adds_penalties():
    X, y = blobs()
    sparse = nn.Sequential(nn.Linear(2, 8, rng=0), nn.ReLU(), nn.ActivityPenalty(l1=1.0), nn.Linear(8, 3, rng=1))
    dense = nn.Sequential(nn.Linear(2, 8, rng=0), nn.ReLU(), nn.Linear(8, 3, rng=1))
    for model in (sparse, dense):
        nn.fit(model, (X, y), epochs=5, batch_size=20, progress=False,
               penalty=lambda m: nn.functional.weight_penalty(m, l2=1e-3))
    hidden = {name: np.abs(model[1](model[0](X)).numpy()).mean() for name, model in
              (("sparse", sparse), ("dense", dense))}
    assert hidden["sparse"] < 0.5 * hidden["dense"]


def test_fit_without_tqdm_still_trains(monkeypatch):
    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError("no tqdm here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    X, y = blobs()
    history = nn.fit(nn.MLP([2, 4, 3], rng=0), (X, y), epochs=1, progress=True)
    assert len(history["loss"]) == 1


def test_fit_with_progress_bar_writes_it(capsys):
    pytest.importorskip("tqdm")
    X, y = blobs()
    nn.fit(nn.MLP([2, 4, 3], rng=0), (X, y), epochs=1, batch_size=40, progress=True)
    assert "3/3" in capsys.readouterr().err


def test_fit_refuses_an_empty_schedule():
    with pytest.raises(ValueError, match="no training batch"):
        nn.fit(nn.MLP([2, 3], rng=0), (np.zeros((5, 2)), np.zeros(5, dtype=int)), batch_size=8, progress=False)


def test_predict_and_evaluate_use_evaluation_mode():
    X, y = blobs()
    model = nn.MLP([2, 8, 3], batch_norm="pre", rng=0)
    nn.fit(model, (X, y), epochs=3, batch_size=16, progress=False)
    output = nn.predict(model, X, batch_size=7)
    model.eval()
    np.testing.assert_allclose(output, model(X).numpy(), rtol=1e-12)
    results = nn.evaluate(model, X, y, metrics={"accuracy": nn.accuracy})
    assert results["accuracy"] == nn.accuracy(output, y)
    assert nn.accuracy(np.eye(3)[[0, 1, 2]], np.eye(3)[[0, 2, 2]]) == pytest.approx(2 / 3)


def test_digits_mlp_with_batch_norm_learns_in_a_few_epochs():
    pytest.importorskip("sklearn")
    X_train, X_test, y_train, y_test = nn.datasets.digits_split(test_fraction=0.2, seed=0)
    assert len(X_train) + len(X_test) == 1797 and X_test.shape[1] == 64
    assert abs(len(X_test) - 0.2 * 1797) < 5 and set(y_test) == set(range(10))
    model = nn.Sequential(nn.preprocessing.Standardization().fit(X_train),
                          nn.MLP([64, 128, 10], batch_norm="pre", rng=0))
    nn.fit(model, (X_train, y_train), epochs=3, batch_size=32, lr=0.05, momentum=0.9, progress=False)
    assert nn.evaluate(model, X_test, y_test, metrics={"accuracy": nn.accuracy})["accuracy"] >= 0.93
    nn.compute_population_statistics(model, nn.DataLoader(X_train, batch_size=64, drop_last=True))
    assert nn.evaluate(model, X_test, y_test, metrics={"accuracy": nn.accuracy})["accuracy"] >= 0.93


def test_load_digits_without_scikit_learn_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(ImportError, match="scikit-learn"):
        nn.datasets.load_digits()


def test_demo_command_runs(capsys):
    pytest.importorskip("sklearn")
    assert main(["demo", "--epochs", "1", "--hidden", "32", "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "test accuracy (running averages)" in text and "test accuracy (population statistics)" in text
