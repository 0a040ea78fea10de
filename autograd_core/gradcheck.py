"""Gradient checking by finite differences (Section 3.2.10).

The backpropagated derivative G_e is compared with a finite-difference
estimate G_a, by the forward difference of Eq. 3.33,
G_a = [L(w + eps) - L(w)] / eps, or the central difference
[L(w + eps) - L(w - eps)] / (2 eps), through the relative ratio of Eq. 3.34,

    rho = |G_e - G_a| / |G_e + G_a|.

The chapter's thresholds are the defaults: rho below 1e-6 for smooth
functions, and below 1e-3 where kinks such as ReLU's are involved
(``kinks=True``). The check assumes float64: in float32 the rounding error of
a finite difference is larger than these thresholds, so other dtypes are
refused.
"""
import numpy

from . import backend
from .engine import grad as engine_grad
from .modes import no_grad
from .tensor import Tensor, graph_node

SMOOTH_THRESHOLD = 1e-6
KINK_THRESHOLD = 1e-3
#: Below this size G_e and G_a count as zero when they do not disagree in sign (see ``relative_ratio``).
NEAR_ZERO = 1e-10


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` when the backpropagated and numerical gradients disagree."""

    def __init__(self, report):
        super().__init__(str(report))
        self.report = report


class GradcheckReport:
    """The outcome of a gradient check: the worst entries, their ratios, and whether all passed.

    Truthy when the check passed.
    """

    def __init__(self, entries, threshold, checked, method, eps):
        self.entries = sorted(entries, key=lambda entry: -entry[4])
        self.threshold = threshold
        self.checked = checked
        self.method = method
        self.eps = eps
        self.worst_ratio = self.entries[0][4] if self.entries else 0.0
        self.passed = self.worst_ratio < threshold

    def __bool__(self):
        return self.passed

    def __str__(self):
        verdict = "passed" if self.passed else "FAILED"
        lines = [f"gradcheck {verdict}: {self.checked} entries checked by {self.method} differences "
                 f"(eps={self.eps:g}); worst relative ratio rho = {self.worst_ratio:.3e} "
                 f"(threshold {self.threshold:g})"]
        for input_number, index, backprop, numerical, ratio in self.entries[:5]:
            lines.append(f"  input {input_number} entry {index}: backprop {backprop:.10g}, "
                         f"finite difference {numerical:.10g}, rho = {ratio:.3e}")
        return "\n".join(lines)

    __repr__ = __str__


def relative_ratio(backprop, numerical, atol=NEAR_ZERO):
    """rho = |G_e - G_a| / |G_e + G_a| (Eq. 3.34).

    The equation is followed everywhere but in one case: where both G_e and
    G_a are (near) zero, |G_e| <= atol and |G_a| <= atol, and they do not have
    opposite signs, rho is 0. There the equation is 0 / 0, or divides the
    rounding error of the finite difference (about 1e-10 for a central
    difference with eps = 1e-6 of a loss of order 1) by itself. Opposite
    signs always disagree: rho >= 1, and infinite where G_e = -G_a exactly.
    """
    if abs(backprop) <= atol and abs(numerical) <= atol and backprop * numerical >= 0:
        return 0.0
    difference = abs(backprop - numerical)
    total = abs(backprop + numerical)
    return difference / total if total > 0 else float("inf")


def gradcheck(function, inputs, eps=1e-6, method="central", sample=None, rtol=None, kinks=False,
              raise_exception=True, seed=0):
    """Check ``function``'s backpropagated gradient at ``inputs`` against finite differences.

    ``function(*inputs)`` returns a Tensor; a non-scalar output is reduced
    along a fixed random direction r (checking the gradient of sum(r * out)).
    ``sample`` checks that many randomly chosen entries of each input instead
    of all of them. ``rtol`` overrides the threshold on rho (1e-6, or 1e-3
    with ``kinks=True``). On failure raises ``GradcheckError`` carrying the
    report, or, with ``raise_exception=False``, returns the report (falsy).
    """
    if method not in ("central", "forward"):
        raise ValueError(f"method must be 'central' or 'forward', got {method!r}")
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    for number, value in enumerate(inputs):
        if not isinstance(value, Tensor) or not value.requires_grad:
            raise ValueError(f"gradcheck: input {number} must be a Tensor with requires_grad=True")
        if value.dtype != numpy.float64:
            raise TypeError(f"gradcheck: input {number} has dtype {value.dtype}; finite differences need "
                            "float64 (in float32 their rounding error exceeds the thresholds)")
    rng = numpy.random.default_rng(seed)
    output = function(*inputs)
    direction = _direction(output, rng)

    def loss():
        with no_grad():
            return _project(function(*inputs), direction)

    backprop = engine_grad(_project(output, direction), inputs, allow_unused=True)
    threshold = rtol if rtol is not None else (KINK_THRESHOLD if kinks else SMOOTH_THRESHOLD)
    entries, checked = [], 0
    for number, value in enumerate(inputs):
        flat_indices = _chosen_entries(value.size, sample, rng)
        expected = numpy.zeros(value.shape) if backprop[number] is None else backprop[number].numpy()
        for flat_index in flat_indices:
            index = numpy.unravel_index(flat_index, value.shape) if value.ndim else ()
            numerical = _finite_difference(loss, value, index, eps, method)
            entries.append((number, tuple(int(i) for i in index), float(expected[index]), numerical,
                            relative_ratio(float(expected[index]), numerical)))
            checked += 1
    report = GradcheckReport(entries, threshold, checked, method, eps)
    if not report.passed and raise_exception:
        raise GradcheckError(report)
    return report


def _direction(output, rng):
    if output.size == 1:
        return None
    xp = backend.get_array_module(output.data)
    return xp.asarray(rng.standard_normal(output.shape))


def _project(output, direction):
    if direction is None:
        return output.sum() if output.ndim else output
    return (output * direction).sum()


def _chosen_entries(size, sample, rng):
    if sample is None or sample >= size:
        return range(size)
    return sorted(rng.choice(size, size=sample, replace=False))


def _finite_difference(loss, value, index, eps, method):
    """G_a for one entry: forward (Eq. 3.33) or central difference, restoring the entry afterwards."""
    data = value.data
    original = data[index].copy() if hasattr(data[index], "copy") else data[index]
    try:
        data[index] = original + eps
        plus = float(loss().item())
        if method == "forward":
            data[index] = original
            return (plus - float(loss().item())) / eps
        data[index] = original - eps
        minus = float(loss().item())
        return (plus - minus) / (2 * eps)
    finally:
        data[index] = original


def numerical_grad_of_graph(output, inputs, eps=1e-6, function=None):
    """Central-difference gradients of a scalar ``output`` with respect to each input, as NumPy arrays.

    Re-evaluates ``function()`` when given, else replays the recorded graph
    with each input entry perturbed.
    """
    evaluate = function if function is not None else (lambda: replay(output))
    results = []
    for value in inputs:
        estimate = numpy.zeros(value.shape)
        for flat_index in range(value.size):
            index = numpy.unravel_index(flat_index, value.shape) if value.ndim else ()
            estimate[index] = _finite_difference(lambda: _as_scalar(evaluate()), value, index, eps, "central")
        results.append(estimate)
    return results


def _as_scalar(result):
    return result if isinstance(result, Tensor) else Tensor(result)


def replay(output):
    """Recompute ``output``'s value from the current data of its leaves by re-running every recorded forward."""
    values = {}
    order, stack = [], [(output, False)]
    while stack:
        tensor, expanded = stack.pop()
        key = id(graph_node(tensor))
        if expanded:
            order.append(tensor)
        elif key not in values:
            if tensor.grad_fn is None:
                values[key] = tensor.data
                continue
            values[key] = None  # visiting: its inputs come first
            stack.append((tensor, True))
            stack.extend((value, False) for value in tensor.grad_fn.inputs
                         if isinstance(value, Tensor) and id(graph_node(value)) not in values)
    for tensor in order:
        node = tensor.grad_fn
        arrays = [values[id(graph_node(value))] if isinstance(value, Tensor) else value for value in node.inputs]
        scratch = object.__new__(type(node))
        scratch.xp, scratch.F, scratch.needs_input_grad = node.xp, node.F, node.needs_input_grad
        scratch._saved, scratch._output_ref = (), None
        values[id(graph_node(tensor))] = type(node).forward(scratch, *arrays, **node.params)
    return values[id(graph_node(output))]
