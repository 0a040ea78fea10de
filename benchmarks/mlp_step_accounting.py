"""Where the MLP step's time goes: the engine's step against the hand-written NumPy step, piece by piece.

Both steps of ``bench_engine.py``'s MLP rows (``baselines/numpy_mlp.py`` and
``autograd_core_impl.AgMLP``) are run here with a stopwatch between their
pieces, on the same arrays: the forward's matrix products, bias additions and
ReLUs, the loss and its gradient, the backward's matrix products, bias sums
and ReLU masks, the engine's own walk of the graph, the SGD update and the
loss read back as a float. In the engine's backward the time of each node's
``backward`` and of the bias gradients' sum over the batch (the engine's
``_fit_to_input``) is taken by wrapping them for the duration of the run; the
rest of ``loss.backward()`` is the engine's bookkeeping.

    python benchmarks/mlp_step_accounting.py                 # the small step
    python benchmarks/mlp_step_accounting.py --size large --steps 200
    python benchmarks/mlp_step_accounting.py --root /tmp/perf-base   # another checkout's engine

Prints a Markdown table of microseconds per step (medians over the steps,
NumPy and the engine measured in alternating blocks), then the peak memory
``tracemalloc`` sees during one step of each. The weights are reset after
every block so that every block trains from the same start. On a busy machine
compare only figures taken in one run.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _engine_root(argv):
    """The checkout whose engine is measured: ``--root`` if given, else the one this file lives in."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--root", default=os.path.dirname(HERE))
    return os.path.abspath(parser.parse_known_args(argv)[0].root)


sys.path[:0] = [_engine_root(sys.argv[1:]), HERE]


import autograd_core as ag  # noqa: E402
import autograd_core_impl  # noqa: E402
from autograd_core import engine  # noqa: E402
from autograd_core.ops import elementwise, linalg, losses  # noqa: E402
from baselines.numpy_mlp import NumpyMLP  # noqa: E402
from baselines.problems import MLP_LARGE, MLP_SMALL, make_mlp_problem  # noqa: E402
from timing import peak_memory  # noqa: E402

ROWS = (
    "forward: matrix products",
    "forward: bias additions",
    "forward: ReLU",
    "loss (softmax cross-entropy)",
    "d loss / d logits",
    "backward: matrix products",
    "backward: bias gradients (sum over the batch)",
    "backward: ReLU masks",
    "backward: the engine's walk and bookkeeping",
    "SGD update",
    "loss as a float",
)

_clock = time.perf_counter


class Stopwatch:
    """Adds the time since the last ``lap`` to a row; ``laps[row]`` holds one total per step."""

    def __init__(self):
        self.laps = {row: [] for row in ROWS}
        self.step_totals = []
        self._current = None

    def start(self):
        self._current = dict.fromkeys(ROWS, 0.0)
        self._begin = self._last = _clock()

    def lap(self, row):
        now = _clock()
        self._current[row] += now - self._last
        self._last = now

    def add(self, row, seconds):
        self._current[row] += seconds

    def stop(self):
        for row, seconds in self._current.items():
            self.laps[row].append(seconds)
        self.step_totals.append(_clock() - self._begin)

    def medians_us(self):
        return {row: 1e6 * statistics.median(values) for row, values in self.laps.items() if values}


def numpy_step(model, watch):
    """``NumpyMLP.step`` with laps between its pieces (the same statements, in the same order)."""
    xp, Ws, bs, lr = model.xp, model.Ws, model.bs, model.lr
    X, y, rows = model.X, model.y, model._rows
    n = X.shape[0]
    watch.start()
    acts = [X]
    h = X
    for W, b in zip(Ws[:-1], bs[:-1]):
        h = h @ W
        watch.lap("forward: matrix products")
        h += b
        watch.lap("forward: bias additions")
        xp.maximum(h, 0, out=h)
        acts.append(h)
        watch.lap("forward: ReLU")
    logits = h @ Ws[-1]
    watch.lap("forward: matrix products")
    logits += bs[-1]
    watch.lap("forward: bias additions")
    logits -= logits.max(axis=1, keepdims=True)
    picked = logits[rows, y]
    xp.exp(logits, out=logits)
    total = logits.sum(axis=1, keepdims=True)
    loss = xp.mean(xp.log(total[:, 0]) - picked)
    watch.lap("loss (softmax cross-entropy)")
    grad = logits
    grad /= total
    grad[rows, y] -= 1
    grad /= n
    watch.lap("d loss / d logits")
    for i in range(len(Ws) - 1, -1, -1):
        W, b, a = Ws[i], bs[i], acts[i]
        dW = a.T @ grad
        watch.lap("backward: matrix products")
        db = grad.sum(axis=0)
        watch.lap("backward: bias gradients (sum over the batch)")
        if i > 0:
            grad = grad @ W.T
            watch.lap("backward: matrix products")
            grad *= a > 0
            watch.lap("backward: ReLU masks")
        dW *= lr
        W -= dW
        db *= lr
        b -= db
        watch.lap("SGD update")
    loss = float(loss)
    watch.lap("loss as a float")
    watch.stop()
    return loss


class _TimedBackwards(contextlib.AbstractContextManager):
    """Wraps the backward of the step's operations and the engine's ``_fit_to_input`` to time them."""

    def __init__(self):
        self.watch = None  # the stopwatch of the step being run
        self.rows = {linalg.MatMul: "backward: matrix products", elementwise.ReLU: "backward: ReLU masks",
                     losses.CrossEntropy: "d loss / d logits"}
        self.saved = {}

    def __enter__(self):
        self.inside = 0.0
        for cls, row in self.rows.items():
            original = self.saved[cls] = cls.__dict__["backward"]
            cls.backward = self._timed(original, row)
        original_fit = self.saved["fit"] = engine._fit_to_input

        def fit_to_input(node, value, input_grad):  # a bias's gradient summed over the batch
            begin = _clock()
            out = original_fit(node, value, input_grad)
            seconds = _clock() - begin
            self.watch.add("backward: bias gradients (sum over the batch)", seconds)
            self.inside += seconds
            return out

        engine._fit_to_input = fit_to_input
        return self

    def _timed(self, original, row):
        def backward(ctx, grad_output):
            begin = _clock()
            out = original(ctx, grad_output)
            seconds = _clock() - begin
            self.watch.add(row, seconds)
            self.inside += seconds
            return out

        return backward

    def __exit__(self, *exc):
        for cls in self.rows:
            cls.backward = self.saved[cls]
        engine._fit_to_input = self.saved["fit"]
        return False


def engine_step(model, watch, timed):
    """``AgMLP.step`` with laps between its pieces (the same statements, in the same order)."""
    ps, lr = model.params, model.lr
    watch.start()
    h = model.X
    n_layers = len(ps) // 2
    for i in range(n_layers - 1):  # one name for every intermediate: each dies when AgMLP's temporaries do
        h = h @ ps[2 * i]
        watch.lap("forward: matrix products")
        h = h + ps[2 * i + 1]
        watch.lap("forward: bias additions")
        h = ag.relu(h)
        watch.lap("forward: ReLU")
    logits = h @ ps[-2]
    watch.lap("forward: matrix products")
    logits = logits + ps[-1]
    watch.lap("forward: bias additions")
    loss = ag.cross_entropy(logits, model.y)
    watch.lap("loss (softmax cross-entropy)")
    timed.watch, timed.inside = watch, 0.0
    loss.backward()
    # the whole backward, less the nodes' backwards and the bias sums, which their own rows hold
    watch.lap("backward: the engine's walk and bookkeeping")
    watch.add("backward: the engine's walk and bookkeeping", -timed.inside)
    for p in ps:
        step = p.grad.data
        step *= lr
        p.data -= step
        p.grad = None
    watch.lap("SGD update")
    loss = loss.item()
    watch.lap("loss as a float")
    watch.stop()
    return loss


def _reset(arrays, originals):
    for array, original in zip(arrays, originals):
        array[...] = original


def account(sizes, batch, steps, block):
    """Per-row medians (microseconds per step) for NumPy and the engine, and the median whole steps."""
    X, y, params = make_mlp_problem(sizes, batch)
    numpy_model = NumpyMLP(params, X, y)
    engine_model = autograd_core_impl.AgMLP(params, X, y)
    numpy_watch, engine_watch = Stopwatch(), Stopwatch()
    with _TimedBackwards() as timed:
        for _ in range(3):  # absorbs first-call costs and the thread pools' hand-over
            numpy_step(numpy_model, Stopwatch())
            engine_step(engine_model, Stopwatch(), timed)
        done = 0
        while done < steps:
            _reset(numpy_model.parameters(), params)
            for _ in range(block):
                numpy_step(numpy_model, numpy_watch)
            _reset([p.data for p in engine_model.params], params)
            for _ in range(block):
                engine_step(engine_model, engine_watch, timed)
            done += block
    return numpy_watch, engine_watch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("small", "large"), default="small")
    parser.add_argument("--steps", type=int, default=600, help="steps of each, in alternating blocks")
    parser.add_argument("--block", type=int, default=20, help="steps per block")
    parser.add_argument("--root", default=os.path.dirname(HERE), help="the checkout whose engine to measure")
    args = parser.parse_args(argv)
    sizes, batch = MLP_SMALL if args.size == "small" else MLP_LARGE
    numpy_watch, engine_watch = account(sizes, batch, args.steps, args.block)
    numpy_us, engine_us = numpy_watch.medians_us(), engine_watch.medians_us()

    print(f"autograd_core from {os.path.dirname(os.path.dirname(os.path.abspath(ag.__file__)))}")
    print(f"MLP {'-'.join(map(str, sizes))}, batch {batch}, float32: microseconds per step, "
          f"medians of {args.steps} steps\n")
    print("| piece | NumPy | autograd_core | difference |")
    print("| --- | ---: | ---: | ---: |")
    for row in ROWS:
        print(f"| {row} | {numpy_us[row]:.1f} | {engine_us[row]:.1f} | {engine_us[row] - numpy_us[row]:+.1f} |")
    numpy_sum, engine_sum = sum(numpy_us.values()), sum(engine_us.values())
    print(f"| sum of the rows | {numpy_sum:.1f} | {engine_sum:.1f} | {engine_sum - numpy_sum:+.1f} |")
    numpy_step_us = 1e6 * statistics.median(numpy_watch.step_totals)
    engine_step_us = 1e6 * statistics.median(engine_watch.step_totals)
    print(f"| whole step (median) | {numpy_step_us:.1f} | {engine_step_us:.1f} | "
          f"{engine_step_us - numpy_step_us:+.1f} ({engine_step_us / numpy_step_us:.3f}x) |")

    X, y, params = make_mlp_problem(sizes, batch)
    numpy_peak = peak_memory(NumpyMLP(params, X, y).step)
    engine_peak = peak_memory(autograd_core_impl.AgMLP(params, X, y).step)
    print(f"\nPeak traced memory during one step: NumPy {numpy_peak / 2**20:.2f} MiB, autograd_core "
          f"{engine_peak / 2**20:.2f} MiB ({engine_peak / numpy_peak:.3f}x)")


if __name__ == "__main__":
    main()
