"""The chapter's computational graphs, built with the public API, for tests, tutorials and the command line.

* Figure 3.1: o = cos(w^2), with do/dw = -2 w sin(w^2) (Eq. 3.1).
* Figure 3.3: o = sin(w^2) + cos(w^2): two paths from w to o.
* Figure 3.4: layers of units, each the product of all units of the layer
  before; with width 2 and depth 5 the output is w^32, reached by 32 paths.
"""
from .tensor import Tensor


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


def figure_3_4(depth=5, width=2, w=1.01):
    """The layered product graph of Figure 3.4; returns ``(w, o)``.

    Layer 1 holds ``width`` copies of w (each w * 1); every later unit is the
    product of all units of the layer before, and the output is the product of
    the last layer. There are width^depth paths from w to o, and o = w^(width^depth).
    """
    if depth < 1 or width < 1:
        raise ValueError(f"figure_3_4 needs depth >= 1 and width >= 1, got depth={depth}, width={width}")
    w = _leaf(w, "w")
    layer = []
    for unit in range(width):
        copy = w * 1.0
        copy.name = f"h1,{unit + 1}"
        layer.append(copy)
    for level in range(2, depth + 1):
        layer = [_product(layer, f"h{level},{unit + 1}") for unit in range(width)]
    return w, _product(layer, "o")


def _product(values, name):
    result = values[0]
    for value in values[1:]:
        result = result * value
    if len(values) == 1:
        result = result * 1.0
    result.name = name
    return result


def _leaf(value, name):
    if isinstance(value, Tensor):
        return value
    return Tensor(float(value), requires_grad=True, name=name)
