"""What accepting PyTorch's ``dim=``/``keepdim=`` costs a reduction spelled NumPy's way.

    python benchmarks/bench_keywords.py

The reductions and axis-taking methods are wrapped by
``autograd_core.keywords.accept_torch_keywords``. This prints, as a Markdown
table, the best-of-repeats time of one call: a bare function against its
wrapped form (the wrapper's own cost), and a few reductions on a 16 x 16
tensor spelled with ``axis=`` and with ``dim=``. Rerun it on a quiet machine:
sub-microsecond differences drown in the noise of a busy one.
"""
import os
import sys
import timeit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import autograd_core as ag  # noqa: E402
from autograd_core.keywords import accept_torch_keywords  # noqa: E402

NUMBER = 5000
REPEATS = 9


def best_microseconds(call):
    return min(timeit.repeat(call, number=NUMBER, repeat=REPEATS)) / NUMBER * 1e6


def bare(a, axis=None, keepdims=False):
    return a


def main():
    wrapped = accept_torch_keywords(bare)
    x = ag.tensor(np.ones((16, 16)), requires_grad=True)
    rows = [
        ("bare function, axis=", lambda: bare(x, axis=0, keepdims=True)),
        ("wrapped function, axis=", lambda: wrapped(x, axis=0, keepdims=True)),
        ("wrapped function, dim=", lambda: wrapped(x, dim=0, keepdim=True)),
        ("x.sum(axis=0)", lambda: x.sum(axis=0)),
        ("x.sum(dim=0)", lambda: x.sum(dim=0)),
        ("ag.sum(x, axis=0)", lambda: ag.sum(x, axis=0)),
        ("x.mean(axis=1, keepdims=True)", lambda: x.mean(axis=1, keepdims=True)),
        ("ag.softmax(x, axis=-1)", lambda: ag.softmax(x, axis=-1)),
        ("x * 2.0 (no keywords: unchanged path)", lambda: x * 2.0),
    ]
    print("| call | µs per call (best of %d x %d) |" % (REPEATS, NUMBER))
    print("|---|---:|")
    for label, call in rows:
        print(f"| {label} | {best_microseconds(call):.3f} |")


if __name__ == "__main__":
    main()
