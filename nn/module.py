"""Module, Parameter and Sequential: the containers a model is built from (Section 3.2.6).

A ``Module`` owns ``Parameter``s (Tensors that the optimiser updates), buffers
(arrays that are state but not learned, such as batch normalisation's running
averages) and sub-modules, all registered simply by assigning them as
attributes. Its ``state_dict`` is a flat, ordered mapping from dotted names to
arrays, which is what ``nn.save`` writes and ``nn.load`` reads back.
"""
import numbers
import warnings
from collections import OrderedDict

import numpy

import autograd_core as ag

from .arrays import to_numpy
from .checks import describe

NUMERIC_KINDS = "biuf"  # booleans, integers and floating-point numbers: what a state file may hold


class Parameter(ag.Tensor):
    """A Tensor that is a learned weight of a Module: it requires gradients unless told otherwise."""

    __slots__ = ()

    def __init__(self, data, requires_grad=True, dtype=None, name=None):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype, name=name)

    def __repr__(self):
        return "Parameter" + super().__repr__()[len("Tensor"):]


def buffer_value(value, name, owner):
    """The array to keep as buffer ``name``: an array of a numeric dtype (a Tensor gives its array) or None."""
    if isinstance(value, ag.Tensor):
        value = value.data
    if value is None:
        return None
    if not (hasattr(value, "shape") and hasattr(value, "dtype")):
        raise TypeError(f"cannot assign {describe(value)} to buffer {name!r} of {owner}: a buffer holds an "
                        "array (NumPy or CuPy), a Tensor or None")
    if value.dtype.kind not in NUMERIC_KINDS:
        raise TypeError(f"cannot assign an array of dtype {value.dtype} to buffer {name!r} of {owner}: a buffer "
                        "holds booleans, integers or floating-point numbers")
    return value


def _loadable_array(name, value, current):
    """(a NumPy copy of ``value`` in ``current``'s dtype, None), or (None, what is wrong with it)."""
    if isinstance(value, ag.Tensor) or (hasattr(value, "shape") and hasattr(value, "dtype")):
        array = to_numpy(value)
    elif isinstance(value, (numbers.Number, list, tuple)):
        try:
            array = numpy.asarray(value)
        except ValueError:
            return None, f"{name}: a {type(value).__name__} that is not a rectangular array of numbers"
    else:
        return None, f"{name}: expected an array, got {describe(value)}"
    if array.dtype.kind not in NUMERIC_KINDS:
        return None, f"{name}: dtype {array.dtype} is not numeric (booleans, integers or floating-point numbers)"
    if current is None:
        return numpy.array(array, copy=True), None
    if tuple(current.shape) != array.shape:
        return None, f"{name}: expected shape {tuple(current.shape)}, got {array.shape}"
    return _cast_exactly(name, array, numpy.dtype(current.dtype))


def _cast_exactly(name, array, dtype):
    """``array`` in ``dtype`` unless the cast would change a value beyond rounding (overflow, truncation)."""
    with numpy.errstate(all="ignore"):
        cast = array.astype(dtype)
        if dtype.kind == "f":
            changed = not bool(numpy.isfinite(cast[numpy.isfinite(array)]).all())
        else:
            changed = not bool(numpy.array_equal(cast.astype(array.dtype), array))
    if changed:
        return None, f"{name}: its values of dtype {array.dtype} do not fit the dtype {dtype} it is cast to"
    return cast, None


class Module:
    """Base class of layers and models: subclasses set attributes in ``__init__`` and define ``forward``.

    >>> class TwoLayer(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = nn.Linear(4, 8, rng=0)
    ...         self.out = nn.Linear(8, 1, rng=1)
    ...     def forward(self, x):
    ...         return self.out(ag.relu(self.hidden(x)))
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # --- registration by attribute assignment ---------------------------------------------------
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}.__init__ must call super().__init__() before "
                                 f"assigning attribute {name!r}")
        if isinstance(value, Parameter):
            self._unregister(name)
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._unregister(name)
            self._modules[name] = value
        elif name in self._parameters:
            # PyTorch's rule: a registered parameter is replaced by a Parameter or None, never by a plain
            # value, which would silently leave the optimiser and state_dict without it
            if value is not None:
                raise TypeError(f"cannot assign {describe(value)} to parameter {name!r} of "
                                f"{type(self).__name__}: assign an nn.Parameter (or None)")
            self._parameters[name] = None
        elif name in self._buffers:
            self._buffers[name] = buffer_value(value, name, type(self).__name__)
        elif name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign {describe(value)} to sub-module {name!r} of "
                                f"{type(self).__name__}: assign an nn.Module (or None)")
            del self._modules[name]
            object.__setattr__(self, name, None)
            return
        else:
            _warn_if_modules_hide_in(type(self).__name__, name, value)
            object.__setattr__(self, name, value)
            return
        self.__dict__.pop(name, None)

    def _unregister(self, name):
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)

    def __getattr__(self, name):
        # called only when normal lookup fails: parameters and sub-modules live in their tables
        for table_name in ("_parameters", "_modules", "_buffers"):
            table = self.__dict__.get(table_name)
            if table is not None and name in table:
                return table[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __delattr__(self, name):
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def register_buffer(self, name, array):
        """Keep ``array`` (or None, meaning "not computed yet") as state saved with the module, not learned.

        Assigning to the name afterwards (``module.name = array``) replaces the buffer's value.
        """
        array = buffer_value(array, name, type(self).__name__)
        self._unregister(name)
        self.__dict__.pop(name, None)
        self._buffers[name] = array

    def set_buffer(self, name, array):
        """Replace the value of a registered buffer."""
        if name not in self._buffers:
            raise KeyError(f"{type(self).__name__} has no buffer {name!r}; register it first")
        self._buffers[name] = buffer_value(array, name, type(self).__name__)

    # --- calling ----------------------------------------------------------------------------------
    def forward(self, *inputs):
        raise TypeError(f"{type(self).__name__} must define forward(self, ...)")

    def __call__(self, *inputs, **kwargs):
        return self.forward(*inputs, **kwargs)

    # --- walking the tree ---------------------------------------------------------------------
    def named_modules(self, prefix=""):
        """(dotted name, module) for this module and every module below it, depth first, parents first."""
        stack = [(prefix, self)]
        seen = set()
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in module._modules.items()]
            stack.extend(reversed(children))

    def modules(self):
        return [module for _, module in self.named_modules()]

    def named_children(self):
        return list(self._modules.items())

    def children(self):
        """The direct sub-modules, in the order they were assigned."""
        return list(self._modules.values())

    def named_parameters(self):
        """(dotted name, Parameter) for every parameter of this module and its sub-modules, each once."""
        seen = set()
        result = []
        for module_name, module in self.named_modules():
            for name, parameter in module._parameters.items():
                if parameter is None or id(parameter) in seen:
                    continue
                seen.add(id(parameter))
                result.append((f"{module_name}.{name}" if module_name else name, parameter))
        return result

    def parameters(self):
        """Every Parameter, each once (a list, so an optimiser may walk it many times)."""
        return [parameter for _, parameter in self.named_parameters()]

    def named_buffers(self):
        result = []
        for module_name, module in self.named_modules():
            for name, array in module._buffers.items():
                result.append((f"{module_name}.{name}" if module_name else name, array))
        return result

    # --- modes, gradients, devices ------------------------------------------------------------
    def train(self, mode=True):
        """Training mode (batch statistics in BatchNorm, penalties recorded) or, with False, evaluation mode."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self):
        """Evaluation mode: BatchNorm uses its running or population statistics."""
        return self.train(False)

    def zero_grad(self, set_to_none=True):
        """Forget every parameter's accumulated gradient (``set_to_none=False`` keeps zero arrays instead)."""
        for parameter in self.parameters():
            if set_to_none or parameter.grad is None:
                parameter.grad = None
            else:
                parameter.grad = ag.zeros_like(parameter)

    def apply(self, fn):
        """Call ``fn(module)`` on every sub-module and then on this one (children first); return self.

        >>> def zero_biases(module):
        ...     if isinstance(module, nn.Linear):
        ...         module.bias.data = module.bias.data * 0
        >>> model.apply(zero_biases)
        """
        for module in reversed(self.modules()):
            fn(module)
        return self

    def to(self, device):
        """Move every parameter and buffer to ``device`` (``"cpu"``, ``"cuda"``, ``"cuda:N"``), in place."""
        target = ag.Tensor(0.0, device=device).device
        for module in self.modules():
            for parameter in module._parameters.values():
                if parameter is not None and parameter.device != target:
                    parameter.data = ag.Tensor(parameter.numpy(), device=device).data
                    parameter.grad = None
            for name, array in list(module._buffers.items()):
                if array is not None:
                    module._buffers[name] = ag.Tensor(to_numpy(array), device=device).data
        return self

    def num_parameters(self):
        """The number of learned scalars."""
        return sum(int(parameter.size) for parameter in self.parameters())

    # --- state --------------------------------------------------------------------------------
    def state_dict(self):
        """An ordered mapping from dotted names to NumPy copies of every parameter and computed buffer."""
        state = OrderedDict()
        for name, parameter in self.named_parameters():
            state[name] = numpy.array(parameter.numpy(), copy=True)
        for name, array in self.named_buffers():
            if array is not None:
                state[name] = numpy.array(to_numpy(array), copy=True)
        return state

    def load_state_dict(self, state, strict=True):
        """Copy ``state`` into this module's parameters and buffers, all or nothing.

        Every entry is checked before anything is assigned: it must name a
        parameter or buffer of this module, have its shape, and hold booleans,
        integers or floating-point numbers; with ``strict`` every parameter and
        computed buffer must be given. A buffer not computed yet (None, such as an
        unfitted transform's statistics or BatchNorm's population statistics)
        accepts any shape and may be missing. Values are cast to the dtype of the
        parameter or buffer they replace (an int64 ``running_var`` from a file
        becomes float64); a cast that would change a value (1e300 into float32,
        2.5 into an integer buffer) is refused. Raises ``ValueError`` naming every
        problem, with the module untouched.
        """
        if not hasattr(state, "items"):
            raise TypeError(f"load_state_dict expects a mapping name -> array (from state_dict() or nn.load), "
                            f"got {describe(state)}")
        targets = self._state_targets()
        problems = []
        unexpected = [name for name in state if name not in targets]
        if unexpected:
            problems.append(f"unexpected entries {unexpected}")
        missing = [name for name, (module, attribute, kind) in targets.items()
                   if name not in state and (kind == "parameter" or module._buffers[attribute] is not None)]
        if missing and strict:
            problems.append(f"missing entries {missing}")
        converted = OrderedDict()
        for name, value in state.items():
            if name not in targets:
                continue
            module, attribute, kind = targets[name]
            current = module._parameters[attribute] if kind == "parameter" else module._buffers[attribute]
            array, problem = _loadable_array(name, value, current)
            if problem:
                problems.append(problem)
            else:
                converted[name] = array
        if problems:
            raise ValueError(f"cannot load state into {type(self).__name__} (nothing was changed): " +
                             "; ".join(problems) + f". The module expects: {list(targets)}")
        # buffers first, so a parameter whose assignment depends on a buffer (a pruning mask) sees the new one
        for name, array in sorted(converted.items(), key=lambda item: targets[item[0]][2] == "parameter"):
            module, attribute, kind = targets[name]
            if kind == "parameter":
                parameter = module._parameters[attribute]
                parameter.data = ag.Tensor(array, device=parameter.device).data
                parameter.grad = None
            else:
                module._load_buffer(attribute, array)
        return self

    def _state_targets(self):
        """dotted name -> (module, attribute, "parameter" or "buffer") for everything load_state_dict may set."""
        targets = OrderedDict()
        for module_name, module in self.named_modules():
            for name, parameter in module._parameters.items():
                if parameter is not None:
                    targets[f"{module_name}.{name}" if module_name else name] = (module, name, "parameter")
            for name in module._buffers:
                targets[f"{module_name}.{name}" if module_name else name] = (module, name, "buffer")
        return targets

    def _load_buffer(self, name, array):
        """Store a loaded buffer on the device of the module's parameters (subclasses may react to it)."""
        device = next((parameter.device for parameter in self._parameters.values() if parameter is not None),
                      "cpu")
        self._buffers[name] = ag.Tensor(array, device=device).data

    # --- display ------------------------------------------------------------------------------
    def extra_repr(self):
        """The one-line description shown after the class name (sizes, options)."""
        return ""

    def __repr__(self):
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        own = [f"{name}: {tuple(parameter.shape)}" for name, parameter in self._parameters.items()
               if parameter is not None]
        if own and not self._modules:
            lines[0] += (", " if self.extra_repr() else "") + ", ".join(own)
        elif own:
            lines.extend(f"  ({text})" for text in own)
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child}")
        if len(lines) == 1:
            return lines[0] + ")"
        return "\n".join(lines) + "\n)"


def _warn_if_modules_hide_in(owner, name, value):
    """Warn when a plain list, tuple or dict holding Modules is assigned: its parameters would go unregistered."""
    if isinstance(value, dict):
        held, container = value.values(), "nn.ModuleDict"
    elif isinstance(value, (list, tuple)):
        held, container = value, "nn.ModuleList"
    else:
        return
    if any(isinstance(item, Module) for item in held):
        warnings.warn(f"{owner}.{name} is a plain {type(value).__name__} holding Modules: their parameters are not "
                      f"registered, so parameters(), optimisers, state_dict() and to() will not see them. Wrap it "
                      f"in {container}(...)", UserWarning, stacklevel=3)


class Sequential(Module):
    """Modules applied one after the other: ``Sequential(Linear(64, 32), ReLU(), Linear(32, 10))``."""

    def __init__(self, *modules):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module):
        if not isinstance(module, Module):
            raise TypeError(f"Sequential holds Modules, got {type(module).__name__}")
        setattr(self, str(len(self._modules)), module)
        return self

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        return modules[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(list(self._modules.values()))
