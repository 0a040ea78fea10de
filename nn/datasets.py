"""The handwritten digits that ship with scikit-learn (no download), split for the digits demonstration.

scikit-learn is an optional dependency (``pip install -e ".[datasets]"`` from a clone).
"""
import numpy

from .data import train_test_split


def load_digits(dtype=numpy.float64):
    """(X, y): 1797 images of 8 x 8 pixels with values 0-16 as rows of 64 features, and labels 0-9."""
    try:
        from sklearn import datasets
    except ImportError as error:
        raise ImportError("nn.datasets.load_digits needs scikit-learn, an optional dependency: "
                          "pip install -e '.[datasets]' from a clone (or pip install scikit-learn)") from error
    digits = datasets.load_digits()
    return digits.data.astype(dtype), digits.target.astype(numpy.int64)


def digits_split(test_fraction=0.2, seed=0, dtype=numpy.float64):
    """(X_train, X_test, y_train, y_test): a stratified, seeded hold-out split of ``load_digits``."""
    X, y = load_digits(dtype)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=test_fraction, seed=seed, stratify=y)
    return X_train, X_test, y_train, y_test
