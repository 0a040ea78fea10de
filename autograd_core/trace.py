"""Backpropagation written out step by step: the dynamic programme (Eq. 3.8) and the sum over paths (Lemma 3.2.1).

``trace_backward(output)`` runs the dynamic programme of ``backward()`` (the
engine's own topological order, each operation's own vector-Jacobian
products, the gradients summed in the same order) and records one step per
node whose gradient it finishes, leaves included, instead of writing any
``.grad``. A step holds the node, its gradient and the contributions that
made it: for every edge from the node i to a consumer j, the consumer's
gradient times the local derivative z(i, j) = dy(j)/dy(i),

    do/dy(i) = sum over consumers j of do/dy(j) * z(i, j)        (Eq. 3.8)

and, for tensor nodes, the vector-Jacobian product J(i, j)^T do/dy(j) (Eq. 3.24).

``trace_backward(output, mode="paths")`` records the exponential algorithm
instead: one record per path from each input to the output, in the order
``ag.paths`` yields them, with the product of the local derivatives along it
and the running sum, which ends equal to the dynamic programme's gradient.
The step-through player (``step_through.py``) shows these records.
"""
import numpy

from . import backend
from .engine import _as_gradient_tuple, _outputs_and_seeds, topological_order, unbroadcast
from .modes import no_grad
from .paths import PathGraph, edge_jacobian
from .tensor import ReleasedArray, Tensor, graph_node

MODES = ("dp", "paths")


def trace_backward(output, inputs=None, mode="dp", grad_output=None, max_paths=10**6):
    """The steps of backpropagation from ``output``, as a ``BackwardTrace`` (a list of steps numbered from 0).

    * ``mode="dp"``: one ``DPStep`` per node finished, in the engine's order;
      each leaf comes right after the last of its consumers, when its sum is complete.
    * ``mode="paths"``: one ``PathStep`` per path from each input to the
      output, then ``trace.checks`` compares each path sum with the DP gradient.
      Refuses, like ``grad(method="paths")``, an input with more than ``max_paths`` paths.

    ``inputs`` (Tensors that require gradients) are the nodes whose gradients
    ``trace.gradients`` reports and, in the paths mode, whose paths are
    enumerated; by default every leaf that gets a gradient. A non-scalar
    ``output`` needs ``grad_output``, as ``backward`` does. No ``.grad`` is
    written, no saved value released, no hook run.
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"trace_backward: output must be a Tensor, got {type(output).__name__}")
    if mode not in MODES:
        raise ValueError(f"trace_backward: mode must be 'dp' or 'paths', got {mode!r}")
    if not isinstance(max_paths, int) or isinstance(max_paths, bool) or max_paths < 0:
        raise ValueError(f"trace_backward: max_paths must be a non-negative int, got {max_paths!r}")
    inputs = _checked_inputs(inputs)
    if grad_output is None and output.size != 1:
        raise ValueError(f"trace_backward: an output of shape {output.shape} needs grad_output=, the gradient to "
                         "start from (an array of the output's shape), as backward(grad) does")
    _, (seed,) = _outputs_and_seeds([output], [grad_output], create_graph=False)
    names = _Names()
    steps = _dynamic_programme(output, seed, names)
    final = {_key(step.node): step.grad for step in steps}
    if inputs is None:
        inputs = [step.node for step in steps if step.is_leaf and step.node.requires_grad]
    gradients = [final.get(_key(value)) for value in inputs]
    if mode == "dp":
        return BackwardTrace(steps, "dp", output, inputs, gradients, names)
    path_steps, checks = _sum_over_paths(output, seed, inputs, gradients, names, max_paths)
    return BackwardTrace(path_steps, "paths", output, inputs, gradients, names, checks)


class Contribution:
    """One edge's share of a node's gradient: ``product`` = do/dy(j) * z(i, j), from the consumer j.

    ``consumer`` is the tensor y(j), ``operation`` the Function that made it
    from the node (input number ``input_index``), ``grad_output`` the
    consumer's gradient do/dy(j). ``local`` is z(i, j) as a float when both
    ends are scalars, else a ``VectorJacobianProduct`` naming what the
    operation's backward was given.
    """

    __slots__ = ("consumer", "operation", "input_index", "grad_output", "local", "product")

    def __init__(self, consumer, operation, input_index, grad_output, local, product):
        self.consumer = consumer
        self.operation = operation
        self.input_index = input_index
        self.grad_output = grad_output
        self.local = local
        self.product = product

    @property
    def is_scalar(self):
        return not isinstance(self.local, VectorJacobianProduct)

    def __repr__(self):
        return (f"Contribution(from {self.operation.name} input {self.input_index}, local {_short(self.local)}, "
                f"product {summarise(self.product)})")


class VectorJacobianProduct:
    """The local derivative of a tensor edge, applied: J(i, j)^T g with J(i, j) = dy(j)/dy(i) (Eq. 3.24).

    ``operation`` is the Function whose backward computes it, ``input_index``
    the input it is for, ``grad_output`` the vector g = do/dy(j) it is applied to.
    """

    __slots__ = ("operation", "input_index", "grad_output")

    def __init__(self, operation, input_index, grad_output):
        self.operation = operation
        self.input_index = input_index
        self.grad_output = grad_output

    def __repr__(self):
        return f"J^T g of {self.operation.name} (input {self.input_index}), g {summarise(self.grad_output)}"


class DPStep:
    """One step of the dynamic programme: ``node`` is finished with gradient ``grad`` (do/dnode).

    ``contributions`` lists the terms of Eq. 3.8 in the order the engine
    added them; it is empty for the output, whose gradient is the seed (1 for a scalar).
    """

    __slots__ = ("number", "node", "grad", "contributions", "names")

    def __init__(self, number, node, grad, contributions, names):
        self.number = number
        self.node = node
        self.grad = grad
        self.contributions = contributions
        self.names = names
        names.symbol(node)  # named in step order, so unnamed nodes are numbered as the steps meet them

    @property
    def is_leaf(self):
        return self.node.grad_fn is None

    @property
    def is_output(self):
        return not self.contributions

    @property
    def name(self):
        return self.names.symbol(self.node)

    def formula(self, output_symbol):
        """``(left side, symbolic terms, numeric terms, value)`` of Eq. 3.8 for this node, as text."""
        left = _partial(output_symbol, self.name)
        if self.is_output:
            seed = "1" if self.grad.size == 1 and float(self.grad.reshape(-1)[0]) == 1 else "the given gradient"
            return left, [seed], [], summarise(self.grad)
        symbolic, numeric = [], []
        for term in self.contributions:
            consumer = self.names.symbol(term.consumer)
            if term.is_scalar:
                symbolic.append(f"{_partial(output_symbol, consumer)} · z({self.name}, {consumer})")
                numeric.append(f"{_signed(summarise(term.grad_output))} × {_signed(_short(term.local))}")
            else:
                symbolic.append(f"J({self.name}, {consumer})ᵀ {_partial(output_symbol, consumer)}")
                numeric.append(summarise(term.product))
        return left, symbolic, numeric, summarise(self.grad)

    def __str__(self):
        left, symbolic, numeric, value = self.formula(self.names.output_symbol)
        if self.is_output:
            seed = value if symbolic[0] == "1" else f"{symbolic[0]} {value}"
            return f"step {self.number}: {self.name} is the output: {left} = {seed}"
        text = f"step {self.number}: {left} = {' + '.join(symbolic)}"
        if len(numeric) > 1 or self.contributions[0].is_scalar:
            text += f" = {' + '.join(numeric)}"
        return text + f" = {value}"

    __repr__ = __str__


class PathStep:
    """One path of the sum over paths: its tensors (input first), the local derivative of each edge, their product.

    ``path_number`` counts the paths of this ``input`` from 0 (``ag.paths``
    order) out of ``path_count``; ``running_sum`` is the sum of the products
    of this input's paths so far. For tensor edges ``locals`` holds Jacobian
    matrices and ``product`` is g^T J_k ... J_1 in the input's shape.
    """

    __slots__ = ("number", "input", "path_number", "path_count", "path", "operations", "locals", "product",
                 "running_sum", "names")

    def __init__(self, number, input, path_number, path_count, path, operations, locals, product, running_sum,
                 names):
        self.number = number
        self.input = input
        self.path_number = path_number
        self.path_count = path_count
        self.path = path
        self.operations = operations
        self.locals = locals
        self.product = product
        self.running_sum = running_sum
        self.names = names

    @property
    def is_scalar(self):
        return all(numpy.ndim(local) == 0 for local in self.locals)

    def edge_labels(self):
        """``z(i, j)`` for each edge along the path, input first."""
        symbols = [self.names.symbol(tensor) for tensor in self.path]
        letter = "z" if self.is_scalar else "J"
        return [f"{letter}({before}, {after})" for before, after in zip(symbols, symbols[1:])]

    def __str__(self):
        route = " → ".join(self.names.symbol(tensor) for tensor in self.path)
        text = f"path {self.number} ({self.path_number + 1} of {self.path_count} from {self.names.symbol(self.input)}):"
        text += f" {route}: "
        if self.is_scalar:
            factors = " × ".join(_signed(_short(local)) for local in self.locals) or "1"
            text += f"{' · '.join(self.edge_labels()) or '1'} = {factors} = {summarise(self.product)}"
        else:
            text += f"product of {len(self.locals)} Jacobians = {summarise(self.product)}"
        return text + f"; running sum {summarise(self.running_sum)}"

    __repr__ = __str__


class PathSumCheck:
    """The end of the sum over paths for one input: its total against the dynamic programme's gradient."""

    __slots__ = ("input", "path_count", "path_sum", "dp", "difference", "agrees", "names")

    def __init__(self, input, path_count, path_sum, dp, names):
        self.input = input
        self.path_count = path_count
        self.path_sum = path_sum
        self.dp = dp
        self.names = names
        dp_values = numpy.zeros(input.shape) if dp is None else backend.to_numpy(dp)
        path_values = numpy.zeros(input.shape) if path_sum is None else backend.to_numpy(path_sum)
        self.difference = float(numpy.max(numpy.abs(dp_values - path_values), initial=0.0))
        # products over long paths round differently from the DP's sums: equal to about sqrt(eps)
        tolerance = float(numpy.sqrt(numpy.finfo(numpy.result_type(dp_values.dtype, numpy.float32)).eps))
        self.agrees = bool(numpy.allclose(path_values, dp_values, rtol=tolerance, atol=tolerance * 1e-3))

    def __str__(self):
        name = self.names.symbol(self.input)
        total = "0" if self.path_sum is None else summarise(self.path_sum)
        dp = "0 (not connected)" if self.dp is None else summarise(self.dp)
        relation = "=" if self.agrees else "≠"
        return (f"{name}: sum over {self.path_count} path{'s' if self.path_count != 1 else ''} = {total} "
                f"{relation} {dp} by dynamic programming (largest difference {self.difference:.1e})")

    __repr__ = __str__


class BackwardTrace(list):
    """The steps of one backward pass (a list), with what they add up to.

    ``mode`` is ``"dp"`` or ``"paths"``; ``inputs`` and ``gradients`` pair
    each input with its gradient by dynamic programming (None if it is not
    connected); in the paths mode ``checks`` holds one ``PathSumCheck`` per input.
    """

    def __init__(self, steps, mode, output, inputs, gradients, names, checks=None):
        super().__init__(steps)
        self.mode = mode
        self.output = output
        self.inputs = inputs
        self.gradients = gradients
        self.checks = checks or []
        self.names = names

    def symbol(self, tensor):
        """The short name the steps use for ``tensor``."""
        return self.names.symbol(tensor)

    def __str__(self):
        lines = [str(step) for step in self]
        if self.mode == "paths":
            lines += [str(check) for check in self.checks]
        else:
            lines += [f"{self.symbol(value)}: {_partial(self.names.output_symbol, self.symbol(value))} = "
                      f"{'not connected' if gradient is None else summarise(gradient)}"
                      for value, gradient in zip(self.inputs, self.gradients)]
        return "\n".join(lines)

    def __repr__(self):
        return f"<BackwardTrace mode={self.mode!r}, {len(self)} steps>\n{self}"


def summarise(value):
    """A number with 4 significant digits, or a tensor's shape, norm and first entries."""
    if value is None:
        return "None"
    if isinstance(value, ReleasedArray):
        return f"[{_shape_text(value.shape)}, values not kept]"
    array = backend.to_numpy(value) if hasattr(value, "shape") else numpy.asarray(value)
    if array.size == 1:
        return _short(array.reshape(-1)[0])
    first = ", ".join(_short(entry) for entry in array.reshape(-1)[:3])
    more = ", …" if array.size > 3 else ""
    norm = float(numpy.sqrt(numpy.sum(numpy.square(array, dtype=numpy.float64))))
    return f"[{_shape_text(array.shape)}, norm {_short(norm)}, {first}{more}]"


def _shape_text(shape):
    return "x".join(str(size) for size in shape) if shape else "scalar"


def _short(number):
    value = float(number)
    return f"{value:.4g}"


def _signed(text):
    return f"({text})" if text.startswith("-") else text


def _partial(output_symbol, symbol):
    return f"∂{output_symbol}/∂{symbol}"


def _key(tensor):
    return id(graph_node(tensor))


class _Names:
    """Short, unique names for the tensors of a trace: ``y`` for a tensor named "y = w^2", ``sin2`` if unnamed.

    An unnamed output is ``o``, as in the chapter.
    """

    def __init__(self):
        self._by_key = {}
        self._taken = set()
        self._unnamed = 0
        self.output_symbol = "o"

    def symbol(self, tensor, unnamed=None):
        """The tensor's short name; ``unnamed`` is the one to give it if it has no name of its own."""
        key = _key(tensor)
        found = self._by_key.get(key)
        if found is not None:
            return found
        if tensor.name:
            base = str(tensor.name).split(" = ")[0].strip() or str(tensor.name)
        elif unnamed:
            base = unnamed
        else:
            self._unnamed += 1
            base = f"{'leaf' if tensor.grad_fn is None else tensor.grad_fn.name.lower()}{self._unnamed}"
        name, copy = base, 1
        while name in self._taken:
            copy += 1
            name = f"{base}#{copy}"
        self._taken.add(name)
        self._by_key[key] = name
        return name


def _checked_inputs(inputs):
    if inputs is None:
        return None
    values = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for number, value in enumerate(values):
        if not isinstance(value, Tensor) or not value.requires_grad:
            got = type(value).__name__ if not isinstance(value, Tensor) else "a Tensor without requires_grad"
            raise ValueError(f"trace_backward: inputs[{number}] must be a Tensor with requires_grad=True, got {got}")
    return values


def _refuse_hooks(owner, tensor, names):
    if owner._hooks:
        raise ValueError(
            f"trace_backward: the tensor {names.symbol(tensor)!r} has {len(owner._hooks)} gradient hook(s), which "
            "could change the gradients backward() computes; the trace runs no hooks (they may have side "
            "effects), so remove them (handle.remove()) before tracing"
        )


def _dynamic_programme(output, seed, names):
    """The engine's ``_run`` for one output, recording each finished node instead of writing ``.grad``.

    The non-leaf nodes come in ``topological_order``, the engine's own; the
    gradients are summed in the order the engine sums them, so every number
    is the one ``backward()`` computes.
    """
    names.output_symbol = names.symbol(output, unnamed="o")  # the chapter's name for the output
    root = output.grad_fn
    if root is None:
        _refuse_hooks(output, output, names)
        return [DPStep(0, output, seed, [], names)]
    order = topological_order([root])
    tensor_of = {root: output}
    leaves_after = [[] for _ in order]  # leaves whose last consumer is order[position]
    last_consumer = {}
    for position, node in enumerate(order):
        _refuse_hooks(node, tensor_of[node], names)
        for value, needed in zip(node.inputs, node.needs_input_grad):
            if not isinstance(value, Tensor):
                continue
            if value.grad_fn is not None:
                tensor_of.setdefault(value.grad_fn, value)
            elif needed:
                _refuse_hooks(value, value, names)
                last_consumer[id(value)] = (position, value)
    for position, leaf in last_consumer.values():
        leaves_after[position].append(leaf)
    grads, contributions = {root: seed}, {root: []}
    steps = []
    with no_grad():
        for position, node in enumerate(order):
            grad_output = grads.pop(node, None)
            if grad_output is None:
                continue
            tensor = tensor_of[node]
            steps.append(DPStep(len(steps), tensor, grad_output, contributions.pop(node), names))
            input_grads = _vector_jacobian_products(node, grad_output)
            locals_ = _scalar_local_derivatives(node, grad_output, tensor)
            for input_index, (value, needed, input_grad) in enumerate(zip(node.inputs, node.needs_input_grad,
                                                                          input_grads)):
                if not needed or input_grad is None:
                    continue
                data = value._data
                if input_grad.shape != data.shape:
                    input_grad = unbroadcast(input_grad, data.shape)
                if input_grad.dtype is not data.dtype and input_grad.dtype != data.dtype:
                    input_grad = input_grad.astype(data.dtype)
                key = value.grad_fn if value.grad_fn is not None else id(value)
                existing = grads.get(key)
                grads[key] = input_grad if existing is None else existing + input_grad
                local = locals_[input_index] if locals_ is not None and data.size == 1 else \
                    VectorJacobianProduct(node, input_index, grad_output)
                contributions.setdefault(key, []).append(
                    Contribution(tensor, node, input_index, grad_output, local, input_grad))
            for leaf in leaves_after[position]:
                if id(leaf) in grads:
                    steps.append(DPStep(len(steps), leaf, grads.pop(id(leaf)), contributions.pop(id(leaf)), names))
    return steps


def _vector_jacobian_products(node, grad_output):
    input_grads = type(node).backward(node, grad_output)
    if type(input_grads) is not tuple or len(input_grads) != len(node.inputs):
        input_grads = _as_gradient_tuple(node, input_grads)
    return input_grads


def _scalar_local_derivatives(node, grad_output, tensor):
    """z(i, j) for each input of a scalar node: its vector-Jacobian product applied to 1."""
    if tensor.size != 1:
        return None
    xp = backend.get_array_module(grad_output)
    ones = _vector_jacobian_products(node, xp.ones_like(grad_output))
    return [None if local is None or local.size != 1 else float(local.reshape(-1)[0]) for local in ones]


def _sum_over_paths(output, seed, inputs, dp_gradients, names, max_paths):
    """One ``PathStep`` per path from each input, in ``ag.paths`` order; one ``PathSumCheck`` per input."""
    graph = PathGraph(output)
    targets = []
    for value in inputs:
        target = graph.position(value)
        counts = graph.count_to(target)
        if counts[0] > max_paths:
            raise ValueError(
                f"the path-sum trace would enumerate {counts[0]} paths, more than max_paths={max_paths}; "
                f"pass max_paths={counts[0]} (or more) to ag.trace_backward(..., mode='paths') to run it anyway, "
                "or use mode='dp'"
            )
        targets.append((target, counts))
    seed_vector = seed.reshape(-1)
    jacobians = {}
    steps, checks = [], []
    with no_grad():
        for value, dp, (target, counts) in zip(inputs, dp_gradients, targets):
            running_sum = None
            for path_number, edges in enumerate(_edge_paths(graph, target, counts)):
                product, locals_ = seed_vector, []
                for parent, node, input_index, position in reversed(edges):  # from the output back: g^T J_k ... J_1
                    key = (id(node), input_index)
                    if key not in jacobians:
                        jacobians[key] = edge_jacobian(node, input_index, graph.tensors[parent].data,
                                                       graph.tensors[position].shape)
                    product = product @ jacobians[key]
                    locals_.append(jacobians[key])
                product = product.reshape(value.shape)
                running_sum = product if running_sum is None else running_sum + product
                path = [graph.tensors[edges[0][0]]] + [graph.tensors[position] for *_, position in edges] \
                    if edges else [value]
                scalar = all(local.size == 1 for local in locals_)
                shown = [float(local.reshape(-1)[0]) if scalar else local for local in reversed(locals_)]
                steps.append(PathStep(len(steps), value, path_number, counts[0], path,
                                      [node for _, node, _, _ in edges], shown, product, running_sum, names))
            checks.append(PathSumCheck(value, counts[0], running_sum, dp, names))
    return steps, checks


def _edge_paths(graph, target, counts):
    """Every path from ``target`` to the output as its edges ``(parent, node, input_index, position)``, input first.

    The same depth-first order as ``ag.paths`` (which yields the tensors
    along these paths), so path number k here is path number k there.
    """
    return graph.edge_paths(target, counts)
