"""Command line: ``python -m autograd_core.nn demo`` trains an MLP with batch normalisation on scikit-learn's digits.

The data are split 80/20 (stratified, seeded), standardised with statistics
of the training part (Section 3.3.2), and fed to MLP([64, 256, 128, 10])
with batch normalisation before each ReLU (Section 3.6, Figure 3.18b),
trained by mini-batch SGD with momentum. The test accuracy is reported with
the running averages and with the population statistics of the training set.
"""
import argparse
import sys
import time

from . import accuracy, compute_population_statistics, evaluate, fit
from .data import DataLoader
from .datasets import digits_split
from .mlp import MLP
from .module import Sequential
from .preprocessing import Standardization
from autograd_core.cli import fraction, positive_float, positive_int, program_name, run
from autograd_core.optim import SGD


def demo(arguments):
    started = time.perf_counter()
    X_train, X_test, y_train, y_test = digits_split(test_fraction=0.2, seed=arguments.seed)
    if arguments.batch_size > len(X_train):
        raise ValueError(f"--batch-size {arguments.batch_size} is larger than the {len(X_train)} training images")
    model = Sequential(Standardization().fit(X_train),
                       MLP([64, *arguments.hidden, 10], activation="relu", batch_norm=arguments.batch_norm,
                           rng=arguments.seed))
    optimizer = SGD(model.parameters(), lr=arguments.lr, momentum=arguments.momentum)
    print(f"digits: {len(X_train)} training and {len(X_test)} test images of 8 x 8 pixels")
    print(f"model: MLP{[64, *arguments.hidden, 10]}, batch normalisation {arguments.batch_norm}-activation, "
          f"{model.num_parameters()} parameters; optim.SGD(lr={arguments.lr}, momentum={arguments.momentum}), "
          f"batch size {arguments.batch_size}, {arguments.epochs} epochs")
    history = fit(model, (X_train, y_train), optimizer=optimizer, epochs=arguments.epochs,
                  batch_size=arguments.batch_size, validation=(X_test, y_test), metrics={"accuracy": accuracy},
                  seed=arguments.seed, progress=not arguments.no_progress)
    running = evaluate(model, X_test, y_test, metrics={"accuracy": accuracy})
    compute_population_statistics(model, DataLoader(X_train, batch_size=arguments.batch_size, shuffle=True,
                                                    seed=arguments.seed, drop_last=True))
    population = evaluate(model, X_test, y_test, metrics={"accuracy": accuracy})
    seconds = time.perf_counter() - started
    print(f"final training loss {history['loss'][-1]:.4f}, training accuracy {history['accuracy'][-1]:.4f}")
    print(f"test accuracy (running averages):      {running['accuracy']:.4f}")
    print(f"test accuracy (population statistics): {population['accuracy']:.4f}")
    print(f"time: {seconds:.1f} s in all (training {history['seconds'][-1]:.1f} s)")
    return 0


def make_parser():
    """The parser of ``python -m autograd_core.nn``."""
    parser = argparse.ArgumentParser(prog=program_name("autograd_core.nn"), description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help="train an MLP with batch normalisation on the digits")
    demo_parser.add_argument("--epochs", type=positive_int, default=20, help="passes over the training set (20)")
    demo_parser.add_argument("--batch-size", type=positive_int, default=32, help="images per step (32)")
    demo_parser.add_argument("--lr", type=positive_float, default=0.05, help="learning rate of SGD (0.05)")
    demo_parser.add_argument("--momentum", type=fraction, default=0.9, help="momentum of SGD, in [0, 1) (0.9)")
    demo_parser.add_argument("--hidden", type=positive_int, nargs="+", default=[256, 128],
                             help="units of each hidden layer (256 128)")
    demo_parser.add_argument("--batch-norm", choices=["pre", "post"], default="pre",
                             help="batch normalisation before (pre, the default) or after the activation")
    demo_parser.add_argument("--seed", type=int, default=0, help="seed of the split, the weights and the batches")
    demo_parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    demo_parser.set_defaults(run=demo)
    return parser


def main(argv=None):
    parser = make_parser()
    arguments = parser.parse_args(argv)
    return run(parser, arguments)


if __name__ == "__main__":
    sys.exit(main())
