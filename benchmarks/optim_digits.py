"""Steps to accuracy: the digits MLP trained with each optimizer of ``optim``.

scikit-learn's 8 x 8 handwritten digits (1797 images), a seeded stratified
80/20 split (``nn.datasets.digits_split``), pixels scaled to [0, 1], an
``nn.MLP([64, 64, 10])`` with the same initial weights for every optimizer,
mini-batches of 32. Every ``--every`` steps the test accuracy is measured; the
table reports the first step at which it reaches the target (95% by default)
and the test accuracy after the fixed budget of steps.

    python benchmarks/optim_digits.py                 # 1500 steps, about a minute on 2 cores
    python benchmarks/optim_digits.py --steps 600     # quicker

Each optimizer's learning rate is a reasonable value for this problem, not the
result of a search; the point is the relative behaviour, which Section 3.5
predicts, not a leaderboard.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import autograd_core as ag  # noqa: E402
from autograd_core import nn, optim  # noqa: E402

OPTIMIZERS = {
    "SGD (alpha = 0.1)": lambda params: optim.SGD(params, lr=0.1),
    "SGD + momentum 0.9 (alpha = 0.01)": lambda params: optim.SGD(params, lr=0.01, momentum=0.9),
    "SGD + Nesterov 0.9 (alpha = 0.01)": lambda params: optim.SGD(params, lr=0.01, momentum=0.9, nesterov=True),
    "Delta-bar-delta (alpha = 0.2, theta = 0.9)": lambda params: optim.DeltaBarDelta(params, lr=0.2, kappa=0.05,
                                                                                    phi=0.1, theta=0.9),
    "AdaGrad (alpha = 0.05)": lambda params: optim.AdaGrad(params, lr=0.05),
    "RMSProp (alpha = 0.001)": lambda params: optim.RMSProp(params, lr=0.001),
    "RMSProp + Nesterov 0.9 (alpha = 0.0003)": lambda params: optim.RMSProp(params, lr=0.0003, momentum=0.9,
                                                                           nesterov=True),
    "AdaDelta": lambda params: optim.AdaDelta(params),
    "Adam (alpha = 0.001)": lambda params: optim.Adam(params, lr=0.001),
}


def train(make_optimizer, data, steps, every, target, batch_size=32, seed=0):
    X_train, X_test, y_train, y_test = data
    model = nn.MLP([64, 64, 10], rng=seed)
    opt = make_optimizer(model.parameters())
    rng = np.random.default_rng(seed)
    order, position = rng.permutation(len(X_train)), 0
    reached, accuracy = None, 0.0
    for step in range(1, steps + 1):
        if position + batch_size > len(order):
            order, position = rng.permutation(len(X_train)), 0
        batch = order[position:position + batch_size]
        position += batch_size
        X_batch, y_batch = ag.tensor(X_train[batch]), y_train[batch]

        def closure(X_batch=X_batch, y_batch=y_batch):
            opt.zero_grad()
            loss = ag.cross_entropy(model(X_batch), y_batch)
            loss.backward()
            return loss

        opt.step(closure)
        if step % every == 0 or step == steps:
            accuracy = nn.training.accuracy(nn.training.predict(model, X_test), y_test)
            if reached is None and accuracy >= target:
                reached = step
    return reached, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500, help="the fixed budget of steps (default 1500)")
    parser.add_argument("--every", type=int, default=10, help="measure test accuracy every this many steps")
    parser.add_argument("--target", type=float, default=0.95, help="the test accuracy to reach (default 0.95)")
    arguments = parser.parse_args()
    X_train, X_test, y_train, y_test = nn.datasets.digits_split(test_fraction=0.2, seed=0)
    data = (X_train / 16.0, X_test / 16.0, y_train, y_test)
    print(f"digits: {len(X_train)} training and {len(X_test)} test images; MLP 64-64-10, batches of 32, "
          f"test accuracy every {arguments.every} steps\n")
    print(f"| optimizer | steps to {arguments.target:.0%} test accuracy | "
          f"test accuracy after {arguments.steps} steps |")
    print("| --- | ---: | ---: |")
    for name, make in OPTIMIZERS.items():
        reached, accuracy = train(make, data, arguments.steps, arguments.every, arguments.target)
        shown = str(reached) if reached is not None else f"not within {arguments.steps}"
        print(f"| {name} | {shown} | {accuracy:.1%} |", flush=True)


if __name__ == "__main__":
    main()
