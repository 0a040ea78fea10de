"""Mini-batches over arrays (Section 3.2.8), and a reproducible train/test split.

``DataLoader(X, y, batch_size=32, shuffle=True, seed=0)`` yields tuples of
aligned slices, one mini-batch at a time; with ``shuffle`` each pass visits
the examples in a new order drawn from one seeded Generator, so a run is
reproducible. ``drop_last`` skips a final batch smaller than ``batch_size``
(which matters to batch normalisation: a batch of one has no variance).
Arrays may be NumPy or CuPy; the batches stay on the arrays' device.
"""
import math

import numpy

from .arrays import array_module, raw, to_numpy
from .checks import positive_int, real_number, tensor_like


class DataLoader:
    """Iterate over mini-batches of aligned arrays: ``for X_batch, y_batch in DataLoader(X, y, ...)``."""

    def __init__(self, *arrays, batch_size=32, shuffle=False, seed=None, drop_last=False):
        if not arrays:
            raise ValueError("DataLoader needs at least one array")
        arrays = _aligned_arrays(arrays, "DataLoader")
        self.batch_size = positive_int(batch_size, "batch_size", "DataLoader")
        self.arrays = arrays
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = numpy.random.default_rng(seed)

    @property
    def num_examples(self):
        return len(self.arrays[0])

    def __len__(self):
        """The number of batches in one pass."""
        if self.drop_last:
            return self.num_examples // self.batch_size
        return math.ceil(self.num_examples / self.batch_size)

    def __iter__(self):
        count = self.num_examples
        order = self.generator.permutation(count) if self.shuffle else numpy.arange(count)
        for batch in range(len(self)):
            indices = order[batch * self.batch_size:(batch + 1) * self.batch_size]
            yield tuple(_take(array, indices) for array in self.arrays)


def _aligned_arrays(arrays, owner):
    """The arrays behind Tensors or arrays of at least one axis, checked to have the same length."""
    arrays = tuple(raw(tensor_like(array, f"array {number}", owner, min_ndim=1))
                   for number, array in enumerate(arrays))
    lengths = [len(array) for array in arrays]
    if len(set(lengths)) != 1:
        raise ValueError(f"{owner}: the arrays must have the same length (first axis), got {lengths}")
    return arrays


def _take(array, indices):
    xp = array_module(array)
    return array[xp.asarray(indices)]


def train_test_split(*arrays, test_fraction=0.2, seed=0, stratify=None):
    """Split aligned arrays into (train_1, test_1, train_2, test_2, ...), like scikit-learn's.

    ``stratify``: labels whose class proportions both parts keep (each class
    contributes round(test_fraction * its count) test examples).
    """
    real_number(test_fraction, "test_fraction", "train_test_split", minimum=0, maximum=1, include_minimum=False,
                include_maximum=False)
    if not arrays:
        raise ValueError("train_test_split needs at least one array")
    arrays = _aligned_arrays(arrays, "train_test_split")
    count = len(arrays[0])
    generator = numpy.random.default_rng(seed)
    if stratify is None:
        order = generator.permutation(count)
        test_count = int(round(test_fraction * count))
        test_indices, train_indices = order[:test_count], order[test_count:]
    else:
        labels = to_numpy(tensor_like(stratify, "stratify", "train_test_split", min_ndim=1))
        if labels.shape != (count,):
            raise ValueError(f"train_test_split: stratify must hold one label per example, shape ({count},), "
                             f"got shape {labels.shape}")
        test_parts, train_parts = [], []
        for label in numpy.unique(labels):
            members = generator.permutation(numpy.flatnonzero(labels == label))
            test_count = int(round(test_fraction * len(members)))
            test_parts.append(members[:test_count])
            train_parts.append(members[test_count:])
        test_indices = generator.permutation(numpy.concatenate(test_parts))
        train_indices = generator.permutation(numpy.concatenate(train_parts))
    result = []
    for array in arrays:
        result.extend([_take(array, train_indices), _take(array, test_indices)])
    return tuple(result)
