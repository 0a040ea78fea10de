"""Function: one operation of the computational graph, with its local derivatives beside it.

An operation's ``forward`` works on raw arrays; its ``backward`` returns one
vector-Jacobian product per input, g_i = J_i^T g (Eq. 3.24 and Table 3.1 of the
chapter): the local derivative of each *edge*, which both the dynamic
programme (``engine.py``) and the path-sum mode (``paths.py``) use.

Built-in operations write ``backward`` once, over a namespace ``ctx.F`` and
the values in ``ctx.saved_tensors``. In an ordinary backward pass ``F`` is the
array module (NumPy or CuPy) and the saved values are raw arrays, so a
backward costs little more than the array arithmetic. With
``create_graph=True`` the engine hands the same code the Tensor operations as
``F`` and the saved values as Tensors connected to the graph, so the backward
pass is itself recorded and can be differentiated again. Custom functions
(``Function`` subclassed by a user, PyTorch style) get raw arrays unless they
set ``differentiable_backward = True``; differentiating their backward a
second time raises a clear error instead of returning a wrong answer.

Example, a custom operation given by its vector-Jacobian product::

    class Cube(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return 3 * x ** 2 * grad_output

    y = Cube.apply(t)

or by its Jacobian (the engine forms g_i = J_i^T g, Eq. 3.24)::

    class Rotate(ag.Function):
        @staticmethod
        def forward(ctx, x, angle):
            c, s = np.cos(angle), np.sin(angle)
            ctx.matrix = np.array([[c, -s], [s, c]])
            return ctx.matrix @ x

        @staticmethod
        def jacobian(ctx):
            return ctx.matrix          # d out / d x, shape (out.size, x.size)
"""
import functools
import weakref
import zlib

import numpy

from . import backend
from .collector import full_collection_deferral as _deferral
from .modes import grad_enabled, in_place_clock, state
from .namespace import array_namespace

_ndarray = numpy.ndarray
_new_object = object.__new__
_HOST_CONSTANTS = {float, int, bool, _ndarray, type(None)}  # constants that certainly live on the CPU
_NUMPY_NAMESPACE = array_namespace(numpy)
#: Intermediate arrays of at least this many bytes are not kept by a node that has not saved them.
RELEASE_BYTES = 65536


class Function:
    """Base class of all operations; subclass it to define a custom operation.

    Subclasses define ``forward(ctx, *arrays, **params)`` returning an array,
    and either ``backward(ctx, grad_output)`` returning one gradient (or None)
    per input, or ``jacobian(ctx)`` returning one Jacobian matrix per input of
    shape (output size, input size), where trailing inputs that need no
    gradient may be left out. Call them with ``MyFunction.apply(...)``.

    Attributes available on ``ctx`` (the Function node itself):
    ``needs_input_grad`` (one bool per input), ``xp`` (the array module),
    ``F`` (the namespace for writing a backward that can be differentiated
    again), ``inputs`` (the Tensors and constants it was applied to),
    ``saved_tensors`` (what ``save_for_backward`` kept).
    """

    # Slots for what every node has; operations with more state (an axis, a shape) get a dict lazily.
    # Fewer objects per recorded operation means less work for Python's garbage collector.
    __slots__ = ("needs_input_grad", "inputs", "params", "clock_at_forward", "_saved", "_output_ref",
                 "_deferral_token", "__dict__", "__weakref__")
    xp = numpy  # the array module; operations on CuPy arrays set their own
    F = _NUMPY_NAMESPACE  # the namespace a backward is written over (see namespace.py)
    differentiable_backward = False
    broadcasts = False  # True for elementwise operations: shape errors then name the operation and the shapes
    _hooks = None
    _retained = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "forward" not in _defined_names(cls):
            raise TypeError(f"Function subclass {cls.__name__} must define forward(ctx, *inputs)")
        names = _defined_names(cls)
        if "backward" not in names and "jacobian" not in names:
            raise TypeError(
                f"Function subclass {cls.__name__} must define backward(ctx, grad_output) "
                "or jacobian(ctx) to give its local derivatives"
            )
        if "backward" in vars(cls) and not cls.__module__.startswith(__package__ + "."):
            cls.backward = _normalizing_gradients(vars(cls)["backward"])

    @property
    def name(self):
        """The operation's name, as drawings and error messages show it."""
        return type(self).__name__

    @property
    def output(self):
        """The tensor this node made, if the node saved it for backward (held weakly, so no cycle forms)."""
        return self._output_ref() if self._output_ref is not None else None

    def save_for_backward(self, *arrays):
        """Keep arrays that ``backward`` needs; they are released after backward unless ``retain_graph``."""
        self._saved = arrays

    @property
    def saved_tensors(self):
        """The values given to ``save_for_backward`` (arrays, or Tensors while recording a backward)."""
        saved = self._saved
        if saved:
            if self.clock_at_forward != in_place_clock.now:  # something changed in place since this node ran
                self.check_versions(saved)
            return saved
        if saved is None:
            raise RuntimeError(
                f"backward through {self.name} a second time: its saved arrays were released after the first "
                "backward. Pass retain_graph=True to the first backward() if you need to backpropagate twice."
            )
        return saved

    def check_versions(self, saved):
        """Raise if a tensor whose array is in ``saved`` was changed in place since the forward pass.

        A tensor and its views share one version counter, which records the
        tick of the in-place clock at its last change; the node remembers the
        tick current when it ran. A later tick on a tensor whose array the node
        saved means the saved values are no longer those of the forward pass.
        """
        if not saved:
            return
        seen = self.clock_at_forward
        if in_place_clock.now == seen:
            return  # nothing has been changed in place since this node ran
        for tensor in self.inputs:
            if isinstance(tensor, Tensor):
                counter = tensor._counter
                if counter is not None and counter.changed_at > seen and any(s is tensor._data for s in saved):
                    _raise_modified(self, tensor)
        if self._output_ref is not None:
            output = self._output_ref()
            if output is not None:
                counter = output._counter
                if counter is not None and counter.changed_at > seen and any(s is output._data for s in saved):
                    _raise_modified(self, output)

    def check_fingerprints(self):
        """Under ``detect_anomaly``: raise if a saved array changed without the engine seeing it.

        Writes into the array that ``.data`` or ``.numpy()`` hands out bypass the
        version counter; the fingerprint taken at the forward pass catches them.
        """
        fingerprints = self.__dict__.get("saved_fingerprints")
        if not fingerprints or self._saved is None:
            return
        for value, expected in zip(self._saved, fingerprints):
            if expected is not None and fingerprint(value) != expected:
                owner = self._tensor_holding(value)
                label = f" {owner.name!r}" if owner is not None and owner.name else ""
                raise RuntimeError(
                    f"detect_anomaly: an array of shape {value.shape} that {self.name} saved for backward (the "
                    f"{self._role_of(value)}{label}) was changed after the forward pass without the engine seeing "
                    "it: a write into the array that .data or .numpy() hands out (x.data[0] = ..., "
                    "numpy.multiply(x.data, 2, out=x.data)). Change tensors with their in-place methods "
                    "(x.add_(...), x -= ... inside ag.no_grad()) so the change is versioned, or change a copy."
                )

    def _tensor_holding(self, array):
        for candidate in (*self.inputs, self.output):
            if isinstance(candidate, Tensor) and candidate._data is array:
                return candidate
        return None

    def _role_of(self, array):
        for number, candidate in enumerate(self.inputs):
            if isinstance(candidate, Tensor) and candidate._data is array:
                return f"input {number}"
        output = self.output
        if output is not None and output._data is array:
            return "output"
        return "intermediate value"

    def backward(self, grad_output):
        """Vector-Jacobian products from ``jacobian``: g_i = J_i^T g (Eq. 3.24).

        ``jacobian`` may leave out trailing inputs that need no gradient (such
        as a constant angle after the tensor it rotates).
        """
        jacobians = type(self).jacobian(self)
        if not isinstance(jacobians, (tuple, list)):
            jacobians = (jacobians,)
        missing = len(self.inputs) - len(jacobians)
        if missing > 0:
            if any(self.needs_input_grad[len(jacobians):]):
                raise ValueError(f"{self.name}.jacobian returned {len(jacobians)} matrices for {len(self.inputs)} "
                                 "inputs; give one per input that needs a gradient (None for the others)")
            jacobians = tuple(jacobians) + (None,) * missing
        xp = self.xp
        flat_grad = grad_output.reshape(-1)
        grads = []
        for jacobian, value, needed in zip(jacobians, self.inputs, self.needs_input_grad):
            if not needed or jacobian is None:
                grads.append(None)
                continue
            jacobian = xp.asarray(jacobian)
            shape = value.shape
            expected = (flat_grad.size, int(numpy.prod(shape)))
            if jacobian.shape != expected:
                raise ValueError(
                    f"{self.name}.jacobian returned a matrix of shape {jacobian.shape}; "
                    f"expected (output size, input size) = {expected}"
                )
            grads.append((jacobian.T @ flat_grad).reshape(shape))
        return tuple(grads)

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the operation on Tensors (or constants) and record it in the graph when needed."""
        ctx = _new_object(cls)
        ctx._saved = ()
        ctx._output_ref = None
        arrays = []
        needs = []
        record = False
        all_numpy = True
        large_intermediates = False
        for value in inputs:
            if isinstance(value, Tensor):
                data = value._data
                arrays.append(data)
                if value.requires_grad:
                    needs.append(True)
                    record = True
                    if value.grad_fn is not None and data.nbytes >= RELEASE_BYTES:
                        large_intermediates = True
                else:
                    needs.append(False)
                if type(data) is not _ndarray:
                    all_numpy = False
            else:
                arrays.append(value)
                needs.append(False)
                if type(value) not in _HOST_CONSTANTS and hasattr(value, "__cuda_array_interface__"):
                    all_numpy = False
        if not all_numpy:
            ctx.xp = xp = _common_module(cls, inputs)
            ctx.F = array_namespace(xp)
        ctx.needs_input_grad = tuple(needs)
        try:
            out = cls.forward(ctx, *arrays, **params)
        except ValueError:
            if cls.broadcasts:
                _raise_if_not_broadcastable(cls, arrays)
            raise
        except (TypeError, AttributeError, IndexError):
            _raise_if_not_an_input(cls, inputs)  # None, a string or a list where a tensor belongs
            raise
        if type(out) is not _ndarray:
            if isinstance(out, Tensor):
                out = out._data
            elif isinstance(out, numpy.generic):  # NumPy returns a scalar, not a 0-d array, from 0-d ufuncs
                scalar, out = out, numpy.asarray(out)
                for value in ctx._saved:  # a saved output must be the output's own array (_lift, versions)
                    if value is scalar:
                        ctx._saved = tuple(out if value is scalar else value for value in ctx._saved)
                        break
        anomaly = state.anomaly_enabled
        if anomaly:
            check_finite(out, f"the forward pass of {cls.__name__}")
        if not (record and grad_enabled()):
            return Tensor._make(out, False, None)
        result = _new_object(Tensor)  # Tensor._make(out, True, ctx), inlined: it runs once per recorded operation
        result._data = out
        result.grad = result.name = result._hooks = None
        result.requires_grad = True
        result.grad_fn = ctx
        result._counter = None
        ctx.inputs = _without_unsaved_arrays(inputs, ctx._saved) if large_intermediates else inputs
        ctx.params = params
        token_ref = _deferral.token_ref  # full collections deferred while a large graph grows (collector.py)
        if token_ref is not None and (token := token_ref()) is not None:
            ctx._deferral_token = token
        else:
            _deferral.countdown -= 1
            if _deferral.countdown <= 0:
                ctx._deferral_token = _deferral.start()
        saved = ctx._saved
        if saved:
            if large_intermediates:  # the engine lets go of these inputs after a backward that does not retain
                ctx._saved = saved = SavedWithLargeInputs(saved)
            ctx.clock_at_forward = in_place_clock.now  # to detect in-place changes before backward (check_versions)
            for value in saved:
                if value is out:
                    ctx._output_ref = weakref.ref(result)  # weak: the output holds this node, not the reverse
                    break
            if anomaly:
                ctx.saved_fingerprints = tuple(fingerprint(value) if hasattr(value, "shape") else None
                                               for value in saved)
        return result

    def release(self):
        """Drop the saved arrays (after backward without ``retain_graph``)."""
        self._saved = None

    def __repr__(self):
        return f"<{self.name} node>"


def _normalizing_gradients(user_backward):
    """Wrap a custom ``backward`` so that numbers and lists it returns become arrays (or Tensors) like the rest.

    Built-in operations return arrays already; their backward is not wrapped.
    The shapes are checked by the engine, for built-in and custom alike.
    """
    function = user_backward.__func__ if isinstance(user_backward, staticmethod) else user_backward

    @functools.wraps(function)
    def backward(ctx, grad_output):
        grads = function(ctx, grad_output)
        recording = isinstance(grad_output, Tensor)
        if isinstance(grads, (tuple, list)):
            return tuple(_as_gradient(ctx, grad, recording) for grad in grads)
        return (_as_gradient(ctx, grads, recording),)

    return backward


def _as_gradient(ctx, grad, recording):
    if grad is None:
        return None
    if isinstance(grad, Tensor):
        return grad if recording else grad._data
    if not hasattr(grad, "shape") or isinstance(grad, numpy.generic):
        try:
            grad = ctx.xp.asarray(grad, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{ctx.name}.backward returned a {type(grad).__name__}; a gradient must be an array, a "
                            "Tensor, a number or None") from None
    return Tensor._make(grad, False, None) if recording else grad


class SavedWithLargeInputs(tuple):
    """The saved values of a node that also holds large intermediate tensors among its inputs.

    The type marks the node for the engine: once a backward without
    ``retain_graph`` has used it, the node replaces those inputs by stand-ins
    (``release_large_inputs``), so that keeping the output (a loss kept for
    a plot) does not keep every activation of its graph alive.
    """

    __slots__ = ()


def release_large_inputs(node):
    """Replace the node's large intermediate inputs by stand-ins without values (after its last backward)."""
    node.inputs = tuple(
        value.without_values() if isinstance(value, Tensor) and value.grad_fn is not None
        and type(value._data) is not ReleasedArray and value._data.nbytes >= RELEASE_BYTES else value
        for value in node.inputs
    )


def _without_unsaved_arrays(inputs, saved):
    """The inputs, with each large intermediate tensor that ``saved`` does not hold replaced by a stand-in.

    A node needs from such an input only its place in the graph, its shape and
    its dtype, so holding the tensor would keep its array alive for as long as
    the graph lives (``X @ W`` before ``+ b``, say). The stand-in has the
    same ``grad_fn``, name, shape and dtype and no values; graph walks identify
    a non-leaf by its ``grad_fn`` (``graph_node``), so they see one node either way.
    """
    kept = []
    for value in inputs:
        if (isinstance(value, Tensor) and value.grad_fn is not None and value._data.nbytes >= RELEASE_BYTES
                and not any(array is value._data for array in saved)):
            value = value.without_values()
        kept.append(value)
    return tuple(kept)


def _raise_if_not_broadcastable(function_class, arrays):
    """The error for operands that do not broadcast: it names the operation and every shape."""
    shapes = [numpy.shape(array) for array in arrays]
    try:
        numpy.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(
            f"{function_class.__name__}: operands of shapes {', '.join(map(str, shapes))} cannot be broadcast "
            "together (NumPy's rule: aligned from the last axis, each pair of sizes must be equal or one of them "
            "1); reshape or expand_dims one of them"
        ) from None


def _defined_names(cls):
    names = set()
    for klass in cls.__mro__:
        if klass is Function:
            break
        names.update(vars(klass))
    return names


def _raise_modified(node, tensor):
    label = f" {tensor.name!r}" if tensor.name else ""
    raise RuntimeError(
        f"a tensor{label} of shape {tensor.shape} that {node.name} saved for backward was modified in place "
        f"after the forward pass (its version is now {tensor._version}; the change, to it or to a view sharing "
        "its memory, came after this node ran). Modify a copy instead, or recompute the forward pass after "
        "changing it (an optimizer.step() belongs after backward())."
    )


def _raise_if_not_an_input(function_class, inputs):
    """A ``TypeError`` naming the argument when an operation was given something that is not a tensor's value."""
    for position, value in enumerate(inputs):
        if value is None or isinstance(value, (str, bytes, list, tuple, dict, set)):
            raise TypeError(
                f"{function_class.__name__}: argument {position + 1} must be a Tensor, an array or a number, got "
                f"{type(value).__name__} {value!r:.60}" + (" (wrap a list with ag.tensor(...))"
                                                           if isinstance(value, (list, tuple)) else ""))


def fingerprint(array):
    """A cheap checksum of an array's bytes (CRC-32), taken under ``detect_anomaly``."""
    host = backend.to_numpy(array)
    return zlib.crc32(numpy.ascontiguousarray(host).tobytes())


def _common_module(function_class, inputs):
    """The one array module of all inputs; mixing devices is an error, never a silent copy.

    Python numbers and NumPy scalars (``np.float64(2)``) belong to no device:
    they combine with arrays on any device, as they do in CuPy itself.
    """
    devices = {}
    for value in inputs:
        data = value._data if isinstance(value, Tensor) else value
        if hasattr(data, "shape") and not isinstance(data, numpy.generic):
            devices.setdefault(backend.device_of(data), data)
    if len(devices) > 1:
        raise RuntimeError(
            f"{function_class.__name__} got inputs on different devices: {', '.join(sorted(devices))}. "
            "Move them to one device first with .to(device)."
        )
    if not devices:  # only NumPy scalars and Python numbers
        return numpy
    return backend.get_array_module(next(iter(devices.values())))


def check_finite(array, where):
    xp = backend.get_array_module(array)
    if array.dtype.kind in "fc" and not bool(xp.all(xp.isfinite(array))):
        raise FloatingPointError(f"{where} produced NaN or infinity (detect_anomaly is on)")


from .tensor import ReleasedArray, Tensor  # noqa: E402  (tensor.py imports this module's Function)
