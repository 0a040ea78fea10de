"""The Optimizer base class: parameters, parameter groups, state, and the step loop (Section 3.5).

Every optimizer of this package keeps its parameters in ``param_groups`` (a
list of dicts, each with its own settings such as ``lr``), keeps per-parameter
state as arrays of the parameter's own array module (NumPy or CuPy), and
implements one method, ``update``, which applies the text's update rule to one
parameter. The base class runs the loop under ``ag.no_grad()`` so that no
update builds a graph, re-evaluates the loss through ``step(closure)`` when a
rule needs it, and saves and restores state with ``state_dict`` and
``load_state_dict``.
"""
import abc
import functools
import inspect
import math
import numbers
import weakref

import autograd_core as ag
from autograd_core.backend import get_array_module


class _Required:
    """Marks a setting with no default (such as SGD's learning rate)."""

    def __repr__(self):
        return "<required>"


required = _Required()


def parameter_list(params):
    """A list of tensors from a Tensor, an iterable of Tensors, or a model with ``.parameters()``."""
    if isinstance(params, ag.Tensor):
        return [params]
    if hasattr(params, "parameters") and callable(params.parameters):
        params = params.parameters()
    return list(params)


def denominator(accumulator, epsilon, eps_inside_sqrt):
    """sqrt(A + epsilon) (the text's placement) or sqrt(A) + epsilon (PyTorch's and Keras's).

    A new array; ``accumulator`` is left untouched.
    """
    xp = get_array_module(accumulator)
    if eps_inside_sqrt:
        return xp.sqrt(accumulator + epsilon)
    root = xp.sqrt(accumulator)
    root += epsilon
    return root


@functools.lru_cache(maxsize=None)
def numeric_settings(optimizer_class):
    """The settings of an optimizer class that are numbers: ``lr`` and those whose default is a number."""
    names = {"lr"}
    for parameter in inspect.signature(optimizer_class.__init__).parameters.values():
        default = parameter.default
        if isinstance(default, numbers.Real) and not isinstance(default, bool):
            names.add(parameter.name)
    return frozenset(names)


class ParamGroup(dict):
    """A parameter group: a dict whose settings are checked by the optimizer whenever one is set.

    ``group["lr"] = float("nan")`` (or a schedule writing a bad rate) raises at
    once, naming the setting, instead of silently turning every weight to NaN.
    The group refers to its optimizer weakly, so the two form no reference cycle.
    """

    def __init__(self, settings, optimizer):
        super().__init__(settings)
        self._optimizer = weakref.ref(optimizer)

    def __setitem__(self, name, value):
        optimizer = self._optimizer()
        if name != "params" and optimizer is not None:
            candidate = dict(self)
            candidate[name] = value
            optimizer.check_settings(candidate)
        super().__setitem__(name, value)

    def update(self, *args, **settings):
        for name, value in dict(*args, **settings).items():
            self[name] = value

    def setdefault(self, name, value=None):
        if name not in self:
            self[name] = value
        return self[name]

    def __reduce_ex__(self, protocol):
        # copied or pickled with its optimizer, the group refers to the copy of that optimizer
        return _rebuild_param_group, (dict(self), self._optimizer())


def _rebuild_param_group(settings, optimizer):
    return ParamGroup(settings, optimizer) if optimizer is not None else dict(settings)


class Optimizer(abc.ABC):
    """Base class: holds parameter groups and per-parameter state, and runs ``step``.

    ``params`` is an iterable of Tensors that require gradients, a model with
    ``.parameters()``, or a list of dicts (parameter groups), each with a
    ``"params"`` entry and any settings that override the optimizer's defaults::

        optim.SGD([{"params": model.body.parameters()},
                   {"params": model.head.parameters(), "lr": 0.01}], lr=0.1, momentum=0.9)

    Subclasses implement ``update(param, grad, state, group)``, the text's rule for
    one parameter with ``grad`` the array dL/dW (weight decay already added).
    """

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = {}  # id(param) -> dict of arrays and counters; ids are stable since groups hold the params
        if isinstance(params, dict):
            params = [params]
        elif not isinstance(params, (list, tuple)) or not params or not isinstance(params[0], dict):
            params = parameter_list(params)
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__} got an empty list of parameters: pass model.parameters() "
                             "or a list of Tensors created with requires_grad=True")
        if not isinstance(params[0], dict):
            params = [{"params": params}]
        for group in params:
            self.add_param_group(group)

    # --- parameter groups ----------------------------------------------------------------------
    def add_param_group(self, group):
        """Add a dict with a ``"params"`` entry and settings; missing settings take the defaults."""
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"a parameter group must be a dict with a 'params' entry, got {group!r}")
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise ValueError(f"{type(self).__name__} has no setting(s) {sorted(unknown)}; "
                             f"its settings are {sorted(self.defaults)}")
        params = parameter_list(group["params"])
        if not params:
            raise ValueError("a parameter group has an empty 'params' list")
        for index, param in enumerate(params):
            if not isinstance(param, ag.Tensor):
                raise TypeError(f"parameter {index} of a group is a {type(param).__name__}, not a Tensor")
            if not param.requires_grad:
                raise ValueError(f"parameter {index} (shape {param.shape}) does not require gradients: "
                                 "create it with requires_grad=True")
            if not param.is_leaf:
                raise ValueError(f"parameter {index} (shape {param.shape}) is not a leaf tensor: an optimizer "
                                 "can only update tensors created by the user")
        seen = {id(param) for existing in self.param_groups for param in existing["params"]}
        if len({id(param) for param in params}) != len(params) or seen & {id(param) for param in params}:
            raise ValueError("a parameter appears more than once in the optimizer's parameter groups")
        filled = {"params": params}
        for name, default in self.defaults.items():
            value = group.get(name, default)
            if value is required:
                raise ValueError(f"{type(self).__name__} needs a value for {name!r} (no default), "
                                 f"for example {type(self).__name__}(params, {name}=0.01)")
            filled[name] = value
        self.check_settings(filled)
        self.param_groups.append(ParamGroup(filled, self))

    def check_settings(self, group):
        """Raise TypeError or ValueError for settings of the wrong kind or out of range; subclasses extend it.

        Every setting whose default in the constructor is a number (and ``lr``) must be a finite
        real number: a string, None, a bool, NaN or infinity is refused.
        """
        numeric = numeric_settings(type(self))
        for name, value in group.items():
            if name in numeric:
                if isinstance(value, bool) or not isinstance(value, numbers.Real):
                    raise TypeError(f"{type(self).__name__}: {name} must be a finite number, "
                                    f"got {type(value).__name__} {value!r}")
                if not math.isfinite(value):
                    raise ValueError(f"{type(self).__name__}: {name} must be a finite number, got {value!r}")
        for name in ("lr", "weight_decay", "eps"):
            if name in group and not group[name] >= 0:
                raise ValueError(f"{type(self).__name__}: {name} must be a finite number >= 0, got {group[name]!r}")
        for name in ("momentum", "rho", "rho_f"):
            if name in group and not 0 <= group[name] < 1:
                raise ValueError(f"{type(self).__name__}: {name} must lie in [0, 1), got {group[name]!r}")
        if "eps_inside_sqrt" in group and not isinstance(group["eps_inside_sqrt"], bool):
            raise TypeError(f"{type(self).__name__}: eps_inside_sqrt must be True or False, "
                            f"got {group['eps_inside_sqrt']!r}")

    def parameters(self):
        """Every parameter of every group, in order."""
        return [param for group in self.param_groups for param in group["params"]]

    # --- gradients and the step ----------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Forget every parameter's gradient (``set_to_none=False`` keeps zero arrays instead)."""
        for param in self.parameters():
            if set_to_none or param.grad is None:
                param.grad = None
            else:
                param.grad = ag.Tensor(get_array_module(param.data).zeros_like(param.data))

    def state_for(self, param):
        """The state dict of one parameter (created empty on first use)."""
        return self.state.setdefault(id(param), {})

    def gradient(self, param, group):
        """dL/dW as an array, plus weight_decay * W when asked (a new array: .grad is never written to)."""
        grad = param.grad.data
        if grad.shape != param.data.shape:
            raise ValueError(f"a parameter of shape {param.data.shape} has a gradient of shape {grad.shape}")
        if group.get("weight_decay", 0):
            grad = grad + group["weight_decay"] * param.data
        return grad

    def uses_lookahead(self, group):
        """True when the group's rule takes the gradient at a shifted point W + s (Nesterov momentum)."""
        return False

    def lookahead(self, param, state, group):
        """The shift s at which the gradient is evaluated (W + s), or None while it is zero.

        Nesterov-type rules return beta * V; the base class then evaluates the
        closure with every parameter shifted, puts the original weights back and
        calls ``update`` with the shifted gradient.
        """
        return None

    def step(self, closure=None):
        """Update every parameter that has a gradient; return the closure's loss (or None).

        ``closure`` re-evaluates the model: it should clear the gradients, compute
        the loss, call ``loss.backward()`` and return the loss. Rules that take the
        gradient at a shifted point (Nesterov momentum) need it.
        """
        if any(self.uses_lookahead(group) for group in self.param_groups):
            loss = self._evaluate_at_shifted_point(closure, self._lookahead_shifts())
        else:
            loss = None
            if closure is not None:
                with ag.enable_grad():
                    loss = closure()
        with ag.no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    self.update(param, self.gradient(param, group), self.state_for(param), group)
        return loss

    def _lookahead_shifts(self):
        shifts = []
        for group in self.param_groups:
            if not self.uses_lookahead(group):
                continue
            for param in group["params"]:
                shift = self.lookahead(param, self.state_for(param), group)
                if shift is not None:
                    shifts.append((param, shift))
        return shifts

    def _evaluate_at_shifted_point(self, closure, shifts):
        if closure is None:
            raise RuntimeError(
                f"{type(self).__name__} with Nesterov momentum takes the gradient at W + beta V, so step() needs "
                "a closure that recomputes the loss there: def closure(): opt.zero_grad(); loss = ...; "
                "loss.backward(); return loss, then opt.step(closure). Or pass nesterov='reformulated' "
                "(SGD) for the equivalent form that uses the gradient at the current weights."
            )
        originals = []
        for param, shift in shifts:
            originals.append((param, param.data))
            param.data = param.data + shift
        for param in self.parameters():
            param.grad = None  # a gradient from before the shift belongs to another point
        try:
            with ag.enable_grad():
                loss = closure()
        finally:
            for param, original in originals:
                param.data = original
        return loss

    @abc.abstractmethod
    def update(self, param, grad, state, group):
        """Apply the rule to one parameter in place (``param.data``), with ``grad`` = dL/dW."""

    # --- saving and restoring ------------------------------------------------------------------
    def state_dict(self):
        """A snapshot: settings of every group and copies of every state array, keyed by parameter index.

        Parameters are numbered in the order of ``parameters()``; arrays stay on
        their device (NumPy or CuPy), copied so that later steps leave the snapshot alone.
        """
        index_of = {id(param): index for index, param in enumerate(self.parameters())}
        state = {}
        for key, entries in self.state.items():
            if key in index_of and entries:
                state[index_of[key]] = {name: value.copy() if hasattr(value, "shape") else value
                                        for name, value in entries.items()}
        groups = []
        for group in self.param_groups:
            saved = {name: value for name, value in group.items() if name != "params"}
            saved["params"] = [index_of[id(param)] for param in group["params"]]
            groups.append(saved)
        return {"optimizer": type(self).__name__, "state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore settings and state saved by ``state_dict`` (or read by ``nn.load``), all or nothing.

        The state must come from an optimizer of the same kind and layout. Every
        entry is checked before anything changes: the settings as if they were
        passed to the constructor (finite, in range), each state array's shape
        and numeric dtype. Arrays are copied onto each parameter's device and
        dtype. Raises ValueError (TypeError for a value of the wrong kind),
        naming what differs, with the optimizer untouched.
        """
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError("load_state_dict expects the dict returned by state_dict() (or read by nn.load), "
                             f"with keys 'state' and 'param_groups'; got {type(state_dict).__name__}")
        saved_kind = state_dict.get("optimizer", type(self).__name__)
        if saved_kind != type(self).__name__:
            raise ValueError(f"this state was saved by {saved_kind}, not {type(self).__name__}: "
                             f"load it into a {saved_kind}")
        settings = self._checked_saved_settings(state_dict["param_groups"])
        restored = self._checked_saved_state(state_dict["state"])
        for saved, group in zip(settings, self.param_groups):
            dict.update(group, saved)
        self.state = restored

    def _checked_saved_settings(self, saved_groups):
        """The saved settings of each group, after checking the layout and every value."""
        if not isinstance(saved_groups, list) or not all(isinstance(saved, dict) for saved in saved_groups):
            raise ValueError(f"the saved 'param_groups' must be a list of dicts, got {saved_groups!r:.80}")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"the saved state has {len(saved_groups)} parameter group(s), this optimizer has "
                             f"{len(self.param_groups)}")
        first_index = 0
        settings = []
        for number, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            expected_params = list(range(first_index, first_index + len(group["params"])))
            first_index += len(group["params"])
            if list(saved.get("params", ())) != expected_params:
                raise ValueError(f"parameter group {number} has {len(group['params'])} parameter(s) numbered "
                                 f"{expected_params}, the saved one lists {saved.get('params')!r:.80}")
            values = {name: value for name, value in saved.items() if name != "params"}
            unknown = set(values) - set(self.defaults)
            if unknown:
                raise ValueError(f"the saved parameter group {number} has setting(s) {sorted(unknown)} that "
                                 f"{type(self).__name__} does not have; its settings are {sorted(self.defaults)}")
            candidate = dict(group)
            candidate.update(values)
            try:
                self.check_settings(candidate)
            except (TypeError, ValueError) as error:
                raise type(error)(f"the saved parameter group {number} has a bad setting: {error}") from error
            settings.append(values)
        return settings

    def _checked_saved_state(self, saved_state):
        """id(param) -> the saved state of that parameter, each array on its device and in its dtype."""
        if not isinstance(saved_state, dict):
            raise ValueError(f"the saved 'state' must be a dict index -> dict, got {type(saved_state).__name__}")
        params = self.parameters()
        restored = {}
        for index, entries in saved_state.items():
            if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not 0 <= index < len(params):
                raise ValueError(f"the saved state names parameter {index!r}, but there are {len(params)}, "
                                 f"numbered 0 to {len(params) - 1}")
            if not isinstance(entries, dict):
                raise ValueError(f"the saved state of parameter {index} must be a dict, got "
                                 f"{type(entries).__name__}")
            param = params[int(index)]
            restored[id(param)] = {name: self._checked_state_value(value, name, index, param)
                                   for name, value in entries.items()}
        return restored

    @staticmethod
    def _checked_state_value(value, name, index, param):
        if hasattr(value, "shape") and hasattr(value, "dtype"):
            if value.dtype.kind not in "biuf" or value.dtype.fields is not None:
                raise TypeError(f"saved state {name!r} of parameter {index} has dtype {value.dtype}; it must hold "
                                "booleans, integers or floating-point numbers")
            if tuple(value.shape) != tuple(param.shape):
                raise ValueError(f"saved state {name!r} of parameter {index} has shape {tuple(value.shape)}, "
                                 f"but the parameter has shape {tuple(param.shape)}")
            copy = ag.Tensor(value, device=param.device).data.astype(param.dtype, copy=True)
            xp = get_array_module(copy)
            if not bool(xp.isfinite(copy).all()) and bool(get_array_module(value).isfinite(value).all()):
                raise ValueError(f"saved state {name!r} of parameter {index} overflows the parameter's dtype "
                                 f"{param.dtype}")
            return copy
        if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value < 0:
            raise ValueError(f"saved state {name!r} of parameter {index} is {value}; a saved count (such as "
                             "Adam's step) is an integer >= 0")
        if isinstance(value, numbers.Real) and not math.isfinite(value):
            raise ValueError(f"saved state {name!r} of parameter {index} is {value!r}; it must be finite")
        if value is None or isinstance(value, (str, numbers.Real)):
            return value
        raise TypeError(f"saved state {name!r} of parameter {index} is a {type(value).__name__}; it must be an "
                        "array or a number")

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for number, group in enumerate(self.param_groups):
            settings = ", ".join(f"{name}={value}" for name, value in group.items() if name != "params")
            lines.append(f"  group {number}: {len(group['params'])} parameter(s), {settings}")
        return "\n".join(lines + [")"])
