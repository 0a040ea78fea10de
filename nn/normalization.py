"""Batch normalisation (Section 3.6, Eq. 3.58-3.65) and layer normalisation.

``BatchNorm`` normalises each unit over the mini-batch in training,

    mu_i = (1/m) sum_r v_i^(r)                               (Eq. 3.58)
    sigma_i^2 = (1/m) sum_r (v_i^(r) - mu_i)^2               (Eq. 3.59)
    vhat_i^(r) = (v_i^(r) - mu_i) / sqrt(sigma_i^2 + eps)    (Eq. 3.60)
    a_i^(r) = gamma_i vhat_i^(r) + beta_i                    (Eq. 3.61)

and is built from the engine's operations, so its backward is the chain rule
through those four lines: it equals the closed form of Eq. 3.62-3.65, which
``tests/nn/test_normalization.py`` checks against a hand-written NumPy
implementation. At inference there is no batch: the layer uses either the
exponentially weighted running averages kept during training or the
statistics of the whole training population, computed by
``compute_population_statistics`` over a data loader.

A variant of the text, stated: training normalises with Eq. 3.59's variance
(dividing by m), but the running variance kept for inference averages the
unbiased estimate m / (m - 1) sigma_i^2, as PyTorch does, since a mini-batch's
variance underestimates the population's.

Placing the layer before the activation or after it gives the two designs
of Figure 3.18 (``nn.MLP(..., batch_norm="pre" | "post")``).
"""
import numpy

import autograd_core as ag

from .arrays import array_module, as_tensor, cast_to, raw, to_numpy
from .checks import features_last, positive_int, real_number, tensor_like
from .defaults import resolve_dtype
from .module import Module, Parameter

STATISTICS = ("running", "population")


class BatchNorm(Module):
    """Normalise each of ``num_features`` units over the batch, then scale by gamma and shift by beta.

    In training the batch mean and variance are used (Eq. 3.58-3.61) and the
    running averages are updated as running = (1 - momentum) running +
    momentum batch (the variance with Bessel's correction m/(m-1)). In
    evaluation mode (``model.eval()``) the layer uses ``statistics``:
    ``"running"`` (the default) or ``"population"`` (set by
    ``compute_population_statistics``, or by loading a state that has them).
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, dtype=None):
        super().__init__()
        dtype = resolve_dtype(dtype)
        self.num_features = positive_int(num_features, "num_features", "BatchNorm")
        self.eps = real_number(eps, "eps", "BatchNorm", minimum=0, include_minimum=False)
        self.momentum = real_number(momentum, "momentum", "BatchNorm", minimum=0, maximum=1)
        self.gamma = Parameter(numpy.ones(self.num_features, dtype=dtype))
        self.beta = Parameter(numpy.zeros(self.num_features, dtype=dtype))
        self.register_buffer("running_mean", numpy.zeros(self.num_features, dtype=dtype))
        self.register_buffer("running_var", numpy.ones(self.num_features, dtype=dtype))
        self.register_buffer("population_mean", None)
        self.register_buffer("population_var", None)
        self.statistics = "running"
        self.population_accumulator = None

    def forward(self, v):
        tensor_like(v, "the input v", f"BatchNorm({self.num_features})")
        if v.ndim != 2 or v.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm({self.num_features}) expects inputs of shape (batch, "
                             f"{self.num_features}), got {tuple(v.shape)}")
        v = cast_to(v, self.gamma.dtype)
        if self.training:
            return self._normalise_batch(as_tensor(v))
        mean, variance = self._inference_statistics()
        xp = array_module(v)
        dtype = raw(v).dtype
        scale = 1.0 / xp.sqrt(xp.asarray(variance, dtype=dtype) + self.eps)
        vhat = (v - xp.asarray(mean, dtype=dtype)) * scale
        return vhat * self.gamma + self.beta

    def _normalise_batch(self, v):
        m = v.shape[0]
        if m < 2:
            raise ValueError(f"BatchNorm in training mode needs a batch of at least 2 examples, got {m}: the "
                             "variance of fewer than two examples is 0 or undefined. Use drop_last=True in the data "
                             "loader, a larger batch, or call model.eval() for inference.")
        mu = v.mean(axis=0, keepdims=True)                       # Eq. 3.58
        centred = v - mu
        sigma2 = (centred * centred).mean(axis=0, keepdims=True)  # Eq. 3.59
        vhat = centred / ag.sqrt(sigma2 + self.eps)              # Eq. 3.60
        self._record_statistics(mu.data.reshape(-1), sigma2.data.reshape(-1), m)
        return vhat * self.gamma + self.beta                     # Eq. 3.61

    def _record_statistics(self, batch_mean, batch_var, m):
        if self.population_accumulator is not None:
            self.population_accumulator.add(batch_mean, batch_var, m)
            return
        momentum = self.momentum
        xp = array_module(batch_mean)
        running_mean = xp.asarray(self.running_mean)
        running_var = xp.asarray(self.running_var)
        self.set_buffer("running_mean", ((1 - momentum) * running_mean + momentum * batch_mean)
                        .astype(running_mean.dtype))
        self.set_buffer("running_var", ((1 - momentum) * running_var + momentum * batch_var * (m / (m - 1)))
                        .astype(running_var.dtype))

    def _inference_statistics(self):
        if self.statistics == "running":
            names = ("running_mean", "running_var")
        elif self.statistics == "population":
            if self.population_mean is None:
                raise RuntimeError("BatchNorm.statistics is 'population' but no population statistics were "
                                   "computed: call nn.compute_population_statistics(model, loader) first")
            names = ("population_mean", "population_var")
        else:
            raise ValueError(f"BatchNorm.statistics must be one of {STATISTICS}, got {self.statistics!r}")
        for name in names:
            # a buffer assigned or loaded by hand could have any shape, and would broadcast silently
            shape = None if self._buffers[name] is None else tuple(self._buffers[name].shape)
            if shape != (self.num_features,):
                raise ValueError(f"BatchNorm({self.num_features}): buffer {name} must have shape "
                                 f"({self.num_features},), got {shape}")
        return tuple(self._buffers[name] for name in names)

    def _load_buffer(self, name, array):
        super()._load_buffer(name, array)
        if name == "population_mean":
            self.statistics = "population"

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps:g}, momentum={self.momentum:g}, "
                f"statistics={self.statistics!r}")


class PopulationAccumulator:
    """Mean and variance of a unit over many batches, merged exactly (Chan et al.'s pairwise update)."""

    def __init__(self):
        self.count = 0
        self.mean = None
        self.sum_squares = None

    def add(self, batch_mean, batch_var, m):
        batch_mean = numpy.asarray(to_numpy(batch_mean), dtype=numpy.float64)
        batch_sum_squares = numpy.asarray(to_numpy(batch_var), dtype=numpy.float64) * m
        if self.count == 0:
            self.count, self.mean, self.sum_squares = m, batch_mean, batch_sum_squares
            return
        total = self.count + m
        delta = batch_mean - self.mean
        self.mean = self.mean + delta * (m / total)
        self.sum_squares = self.sum_squares + batch_sum_squares + delta * delta * (self.count * m / total)
        self.count = total

    def variance(self):
        """The population variance with Bessel's correction, sum (v - mu)^2 / (N - 1)."""
        return self.sum_squares / (self.count - 1)


def compute_population_statistics(model, batches, use=True):
    """Compute every BatchNorm's mean and variance over the whole training population.

    ``batches`` yields inputs or tuples whose first item is the input (an
    ``nn.data.DataLoader`` does). The model runs in training mode, so each
    layer normalises with batch statistics as it did while learning, and the
    running averages are left untouched. With ``use=True`` the layers then
    use these statistics in evaluation mode. Returns the model.
    """
    layers = [module for module in model.modules() if isinstance(module, BatchNorm)]
    if not layers:
        raise ValueError("the model has no BatchNorm layer")
    was_training = {id(module): module.training for module in model.modules()}
    for layer in layers:
        layer.population_accumulator = PopulationAccumulator()
    try:
        model.train()
        with ag.no_grad():
            for batch in batches:
                model(batch[0] if isinstance(batch, (tuple, list)) else batch)
        for layer in layers:
            accumulator = layer.population_accumulator
            if accumulator.count < 2:
                raise ValueError("population statistics need at least 2 examples; the loader gave "
                                 f"{accumulator.count}")
            xp = array_module(layer.running_mean)
            dtype = layer.running_mean.dtype
            layer.set_buffer("population_mean", xp.asarray(accumulator.mean.astype(dtype)))
            layer.set_buffer("population_var", xp.asarray(accumulator.variance().astype(dtype)))
            if use:
                layer.statistics = "population"
    finally:
        for layer in layers:
            layer.population_accumulator = None
        for module in model.modules():
            module.training = was_training[id(module)]
    return model


class LayerNorm(Module):
    """Normalise each example over its ``num_features`` units, then scale and shift (mentioned in Section 3.6).

    The statistics come from one example, not the batch, so training and
    inference compute the same thing and a batch of one is fine.
    """

    def __init__(self, num_features, eps=1e-5, dtype=None):
        super().__init__()
        dtype = resolve_dtype(dtype)
        self.num_features = positive_int(num_features, "num_features", "LayerNorm")
        self.eps = real_number(eps, "eps", "LayerNorm", minimum=0, include_minimum=False)
        self.gamma = Parameter(numpy.ones(self.num_features, dtype=dtype))
        self.beta = Parameter(numpy.zeros(self.num_features, dtype=dtype))

    def forward(self, x):
        features_last(x, "the input x", f"LayerNorm({self.num_features})", self.num_features)
        x = as_tensor(cast_to(x, self.gamma.dtype))
        centred = x - x.mean(axis=-1, keepdims=True)
        variance = (centred * centred).mean(axis=-1, keepdims=True)
        return centred / ag.sqrt(variance + self.eps) * self.gamma + self.beta

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps:g}"
