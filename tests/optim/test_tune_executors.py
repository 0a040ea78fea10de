"""optim.tune on several workers: a process pool and Ray give the same study as one process (Section 3.7.2).

Killing by successive halving needs each running trial's reports to reach the
one scheduler; the studies below only match the serial one if they do. Ray
starts once for the module (num_cpus=2) and is shut down at its end.
"""
import pytest
import tune_objectives
from tune_objectives import noisy_quadratic

from autograd_core import extras
from autograd_core.optim import tune

SPACE = {"lr": tune.LogUniform(1e-5, 1e-1), "momentum": tune.Uniform(0.5, 0.99)}


def same_trials(first, second):
    strip = {"seconds": 0}
    return [trial.to_dict() | strip for trial in first.trials] == [trial.to_dict() | strip for trial in second.trials]


def serial_and(executor, search, *arguments, **keywords):
    serial = search(*arguments, executor="serial", progress=False, **keywords)
    other = search(*arguments, executor=executor, n_workers=2, progress=False, **keywords)
    return serial, other


def test_processes_give_the_serial_study_with_killing_across_workers():
    serial, pooled = serial_and("processes", tune.successive_halving, noisy_quadratic, SPACE, 18, max_epochs=9,
                                seed=5)
    assert pooled.statuses()["killed"] >= 9
    assert same_trials(serial, pooled)


def test_processes_run_rounds_and_batches_in_one_pool():
    serial, pooled = serial_and("processes", tune.coarse_to_fine, noisy_quadratic, SPACE, 8, rounds=2, seed=2)
    assert same_trials(serial, pooled)


def test_processes_need_a_picklable_objective():
    with pytest.raises(TypeError, match="cannot be pickled.*executor='serial'"):
        tune.random_search(lambda config, trial: 1.0, SPACE, 2, executor="processes", n_workers=2, progress=False)


def test_a_crashed_worker_fails_its_trial_only():
    with pytest.warns(tune.TrialFailedWarning, match="trial 1"):
        study = tune.random_search(tune_objectives.exits_in_trial_1, SPACE, 4, seed=0, executor="processes",
                                   n_workers=2, progress=False)
    assert [trial.status for trial in study.trials] == ["finished", "failed", "finished", "finished"]
    assert "worker process died" in study.trials[1].error


@pytest.fixture(scope="module")
def ray():
    pytest.importorskip("ray", reason="Ray is an optional extra (pip install -e '.[distributed]')")
    ray = extras.ray_session(num_cpus=2)
    from ray import cloudpickle

    # the test objectives live beside the tests, not on the Ray workers' path: send them by value
    cloudpickle.register_pickle_by_value(tune_objectives)
    yield ray
    cloudpickle.unregister_pickle_by_value(tune_objectives)
    ray.shutdown()


@pytest.mark.slow
def test_ray_gives_the_serial_study_with_killing_across_workers(ray):
    serial, on_ray = serial_and("ray", tune.hyperband, noisy_quadratic, SPACE, 16, max_epochs=9, seed=5)
    assert on_ray.statuses()["killed"] >= 4
    assert same_trials(serial, on_ray)


@pytest.mark.slow
def test_ray_runs_closures_and_bayesian_batches(ray):
    pytest.importorskip("optuna", reason="the Bayesian search needs the tune extra (pip install -e '.[tune]')")
    offset = 0.25

    def shifted(config, trial):
        return noisy_quadratic(config, trial) + offset

    serial, on_ray = serial_and("ray", tune.bayesian, shifted, SPACE, 6, batch_size=3, seed=1)
    assert same_trials(serial, on_ray)
