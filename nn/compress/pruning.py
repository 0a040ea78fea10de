"""Magnitude pruning with masks that hold through training (Section 3.7.3, "sparsifying weights in training").

``prune(model, sparsity=... | threshold=..., scope="layer" | "global")``
sets the smallest weights |w_ij| to zero. Each pruned weight matrix gets a
boolean mask kept as a buffer of its module (``weight_mask``), so it is saved
with the model; the weight itself becomes a ``MaskedParameter``, whose every
assignment (each optimiser step, ``load_state_dict``, ``to(device)``) keeps
the pruned entries at exactly zero, and a gradient hook zeroes their
gradients, so momentum and adaptive optimisers never see them. Fine-tuning
after pruning is then an ordinary training loop; pruning again (an iterative
prune-and-fine-tune schedule) only ever adds zeros.
"""
import copy
import weakref
from collections import OrderedDict

import numpy

import autograd_core as ag

from ..arrays import array_module, raw, to_numpy
from ..module import Module, Parameter

SCOPES = ("layer", "global")

# id(parameter) -> (weak reference to the module holding the mask, buffer name). The mask lives in the
# module's buffer table, where load_state_dict and to(device) replace it, so it is looked up on every use.
_MASK_OWNERS = {}


def mask_buffer_name(attribute):
    """The buffer that holds the mask of parameter ``attribute``: ``weight`` -> ``weight_mask``."""
    return f"{attribute}_mask"


def mask_of(parameter):
    """The boolean mask of a pruned parameter (True = kept), or None when it is not pruned."""
    entry = _MASK_OWNERS.get(id(parameter))
    if entry is None:
        if isinstance(parameter, MaskedParameter):
            raise RuntimeError("this pruned parameter has lost the module that holds its mask; prune it again")
        return None
    owner_reference, buffer_name = entry
    owner = owner_reference()
    if owner is None:
        raise RuntimeError("the module that held this parameter's pruning mask no longer exists")
    return owner._buffers[buffer_name]


def _on_device_of(mask, array):
    """The mask as an array of the same module (NumPy or CuPy) as ``array``."""
    xp = array_module(array)
    if array_module(mask) is xp:
        return mask
    return xp.asarray(to_numpy(mask))


def apply_mask(array, mask):
    """w * m, written as where(m, w, 0) so a NaN or infinity at a pruned entry still becomes exactly 0."""
    xp = array_module(array)
    return xp.where(_on_device_of(mask, array), array, xp.zeros((), dtype=array.dtype))


class MaskedParameter(Parameter):
    """A pruned Parameter: whatever is assigned to ``data``, or changed in place, keeps its pruned entries at zero."""

    __slots__ = ()

    def _assign_masked(self, value):
        value = raw(value)
        mask = mask_of(self)
        if mask is not None:
            value = apply_mask(value, mask)
        ag.Tensor.data.fset(self, value)

    data = property(ag.Tensor.data.fget, _assign_masked, doc="The array; assignments keep pruned entries zero.")

    def after_in_place_change(self):
        """An optimizer's in-place step (``add_``, ``sub_``, ...) leaves the pruned entries exactly zero."""
        mask = mask_of(self)
        if mask is not None:
            values = self.data
            values[...] = apply_mask(values, mask)

    def __deepcopy__(self, memo):
        """A copy made with its module (``copy.deepcopy(model)``) stays pruned, by the copied module's mask.

        Copied on its own, without the module that holds its mask, it becomes a plain Parameter.
        """
        clone = Parameter(copy.deepcopy(self.data, memo), requires_grad=self.requires_grad, name=self.name)
        memo[id(self)] = clone
        entry = _MASK_OWNERS.get(id(self))
        owner = None if entry is None else entry[0]()
        if owner is not None and id(owner) in memo:
            _make_masked(clone, memo[id(owner)], entry[1])
        return clone


class _MaskGradient:
    """A gradient hook: dL/dw_ij is replaced by 0 where w_ij is pruned."""

    def __init__(self, parameter):
        self.parameter = weakref.ref(parameter)

    def __call__(self, grad):
        parameter = self.parameter()
        mask = None if parameter is None else mask_of(parameter)
        if mask is None:
            return None
        return ag.where(_on_device_of(mask, grad.data), grad, 0.0)


def prunable_weights(model):
    """(dotted name, module, attribute, Parameter) for every weight matrix (a Parameter with 2 or more axes)."""
    if not isinstance(model, Module):
        raise TypeError(f"expected an nn.Module, got {type(model).__name__}")
    found = []
    seen = set()
    for module_name, module in model.named_modules():
        for attribute, parameter in module._parameters.items():
            if parameter is None or parameter.ndim < 2 or id(parameter) in seen:
                continue
            seen.add(id(parameter))
            found.append((f"{module_name}.{attribute}" if module_name else attribute, module, attribute, parameter))
    return found


def prune(model, sparsity=None, threshold=None, scope="layer"):
    """Set the smallest-magnitude weights of every weight matrix of ``model`` to zero, in place; returns ``model``.

    Exactly one of:
    ``sparsity`` s in [0, 1): in each matrix (``scope="layer"``) or over all
    of them together (``scope="global"``), the round(s n) entries of smallest
    |w_ij| are pruned, counting entries already pruned, so calling again with
    a larger s continues an iterative schedule;
    ``threshold`` t >= 0: every entry with |w_ij| < t is pruned (the same in
    either scope).
    Pruned entries stay exactly zero through optimiser steps, gradients,
    ``load_state_dict`` and ``to(device)``; the masks are buffers named
    ``<parameter>_mask`` and are saved with the model.
    """
    if (sparsity is None) == (threshold is None):
        raise ValueError(f"prune needs exactly one of sparsity and threshold, got sparsity={sparsity!r}, "
                         f"threshold={threshold!r}")
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, got {scope!r}")
    if sparsity is not None:
        if isinstance(sparsity, bool) or not isinstance(sparsity, (int, float, numpy.number)) or \
                not 0.0 <= float(sparsity) < 1.0:
            raise ValueError(f"sparsity must be a number in [0, 1), got {sparsity!r}")
    else:
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float, numpy.number)) or \
                not 0.0 <= float(threshold) < numpy.inf:
            raise ValueError(f"threshold must be a finite number >= 0, got {threshold!r}")
    weights = prunable_weights(model)
    if not weights:
        raise ValueError(f"{type(model).__name__} has no weight matrix to prune (no Parameter with 2 or more axes)")
    scores = [_scores(parameter) for _, _, _, parameter in weights]
    if threshold is not None:
        keeps = [score >= float(threshold) for score in scores]
    elif scope == "layer":
        keeps = [_keep_largest(score, float(sparsity)) for score in scores]
    else:
        flat = _keep_largest(numpy.concatenate([score.ravel() for score in scores]), float(sparsity))
        bounds = numpy.cumsum([0] + [score.size for score in scores])
        keeps = [flat[start:stop].reshape(score.shape) for start, stop, score in zip(bounds[:-1], bounds[1:], scores)]
    for (_, module, attribute, _), keep in zip(weights, keeps):
        attach_mask(module, attribute, keep)
    return model


def _scores(parameter):
    """|w_ij| on the host, with entries already pruned at -1 so they are the first to go again."""
    score = numpy.abs(to_numpy(parameter.data)).astype(numpy.float64)
    if numpy.isnan(score).any():
        raise ValueError("cannot prune a weight matrix that holds NaN")
    mask = mask_of(parameter)
    if mask is not None:
        score[~to_numpy(mask)] = -1.0
    return score


def _keep_largest(score, sparsity):
    """A boolean array, False at the round(sparsity * n) smallest scores (ties broken by position)."""
    count = int(numpy.floor(sparsity * score.size + 0.5))
    keep = numpy.ones(score.size, dtype=bool)
    keep[numpy.argsort(score.ravel(), kind="stable")[:count]] = False
    return keep.reshape(score.shape)


def attach_mask(module, attribute, keep):
    """Prune ``module.<attribute>`` with the boolean array ``keep`` (True = kept), combined with any earlier mask."""
    parameter = module._parameters[attribute]
    keep = numpy.asarray(to_numpy(keep), dtype=bool)
    if keep.shape != tuple(parameter.shape):
        raise ValueError(f"a mask for {attribute} must have its shape {tuple(parameter.shape)}, got {keep.shape}")
    previous = mask_of(parameter)
    if previous is not None:
        keep = keep & to_numpy(previous)
    if type(parameter) not in (Parameter, MaskedParameter):
        raise TypeError(f"can prune only plain nn.Parameter weights, got {type(parameter).__name__}")
    buffer_name = mask_buffer_name(attribute)
    module.register_buffer(buffer_name, _on_device_of(keep, parameter.data))
    _make_masked(parameter, module, buffer_name)
    parameter.data = parameter.data
    if parameter.grad is not None:
        parameter.grad = ag.Tensor(apply_mask(parameter.grad.data, keep))


def _make_masked(parameter, module, buffer_name):
    """Make ``parameter`` a MaskedParameter in place (optimisers keep it), masked by ``module.<buffer_name>``."""
    if not isinstance(parameter, MaskedParameter):
        parameter.__class__ = MaskedParameter
        parameter.register_hook(_MaskGradient(parameter))
        weakref.finalize(parameter, _MASK_OWNERS.pop, id(parameter), None)
    _MASK_OWNERS[id(parameter)] = (weakref.ref(module), buffer_name)


def sparsity(model):
    """{name: fraction of exactly-zero entries} for every weight matrix, and ``"total"`` over all of them."""
    fractions = OrderedDict()
    zeros = total = 0
    for name, _, _, parameter in prunable_weights(model):
        values = to_numpy(parameter.data)
        fractions[name] = float((values == 0).mean())
        zeros += int((values == 0).sum())
        total += values.size
    for module_name, module in model.named_modules():
        dense = getattr(module, "dense_weight", None)
        if callable(dense):
            values = to_numpy(dense())
            fractions[f"{module_name}.weight" if module_name else "weight"] = float((values == 0).mean())
            zeros += int((values == 0).sum())
            total += values.size
    fractions["total"] = zeros / total if total else 0.0
    return fractions
