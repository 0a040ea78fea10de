"""The chapter's computational graphs, built with the public API, for tests, tutorials and the command line.

* Eq. 3.1: o = sigmoid(sigmoid(w)), the chain rule for a composition of two functions:
  do/dw = sigmoid'(sigmoid(w)) sigmoid'(w), with sigmoid'(v) = sigmoid(v) (1 - sigmoid(v)).
* Figure 3.1: o = cos(w^2), with do/dw = -2 w sin(w^2).
* Figure 3.3: o = sin(w^2) + cos(w^2): two paths from w to o.
* Figure 3.4: layers of units, each the product of all units of the layer
  before; with width 2 and depth 5 the output is w^32, reached by 32 paths.
* ``scalar_mlp``: a small multilayer perceptron with one node per scalar, the
  neuron-level graph of Section 3.2.3; every weight of the first layer reaches
  the output by width^(depth - 1) paths.
* ``mlp``: the same network with one node per matrix, ending in a squared-error loss.
"""
import numpy

from .tensor import Tensor

ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "hard_tanh")


def equation_3_1(w=0.5):
    """o = sigmoid(sigmoid(w)) (Eq. 3.1); returns ``(w, o)``.

    By the chain rule do/dw = o (1 - o) * s (1 - s) with s = sigmoid(w): the
    local derivative of the outer sigmoid at s times that of the inner one at w.
    """
    w = _leaf(w, "w")
    s = w.sigmoid()
    s.name = "s = sigmoid(w)"
    o = s.sigmoid()
    o.name = "o"
    return w, o


def figure_3_1(w=0.5):
    """o = cos(w^2) (Figure 3.1); returns ``(w, o)``."""
    w = _leaf(w, "w")
    y = w ** 2
    y.name = "y = w^2"
    o = y.cos()
    o.name = "o"
    return w, o


def figure_3_3(w=0.5):
    """o = sin(w^2) + cos(w^2) with w^2 computed once (Figure 3.3); returns ``(w, o)``."""
    w = _leaf(w, "w")
    y = w ** 2
    y.name = "y = w^2"
    p = y.sin()
    p.name = "p"
    q = y.cos()
    q.name = "q"
    o = p + q
    o.name = "o"
    return w, o


def figure_3_4(depth=5, width=2, w=1.01, return_layers=False):
    """The layered product graph of Figure 3.4; returns ``(w, o)``, or ``(w, o, layers)`` with ``return_layers``.

    Layer 1 holds ``width`` copies of w (each w * 1); every later unit is the
    product of all units of the layer before, and the output is the product of
    the last layer. There are width^depth paths from w to o, and o = w^(width^depth).
    ``layers`` maps ``"layer k"`` (and ``"output"``) to the tensors computed there, for
    ``draw(collapse=layers)``.
    """
    if depth < 1 or width < 1:
        raise ValueError(f"figure_3_4 needs depth >= 1 and width >= 1, got depth={depth}, width={width}")
    w = _leaf(w, "w")
    layers = {"layer 1": []}
    layer = []
    for unit in range(width):
        copy = w * 1.0
        copy.name = f"h1,{unit + 1}"
        layer.append(copy)
        layers["layer 1"].append(copy)
    for level in range(2, depth + 1):
        members = layers.setdefault(f"layer {level}", [])
        layer = [_product(layer, f"h{level},{unit + 1}", members) for unit in range(width)]
    o = _product(layer, "o", layers.setdefault("output", []))
    return (w, o, layers) if return_layers else (w, o)


def _product(values, name, members=None):
    """The product of ``values``, named ``name``; every tensor it makes is appended to ``members``."""
    made = []
    result = values[0]
    for value in values[1:]:
        result = result * value
        made.append(result)
    if len(values) == 1:
        result = result * 1.0
        made.append(result)
    result.name = name
    if members is not None:
        members.extend(made)
    return result


def _leaf(value, name):
    if isinstance(value, Tensor):
        return value
    return Tensor(float(value), requires_grad=True, name=name)


def scalar_mlp(depth=3, width=2, inputs=(0.5, -1.0), activation="tanh", seed=0):
    """A scalar multilayer perceptron: ``depth`` hidden layers of ``width`` units and one linear output unit.

    Unit j of layer r computes a(r)_j = sum_i w(r)_ji h(r-1)_i (its
    pre-activation) and h(r)_j = Phi(a(r)_j); the output is o = sum_j v_j h(depth)_j.
    ``activation`` is one of ``ACTIVATIONS`` or a list with one per hidden
    layer. Returns ``(weights, o, layers)``: the weights (first layer first,
    each requiring gradients), the output, and ``{"layer r": [tensors]}``
    holding each layer's weights and units, for ``draw(collapse=layers)``.
    """
    if depth < 1 or width < 1:
        raise ValueError(f"scalar_mlp needs depth >= 1 and width >= 1, got depth={depth}, width={width}")
    activations = [activation] * depth if isinstance(activation, str) else list(activation)
    if len(activations) != depth:
        raise ValueError(f"scalar_mlp: got {len(activations)} activations for {depth} hidden layers")
    for name in activations:
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}; choose from {ACTIVATIONS}")
    rng = numpy.random.default_rng(seed)
    units = [Tensor(float(value), name=f"x{number + 1}") for number, value in enumerate(inputs)]
    weights, layers = [], {}
    for level in range(1, depth + 2):
        output_layer = level == depth + 1
        size = 1 if output_layer else width
        members, next_units = [], []
        for j in range(size):
            total = None
            for i, unit in enumerate(units):
                name = f"v{i + 1}" if output_layer else f"w{level}_{j + 1}{i + 1}"
                weight = Tensor(float(rng.normal(0.0, 1.0)), requires_grad=True, name=name)
                weights.append(weight)
                members.append(weight)
                product = weight * unit
                members.append(product)
                total = product if total is None else total + product
                members.append(total)
            if output_layer:
                total.name = "o"
                next_units.append(total)
                continue
            total.name = f"a{level}_{j + 1}"
            hidden = _activate(total, activations[level - 1])
            hidden.name = f"h{level}_{j + 1}"
            members.append(hidden)
            next_units.append(hidden)
        layers["output layer" if output_layer else f"layer {level}"] = list({id(m): m for m in members}.values())
        units = next_units
    return weights, units[0], layers


def mlp(depth=3, width=4, features=3, batch=5, seed=0):
    """A tensor MLP, ``depth`` tanh layers then a linear output, with loss L = mean((o - y)^2).

    Returns ``(parameters, L, layers)`` as ``scalar_mlp`` does, one node per
    matrix: W(r) of shape (inputs, width) and b(r) of shape (width,).
    """
    rng = numpy.random.default_rng(seed)
    x = Tensor(rng.normal(size=(batch, features)), name="x")
    target = Tensor(rng.normal(size=(batch, 1)), name="y")
    parameters, layers, h, fan_in = [], {}, x, features
    for level in range(1, depth + 2):
        output_layer = level == depth + 1
        fan_out = 1 if output_layer else width
        W = Tensor(rng.normal(0.0, 1.0 / numpy.sqrt(fan_in), size=(fan_in, fan_out)), requires_grad=True,
                   name=f"W{level}")
        b = Tensor(numpy.zeros(fan_out), requires_grad=True, name=f"b{level}")
        product = h @ W
        a = product + b
        a.name = "o" if output_layer else f"a{level}"
        h = a if output_layer else a.tanh()
        if not output_layer:
            h.name = f"h{level}"
        parameters += [W, b]
        layers["output layer" if output_layer else f"layer {level}"] = [W, b, product, a, h]
        fan_in = fan_out
    difference = h - target
    loss = (difference * difference).mean()
    loss.name = "L"
    return parameters, loss, layers


def _activate(value, name):
    if name == "identity":
        return value * 1.0
    return getattr(value, name)()
