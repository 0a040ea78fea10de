"""Tensor: an array that remembers the operation that made it.

A Tensor wraps a NumPy or CuPy array (``data``), an optional gradient
(``grad``), and, when it was computed from tensors that require gradients,
the ``grad_fn`` node that made it. Following those nodes back from an output
gives the computational graph of Section 3.2; ``backward()`` walks it in
topological order (``engine.py``). A graph of 0-d tensors is exactly the
chapter's neuron-level graph, with one node per scalar.
"""
import operator as _operator
import weakref

import numpy

from . import backend
from .modes import grad_enabled, in_place_clock

_FLOAT_KINDS = "f"
_SUPPORTED_KINDS = "biuf"


class Tensor:
    """A node of the computational graph: data, gradient, and the operation that made it.

    >>> w = Tensor(0.7, requires_grad=True)
    >>> o = (w * w).sin() + (w * w).cos()     # Eq. 3.5
    >>> o.backward()
    >>> w.grad.item()                         # 2w cos(w^2) - 2w sin(w^2)
    """

    __slots__ = ("_data", "grad", "requires_grad", "grad_fn", "name", "_counter", "_hooks", "__weakref__")
    __array_ufunc__ = None  # `ndarray + tensor` and `np.float64(2) * tensor` defer to Tensor
    __array_priority__ = 1000

    def __init__(self, data, requires_grad=False, dtype=None, device=None, name=None):
        counter = None
        if isinstance(data, Tensor):
            counter = data._shared_counter()  # the same array, so the same version
            data = data._data
        if isinstance(data, (list, tuple)) and any(isinstance(item, Tensor) for item in data):
            raise TypeError("Tensor(list of Tensors) would lose the graph: use ag.stack(list) instead")
        xp = backend.get_array_module(data)
        array = xp.asarray(data, dtype=dtype)
        if array.dtype.kind not in _SUPPORTED_KINDS:
            raise TypeError(
                f"unsupported dtype {array.dtype}: tensors hold booleans, integers or floating-point numbers"
            )
        if device is not None:
            array = backend.move_to(array, device)
        if requires_grad and array.dtype.kind not in _FLOAT_KINDS:
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {array.dtype}; "
                "pass dtype=numpy.float64 (or float32) or floating-point data"
            )
        self._data = array
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.grad_fn = None
        self.name = name
        self._counter = counter if array is data else None
        self._hooks = None

    @classmethod
    def _make(cls, data, requires_grad, grad_fn):
        """Fast constructor used by operations: no checks, no copies."""
        tensor = object.__new__(cls)
        tensor._data = data
        tensor.grad = None
        tensor.requires_grad = requires_grad
        tensor.grad_fn = grad_fn
        tensor.name = None
        tensor._counter = None
        tensor._hooks = None
        return tensor

    def without_values(self):
        """A stand-in for this non-leaf tensor in the graph: same node, name, shape and dtype, no values."""
        stand_in = Tensor._make(ReleasedArray(self._data.shape, self._data.dtype), self.requires_grad, self.grad_fn)
        stand_in.name = self.name
        return stand_in

    # --- data ----------------------------------------------------------------------------------
    @property
    def data(self):
        """The raw array (NumPy or CuPy), outside the engine.

        Writes into it (``t.data[0] = 1``, ``t.data -= x``) bypass the engine:
        they are not versioned, so a backward through a node that saved the
        array cannot see them (except under ``ag.detect_anomaly()``, which
        fingerprints saved arrays). Change a tensor with its in-place methods
        instead (``t -= x`` or ``t.sub_(x)`` inside ``ag.no_grad()``).

        Assigning a new value replaces the array: a Tensor, an array, a list or a
        number (the last two become an array of the tensor's dtype). Strings,
        objects and complex numbers are refused, and so are integer values for a
        tensor that requires gradients. The arrays saved by the forward pass
        keep the old values, so a backward still gives the gradient of the
        forward pass that was recorded. ``t.data = t.data`` changes nothing.
        """
        return self._data

    @data.setter
    def data(self, value):
        if value is self._data:
            return  # t.data = t.data, or t.data -= x (which already wrote into the array itself)
        self._data = self._checked_new_data(value)
        self._counter = None  # a new array: the views of the old one no longer share its memory

    @property
    def shape(self):
        return self._data.shape

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def size(self):
        """The number of entries, an int as in NumPy (``size()`` raises an error that names ``.shape``)."""
        return Size(self._data.size)

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def device(self):
        """``"cpu"`` or ``"cuda:N"``."""
        return backend.device_of(self._data)

    @property
    def is_leaf(self):
        """True for tensors made by the user rather than by a recorded operation."""
        return self.grad_fn is None

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]

    # --- conversion ----------------------------------------------------------------------------
    def numpy(self):
        """The data as a NumPy array (copied off the GPU if needed)."""
        return backend.to_numpy(self._data)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element, this one has shape {self.shape} "
                f"({self._data.size} elements); index it or reduce it first"
            )
        return self._data.item()

    def tolist(self):
        return self.numpy().tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self._data.size} elements is ambiguous; use .any() or .all()"
            )
        return bool(self._data)

    def __index__(self):
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only one-element integer tensors can be used as an index")
        return int(self._data)

    def detach(self):
        """A new leaf tensor sharing this tensor's data (and its version counter), cut from the graph."""
        detached = Tensor._make(self._data, False, None)
        detached._counter = self._shared_counter()
        return detached

    def to(self, device):
        """A copy on ``device`` (``"cpu"``, ``"cuda"``, ``"cuda:N"``); the same tensor if already there.

        The copy is recorded, so gradients flow back across devices.
        """
        from .ops.shape import to_device

        if backend.device_of(self._data) == backend.normalize_device(device):
            return self
        return to_device(self, device)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, index=0):
        return self.to(f"cuda:{index}")

    def astype(self, dtype):
        """A copy with another dtype; recorded in the graph for a floating-point dtype only.

        A cast to an integer or boolean dtype is not differentiable: its result
        does not require gradients (PyTorch's rule).
        """
        from .ops.elementwise import astype

        return astype(self, dtype)

    # --- gradients -----------------------------------------------------------------------------
    def backward(self, grad=None, retain_graph=False, create_graph=False):
        """Backpropagate from this tensor: accumulate d self / d leaf into each leaf's ``.grad``.

        A non-scalar tensor needs ``grad``, the gradient of some scalar with respect to it.
        """
        from .engine import backward

        backward([self], [grad], retain_graph=retain_graph, create_graph=create_graph)

    def zero_grad(self):
        """Forget the accumulated gradient (set ``.grad`` to None)."""
        self.grad = None

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned Tensor replaces it.

        Returns a handle whose ``remove()`` unregisters the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require gradients")
        owner = self if self.grad_fn is None else self.grad_fn
        hooks = owner._hooks
        if hooks is None:
            hooks = owner._hooks = []
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def retain_grad(self):
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward (leaves always keep theirs)."""
        if self.grad_fn is not None:
            self.grad_fn._retained = weakref.ref(self)

    # --- operators and methods: each delegates to one operation in ops/ ------------------------
    def __add__(self, other):
        return ops.add(self, other)

    def __radd__(self, other):
        return ops.add(other, self)

    def __sub__(self, other):
        return ops.sub(self, other)

    def __rsub__(self, other):
        return ops.sub(other, self)

    def __mul__(self, other):
        return ops.mul(self, other)

    def __rmul__(self, other):
        return ops.mul(other, self)

    def __truediv__(self, other):
        return ops.div(self, other)

    def __rtruediv__(self, other):
        return ops.div(other, self)

    def __pow__(self, exponent):
        return ops.pow(self, exponent)

    def __rpow__(self, base):
        return ops.pow(base, self)

    def __matmul__(self, other):
        return ops.matmul(self, other)

    def __rmatmul__(self, other):
        return ops.matmul(other, self)

    def __neg__(self):
        return ops.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.abs(self)

    def __getitem__(self, index):
        return ops.getitem(self, index)

    def __setitem__(self, index, value):
        raise TypeError(
            "tensors cannot be assigned to by indexing, since the graph would lose the old values; build a new "
            "tensor with ag.where(mask, value, t) or ag.concatenate, or change a view in place, versioned, inside "
            "ag.no_grad(): t[index].copy_(value) or t[index].fill_(number)"
        )

    # comparisons and logic give constant boolean tensors (their derivative is 0 almost everywhere)
    def _compare(self, other, operator):
        other_data = other._data if isinstance(other, Tensor) else other
        result = operator(self._data, other_data)
        if isinstance(result, numpy.generic):  # NumPy turns 0-d results into scalars
            result = numpy.asarray(result)
        return Tensor._make(result, False, None)

    def __eq__(self, other):
        return self._compare(other, _operator.eq)

    def __ne__(self, other):
        return self._compare(other, _operator.ne)

    def __lt__(self, other):
        return self._compare(other, _operator.lt)

    def __le__(self, other):
        return self._compare(other, _operator.le)

    def __gt__(self, other):
        return self._compare(other, _operator.gt)

    def __ge__(self, other):
        return self._compare(other, _operator.ge)

    def __and__(self, other):
        return self._compare(other, _operator.and_)

    def __or__(self, other):
        return self._compare(other, _operator.or_)

    # & and | are symmetric, so `mask & t` (a bool or a NumPy mask on the left) gives the same result
    __rand__ = __and__
    __ror__ = __or__

    def __invert__(self):
        result = ~self._data
        if isinstance(result, numpy.generic):  # NumPy turns 0-d results into scalars
            result = numpy.asarray(result)
        return Tensor._make(result, False, None)

    def any(self, axis=None, keepdims=False):
        return ops.any(self, axis=axis, keepdims=keepdims)

    def all(self, axis=None, keepdims=False):
        return ops.all(self, axis=axis, keepdims=keepdims)

    def exp(self):
        return ops.exp(self)

    def log(self):
        return ops.log(self)

    def sqrt(self):
        return ops.sqrt(self)

    def sin(self):
        return ops.sin(self)

    def cos(self):
        return ops.cos(self)

    def tanh(self):
        return ops.tanh(self)

    def sigmoid(self):
        return ops.sigmoid(self)

    def relu(self):
        return ops.relu(self)

    def leaky_relu(self, alpha=0.01):
        return ops.leaky_relu(self, alpha)

    def hard_tanh(self):
        return ops.hard_tanh(self)

    def abs(self):
        return ops.abs(self)

    def clip(self, low=None, high=None):
        return ops.clip(self, low, high)

    def sum(self, axis=None, keepdims=False):
        return ops.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return ops.mean(self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, keepdims=False, ddof=0):
        return ops.var(self, axis=axis, keepdims=keepdims, ddof=ddof)

    def max(self, axis=None, keepdims=False):
        return ops.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return ops.min(self, axis=axis, keepdims=keepdims)

    def logsumexp(self, axis=None, keepdims=False):
        return ops.logsumexp(self, axis=axis, keepdims=keepdims)

    def softmax(self, axis=-1):
        return ops.softmax(self, axis=axis)

    def log_softmax(self, axis=-1):
        return ops.log_softmax(self, axis=axis)

    def reshape(self, *shape):
        return ops.reshape(self, *shape)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = axes[0]
        return ops.transpose(self, axes or None)

    @property
    def T(self):
        return ops.transpose(self)

    def swapaxes(self, axis1, axis2):
        return ops.swapaxes(self, axis1, axis2)

    def broadcast_to(self, shape):
        return ops.broadcast_to(self, shape)

    def expand_dims(self, axis):
        return ops.expand_dims(self, axis)

    def squeeze(self, axis=None):
        return ops.squeeze(self, axis)

    def flatten(self, start_dim=0, end_dim=-1):
        return ops.flatten(self, start_dim, end_dim)

    def matmul(self, other):
        return ops.matmul(self, other)

    # --- the names a PyTorch or NumPy user reaches for (see "For PyTorch users" in the README) ---
    def __array__(self, dtype=None, copy=None):
        """``numpy.asarray(t)``: the values as a NumPy array (on the GPU an error: copy with ``t.numpy()``)."""
        data = self._data
        if type(data) is not numpy.ndarray:
            if backend.device_of(data) != "cpu":
                raise TypeError(f"numpy.asarray() of a tensor on {self.device}: copy it to the host explicitly "
                                "with t.numpy() (or t.cpu())")
            data = numpy.asarray(data)  # an intermediate whose values were released says so here
        if dtype is not None and numpy.dtype(dtype) != data.dtype:
            if copy is False:
                raise ValueError(f"numpy.asarray(t, dtype={numpy.dtype(dtype)}, copy=False): the tensor holds "
                                 f"{data.dtype}, so a copy is needed")
            return data.astype(dtype)
        return data.copy() if copy else data

    def __format__(self, format_spec):
        """``f"{loss:.3f}"`` formats a one-element tensor's value; an empty spec gives the repr."""
        if not format_spec:
            return repr(self)
        if self._data.size != 1:
            raise TypeError(f"format spec {format_spec!r} needs a one-element tensor, this one has shape "
                            f"{self.shape}; format t.item() of a reduced tensor, or t.numpy() entry by entry")
        return format(self.item(), format_spec)

    def dim(self):
        """The number of dimensions (PyTorch's name for ``ndim``)."""
        return self._data.ndim

    def float(self):
        """A float32 copy, recorded (``astype(numpy.float32)``)."""
        return self.astype(numpy.float32)

    def double(self):
        """A float64 copy, recorded (``astype(numpy.float64)``)."""
        return self.astype(numpy.float64)

    def clone(self):
        return ops.clone(self)

    def pow(self, exponent):
        return ops.pow(self, exponent)

    def view(self, *shape):
        return ops.view(self, *shape)

    def unsqueeze(self, axis):
        return ops.unsqueeze(self, axis)

    def permute(self, *axes):
        return ops.permute(self, *axes)

    def flip(self, axis=None):
        return ops.flip(self, axis)

    def tril(self, k=0):
        return ops.tril(self, k)

    def triu(self, k=0):
        return ops.triu(self, k)

    def gather(self, axis, index):
        """PyTorch's ``t.gather(dim, index)``; see ``ag.gather``."""
        return ops.gather(self, axis, index)

    def argmax(self, axis=None, keepdims=False):
        return ops.argmax(self, axis, keepdims)

    def argmin(self, axis=None, keepdims=False):
        return ops.argmin(self, axis, keepdims)

    def max_with_indices(self, axis, keepdims=False):
        """(values, indices) along ``axis``: what PyTorch's ``t.max(dim=...)`` returns."""
        return ops.max_with_indices(self, axis, keepdims)

    def min_with_indices(self, axis, keepdims=False):
        return ops.min_with_indices(self, axis, keepdims)

    def std(self, axis=None, keepdims=False, ddof=0, correction=None, unbiased=None):
        return ops.std(self, axis, keepdims, ddof, correction, unbiased)

    def prod(self, axis=None, keepdims=False):
        return ops.prod(self, axis, keepdims)

    def cumsum(self, axis=None):
        return ops.cumsum(self, axis)

    def log1p(self):
        return ops.log1p(self)

    def expm1(self):
        return ops.expm1(self)

    def log2(self):
        return ops.log2(self)

    def log10(self):
        return ops.log10(self)

    def exp2(self):
        return ops.exp2(self)

    def erf(self):
        return ops.erf(self)

    def floor(self):
        return ops.floor(self)

    def ceil(self):
        return ops.ceil(self)

    def round(self, decimals=0):
        return ops.round(self, decimals)

    def softplus(self, beta=1.0):
        return ops.softplus(self, beta)

    def elu(self, alpha=1.0):
        return ops.elu(self, alpha)

    def selu(self):
        return ops.selu(self)

    def gelu(self, approximate="none"):
        return ops.gelu(self, approximate)

    def silu(self):
        return ops.silu(self)

    # === In-place operations and versions ==========================================================
    # Every change of a tensor's own array goes through here: it is checked against the grad mode
    # (PyTorch's rules) and bumps the version counter that the tensor shares with its views, so that a
    # backward through a node that saved the old values raises instead of giving a wrong gradient.
    @property
    def _version(self):
        """How many times this tensor's memory was changed in place (through it or a view sharing it)."""
        return 0 if self._counter is None else self._counter.value

    def _shared_counter(self):
        """The version counter of this tensor's memory, created on first need (views then share it)."""
        counter = self._counter
        if counter is None:
            counter = self._counter = VersionCounter()
        return counter

    def _share_memory_version(self, base):
        """Make this tensor, the result of a view operation on ``base``, share ``base``'s version counter.

        Only when the arrays may share memory: a reshape that had to copy is
        an independent tensor.
        """
        data = self._data
        if backend.get_array_module(data).may_share_memory(data, base._data):
            self._counter = base._shared_counter()
        return self

    def _bump_version(self):
        counter = self._shared_counter()
        counter.value += 1
        counter.changed_at = in_place_clock.tick()
        self.after_in_place_change()

    def after_in_place_change(self):
        """Called after every in-place change made through this tensor (``add_``, ``+=``, ``copy_``, ...).

        It does nothing here. A subclass may restore an invariant of its values in it, in place: a
        pruned Parameter of ``nn.compress`` sets its pruned entries back to exactly zero, so that an
        optimizer's in-place step cannot revive them. Changes made through a view of the tensor, or
        by writing into ``.data`` directly, do not call it.
        """

    def _checked_new_data(self, value):
        """``value`` as an array that may replace this tensor's array (see ``data``)."""
        if isinstance(value, Tensor):
            value = value._data
        if not (hasattr(value, "dtype") and hasattr(value, "shape")) or isinstance(value, numpy.generic):
            if isinstance(value, (str, bytes)) or value is None:
                raise TypeError(f"data must be an array, a list or a number, got {type(value).__name__} "
                                f"{value!r:.40}")
            try:
                value = backend.get_array_module(self._data).asarray(value, dtype=self._data.dtype)
            except (TypeError, ValueError) as error:
                raise TypeError(f"data: cannot make an array of dtype {self._data.dtype} from "
                                f"{type(value).__name__} {value!r:.60} ({error})") from None
        kind = value.dtype.kind
        if kind not in _SUPPORTED_KINDS:
            raise TypeError(f"data must hold booleans, integers or floating-point numbers, got an array of dtype "
                            f"{value.dtype}")
        if self.requires_grad and kind not in _FLOAT_KINDS:
            raise TypeError(f"data of a tensor that requires gradients must be floating-point, got dtype "
                            f"{value.dtype}; cast it first (value.astype({self._data.dtype}))")
        return value

    def _in_place_needs_graph(self, operation, operands=()):
        """Whether an in-place change would have to be recorded; raises for a leaf that requires grad.

        PyTorch's rule: while operations are recorded, a leaf that requires
        gradients must not change in place (its gradient would be taken at
        values that no longer exist); inside ``ag.no_grad()`` it may.
        """
        if not grad_enabled():
            return False
        if self.requires_grad and self.grad_fn is None:
            label = f" {self.name!r}" if self.name else ""
            raise RuntimeError(
                f"{operation}: the leaf tensor{label} of shape {self.shape} requires gradients, and changing it in "
                "place while operations are recorded would make its gradient wrong. Do the update inside "
                "`with ag.no_grad():` (as an optimizer's step does)."
            )
        return self.requires_grad or any(isinstance(value, Tensor) and value.requires_grad for value in operands)

    def _refuse_recorded(self, operation, operand=None):
        if self._in_place_needs_graph(operation, () if operand is None else (operand,)):
            what = "this tensor is part of a recorded graph" if self.requires_grad else \
                "the operand requires gradients"
            raise RuntimeError(
                f"{operation}: in-place operations are not recorded in the graph, and {what}. Write the "
                "out-of-place form (y = y + other), or do it inside `with ag.no_grad():`."
            )

    def _apply_in_place(self, operation, ufunc_name, operand):
        """``self = ufunc(self, operand)`` written into this tensor's array, then the version bumped."""
        data = self._data
        xp = backend.get_array_module(data)
        value = operand._data if isinstance(operand, Tensor) else operand
        if value is None or isinstance(value, (str, bytes)):
            raise TypeError(f"{operation}: the operand must be a tensor, an array or a number, got "
                            f"{type(value).__name__}")
        try:
            getattr(xp, ufunc_name)(data, value, out=data, casting="same_kind")
        except TypeError as error:
            raise TypeError(f"{operation}: a tensor of dtype {data.dtype} cannot hold the result in place "
                            f"(operand of type {type(value).__name__}, dtype {getattr(value, 'dtype', '-')}): "
                            f"{error}") from None
        except ValueError as error:
            raise _in_place_value_error(operation, data, value, error) from None
        self._bump_version()
        return self

    def _in_place_operator(self, operation, ufunc_name, operand, out_of_place):
        """``t op= operand``: in place, or the out-of-place result when the change must be recorded.

        While recording, a tensor of the graph (or one combined with an
        operand that requires gradients) becomes ``t = t op operand``, a new
        node, as Python does for objects without in-place operators.
        """
        if self._in_place_needs_graph(operation, (operand,)):
            return out_of_place(self, operand)
        return self._apply_in_place(operation, ufunc_name, operand)

    def __iadd__(self, other):
        return self._in_place_operator("+=", "add", other, ops.add)

    def __isub__(self, other):
        return self._in_place_operator("-=", "subtract", other, ops.sub)

    def __imul__(self, other):
        return self._in_place_operator("*=", "multiply", other, ops.mul)

    def __itruediv__(self, other):
        return self._in_place_operator("/=", "true_divide", other, ops.div)

    def __ipow__(self, exponent):
        return self._in_place_operator("**=", "power", exponent, ops.pow)

    def __imatmul__(self, other):
        if self._in_place_needs_graph("@=", (other,)):
            return ops.matmul(self, other)
        data = self._data
        xp = backend.get_array_module(data)
        value = xp.asarray(other._data if isinstance(other, Tensor) else other)
        product = xp.matmul(data, value)
        if product.shape != data.shape:
            raise ValueError(f"@=: the product of shapes {data.shape} and {value.shape} has shape "
                             f"{product.shape}; in place it must keep the tensor's shape {data.shape}")
        return self.copy_(product)

    def add_(self, other, alpha=1):
        """self <- self + alpha * other, in place (inside ``ag.no_grad()`` for tensors of a graph)."""
        self._refuse_recorded("add_", other)
        if alpha != 1:
            other = (other._data if isinstance(other, Tensor) else other) * alpha
        return self._apply_in_place("add_", "add", other)

    def sub_(self, other, alpha=1):
        """self <- self - alpha * other, in place."""
        self._refuse_recorded("sub_", other)
        if alpha != 1:
            other = (other._data if isinstance(other, Tensor) else other) * alpha
        return self._apply_in_place("sub_", "subtract", other)

    def mul_(self, other):
        """self <- self * other, in place."""
        self._refuse_recorded("mul_", other)
        return self._apply_in_place("mul_", "multiply", other)

    def div_(self, other):
        """self <- self / other, in place (floating-point tensors only)."""
        self._refuse_recorded("div_", other)
        return self._apply_in_place("div_", "true_divide", other)

    def copy_(self, source):
        """Write ``source``'s values (broadcast to this shape, cast to this dtype) into this tensor."""
        self._refuse_recorded("copy_", source)
        data = self._data
        value = source._data if isinstance(source, Tensor) else source
        if value is None or isinstance(value, (str, bytes)):
            raise TypeError(f"copy_: the source must be a tensor, an array or a number, got {type(value).__name__}")
        xp = backend.get_array_module(data)
        if hasattr(value, "shape") and backend.device_of(value) != backend.device_of(data):
            value = backend.move_to(value, backend.device_of(data))
        try:
            xp.copyto(data, value, casting="same_kind")
        except TypeError as error:
            raise TypeError(f"copy_: values of dtype {getattr(value, 'dtype', type(value).__name__)} cannot be "
                            f"stored in a tensor of dtype {data.dtype} ({error})") from None
        except ValueError as error:
            raise _in_place_value_error("copy_", data, value, error) from None
        self._bump_version()
        return self

    def fill_(self, value):
        """Set every entry to the number ``value``, in place."""
        if isinstance(value, Tensor):
            if value.size != 1:
                raise ValueError(f"fill_: the value must be a number or a one-element tensor, got shape {value.shape}")
            value = value._data.reshape(())
        elif not isinstance(value, (int, float, bool, numpy.number, numpy.bool_)):
            raise TypeError(f"fill_: the value must be a number, got {type(value).__name__}")
        return self.copy_(value)

    def zero_(self):
        """Set every entry to 0 (False for booleans), in place (``param.grad.zero_()``)."""
        return self.copy_(self._data.dtype.type(0))

    def clamp_(self, min=None, max=None):
        """Clip every entry into [min, max], in place (either bound may be None)."""
        if min is None and max is None:
            raise ValueError("clamp_ needs at least one of min and max")
        self._refuse_recorded("clamp_")
        data = self._data
        xp = backend.get_array_module(data)
        try:  # maximum then minimum, as ufuncs: CuPy's clip takes no casting rule
            if min is not None:
                xp.maximum(data, min, out=data, casting="same_kind")
            if max is not None:
                xp.minimum(data, max, out=data, casting="same_kind")
        except TypeError as error:
            raise TypeError(f"clamp_: bounds {min!r} and {max!r} do not fit a tensor of dtype {data.dtype} "
                            f"({error})") from None
        except ValueError as error:
            raise _in_place_value_error("clamp_", data, min if max is None else max, error) from None
        self._bump_version()
        return self

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` of a leaf in place and return the tensor (PyTorch's ``requires_grad_``)."""
        requires_grad = bool(requires_grad)
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(f"requires_grad_(False) on a tensor computed by {self.grad_fn.name}: only leaves can "
                               "stop requiring gradients; use .detach() for a copy cut from the graph")
        if requires_grad and self._data.dtype.kind not in _FLOAT_KINDS:
            raise TypeError(f"only floating-point tensors can require gradients, got dtype {self._data.dtype}")
        self.requires_grad = requires_grad
        return self
    # === end of in-place operations and versions ===================================================

    # --- display -------------------------------------------------------------------------------
    def __repr__(self):
        body = numpy.array2string(self.numpy(), separator=", ", prefix="Tensor(", threshold=20, precision=4)
        parts = [body]
        if self._data.dtype != numpy.float64 and self._data.dtype.kind == "f" or self._data.dtype.kind in "biu":
            parts.append(f"dtype={self._data.dtype}")
        if self.device != "cpu":
            parts.append(f"device={self.device!r}")
        if self.grad_fn is not None:
            parts.append(f"grad_fn={self.grad_fn.name}")
        elif self.requires_grad:
            parts.append("requires_grad=True")
        if self.name:
            parts.append(f"name={self.name!r}")
        return f"Tensor({', '.join(parts)})"

    __hash__ = object.__hash__


class VersionCounter:
    """How many in-place changes a tensor's memory has seen, and the in-place clock's tick at the last one.

    A tensor and every view of it (reshape, slicing, transpose, expand_dims,
    broadcast_to, detach) share one counter, so a change through any of them
    is seen by a node that saved any of them.
    """

    __slots__ = ("value", "changed_at")

    def __init__(self):
        self.value = 0
        self.changed_at = 0


def _in_place_value_error(operation, data, value, error):
    """The ValueError of an in-place change that NumPy refused: a read-only view, or a shape that does not fit."""
    if "read-only" in str(error):
        return ValueError(f"{operation}: this tensor's array is read-only (a broadcast_to view repeats one memory "
                          "location); change the tensor it was broadcast from, or a copy")
    return ValueError(f"{operation}: an operand of shape {getattr(value, 'shape', ())} cannot be applied in place to "
                      f"a tensor of shape {data.shape}: it must broadcast to {data.shape} ({error})")


class ReleasedArray:
    """The shape and dtype of an intermediate array that the graph does not keep (see ``without_values``)."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape = shape
        self.dtype = dtype

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(numpy.prod(self.shape))

    def __array__(self, *args, **kwargs):
        raise RuntimeError(
            f"the values of this intermediate tensor of shape {self.shape} were not kept by the graph, since no "
            "operation needs them for backward; keep a reference to the tensor itself to read its values"
        )


def graph_node(tensor):
    """What identifies a tensor in the graph: its ``grad_fn`` if an operation made it, else the tensor itself.

    Graph walks (path counting, drawing, replay) key nodes by this, so a
    stand-in from ``without_values`` and the tensor it stands for are one node.
    """
    return tensor if tensor.grad_fn is None else tensor.grad_fn


class _HookHandle:
    def __init__(self, hooks, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def tensor(data, requires_grad=False, dtype=None, device=None, name=None):
    """A Tensor holding a copy of ``data`` (PyTorch's ``torch.tensor``): ``ag.tensor([1.0, 2.0], requires_grad=True)``.

    The copy means that changing the NumPy array afterwards leaves the tensor
    (and its gradients) alone; ``ag.from_numpy`` and ``ag.as_tensor`` share
    the array instead.
    """
    if isinstance(data, Tensor):
        data = data._data
    if hasattr(data, "shape") and hasattr(data, "copy"):
        data = data.copy()
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device, name=name)


class Size(int):
    """A tensor's ``size``: an int, as in NumPy; calling it (PyTorch's ``size()``) says to use ``.shape``."""

    __slots__ = ()

    def __call__(self, *axis):
        raise TypeError(f"size is the number of entries here, an int as in NumPy (this tensor has {int(self)}); "
                        "use .shape for the dimensions (t.shape[axis] for one of them)")

def from_numpy(array):
    """A Tensor that shares ``array``'s memory (PyTorch's ``torch.from_numpy``): changes to one show in the other.

    Writes into the NumPy array bypass the engine (see ``Tensor.data``).
    """
    if not isinstance(array, numpy.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}; use ag.tensor for "
                        "other data")
    return Tensor(array)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a Tensor, sharing its memory when no conversion is needed (PyTorch's ``torch.as_tensor``).

    A Tensor of the asked dtype and device is returned as it is; an array of
    the asked dtype on the asked device is shared, not copied; anything else
    is converted.
    """
    if isinstance(data, Tensor):
        if (dtype is None or data.dtype == numpy.dtype(dtype)) and (
                device is None or data.device == backend.normalize_device(device)):
            return data
        return Tensor(data._data, dtype=dtype, device=device)
    return Tensor(data, dtype=dtype, device=device)


from . import ops  # noqa: E402  (the operations import Tensor)
from .keywords import accept_torch_keywords  # noqa: E402

# dim=/keepdim= accepted beside axis=/keepdims= by every method that takes them (keywords.py)
for _name in ("sum", "mean", "var", "max", "min", "logsumexp", "softmax", "log_softmax", "expand_dims", "squeeze",
              "any", "all", "unsqueeze", "flip", "gather", "argmax", "argmin", "max_with_indices",
              "min_with_indices", "std", "prod", "cumsum"):
    setattr(Tensor, _name, accept_torch_keywords(getattr(Tensor, _name)))
del _name
