"""Data, asynchronous, model and hybrid parallelism on the digits, measured on this machine (Section 3.7.2).

scikit-learn's 8 x 8 digits (a stratified 80/20 split, pixels scaled to
[0, 1]), an ``nn.MLP([64, 256, 10])``, SGD with momentum, mini-batches of 64,
``--epochs`` passes. For each scheme and number of workers the table gives
the steps per second after the workers have started, the share of the time
spent communicating (the step's wall time minus the slowest worker's
computation), the bytes that crossed between processes per step (measured,
and as ``nn.parallel.cost_model`` predicts), and the test accuracy after
training. A second table gives the staleness of the asynchronous updates.

    python benchmarks/parallel_digits.py                    # N = 1, 2 workers, about a minute on 2 cores
    python benchmarks/parallel_digits.py --workers 1 2 4 --epochs 5
    python benchmarks/parallel_digits.py --project         # the cost model on N machines, no Ray

It starts a local Ray with ``--cpus`` CPUs, or joins ``--address``. ``--project``
prints instead what ``cost_model`` predicts for a wide MLP on N machines: the
bytes per step of each scheme, the multiply-adds per worker, and the time per
step they imply at an assumed link speed and compute rate (both arguments).
"""
import argparse
import os
import sys
import time
from functools import partial

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one BLAS thread in this process too, as in Ray's workers

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import autograd_core as ag  # noqa: E402
from autograd_core import nn, optim  # noqa: E402
from autograd_core.extras import ray_session  # noqa: E402
from autograd_core.nn.parallel import DataParallel, HybridParallel, ParameterServer, cost_model  # noqa: E402

SIZES = [64, 256, 10]  # --sizes 64 1024 1024 10 for more computation per step
BATCH_SIZE = 64
MODEL_FN = partial(nn.MLP, SIZES, rng=0, dtype=np.float64)  # 8 bytes a number, as the cost model counts
OPTIMIZER_FN = partial(optim.SGD, lr=0.1, momentum=0.9)


def digits():
    X_train, X_test, y_train, y_test = nn.datasets.digits_split(seed=0)
    return X_train / 16.0, X_test / 16.0, y_train, y_test


def batches(X, y, epochs):
    loader = nn.DataLoader(X, y, batch_size=BATCH_SIZE, shuffle=True, seed=0, drop_last=True)
    return [batch for _ in range(epochs) for batch in loader]


def accuracy(state, X, y):
    model = MODEL_FN()
    model.load_state_dict(state)
    return nn.accuracy(nn.predict(model, X), y)


def serial(data, epochs):
    X_train, X_test, y_train, y_test = data
    model = MODEL_FN()
    optimizer = OPTIMIZER_FN(list(model.parameters()))
    steps = batches(X_train, y_train, epochs)
    started = time.perf_counter()
    for X_batch, y_batch in steps:
        optimizer.zero_grad()
        ag.cross_entropy(model(ag.Tensor(X_batch)), y_batch).backward()
        optimizer.step()
    seconds = time.perf_counter() - started
    return dict(scheme="one process", workers=1, steps_per_second=len(steps) / seconds, communicating=0.0,
                measured=0, predicted=0, accuracy=accuracy(model.state_dict(), X_test, y_test))


def data_parallel(data, epochs, workers, compression):
    X_train, X_test, y_train, y_test = data
    steps = batches(X_train, y_train, epochs)
    with DataParallel(MODEL_FN, OPTIMIZER_FN, workers=workers, compression=compression) as trainer:
        bytes_before, seconds_before = trainer.bytes_sent, trainer.communication_seconds
        started = time.perf_counter()
        for X_batch, y_batch in steps:
            trainer.step(X_batch, y_batch)
        seconds = time.perf_counter() - started
        per_step = (trainer.bytes_sent - bytes_before) / len(steps)
        communicating = (trainer.communication_seconds - seconds_before) / seconds
        final_accuracy = accuracy(trainer.state_dict(), X_test, y_test)
    label_bytes = y_train.itemsize
    predicted = sum(cost_model.data_parallel(SIZES, BATCH_SIZE, workers, label_bytes=label_bytes,
                                             compression=compression).values())
    name = "data parallel" + (", int8" if compression else "")
    return dict(scheme=name, workers=workers, steps_per_second=len(steps) / seconds, communicating=communicating,
                measured=per_step, predicted=predicted, accuracy=final_accuracy)


def hybrid(data, epochs, workers):
    X_train, X_test, y_train, y_test = data
    steps = batches(X_train, y_train, epochs)
    with HybridParallel(MODEL_FN, OPTIMIZER_FN, workers=workers, split_at=1) as trainer:
        bytes_before = trainer.bytes_sent
        started = time.perf_counter()
        for X_batch, y_batch in steps:
            trainer.step(X_batch, y_batch)
        seconds = time.perf_counter() - started
        per_step = (trainer.bytes_sent - bytes_before) / len(steps)
        final_accuracy = accuracy(trainer.state_dict(), X_test, y_test)
    predicted = sum(cost_model.hybrid(SIZES, split_at=1, batch_size=BATCH_SIZE, workers=workers).values())
    return dict(scheme="hybrid (first layer data, the rest model)", workers=workers,
                steps_per_second=len(steps) / seconds, communicating=None, measured=per_step, predicted=predicted,
                accuracy=final_accuracy)


def parameter_server(data, epochs, workers, compression):
    X_train, X_test, y_train, y_test = data
    with ParameterServer(MODEL_FN, OPTIMIZER_FN, workers=workers, compression=compression) as server:
        started = time.perf_counter()
        server.fit(X_train, y_train, epochs=epochs, batch_size=BATCH_SIZE)
        seconds = time.perf_counter() - started
        updates = server.updates
        per_update = (server.bytes_sent - X_train.nbytes - y_train.nbytes) / updates
        final_accuracy = accuracy(server.state_dict(), X_test, y_test)
        staleness = np.array(server.staleness)
    name = "parameter server, async" + (", int8" if compression else "")
    row = dict(scheme=name, workers=workers, steps_per_second=updates / seconds, communicating=None,
               measured=per_update, predicted=None, accuracy=final_accuracy)
    return row, staleness


def projection(sizes, batch_size, workers_list, gigabytes_per_second, giga_multiply_adds_per_second):
    """A Markdown table of the cost model: bytes per step and estimated seconds per step for each scheme."""
    work = cost_model.multiply_adds_per_step(sizes, batch_size)
    parameters = cost_model.parameter_count(sizes)
    print(f"MLP {sizes} ({parameters:,} parameters), batch {batch_size}: {work / 1e9:.2f} G multiply-adds per step; "
          f"assumed {gigabytes_per_second} GB/s through the driver's link, "
          f"{giga_multiply_adds_per_second} G multiply-adds/s per machine\n")
    print("| machines | multiply-adds per machine | data parallel | data parallel, int8 | model parallel "
          "| hybrid (first layer data) | est. ms/step: data | int8 | model | hybrid |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    layers = list(zip(sizes[:-1], sizes[1:]))
    for workers in workers_list:
        volumes = [sum(cost_model.data_parallel(sizes, batch_size, workers).values()),
                   sum(cost_model.data_parallel(sizes, batch_size, workers, compression="int8").values()),
                   sum(sum(cost_model.model_parallel_layer(n_in, n_out, batch_size, workers).values())
                       for n_in, n_out in layers),
                   sum(cost_model.hybrid(sizes, 1, batch_size, workers).values())]
        compute = work / workers / (giga_multiply_adds_per_second * 1e9)
        times = [1e3 * (compute + volume / (gigabytes_per_second * 1e9)) for volume in volumes]
        print(f"| {workers} | {work / workers / 1e9:.2f} G | "
              + " | ".join(f"{volume / 1e6:,.1f} MB" for volume in volumes) + " | "
              + " | ".join(f"{time_:,.0f}" for time_ in times) + " |")


def main():
    global SIZES, MODEL_FN  # --sizes replaces the model every scheme builds
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--address", default=None)
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="the MLP's layer sizes, 64 ... 10")
    parser.add_argument("--project", action="store_true", help="print the cost model's projection and exit")
    parser.add_argument("--bandwidth", type=float, default=1.25, help="GB/s of the driver's link (--project)")
    parser.add_argument("--rate", type=float, default=20.0, help="G multiply-adds/s per machine (--project)")
    args = parser.parse_args()
    if args.project:
        projection([784, 4096, 4096, 10], 256, [1, 2, 4, 8, 16], args.bandwidth, args.rate)
        return
    SIZES, MODEL_FN = args.sizes, partial(nn.MLP, args.sizes, rng=0, dtype=np.float64)
    ray = ray_session(address=args.address, **({} if args.address else {"num_cpus": args.cpus}))
    data = digits()
    rows, staleness_rows = [serial(data, args.epochs)], []
    for workers in args.workers:
        rows.append(data_parallel(data, args.epochs, workers, None))
        rows.append(data_parallel(data, args.epochs, workers, "int8"))
        if workers >= 2:
            rows.append(hybrid(data, args.epochs, workers))
        for compression in (None, "int8"):
            row, staleness = parameter_server(data, args.epochs, workers, compression)
            rows.append(row)
            staleness_rows.append((row["scheme"], workers, staleness))
    ray.shutdown()
    print(f"MLP {SIZES}, batch {BATCH_SIZE}, {args.epochs} epochs, Ray with {args.cpus} CPUs\n")
    print("| scheme | workers | steps/s | time communicating | bytes/step measured | bytes/step cost model "
          "| test accuracy |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        communicating = "-" if row["communicating"] is None else f"{100 * row['communicating']:.0f}%"
        predicted = "-" if row["predicted"] is None else f"{row['predicted']:,.0f}"
        print(f"| {row['scheme']} | {row['workers']} | {row['steps_per_second']:.1f} | {communicating} "
              f"| {row['measured']:,.0f} | {predicted} | {100 * row['accuracy']:.1f}% |")
    print("\n| asynchronous run | workers | updates | staleness mean | max | histogram (0, 1, 2, 3, >=4) |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, workers, staleness in staleness_rows:
        counts = [int((staleness == value).sum()) for value in range(4)] + [int((staleness >= 4).sum())]
        print(f"| {name} | {workers} | {len(staleness)} | {staleness.mean():.2f} | {staleness.max()} "
              f"| {', '.join(map(str, counts))} |")


if __name__ == "__main__":
    main()
