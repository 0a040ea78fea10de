"""What nn's checks of inputs and settings cost in a training step, printed as a Markdown table.

Times one training step of ``nn.MLP`` (forward, cross-entropy, backward,
``optim.SGD`` step with momentum) on a small and a larger network, and, when
this checkout has ``nn.checks``, the cost of each check a step runs (the
input check of every Linear layer and the loss's checks of its logits and
target). To compare with another checkout, run the same script with that
checkout first on the path:

    python benchmarks/nn_step_overhead.py                              # this checkout
    python benchmarks/nn_step_overhead.py --root /path/to/other/checkout

Medians of several repeats (``benchmarks/timing.py``); on a busy machine
compare only figures taken side by side.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=os.path.dirname(HERE), help="the checkout whose nn to measure")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    sys.path.insert(0, HERE)
    sys.path.insert(0, os.path.abspath(args.root))

    import numpy as np

    import autograd_core as ag
    from autograd_core import nn, optim
    from timing import measure

    rows = []
    for sizes, batch in (([64, 32, 10], 32), ([256, 512, 512, 10], 128)):
        generator = np.random.default_rng(0)
        X = generator.normal(size=(batch, sizes[0]))
        y = generator.integers(0, sizes[-1], size=batch)
        model = nn.MLP(sizes, rng=0)
        opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

        def step(model=model, opt=opt, X=X, y=y):
            loss = nn.functional.cross_entropy(model(X), y)
            opt.zero_grad()
            loss.backward()
            opt.step()

        timing = measure(step, repeats=args.repeats, warmup=3)
        rows.append((f"MLP {sizes}, batch {batch}: one training step", timing.us))

    try:
        from autograd_core.nn import checks
    except ImportError:
        checks = None
    if checks is not None:
        x = ag.tensor(np.ones((32, 64)))
        logits = ag.tensor(np.ones((32, 10)))
        labels = np.zeros(32, dtype=int)
        rows.append(("check of a Linear layer's input (features_last)",
                     measure(lambda: checks.features_last(x, "the input x", "Linear", 64),
                             repeats=args.repeats, warmup=3, number=1000).us))
        rows.append(("checks of cross_entropy's logits and target",
                     measure(lambda: (nn.functional._check_scores(logits, "logits", "cross_entropy", "mean", 1),
                                      nn.functional._target_array(labels, "cross_entropy")),
                             repeats=args.repeats, warmup=3, number=1000).us))

    print(f"nn from {os.path.abspath(args.root)}\n")
    print("| what | microseconds (median) |")
    print("| --- | --- |")
    for label, microseconds in rows:
        print(f"| {label} | {microseconds:.2f} |")


if __name__ == "__main__":
    main()
