"""Shared pieces of the command lines (``autograd-core`` and ``python -m autograd_core.nn``).

Option types that reject bad values at parse time with argparse's one-line error, and ``run``,
which turns the errors a user can cause (a bad value found later, a missing extra or program) into
one line on stderr and exit status 2, argparse's convention, instead of a traceback.
"""
import argparse
import math
import sys

#: Errors a user's input or machine can cause; anything else is a bug and keeps its traceback.
USER_ERRORS = (ValueError, TypeError, OverflowError, ImportError, OSError)


def positive_int(text):
    """An argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text):
    """An argparse type: a finite number greater than 0."""
    value = finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def fraction(text):
    """An argparse type: a finite number in [0, 1)."""
    value = finite_float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 0 and less than 1, got {text}")
    return value


def finite_float(text):
    """An argparse type: a finite number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def run(parser, arguments):
    """Call ``arguments.run(arguments)``; a user error becomes ``prog: error: message`` and exit status 2."""
    try:
        status = arguments.run(arguments)
    except USER_ERRORS as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"{parser.prog}: error: {message}", file=sys.stderr)
        return 2
    return 0 if status is None else status


def program_name(module):
    """The name the program was called by: ``autograd-core`` for the console script, else ``python -m module``."""
    called = sys.argv[0].rsplit("/", 1)[-1] if sys.argv and sys.argv[0] else ""
    if not called or called in ("__main__.py", "-c", "-m") or called.endswith(".py"):
        return f"python -m {module}"
    return called
