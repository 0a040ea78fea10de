"""Contract: grad mode is per thread (as in PyTorch); anomaly mode is one switch for the process.

One thread evaluating under ``no_grad`` while another trains, or two threads
training at once, must neither fail nor lose gradients, and must give exactly
the numbers of running the same work one after the other.
"""
import sys
import threading

import numpy as np
import pytest

import autograd_core as ag

STEPS = 2000


@pytest.fixture
def frequent_thread_switches():
    """Make the interpreter switch threads every few microseconds, so the threads really interleave."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def _train(seed, steps=STEPS, learning_rate=0.05):
    """Linear regression by hand-written SGD: the manual update every PyTorch user writes."""
    rng = np.random.default_rng(seed)
    X = ag.tensor(rng.standard_normal((8, 3)))
    y = ag.tensor(rng.standard_normal(8))
    w = ag.tensor(np.zeros(3), requires_grad=True)
    b = ag.tensor(np.zeros(1), requires_grad=True)
    for _ in range(steps):
        loss = ag.mse(X @ w + b, y)
        loss.backward()
        with ag.no_grad():
            w -= learning_rate * w.grad
            b -= learning_rate * b.grad
        w.grad = None
        b.grad = None
    return np.concatenate([w.numpy(), b.numpy()])


def _evaluate(stop, counter):
    rng = np.random.default_rng(99)
    X = ag.tensor(rng.standard_normal((8, 3)))
    w = ag.tensor(rng.standard_normal(3), requires_grad=True)
    while not stop.is_set():
        with ag.no_grad():
            out = (X @ w).sum()
        assert not out.requires_grad
        counter.append(1)


def _run_in_threads(targets):
    results, errors = {}, []

    def runner(key, function):
        try:
            results[key] = function()
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=runner, args=(key, function)) for key, function in targets.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_two_training_threads_give_the_results_of_running_one_after_the_other(frequent_thread_switches):
    expected = {seed: _train(seed) for seed in (1, 2)}
    results, errors = _run_in_threads({seed: (lambda seed=seed: _train(seed)) for seed in (1, 2)})
    assert errors == []
    for seed in (1, 2):
        np.testing.assert_array_equal(results[seed], expected[seed])


def test_a_training_thread_beside_a_no_grad_evaluation_thread(frequent_thread_switches):
    expected = _train(3)
    stop, evaluations = threading.Event(), []
    evaluator = threading.Thread(target=_evaluate, args=(stop, evaluations))
    evaluator.start()
    try:
        results, errors = _run_in_threads({"train": lambda: _train(3)})
    finally:
        stop.set()
        evaluator.join()
    assert errors == []
    assert len(evaluations) > 0  # the evaluator really ran beside the trainer
    np.testing.assert_array_equal(results["train"], expected)


def test_no_grad_in_one_thread_leaves_recording_on_in_another():
    entered, release = threading.Event(), threading.Event()

    def hold_no_grad():
        with ag.no_grad():
            entered.set()
            release.wait(timeout=10)

    holder = threading.Thread(target=hold_no_grad)
    holder.start()
    try:
        assert entered.wait(timeout=10)
        assert ag.is_grad_enabled()
        x = ag.tensor(2.0, requires_grad=True)
        assert (x * x).requires_grad
    finally:
        release.set()
        holder.join()


def test_a_new_thread_starts_recording_even_inside_no_grad_of_its_parent():
    seen = []
    with ag.no_grad():
        thread = threading.Thread(target=lambda: seen.append(ag.is_grad_enabled()))
        thread.start()
        thread.join()
        assert not ag.is_grad_enabled()
    assert seen == [True]


def test_a_backward_in_one_thread_does_not_switch_recording_off_in_another():
    """backward() turns recording off while it runs (no create_graph): only in its own thread."""
    inside_hook, release = threading.Event(), threading.Event()
    observed = []

    def slow_backward():
        x = ag.tensor(1.0, requires_grad=True)
        y = x * 3.0

        def hook(grad):
            inside_hook.set()
            release.wait(timeout=10)

        y.register_hook(hook)
        y.backward()

    worker = threading.Thread(target=slow_backward)
    worker.start()
    try:
        assert inside_hook.wait(timeout=10)
        observed.append(ag.is_grad_enabled())
        z = ag.tensor(1.0, requires_grad=True)
        observed.append((z * 2.0).requires_grad)
    finally:
        release.set()
        worker.join()
    assert observed == [True, True]


def test_anomaly_mode_is_one_switch_for_the_whole_process():
    seen = []
    with ag.detect_anomaly():
        thread = threading.Thread(target=lambda: seen.append(ag.modes.state.anomaly_enabled))
        thread.start()
        thread.join()
    assert seen == [True]
    assert not ag.modes.state.anomaly_enabled
