"""A small training loop: mini-batch gradient descent with validation each epoch (Section 3.2.8).

``fit`` runs epochs of forward pass, loss (plus any penalties on hidden
nodes, Section 3.2.7), backward pass and optimiser step, shows a tqdm
progress bar with the loss and metrics when tqdm is installed, evaluates on
validation data after each epoch, and returns the history for plotting.
The optimiser is any object with ``step()`` and ``zero_grad()`` (such as
``optim.SGD(model.parameters(), lr=0.1, momentum=0.9)``); without one, fit
applies the momentum update v <- mu v - lr g, w <- w + v itself.
"""
import time

import numpy

import autograd_core as ag

from . import functional
from .arrays import array_module, raw, to_numpy
from .checks import describe, non_negative_int, positive_int, real_number, tensor_like
from .data import DataLoader


class MomentumSGD:
    """The update fit applies when given no optimiser: v <- momentum v - lr dL/dw; w <- w + v."""

    def __init__(self, parameters, lr=0.1, momentum=0.9):
        self.parameters = list(parameters)
        self.lr = real_number(lr, "lr", "MomentumSGD", minimum=0)
        self.momentum = real_number(momentum, "momentum", "MomentumSGD", minimum=0, maximum=1,
                                    include_maximum=False)
        self.velocities = [None] * len(self.parameters)

    def step(self):
        for index, parameter in enumerate(self.parameters):
            if parameter.grad is None:
                continue
            grad = parameter.grad.data if isinstance(parameter.grad, ag.Tensor) else parameter.grad
            velocity = self.velocities[index]
            velocity = -self.lr * grad if velocity is None else self.momentum * velocity - self.lr * grad
            self.velocities[index] = velocity
            parameter.data = parameter.data + velocity.astype(parameter.dtype, copy=False)

    def zero_grad(self):
        for parameter in self.parameters:
            parameter.grad = None


class History(dict):
    """Per-epoch lists: ``loss`` and each training metric, ``val_loss`` and ``val_<metric>``, ``seconds``."""

    def last(self):
        """The final epoch's values, name -> number."""
        return {name: values[-1] for name, values in self.items() if values}


def accuracy(output, target):
    """The fraction of rows whose largest score is at the label (or at the target row's largest entry).

    ``output``: scores of shape (..., C) with C >= 2 classes. ``target``: integer
    labels of shape (...) or (..., 1), or one-hot or probability rows of shape (..., C).
    """
    scores = to_numpy(tensor_like(output, "output", "accuracy", min_ndim=1))
    target = to_numpy(target)
    classes = scores.shape[-1]
    if classes < 2:
        raise ValueError(f"accuracy: output must hold a score per class in its last axis, at least 2, got shape "
                         f"{scores.shape}; for one score per example, compare (output > threshold) with the "
                         "labels yourself")
    if scores.size == 0:
        raise ValueError(f"accuracy: output holds no example (shape {scores.shape}); the fraction is undefined")
    if target.shape == scores.shape:
        labels = target.argmax(axis=-1)
    elif target.shape in (scores.shape[:-1], scores.shape[:-1] + (1,)):
        labels = target.reshape(scores.shape[:-1])
        if labels.dtype.kind not in "iu" and not (labels.dtype.kind == "f" and bool((labels == numpy.round(labels))
                                                                                    .all())):
            raise ValueError(f"accuracy: labels of shape {target.shape} must be integers, got dtype {target.dtype}")
    else:
        raise ValueError(f"accuracy: target of shape {target.shape} matches output of shape {scores.shape} "
                         f"neither as labels (shape {scores.shape[:-1]} or {scores.shape[:-1] + (1,)}) nor as "
                         f"one-hot rows (shape {scores.shape})")
    return float((scores.argmax(axis=-1) == labels).mean())


def predict(model, X, batch_size=512):
    """The model's outputs for ``X`` in evaluation mode, without recording a graph, as an array."""
    tensor_like(X, "X", "predict", min_ndim=1)
    batch_size = positive_int(batch_size, "batch_size", "predict")
    if len(X) == 0:
        raise ValueError("predict needs at least one example")
    was_training = model.training
    model.eval()
    try:
        with ag.no_grad():
            outputs = [raw(model(batch)) for (batch,) in DataLoader(X, batch_size=batch_size)]
    finally:
        model.train(was_training)
    return array_module(outputs[0]).concatenate(outputs, axis=0)


def evaluate(model, X, y, loss_fn=functional.cross_entropy, metrics=None, batch_size=512):
    """{"loss": ..., metric name: ...} of the model on (X, y), in evaluation mode."""
    output = predict(model, X, batch_size=batch_size)
    results = {"loss": float(loss_fn(ag.Tensor(output), y).item())}
    for name, metric in (metrics or {}).items():
        results[name] = metric(output, y)
    return results


def fit(model, train, loss_fn=functional.cross_entropy, optimizer=None, epochs=10, batch_size=32,
        validation=None, metrics=None, seed=0, progress=True, drop_last=True, penalty=None, lr=0.1,
        momentum=0.9, parallel=None):
    """Train ``model`` and return a ``History``.

    ``train``: an ``nn.data.DataLoader`` or a tuple (X, y), batched with
    ``batch_size``, shuffled with ``seed`` and, by default, dropping a short
    last batch. ``loss_fn(output, y)``: a function or loss module.
    ``optimizer``: anything with ``step()`` and ``zero_grad()``; None uses
    ``MomentumSGD(model.parameters(), lr, momentum)``. ``validation``: (X, y)
    evaluated after every epoch. ``metrics``: name -> function(output, y).
    ``penalty``: a function model -> Tensor added to every batch's loss
    (e.g. ``lambda m: nn.functional.weight_penalty(m, l2=1e-4)``); penalties
    recorded by ``ActivityPenalty`` layers are always added.
    ``parallel``: an ``nn.parallel.DataParallel`` that takes each step on its
    workers with its own optimiser and loss (the same batches, so the same
    result as the serial fit); it starts from the model's weights, and the
    model gets the trained weights after every epoch.
    """
    epochs = non_negative_int(epochs, "epochs", "fit")
    if not isinstance(train, DataLoader) and not (isinstance(train, (tuple, list)) and len(train) == 2):
        raise TypeError(f"fit: train must be an nn.DataLoader or a pair (X, y), got {describe(train)}")
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be a function or loss module (output, y) -> loss, got "
                        f"{describe(loss_fn)}")
    if validation is not None and not (isinstance(validation, (tuple, list)) and len(validation) == 2):
        raise TypeError(f"fit: validation must be a pair (X, y) or None, got {describe(validation)}")
    if parallel is not None:
        _check_parallel(parallel, loss_fn, optimizer, penalty)
        parallel.load_state_dict(model.state_dict())
    loader = train if isinstance(train, DataLoader) else DataLoader(
        *train, batch_size=batch_size, shuffle=True, seed=seed, drop_last=drop_last)
    if len(loader) == 0:
        raise ValueError(f"no training batch: {loader.num_examples} examples with batch_size={loader.batch_size} "
                         "and drop_last=True")
    optimizer = optimizer if optimizer is not None else MomentumSGD(model.parameters(), lr=lr, momentum=momentum)
    metrics = dict(metrics or {})
    history = History(loss=[], seconds=[], **{name: [] for name in metrics})
    if validation is not None:
        history["val_loss"] = []
        history.update({f"val_{name}": [] for name in metrics})
    bar = _progress_bar(total=epochs * len(loader), enabled=progress)
    started = time.perf_counter()
    try:
        for epoch in range(epochs):
            model.train()
            totals = {name: 0.0 for name in ["loss", *metrics]}
            seen = 0
            for X_batch, y_batch in loader:
                if parallel is not None:
                    loss_value, output_data = parallel.step(to_numpy(X_batch), to_numpy(y_batch), return_output=True)
                else:
                    output = model(X_batch)
                    loss = loss_fn(output, y_batch)
                    extra = functional.hidden_penalties(model)
                    if penalty is not None:
                        extra = penalty(model) if extra is None else extra + penalty(model)
                    objective = loss if extra is None else loss + extra
                    optimizer.zero_grad()
                    objective.backward()
                    functional.release_hidden_penalties(model)   # else the last batch's graph outlives fit
                    optimizer.step()
                    loss_value, output_data = float(loss.item()), output.data
                count = len(X_batch)
                seen += count
                totals["loss"] += loss_value * count
                for name, metric in metrics.items():
                    totals[name] += metric(output_data, y_batch) * count
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(epoch=epoch + 1, loss=f"{totals['loss'] / seen:.4f}", refresh=False)
            for name, total in totals.items():
                history[name].append(total / seen)
            if parallel is not None:
                model.load_state_dict(parallel.state_dict())
            if validation is not None:
                results = evaluate(model, *validation, loss_fn=loss_fn, metrics=metrics)
                for name, value in results.items():
                    history[f"val_{name}"].append(value)
                if bar is not None:
                    bar.set_postfix(epoch=epoch + 1, loss=f"{history['loss'][-1]:.4f}",
                                    **{f"val_{name}": f"{value:.4f}" for name, value in results.items()})
            history["seconds"].append(time.perf_counter() - started)
    finally:
        if bar is not None:
            bar.close()
        model.train()
    return history


def _check_parallel(parallel, loss_fn, optimizer, penalty):
    """The serial fit's settings that a parallel fit cannot honour are errors, not silently ignored."""
    if not hasattr(parallel, "step") or not hasattr(parallel, "load_state_dict"):
        raise TypeError(f"parallel must be an nn.parallel.DataParallel, got {type(parallel).__name__}")
    if optimizer is not None:
        raise ValueError("with parallel=, each worker steps with the DataParallel's optimizer_fn: leave optimizer=None")
    if penalty is not None:
        raise ValueError("penalty= is not applied by the workers of parallel=; add the penalty to its loss_fn")
    if getattr(parallel, "loss_fn", loss_fn) is not loss_fn:
        raise ValueError(f"fit's loss_fn ({loss_fn!r}) differs from the DataParallel's ({parallel.loss_fn!r}); "
                         "give both the same")


def _progress_bar(total, enabled):
    """A tqdm bar when tqdm is installed and ``enabled``, else None (training runs without a bar)."""
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="batch", leave=True)
