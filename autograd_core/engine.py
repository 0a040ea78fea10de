"""Backpropagation as dynamic programming over the computational graph (Section 3.2.2).

The nodes are visited in topological order from the output back to the
inputs (Kahn's algorithm, iterative, so a chain of a million operations is
fine). Each node's gradient is the sum, over the nodes that consume it, of
the consumer's gradient times the local derivative of the edge (the
multivariable chain rule, Eq. 3.8 and 3.10). A node's gradient is complete
when all its consumers are done, is used once, and is then freed.

Every gradient is checked against its input's shape on the way (one tuple
comparison per edge, already needed to undo broadcasting): whatever produced
it, a built-in backward, a custom ``Function``'s ``backward`` or ``jacobian``,
or a hook, a gradient that neither has the input's shape nor a shape the input
was broadcast to is an error naming the operation, the input and both shapes.
"""
import warnings

import numpy

from . import backend
from .collector import collector_paused, full_collection_deferral
from .function import Function, check_finite, release_large_inputs
from .modes import grad_mode, state
from .tensor import Tensor


def gradient_tensor(grad):
    """A computed gradient as the Tensor handed to the user, always over an array.

    NumPy's arithmetic on 0-d arrays returns scalars (``numpy.float64``), and
    the backward pass of a neuron-level graph is all such arithmetic; a
    gradient is a tensor like any other, so it gets a 0-d array that
    ``.data``, ``zero_()`` and ``add_()`` work on.
    """
    if isinstance(grad, numpy.generic):
        grad = numpy.asarray(grad)
    return Tensor._make(grad, False, None)


def unbroadcast(grad, shape):
    """Sum a gradient back to ``shape``, undoing NumPy broadcasting.

    Broadcasting added leading axes and stretched size-1 axes; their
    gradients are the sums over those axes. The one place the engine does this.
    """
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
        if not shape and not hasattr(grad, "_data"):  # NumPy sums to a scalar, not a 0-d array
            grad = backend.get_array_module(grad).asarray(grad)
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def topological_order(roots):
    """Function nodes reachable from ``roots``, each after every node that consumes its output.

    One iterative depth-first search: a node is appended once all the nodes
    it leads to (its inputs' nodes) are, and the reversed post-order puts
    every consumer before the nodes it consumes.
    """
    order = []
    visited = set()
    for root in roots:
        if root is None or root in visited:
            continue
        visited.add(root)
        # one plain iterator per stack entry: on a deep chain the stack is as long as the chain
        stack = [(root, iter(root.inputs))]
        while stack:
            node, pending = stack[-1]
            for value in pending:
                parent = value.grad_fn if isinstance(value, Tensor) else None
                if parent is not None and parent not in visited:
                    visited.add(parent)
                    stack.append((parent, iter(parent.inputs)))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def backward(tensors, grad_tensors=None, retain_graph=False, create_graph=False):
    """Accumulate into every leaf's ``.grad`` the gradient of ``tensors`` (Eq. 3.8).

    Several outputs, or losses attached to hidden nodes (Section 3.2.7), are
    backpropagated together: their gradients add up. Each non-scalar output
    needs its gradient in ``grad_tensors``.
    """
    tensors, seeds = _outputs_and_seeds(tensors, grad_tensors, create_graph)
    if create_graph:
        warnings.warn(
            "backward(create_graph=True) stores in each leaf's .grad a graph that refers back to the leaf, a "
            "reference cycle that keeps the graph's memory until Python's garbage collector runs. Set the leaves' "
            ".grad to None when done with them, or use ag.grad(outputs, inputs, create_graph=True), which returns "
            "the gradients instead of storing them.", UserWarning, stacklevel=3)
    leaf_grads = _run(tensors, seeds, retain_graph, create_graph, wanted=None)
    handed_out = set()
    for leaf, grad in leaf_grads.values():
        grad = _copy_if_shared(grad, handed_out)
        if leaf.grad is None:
            leaf.grad = grad if isinstance(grad, Tensor) else gradient_tensor(grad)
        else:
            previous = leaf.grad
            if create_graph or isinstance(grad, Tensor):
                leaf.grad = previous + grad
            else:
                leaf.grad = gradient_tensor(previous._data + grad)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False,
         method="dp", max_paths=10**6):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated into ``.grad``).

    ``method="dp"`` is backpropagation by dynamic programming; ``method="paths"``
    is the exponential-time algorithm of Section 3.2.1 (Lemma 3.2.1), which
    enumerates every path and sums the products of local derivatives along
    them; it refuses graphs with more than ``max_paths`` paths. Both give the
    same numbers. With ``create_graph=True`` the result can be differentiated again.
    """
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    if retain_graph is None:
        retain_graph = create_graph
    for value in inputs:
        if not isinstance(value, Tensor) or not value.requires_grad:
            raise ValueError("grad: every input must be a Tensor with requires_grad=True")
    if method == "paths":
        from .paths import path_sum_grad

        results = path_sum_grad(outputs, inputs, grad_outputs, max_paths=max_paths)
    elif method == "dp":
        outputs, seeds = _outputs_and_seeds(outputs, grad_outputs, create_graph)
        results = _run(outputs, seeds, retain_graph, create_graph, wanted=inputs)
    else:
        raise ValueError(f"method must be 'dp' or 'paths', got {method!r}")
    gradients = []
    for value, result in zip(inputs, results):
        if result is None:
            if not allow_unused:
                label = f" {value.name!r}" if value.name else ""
                raise ValueError(f"input{label} of shape {value.shape} is not connected to the outputs; "
                                 "pass allow_unused=True to get None for it")
            gradients.append(None)
        elif isinstance(result, Tensor):
            gradients.append(result)
        else:
            gradients.append(gradient_tensor(result))
    return gradients[0] if single else gradients


def _outputs_and_seeds(tensors, grad_tensors, create_graph):
    """The outputs as a list, and the gradient each one starts from (ones for a scalar output)."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
        grad_tensors = [grad_tensors]
    tensors = list(tensors)
    if grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    elif not isinstance(grad_tensors, (list, tuple)):
        grad_tensors = [grad_tensors]
    if len(grad_tensors) != len(tensors):
        raise ValueError(f"got {len(tensors)} outputs but {len(grad_tensors)} output gradients")
    seeds = []
    for output, seed in zip(tensors, grad_tensors):
        if not isinstance(output, Tensor):
            raise TypeError(f"backward: outputs must be Tensors, got {type(output).__name__}")
        if not output.requires_grad:
            raise RuntimeError(
                "backward: this output does not require gradients, so no graph was recorded; set "
                "requires_grad=True on the inputs (and check you are not inside no_grad())"
            )
        seed = _seed(output, seed)
        seeds.append(Tensor._make(seed, False, None) if create_graph else seed)
    return tensors, seeds


def _seed(output, seed):
    """d output / d output: ones for a scalar, else the given gradient (copied, in the output's dtype)."""
    data = output._data
    xp = backend.get_array_module(data)
    if seed is None:
        if data.size != 1:
            raise RuntimeError(
                f"backward on an output of shape {output.shape} needs its gradient: call out.backward(grad) "
                "with grad of the same shape, or reduce the output to a scalar first"
            )
        return xp.ones_like(data)
    seed = xp.array(seed._data if isinstance(seed, Tensor) else seed, dtype=data.dtype, copy=True)
    if seed.shape != data.shape:
        raise ValueError(f"backward: the gradient has shape {seed.shape} but the output has shape {data.shape}")
    return seed


def _run(outputs, seeds, retain_graph, create_graph, wanted):
    """The dynamic programme. Returns the leaves' gradients, or, if ``wanted`` is given, theirs.

    Python's cyclic collector is paused while it runs (``collector.py``): the
    pass allocates per node, and on a large graph the collector would
    otherwise walk the whole live graph again and again.
    """
    with collector_paused():
        try:
            return _dynamic_programme(outputs, seeds, retain_graph, create_graph, wanted)
        finally:
            full_collection_deferral.graph_done()


def _dynamic_programme(outputs, seeds, retain_graph, create_graph, wanted):
    grads = {}
    leaf_grads = {}
    roots = []
    for output, seed in zip(outputs, seeds):
        node = output.grad_fn
        if node is None:
            _add_leaf_grad(leaf_grads, output, seed)
        else:
            grads[node] = grads[node] + seed if node in grads else seed
            roots.append(node)
    wanted_nodes = {value.grad_fn: None for value in wanted or () if value.grad_fn is not None}
    order = topological_order(roots)
    grad_mode_token = grad_mode.set(create_graph)
    fast_path = not create_graph and not state.anomaly_enabled
    try:
        for node in order:
            grad_output = grads.pop(node, None)
            if grad_output is None:
                continue
            if node._hooks:
                grad_output = _run_hooks(node._hooks, grad_output, f"the output of {node.name}")
            if node._retained is not None:
                _retain(node, grad_output)
            if wanted_nodes and node in wanted_nodes:
                wanted_nodes[node] = grad_output
            if fast_path:  # arrays in, arrays out: the operation's own backward, nothing around it
                input_grads = type(node).backward(node, grad_output)
                if type(input_grads) is not tuple or len(input_grads) != len(node.inputs):
                    input_grads = _as_gradient_tuple(node, input_grads)
            else:
                input_grads = _local_backward(node, grad_output, create_graph)
            for value, needed, input_grad in zip(node.inputs, node.needs_input_grad, input_grads):
                if not needed or input_grad is None:
                    continue
                data = value._data
                if input_grad.shape != data.shape:
                    input_grad = _fit_to_input(node, value, input_grad)
                if input_grad.dtype is not data.dtype and input_grad.dtype != data.dtype:
                    input_grad = input_grad.astype(data.dtype)
                parent = value.grad_fn
                if parent is None:
                    _add_leaf_grad(leaf_grads, value, input_grad)
                else:
                    existing = grads.get(parent)
                    grads[parent] = input_grad if existing is None else existing + input_grad
            if not retain_graph:
                if type(node._saved) is not tuple:  # SavedWithLargeInputs: let go of those inputs too
                    release_large_inputs(node)
                node._saved = None  # node.release(), inlined: this loop runs once per node
        for leaf, leaf_grad in leaf_grads.values():
            if leaf._hooks:
                label = f"the leaf {leaf.name!r}" if leaf.name else "a leaf"
                leaf_grads[id(leaf)][1] = _run_hooks(leaf._hooks, leaf_grad, label)
    finally:
        grad_mode.reset(grad_mode_token)
    if wanted is None:
        return leaf_grads
    results = []
    handed_out = set()
    for value in wanted:
        if value.grad_fn is None:
            entry = leaf_grads.get(id(value))
            results.append(None if entry is None else _copy_if_shared(entry[1], handed_out))
        else:
            result = wanted_nodes.get(value.grad_fn)
            handed_out.add(id(result))
            results.append(result)
    return results


def _add_leaf_grad(leaf_grads, leaf, leaf_grad):
    entry = leaf_grads.get(id(leaf))
    if entry is None:
        leaf_grads[id(leaf)] = [leaf, leaf_grad]
    else:
        entry[1] = entry[1] + leaf_grad


def _local_backward(node, grad_output, create_graph):
    """One node's vector-Jacobian products, one per input (recorded when ``create_graph``)."""
    function_class = type(node)
    if state.anomaly_enabled:
        node.check_fingerprints()
    if not create_graph:
        input_grads = function_class.backward(node, grad_output)
    elif function_class.differentiable_backward:
        input_grads = _recorded_backward(node, grad_output)
    else:
        raw_grads = function_class.backward(node, grad_output._data)
        input_grads = _mark_once_differentiable(node, grad_output, raw_grads)
    if type(input_grads) is not tuple or len(input_grads) != len(node.inputs):
        input_grads = _as_gradient_tuple(node, input_grads)
    if state.anomaly_enabled:
        for input_grad in input_grads:
            if input_grad is not None:
                check_finite(input_grad._data if isinstance(input_grad, Tensor) else input_grad,
                              f"the backward pass of {node.name}")
    return input_grads


def _as_gradient_tuple(node, input_grads):
    """A backward's result as a tuple with one entry per input."""
    if not isinstance(input_grads, (tuple, list)):
        input_grads = (input_grads,)
    if len(input_grads) != len(node.inputs):
        raise RuntimeError(f"{node.name}.backward returned {len(input_grads)} gradients for "
                           f"{len(node.inputs)} inputs")
    return input_grads


def _recorded_backward(node, grad_output):
    """Run a built-in backward over Tensors, so that the backward pass is itself a graph."""
    from . import ops

    raw_saved = node._saved
    if raw_saved is not None:
        node.check_versions(raw_saved)
        node._saved = tuple(_lift(node, value) for value in raw_saved)
    array_namespace = node.F
    node.F = ops
    try:
        return type(node).backward(node, grad_output)
    finally:
        node._saved = raw_saved
        node.F = array_namespace


def _lift(node, value):
    """A saved array as the Tensor it came from: an input, the output, or else a constant."""
    if not hasattr(value, "shape"):
        return value
    for candidate in node.inputs:
        if isinstance(candidate, Tensor) and candidate._data is value:
            return candidate
    output = node.output
    if output is not None and output._data is value:
        return output
    return Tensor._make(value, False, None)


class OnceDifferentiable(Function):
    """Stands for the gradient a custom Function computed on raw arrays while ``create_graph`` was on.

    The value is right; differentiating it again raises, since the custom
    backward was not recorded (PyTorch's ``once_differentiable``).
    """

    def forward(ctx, *inputs, value, function_name):
        ctx.function_name = function_name
        return value

    def backward(ctx, grad_output):
        raise RuntimeError(
            f"cannot differentiate through the backward of the custom function {ctx.function_name} a second "
            "time: its backward works on raw arrays. Write it with ctx.F and the values in ctx.saved_tensors, "
            "and set differentiable_backward = True, to support higher-order derivatives."
        )


def _mark_once_differentiable(node, grad_output, raw_grads):
    if not isinstance(raw_grads, (tuple, list)):
        raw_grads = (raw_grads,)
    tensor_inputs = [value for value in node.inputs if isinstance(value, Tensor)]
    return tuple(
        None if raw is None else OnceDifferentiable.apply(grad_output, *tensor_inputs, value=raw,
                                                          function_name=node.name)
        for raw in raw_grads
    )


def _fit_to_input(node, value, input_grad):
    """A gradient whose shape differs from its input's: summed back if the input was broadcast, else an error."""
    shape = value._data.shape
    grad_shape = tuple(getattr(input_grad, "shape", ()))
    extra = len(grad_shape) - len(shape)
    if shape and extra > 0 and grad_shape[extra:] == shape:  # broadcast along leading axes only: a bias
        return input_grad.sum(axis=0 if extra == 1 else tuple(range(extra)))
    if _expands_to(shape, grad_shape):
        return unbroadcast(input_grad, shape)
    number = next(index for index, candidate in enumerate(node.inputs) if candidate is value)
    label = f" {value.name!r}" if value.name else ""
    raise ValueError(
        f"{node.name}.backward returned a gradient of shape {grad_shape} for its input {number}{label} of shape "
        f"{shape}: a gradient must have its input's shape (or a shape the input was broadcast to)"
    )


def _expands_to(shape, target):
    """True when an array of ``shape`` broadcasts to ``target`` (NumPy's rule, aligned from the last axis)."""
    if len(shape) > len(target):
        return False
    return all(size == 1 or size == target_size for size, target_size in zip(reversed(shape), reversed(target)))


def _run_hooks(hooks, grad_value, owner):
    is_tensor = isinstance(grad_value, Tensor)
    for hook in list(hooks):
        result = hook(grad_value if is_tensor else gradient_tensor(grad_value))
        if result is not None:
            if tuple(getattr(result, "shape", ())) != grad_value.shape:
                raise ValueError(
                    f"the hook {getattr(hook, '__name__', repr(hook))} on {owner} returned a gradient of shape "
                    f"{tuple(getattr(result, 'shape', ()))}; it must keep the gradient's shape {grad_value.shape}"
                )
            grad_value = result if is_tensor else (result._data if isinstance(result, Tensor) else result)
    return grad_value


def _retain(node, grad_output):
    tensor = node._retained()
    if tensor is not None:
        tensor.grad = grad_output if isinstance(grad_output, Tensor) else gradient_tensor(grad_output.copy())


def _copy_if_shared(leaf_grad, handed_out):
    """Copy a gradient array that is a view, or is already handed out, so no two gradients alias.

    ``handed_out`` holds the ids of the arrays handed out so far (all alive
    while the caller runs); the one returned is added to it.
    """
    if isinstance(leaf_grad, Tensor):
        return leaf_grad
    if getattr(leaf_grad, "base", None) is not None or id(leaf_grad) in handed_out:
        leaf_grad = leaf_grad.copy()
    handed_out.add(id(leaf_grad))
    return leaf_grad
