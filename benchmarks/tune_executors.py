"""Hyperparameter parallelism (Section 3.7.2): one 16-trial study serially, in 2 processes and on Ray.

Runs with different hyperparameters need no communication, so a search should
scale with the workers until the trials run out. This script runs the same
``tune.random_search`` (16 trials of an ``nn.MLP([64, 128, 64, 10])`` trained on
the digits for a few epochs, seed 0) with ``executor="serial"``,
``"processes"`` and ``"ray"``, checks that the three studies are identical,
and prints a Markdown table: wall time, speedup over serial, and overhead
(wall time minus the serial wall time divided by the workers: what is lost
against perfect scaling). Ray's own start-up is timed apart, since a session
starts it once and reuses it for every search.

Each trial runs with one BLAS thread (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS
and MKL_NUM_THREADS default to 1 here, as Ray sets them for its workers): with
the default of one thread per core, two trials in two processes would each
start a thread per core and fight over them, and the serial row would get a
head start from multithreaded BLAS that the parallel rows cannot have.

    python benchmarks/tune_executors.py                      # 16 trials, 2 workers
    python benchmarks/tune_executors.py --trials 32 --epochs 4   # more, shorter trials
"""
import argparse
import os
import sys
import time

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")  # before NumPy is imported: one BLAS thread per trial
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from autograd_core import extras, nn, optim  # noqa: E402
from autograd_core.optim import tune  # noqa: E402

SPACE = {"lr": tune.LogUniform(1e-3, 0.5), "momentum": tune.Uniform(0.0, 0.99)}
X_train, X_val, y_train, y_val = nn.datasets.digits_split(test_fraction=0.2, seed=0)
scaler = nn.preprocessing.Standardization().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)


def objective(config, trial):
    model = nn.MLP([64, 128, 64, 10], activation="relu", rng=trial.seed)
    optimizer = optim.SGD(model.parameters(), lr=config["lr"], momentum=config["momentum"])
    for epoch in range(trial.max_epochs):
        for X_batch, y_batch in nn.DataLoader(X_train, y_train, batch_size=32, shuffle=True, seed=epoch,
                                              drop_last=True):
            loss = nn.functional.cross_entropy(model(X_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        validation_loss = nn.evaluate(model, X_val, y_val)["loss"]
        trial.report(epoch, validation_loss)
    return validation_loss


def run(executor, arguments):
    started = time.perf_counter()
    study = tune.random_search(objective, SPACE, arguments.trials, seed=0, max_epochs=arguments.epochs,
                               executor=executor, n_workers=None if executor == "serial" else arguments.workers,
                               progress=False)
    return study, time.perf_counter() - started


def same(first, second):
    strip = {"seconds": 0}
    return [trial.to_dict() | strip for trial in first.trials] == [trial.to_dict() | strip for trial in second.trials]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray row")
    arguments = parser.parse_args()
    print(f"{arguments.trials} trials of {arguments.epochs} epochs, {arguments.workers} workers, "
          f"{tune.available_cores()} cores available, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")

    serial, serial_seconds = run("serial", arguments)
    rows = [("serial", 1, serial_seconds, serial.total_seconds, True)]
    processes, processes_seconds = run("processes", arguments)
    rows.append(("processes", arguments.workers, processes_seconds, processes.total_seconds, same(serial, processes)))
    ray_start = None
    if not arguments.no_ray:
        started = time.perf_counter()
        ray = extras.ray_session(num_cpus=arguments.workers)
        ray_start = time.perf_counter() - started
        on_ray, ray_seconds = run("ray", arguments)
        rows.append(("ray", arguments.workers, ray_seconds, on_ray.total_seconds, same(serial, on_ray)))
        ray.shutdown()

    print()
    print("| executor | workers | wall time (s) | speedup | sum of trial times (s) | overhead (s) | same study |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, workers, wall, trial_seconds, identical in rows:
        overhead = wall - serial_seconds / workers
        print(f"| {name} | {workers} | {wall:.2f} | {serial_seconds / wall:.2f}x | {trial_seconds:.2f} | "
              f"{overhead:+.2f} | {'yes' if identical else 'NO'} |")
    if ray_start is not None:
        print(f"\nRay start-up (once per session, not in the table): {ray_start:.2f} s")
    if not all(row[-1] for row in rows):
        raise SystemExit("the executors gave different studies for the same seed")


if __name__ == "__main__":
    main()
