"""optim.tune searches on one process: known optimum, reproducibility, killing, divergence, failures, files."""
import json
import math
import sys
import warnings

import numpy
import pytest
from tune_objectives import OPTIMUM_LOG10_LR, diverges_above_lr, fails_above_lr, noisy_quadratic

import autograd_core as ag
from autograd_core import nn
from autograd_core.optim import tune

SPACE = {"lr": tune.LogUniform(1e-5, 1e-1), "momentum": tune.Uniform(0.5, 0.99)}
SERIAL = dict(executor="serial", progress=False)
# (strategy, extra keywords): each must put log10(lr) within TOLERANCE of the optimum with 27 trials; a grid
# of 27 trials over two ranges has 5 points a decade apart in log10(lr), so it can only get within half a decade
STRATEGIES = {
    "grid_search": (tune.grid_search, {}),
    "random_search": (tune.random_search, {}),
    "coarse_to_fine": (tune.coarse_to_fine, {"rounds": 3}),
    "successive_halving": (tune.successive_halving, {"max_epochs": 9}),
    "hyperband": (tune.hyperband, {"max_epochs": 9}),
    "bayesian": (tune.bayesian, {}),
}
BUDGET = 27
TOLERANCE = {"grid_search": 0.5 + 1e-9}


def needs_optuna(strategy):
    if strategy == "bayesian":
        pytest.importorskip("optuna", reason="the Bayesian search needs the tune extra (pip install -e '.[tune]')")


def best_log10_lr(study):
    return math.log10(study.best_config["lr"])


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_each_strategy_finds_the_known_optimum(name):
    needs_optuna(name)
    search, keywords = STRATEGIES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tune.GridEdgeWarning)  # momentum's optimum 0.9 is near the grid's edge
        study = search(noisy_quadratic, SPACE, BUDGET, seed=0, **keywords, **SERIAL)
    assert study.strategy == name and len(study.trials) <= BUDGET
    assert abs(best_log10_lr(study) - OPTIMUM_LOG10_LR) < TOLERANCE.get(name, 0.3), study.best_config
    assert study.best_value == min(trial.value for trial in study.finished())


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_the_same_seed_gives_the_same_study(name):
    needs_optuna(name)
    search, keywords = STRATEGIES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tune.GridEdgeWarning)
        first, second = (search(noisy_quadratic, SPACE, 12, seed=3, **keywords, **SERIAL) for _ in range(2))
    assert [trial.to_dict() | {"seconds": 0} for trial in first.trials] == \
           [trial.to_dict() | {"seconds": 0} for trial in second.trials]
    if name != "grid_search":
        other = search(noisy_quadratic, SPACE, 12, seed=4, **keywords, **SERIAL)
        assert [trial.config for trial in other.trials] != [trial.config for trial in first.trials]


def test_trials_record_config_reports_value_status_and_seconds():
    study = tune.random_search(noisy_quadratic, SPACE, 3, seed=0, **SERIAL)
    for trial in study.trials:
        assert trial.status == "finished" and trial.epochs == 9
        assert [epoch for epoch, _ in trial.reports] == list(range(9))
        assert trial.value == trial.reports[-1][1] and trial.seconds >= 0
        assert set(trial.config) == {"lr", "momentum"}
    assert len({trial.seed for trial in study.trials}) == 3


def test_successive_halving_kills_at_rungs_and_spends_at_most_half_the_epochs():
    n_trials, max_epochs = 27, 9
    study = tune.successive_halving(noisy_quadratic, SPACE, n_trials, max_epochs=max_epochs, eta=3, seed=0, **SERIAL)
    statuses = study.statuses()
    assert statuses["killed"] > n_trials / 2 and statuses["finished"] >= 1
    assert {trial.rung for trial in study.trials if trial.status == "killed"} <= {1, 3}
    for trial in study.trials:
        expected = max_epochs if trial.status == "finished" else trial.rung
        assert trial.epochs == expected
    assert study.total_epochs <= 0.5 * n_trials * max_epochs, study.total_epochs
    unpruned = tune.random_search(noisy_quadratic, SPACE, n_trials, max_epochs=max_epochs, seed=0, **SERIAL)
    assert unpruned.total_epochs == n_trials * max_epochs
    # the same configurations (same seed): the winner of the full runs survives the halving
    assert study.best_config == unpruned.best_config


def test_hyperband_brackets_share_the_budget():
    brackets = tune.hyperband_brackets(30, max_epochs=9, min_epochs=1, eta=3)
    assert [first for first, _ in brackets] == [1, 3, 9]
    assert sum(count for _, count in brackets) == 30
    assert brackets[0][1] > brackets[1][1] > brackets[2][1]
    assert tune.hyperband_brackets(1, max_epochs=9, min_epochs=1, eta=3) == [(1, 1)]
    assert tune.hyperband_brackets(5, max_epochs=10, min_epochs=10, eta=3) == [(10, 5)]
    study = tune.hyperband(noisy_quadratic, SPACE, 30, max_epochs=9, seed=0, **SERIAL)
    last_bracket = [trial for trial in study.trials if trial.bracket == len(brackets) - 1]
    assert all(trial.status == "finished" and trial.epochs == 9 for trial in last_bracket)


def test_diverging_runs_are_stopped_at_once():
    study = tune.random_search(diverges_above_lr, SPACE, 12, seed=0, **SERIAL)
    for trial in study.trials:
        if trial.config["lr"] > 0.01:
            assert trial.status == "diverged" and trial.epochs == 3 and math.isnan(trial.value)
        else:
            assert trial.status == "finished"
    assert study.best_config["lr"] <= 0.01


def test_a_loss_far_above_its_start_counts_as_diverged():
    def explodes(config, trial):
        for epoch in range(5):
            trial.report(epoch, 2.0 ** (4 * epoch))
        return 0.0

    study = tune.random_search(explodes, SPACE, 1, seed=0, divergence_factor=100, **SERIAL)
    trial = study.trials[0]
    assert trial.status == "diverged" and trial.epochs == 3  # 1, 16, 256: above 100 times the start
    relaxed = tune.random_search(explodes, SPACE, 1, seed=0, divergence_factor=None, **SERIAL)
    assert relaxed.trials[0].status == "finished"


def test_a_failing_trial_is_recorded_and_the_others_go_on():
    with pytest.warns(tune.TrialFailedWarning, match="out of memory"):
        study = tune.random_search(fails_above_lr, SPACE, 10, seed=0, **SERIAL)
    failed = [trial for trial in study.trials if trial.status == "failed"]
    assert failed and all("RuntimeError: out of memory" in trial.error for trial in failed)
    assert len(study.trials) == 10 and study.finished()


def test_no_finished_trial_gives_a_clear_error():
    def always_fails(config, trial):
        raise ValueError("bad model")

    with pytest.warns(tune.TrialFailedWarning):
        study = tune.random_search(always_fails, SPACE, 2, seed=0, **SERIAL)
    with pytest.raises(ValueError, match="no trial finished.*bad model"):
        print(study.best_config)


def test_killing_works_even_when_the_objective_swallows_the_exception():
    def stubborn(config, trial):
        for epoch in range(trial.max_epochs):
            try:
                trial.report(epoch, noisy_quadratic.__globals__["final_loss"](config) + 1.0 / (epoch + 1))
            except tune.TrialKilled:
                pass
        return 0.0

    study = tune.successive_halving(stubborn, SPACE, 9, max_epochs=9, seed=0, **SERIAL)
    assert study.statuses()["killed"] >= 5
    assert all(trial.value != 0.0 for trial in study.trials if trial.status == "killed")


@pytest.mark.parametrize("epoch, value, error", [
    (-1, 1.0, ValueError), (1.5, 1.0, ValueError), (True, 1.0, ValueError),
    (0, "low", TypeError), (0, None, TypeError), (0, numpy.ones(2), TypeError),
])
def test_bad_reports_fail_the_trial_with_the_argument_named(epoch, value, error):
    def objective(config, trial):
        trial.report(epoch, value)
        return 1.0

    with pytest.warns(tune.TrialFailedWarning):
        study = tune.random_search(objective, SPACE, 1, seed=0, **SERIAL)
    assert study.trials[0].status == "failed" and error.__name__ in study.trials[0].error


def test_reports_accept_tensors_and_need_increasing_epochs():
    def objective(config, trial):
        trial.report(0, ag.tensor(2.0))
        trial.report(1, numpy.float32(1.5))
        trial.report(1, 1.0)

    with pytest.warns(tune.TrialFailedWarning, match="increasing epochs"):
        study = tune.random_search(objective, SPACE, 1, seed=0, **SERIAL)
    assert study.trials[0].reports == [[0, 2.0], [1, 1.5]]


@pytest.mark.parametrize("keywords, message", [
    ({"n_trials": 0}, "n_trials"), ({"n_trials": 2.5}, "n_trials"), ({"seed": -1}, "seed"),
    ({"seed": None}, "seed"), ({"executor": "threads"}, "executor"), ({"n_workers": 0}, "n_workers"),
    ({"direction": "down"}, "direction"), ({"divergence_factor": 0.5}, "divergence_factor"),
    ({"address": "auto", "executor": "serial"}, "address"),
])
def test_bad_search_arguments_are_refused(keywords, message):
    arguments = dict(n_trials=2, seed=0, executor="serial", progress=False) | keywords
    with pytest.raises(ValueError, match=message):
        tune.random_search(noisy_quadratic, SPACE, **arguments)


def test_bad_strategy_settings_are_refused():
    with pytest.raises(ValueError, match="eta"):
        tune.successive_halving(noisy_quadratic, SPACE, 4, max_epochs=9, eta=1, **SERIAL)
    with pytest.raises(ValueError, match="min_epochs"):
        tune.hyperband(noisy_quadratic, SPACE, 4, max_epochs=3, min_epochs=4, **SERIAL)
    with pytest.raises(ValueError, match="shrink"):
        tune.coarse_to_fine(noisy_quadratic, SPACE, 6, shrink=1.0, **SERIAL)
    with pytest.raises(ValueError, match="rounds"):
        tune.coarse_to_fine(noisy_quadratic, SPACE, 2, rounds=3, **SERIAL)
    with pytest.raises(TypeError, match="objective"):
        tune.random_search("noisy_quadratic", SPACE, 2, **SERIAL)
    with pytest.raises(ValueError, match="more than n_trials"):
        tune.grid_search(noisy_quadratic, {"lr": [1e-3, 1e-2], "momentum": [0.5, 0.9]}, 3, **SERIAL)


def test_grid_search_runs_every_combination_of_lists():
    grid = {"lr": [1e-4, 3e-3, 1e-2], "momentum": [0.5, 0.9]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study = tune.grid_search(noisy_quadratic, grid, **SERIAL)
    assert [tuple(trial.config.values()) for trial in study.trials] == \
           [(lr, momentum) for lr in grid["lr"] for momentum in grid["momentum"]]


def test_grid_search_warns_when_the_best_is_on_an_edge():
    with pytest.warns(tune.GridEdgeWarning, match=r"best lr=0\.01 is on the lower edge.*extend the grid below"):
        tune.grid_search(noisy_quadratic, {"lr": [1e-1, 3e-2, 1e-2]}, **SERIAL)
    with pytest.warns(tune.GridEdgeWarning, match=r"best lr=0\.0001 is on the upper edge.*extend the grid above"):
        tune.grid_search(noisy_quadratic, {"lr": [1e-8, 1e-6, 1e-4]}, **SERIAL)


def test_grid_of_ranges_fills_the_budget_with_even_points():
    study = tune.grid_search(noisy_quadratic, {"lr": tune.LogUniform(1e-4, 1e-1), "act": ["relu", "tanh"]}, 9,
                             **SERIAL)
    assert len(study.trials) == 8
    assert numpy.allclose(sorted({trial.config["lr"] for trial in study.trials}), [1e-4, 1e-3, 1e-2, 1e-1])


@pytest.mark.filterwarnings("ignore::autograd_core.optim.tune.strategies.GridEdgeWarning")
def test_random_search_covers_more_distinct_values_than_a_grid_of_the_same_budget():
    grid = tune.grid_search(noisy_quadratic, SPACE, 16, **SERIAL)
    rand = tune.random_search(noisy_quadratic, SPACE, 16, seed=0, **SERIAL)
    assert len({trial.config["lr"] for trial in grid.trials}) == 4
    assert len({trial.config["lr"] for trial in rand.trials}) == 16


def test_coarse_to_fine_rounds_sample_smaller_boxes_around_the_best():
    study = tune.coarse_to_fine(noisy_quadratic, {"lr": tune.LogUniform(1e-5, 1e-1)}, 30, rounds=3, shrink=0.25,
                                seed=0, **SERIAL)
    spreads = [numpy.ptp([math.log10(trial.config["lr"]) for trial in study.trials[start:start + 10]])
               for start in (0, 10, 20)]
    assert spreads[0] > 2 and spreads[1] <= 1.0 + 1e-9 and spreads[2] <= 0.25 + 1e-9


def test_save_and_load_round_trip_as_plain_json(tmp_path):
    study = tune.successive_halving(diverges_above_lr, SPACE, 9, max_epochs=9, seed=0, **SERIAL)
    path = tmp_path / "study.json"
    study.save(path)
    data = json.loads(path.read_text().replace("NaN", "null"))
    assert data["strategy"] == "successive_halving" and len(data["trials"]) == 9
    loaded = tune.load_study(path)
    assert json.dumps(loaded.to_dict()) == json.dumps(study.to_dict())
    assert loaded.best_config == study.best_config and loaded.space == study.space


def test_loading_something_else_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"trials": []}))
    with pytest.raises(ValueError, match="not a saved study"):
        tune.load_study(path)


class Interrupting:
    """An objective that presses Ctrl-C in trial ``stop_at`` and counts the trials it ran."""

    def __init__(self, stop_at=None):
        self.stop_at = stop_at
        self.ran = []

    def __call__(self, config, trial):
        if trial.number == self.stop_at:
            raise KeyboardInterrupt
        self.ran.append(trial.number)
        return noisy_quadratic(config, trial)


@pytest.mark.parametrize("strategy", ["random_search", "successive_halving", "bayesian"])
def test_interrupted_search_returns_the_study_so_far_and_resumes_from_its_file(strategy, tmp_path):
    needs_optuna(strategy)
    search, keywords = STRATEGIES[strategy]
    path = tmp_path / "study.json"
    interrupted = Interrupting(stop_at=5)
    partial = search(interrupted, SPACE, 12, seed=1, storage=path, **keywords, **SERIAL)
    assert partial.interrupted and len(partial.trials) == 5 and interrupted.ran == [0, 1, 2, 3, 4]
    resumed_objective = Interrupting()
    resumed = search(resumed_objective, SPACE, 12, seed=1, storage=path, **keywords, **SERIAL)
    assert resumed_objective.ran == list(range(5, 12)) and not resumed.interrupted
    whole = search(noisy_quadratic, SPACE, 12, seed=1, **keywords, **SERIAL)
    assert [trial.to_dict() | {"seconds": 0} for trial in resumed.trials] == \
           [trial.to_dict() | {"seconds": 0} for trial in whole.trials]


def test_resuming_from_another_study_is_refused(tmp_path):
    path = tmp_path / "study.json"
    tune.random_search(noisy_quadratic, SPACE, 2, seed=1, storage=path, **SERIAL)
    with pytest.raises(ValueError, match="another study.*seed"):
        tune.random_search(noisy_quadratic, SPACE, 2, seed=2, storage=path, **SERIAL)


def test_unsaveable_configs_are_refused_with_the_reason(tmp_path):
    study = tune.grid_search(lambda config, trial: 1.0, {"activation": [nn.ReLU, nn.Tanh]}, **SERIAL)
    with pytest.raises(TypeError, match="cannot be saved as JSON"):
        study.save(tmp_path / "study.json")


def make_regressor(config):
    return nn.Linear(3, 1, rng=0)


def train_regressor(config, trial):
    rng = numpy.random.default_rng(0)
    X = rng.standard_normal((64, 3))
    y = X @ numpy.array([[1.0], [-2.0], [0.5]])
    model = make_regressor(config)
    for epoch in range(20):
        loss = nn.functional.mse(model(ag.tensor(X)), y)
        model.zero_grad()
        loss.backward()
        for parameter in model.parameters():
            parameter.data = parameter.data - config["lr"] * parameter.grad
        trial.report(epoch, loss.item())
    trial.keep(model)
    return loss.item()


@pytest.mark.filterwarnings("ignore::autograd_core.optim.tune.strategies.GridEdgeWarning")
def test_ensemble_averages_the_best_runs_models():
    study = tune.grid_search(train_regressor, {"lr": [0.001, 0.01, 0.1, 0.3]}, **SERIAL)
    ensemble = study.ensemble(2, make_regressor)
    best_two = study.ranked()[:2]
    assert [trial.config["lr"] for trial in best_two] == [0.3, 0.1]
    X = ag.tensor(numpy.random.default_rng(1).standard_normal((5, 3)))
    members = []
    for trial in best_two:
        model = make_regressor(trial.config)
        model.load_state_dict(trial.state)
        members.append(model(X).data)
    assert numpy.allclose(ensemble(X).data, (members[0] + members[1]) / 2)
    with pytest.raises(ValueError, match="trial.keep"):
        tune.random_search(noisy_quadratic, SPACE, 2, **SERIAL).ensemble(1, make_regressor)
    with pytest.raises(ValueError, match="positive integer"):
        study.ensemble(0, make_regressor)


def test_kept_weights_survive_save_and_load(tmp_path):
    study = tune.grid_search(train_regressor, {"lr": [0.01, 0.1]}, **SERIAL)
    study.save(tmp_path / "study.json")
    loaded = tune.load_study(tmp_path / "study.json")
    for original, copy in zip(study.trials, loaded.trials):
        for name, array in original.state.items():
            assert copy.state[name].dtype == array.dtype and numpy.array_equal(copy.state[name], array)


def test_plots_use_log_axes_where_sampled_in_log(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    space = dict(SPACE, hidden=tune.Choice([32, 64]))
    study = tune.successive_halving(noisy_quadratic, space, 9, max_epochs=9, seed=0, **SERIAL)
    figure = study.plot(tmp_path / "study.png")
    scales = [ax.get_xscale() for ax in figure.axes]
    assert scales == ["log", "linear", "linear"]
    assert [label.get_text() for label in figure.axes[2].get_xticklabels()] == ["32", "64"]
    curves = study.plot_reports(tmp_path / "reports.png")
    assert (tmp_path / "study.png").stat().st_size > 1000 and (tmp_path / "reports.png").stat().st_size > 1000
    assert len(curves.axes[0].lines) >= len(study.trials)


def test_bayesian_without_optuna_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(ImportError, match=r"\.\[tune\]"):
        tune.bayesian(noisy_quadratic, SPACE, 2, **SERIAL)


def test_progress_bar_counts_trials(capsys):
    pytest.importorskip("tqdm")
    tune.random_search(noisy_quadratic, SPACE, 3, seed=0, executor="serial", progress=True)
    assert "3/3" in capsys.readouterr().err


def test_maximize_ranks_the_largest_value_first_and_kills_the_smallest():
    def accuracy_like(config, trial):
        return noisy_quadratic(config, trial) * -1.0 + 10.0

    def reported(config, trial):
        for epoch in range(trial.max_epochs):
            trial.report(epoch, 10.0 - noisy_quadratic.__globals__["final_loss"](config) - 1.0 / (epoch + 1))
        return trial.reports[-1][1]

    study = tune.random_search(accuracy_like, SPACE, 12, seed=0, direction="maximize", **SERIAL)
    assert study.best_value == max(trial.value for trial in study.trials)
    assert abs(best_log10_lr(study) - OPTIMUM_LOG10_LR) < 0.5
    halving = tune.successive_halving(reported, SPACE, 9, max_epochs=9, seed=0, direction="maximize", **SERIAL)
    finished = halving.finished()
    assert len(finished) >= 1 and halving.best_value == max(trial.value for trial in finished)
    # the curves keep their order at every epoch, so the best configuration leads at every rung and is never killed
    final_loss = noisy_quadratic.__globals__["final_loss"]
    assert halving.best_config == min((trial.config for trial in halving.trials), key=final_loss)
