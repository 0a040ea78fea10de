"""Feature preprocessing of Section 3.3.2: centring, scaling and PCA whitening (Eq. 3.35-3.37).

Every transform is a Module: ``fit(X)`` estimates its statistics from a data
matrix D (rows are examples), ``transform(X)`` and ``inverse_transform(Z)``
map NumPy or CuPy arrays, and calling it on a Tensor applies it with engine
operations, so a fitted transform can be the first stage of a model and is
saved and loaded with it (its statistics are buffers of the state_dict).

- ``MeanCentering``: x_j - mu_j.
- ``Standardization``: (x_j - mu_j) / sigma_j, each feature to mean 0 and variance 1.
- ``MinMaxScaling``: (x_j - min_j) / (max_j - min_j), into [0, 1] (Eq. 3.35).
- ``NonNegativeShift``: x_j - min(min_j, 0), so every feature is non-negative.
- ``PCAWhitening``: with the covariance C = D^T D / n of the mean-centred
  data (Eq. 3.36) and its eigenvectors P (C = P Lambda P^T), the projection
  D P (Eq. 3.37) has uncorrelated features, each then divided by its
  standard deviation sqrt(lambda) so the covariance becomes the identity.
  Directions with eigenvalue below ``eigenvalue_threshold`` (1e-5) are
  dropped, ``components`` keeps the top k, and ``regularizer`` divides by
  sqrt(lambda + regularizer) instead; ``sample_size`` estimates the
  statistics from a random sample of rows.
A feature that is constant in the fitted data is left unscaled (divided by 1).
"""
import numpy

from .arrays import array_module, raw
from .checks import features_last, positive_int, real_number, tensor_like
from .module import Module


class Transform(Module):
    """Base of the fitted transforms: subclasses define ``_fit(X)`` and ``_apply`` (and ``_invert``)."""

    statistic_names = ()

    def __init__(self):
        super().__init__()
        for name in self.statistic_names:
            self.register_buffer(name, None)

    @property
    def fitted(self):
        return all(self._buffers[name] is not None for name in self.statistic_names)

    def fit(self, X):
        """Estimate the transform's statistics from the rows of ``X``; returns self."""
        X = raw(tensor_like(X, "X", f"{type(self).__name__}.fit"))
        if X.ndim != 2 or X.shape[0] < 1:
            raise ValueError(f"{type(self).__name__}.fit expects a 2-D array (examples, features), "
                             f"got shape {X.shape}")
        for name, value in self._fit(X).items():
            self.set_buffer(name, value)
        return self

    def transform(self, X):
        """The transformed array (same array module as ``X``)."""
        return raw(self._apply(self._checked_input(X, "X", "transform", self.input_features)))

    def fit_transform(self, X):
        return self.fit(X).transform(X)

    def inverse_transform(self, Z):
        """Undo ``transform`` (exactly where the transform is invertible)."""
        return raw(self._invert(self._checked_input(Z, "Z", "inverse_transform", self.output_features)))

    def forward(self, x):
        return self._apply(self._checked_input(x, "x", "forward", self.input_features))

    @property
    def input_features(self):
        """The number of features the transform was fitted on."""
        self._require_consistent_statistics()
        return int(self._buffers[self.statistic_names[0]].shape[0])

    @property
    def output_features(self):
        """The number of features ``transform`` returns (the input's, unless a subclass drops some)."""
        return self.input_features

    def _checked_input(self, value, name, method, features):
        """``value`` (a Tensor, or an array taken from behind one) after checking its kind and feature count."""
        features_last(value, name, f"{type(self).__name__}.{method}", features)
        return value if method == "forward" else raw(value)

    def statistic(self, name, like):
        """A fitted statistic on the device and in the dtype of ``like`` (an array or Tensor)."""
        self._require_fitted()
        value = self._buffers[name]
        xp = array_module(like)
        dtype = raw(like).dtype if raw(like).dtype.kind == "f" else numpy.float64
        return xp.asarray(value, dtype=dtype)

    def _require_consistent_statistics(self):
        """Raise unless fitted, with statistics whose shapes agree (a loaded state could hold any shapes)."""
        self._require_fitted()
        shapes = {name: tuple(self._buffers[name].shape) for name in self.statistic_names}
        if not self._shapes_agree(shapes):
            raise ValueError(f"{type(self).__name__}'s statistics have shapes that do not fit together, {shapes}: "
                             "load a state saved from the same kind of transform, or fit it again")

    def _shapes_agree(self, shapes):
        """True when every statistic is a vector with one entry per feature."""
        first = shapes[self.statistic_names[0]]
        return len(first) == 1 and all(shape == first for shape in shapes.values())

    def _require_fitted(self):
        if not self.fitted:
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(X) (or load a fitted state) first")

    def _invert(self, Z):
        raise TypeError(f"{type(self).__name__} has no inverse")

    def _apply(self, x):
        raise TypeError(f"{type(self).__name__} must define _apply")

    def _fit(self, X):
        raise TypeError(f"{type(self).__name__} must define _fit")

    def extra_repr(self):
        return "fitted" if self.fitted else "not fitted"


def _safe_scale(xp, values):
    """Replace zero spreads by 1, so a constant feature is left unscaled rather than divided by zero."""
    return xp.where(values > 0, values, xp.ones_like(values))


def _float(X):
    return X if X.dtype.kind == "f" else X.astype(numpy.float64)


class MeanCentering(Transform):
    """x_j - mu_j, mu_j the mean of feature j."""

    statistic_names = ("mean",)

    def _fit(self, X):
        return {"mean": _float(X).mean(axis=0)}

    def _apply(self, x):
        return x - self.statistic("mean", x)

    def _invert(self, Z):
        return Z + self.statistic("mean", Z)


class Standardization(Transform):
    """(x_j - mu_j) / sigma_j: every feature to mean 0 and standard deviation 1."""

    statistic_names = ("mean", "std")

    def _fit(self, X):
        xp = array_module(X)
        X = _float(X)
        return {"mean": X.mean(axis=0), "std": _safe_scale(xp, X.std(axis=0))}

    def _apply(self, x):
        return (x - self.statistic("mean", x)) / self.statistic("std", x)

    def _invert(self, Z):
        return Z * self.statistic("std", Z) + self.statistic("mean", Z)


class MinMaxScaling(Transform):
    """(x_j - min_j) / (max_j - min_j): every feature into [0, 1] (Eq. 3.35)."""

    statistic_names = ("minimum", "spread")

    def _fit(self, X):
        xp = array_module(X)
        X = _float(X)
        minimum = X.min(axis=0)
        return {"minimum": minimum, "spread": _safe_scale(xp, X.max(axis=0) - minimum)}

    def _apply(self, x):
        return (x - self.statistic("minimum", x)) / self.statistic("spread", x)

    def _invert(self, Z):
        return Z * self.statistic("spread", Z) + self.statistic("minimum", Z)


class NonNegativeShift(Transform):
    """x_j - min(min_j, 0): features with negative values are shifted up to start at 0, others kept."""

    statistic_names = ("shift",)

    def _fit(self, X):
        xp = array_module(X)
        return {"shift": xp.minimum(_float(X).min(axis=0), 0.0)}

    def _apply(self, x):
        return x - self.statistic("shift", x)

    def _invert(self, Z):
        return Z + self.statistic("shift", Z)


class PCAWhitening(Transform):
    """z = (x - mu) P diag(1 / sqrt(lambda + regularizer)) (Eq. 3.36-3.37).

    ``components``: keep the top k eigenvectors (all by default).
    ``eigenvalue_threshold``: drop directions with lambda below it (1e-5;
    None keeps them, which needs a ``regularizer`` > 0 when some lambda is 0).
    ``regularizer``: the additive term in the denominator.
    ``sample_size``: estimate mu and C from that many random rows (seeded by ``seed``).
    """

    statistic_names = ("mean", "components", "scale")

    def __init__(self, components=None, eigenvalue_threshold=1e-5, regularizer=0.0, sample_size=None, seed=0):
        super().__init__()
        self.num_components = None if components is None else positive_int(components, "components",
                                                                              "PCAWhitening")
        self.eigenvalue_threshold = None if eigenvalue_threshold is None else real_number(
            eigenvalue_threshold, "eigenvalue_threshold", "PCAWhitening", minimum=0)
        self.regularizer = real_number(regularizer, "regularizer", "PCAWhitening", minimum=0)
        self.sample_size = None if sample_size is None else positive_int(sample_size, "sample_size",
                                                                           "PCAWhitening")
        self.seed = seed
        self.eigenvalues = None

    def _fit(self, X):
        xp = array_module(X)
        X = X.astype(numpy.float64)
        if self.sample_size is not None and self.sample_size < X.shape[0]:
            rows = numpy.random.default_rng(self.seed).choice(X.shape[0], size=self.sample_size, replace=False)
            X = X[xp.asarray(rows)]
        mean = X.mean(axis=0)
        centred = X - mean
        covariance = centred.T @ centred / X.shape[0]                      # Eq. 3.36
        eigenvalues, eigenvectors = xp.linalg.eigh(covariance)
        order = xp.argsort(eigenvalues)[::-1]
        eigenvalues, eigenvectors = eigenvalues[order], eigenvectors[:, order]
        keep = xp.ones(eigenvalues.shape, dtype=bool)
        if self.eigenvalue_threshold is not None:
            keep = eigenvalues > self.eigenvalue_threshold
        kept = int(keep.sum())
        if self.num_components is not None:
            kept = min(kept, self.num_components)
        if kept == 0:
            raise ValueError(f"PCAWhitening: no eigenvalue of the covariance exceeds the threshold "
                             f"{self.eigenvalue_threshold}; the data are (nearly) constant")
        eigenvalues, eigenvectors = eigenvalues[:kept], eigenvectors[:, :kept]
        denominator = eigenvalues + self.regularizer
        # an eigenvalue within rounding error of zero is a direction the data do not span
        rounding = numpy.finfo(numpy.float64).eps * X.shape[1] * float(eigenvalues[0])
        if bool((denominator <= rounding).any()):
            raise ValueError(f"PCAWhitening: a kept eigenvalue plus the regularizer ({float(denominator.min()):.3g}) "
                             "is zero up to rounding, so whitening would divide by zero; set "
                             "eigenvalue_threshold or a positive regularizer")
        self.eigenvalues = eigenvalues
        return {"mean": mean, "components": eigenvectors, "scale": 1.0 / xp.sqrt(denominator)}

    @property
    def output_features(self):
        self._require_consistent_statistics()
        return int(self._buffers["components"].shape[1])

    def _shapes_agree(self, shapes):
        """mean (d,), components (d, k), scale (k,)."""
        mean, components, scale = shapes["mean"], shapes["components"], shapes["scale"]
        return len(mean) == 1 and len(scale) == 1 and components == (mean[0], scale[0])

    def _apply(self, x):
        return ((x - self.statistic("mean", x)) @ self.statistic("components", x)) * self.statistic("scale", x)

    def _invert(self, Z):
        """Back to the input space; exact when no direction was dropped (else the projection onto the kept ones)."""
        return (Z / self.statistic("scale", Z)) @ self.statistic("components", Z).T + self.statistic("mean", Z)

    def extra_repr(self):
        kept = None if self.components is None else self.components.shape[1]
        return f"components kept={kept}, eigenvalue_threshold={self.eigenvalue_threshold}, " \
               f"regularizer={self.regularizer:g}"
