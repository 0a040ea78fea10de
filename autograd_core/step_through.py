"""Watch backpropagation happen: a self-contained web page that steps through the dynamic programme (Eq. 3.8).

``step_through(output)`` draws the computational graph once with Graphviz,
inlines the SVG, the steps of ``trace_backward`` as JSON and a small script
into one HTML file: no server, no network, no external file. At step k the
nodes finished before are coloured with their gradients, the node being
finished shows its contributions, sum over consumers j of do/dy(j) * z(i, j),
and the nodes still to do are greyed. With ``mode="paths"`` it steps through
the sum over paths of Lemma 3.2.1 instead: one path lit at a time, the product
of its local derivatives, the running sum, and at the end its equality with
the dynamic programme. The arrow keys step, the URL fragment (``#step=k``,
the numbers ``trace_backward`` gives) keeps the step, and the returned
object displays inline in Jupyter (``_repr_html_``).
"""
import hashlib
import html
import itertools
import json
import os
import re
from importlib import resources

import numpy

from . import backend
from .trace import _signed, summarise, trace_backward
from .viz import GraphvizNotFoundError, draw, node_names

TEMPLATE = "step_through_player.html"
_INSTALL_DOT = (
    "the step-through player lays out the graph with Graphviz's 'dot' program, which was not found on PATH. "
    "Install Graphviz: 'sudo apt-get install graphviz' (Debian, Ubuntu), 'brew install graphviz' (macOS), "
    "'conda install -c conda-forge graphviz' (conda), or see graphviz.org/download"
)
_players = itertools.count()


class StepThrough:
    """A step-through player: ``html`` is the whole page, ``fragment`` the part a notebook shows inline.

    ``trace`` holds the steps it shows (``trace_backward``'s), ``path`` the
    file it was saved to, if any.
    """

    def __init__(self, fragment, title, trace, path=None):
        self.fragment = fragment
        self.title = title
        self.trace = trace
        self.path = path

    @property
    def html(self):
        # the page owns its URL, so there the fragment keeps the step; a notebook's URL is left alone
        body = self.fragment.replace('data-hash="0"', 'data-hash="1"', 1)
        return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{html.escape(self.title)}</title>\n</head>\n<body>\n"
                f"{body}\n</body>\n</html>\n")

    def save(self, path):
        """Write the page to ``path`` (UTF-8); returns the path."""
        path = os.fspath(path)
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(path, "w", encoding="utf-8") as file:
            file.write(self.html)
        self.path = path
        return path

    def _repr_html_(self):
        return self.fragment

    def __repr__(self):
        unit = "steps" if self.trace.mode == "dp" else "paths"
        where = f", saved to {self.path}" if self.path else ""
        return f"<StepThrough {self.title!r}: {len(self.trace)} {unit}{where}>"


def step_through(output, path=None, mode="dp", inputs=None, grad_output=None, max_paths=1000, title=None,
                 rankdir="LR"):
    """A player of ``trace_backward(output, inputs, mode, grad_output, max_paths)``; saved to ``path`` if given.

    ``mode="dp"`` shows one node finished per step, ``mode="paths"`` one
    path per step (refusing inputs with more than ``max_paths`` paths: a
    player is for watching, so the default is lower than ``grad``'s).
    Needs the ``graphviz`` Python package and Graphviz's ``dot`` program.
    """
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"step_through: path must be a file name or None, got {type(path).__name__}")
    trace = trace_backward(output, inputs=inputs, mode=mode, grad_output=grad_output, max_paths=max_paths)
    if mode == "paths" and not len(trace):
        raise ValueError("step_through: none of the inputs has a path to the output, so there is nothing to step "
                         "through; pass inputs connected to it")
    if title is None:
        title = f"{'Backpropagation' if mode == 'dp' else 'The sum over paths'} from {trace.symbol(output)}"
    svg = _diagram(output, rankdir)
    node_id = node_names(output)  # the DOT names of the drawing, to light its nodes and edges
    data = _dp_data(trace, node_id) if mode == "dp" else _paths_data(trace, node_id)
    data.update(mode=mode, title=title)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    digest = hashlib.sha1(payload.encode("utf-8")).hexdigest()[:10]
    player_id = f"agst-{digest}-{next(_players)}"
    template = resources.files(__package__).joinpath(TEMPLATE).read_text(encoding="utf-8")
    fragment = (template.replace("__AGST_ID__", player_id)
                .replace("__AGST_TITLE__", html.escape(title))
                .replace("__AGST_SVG__", svg)
                .replace("__AGST_DATA__", payload))
    player = StepThrough(fragment, title, trace)
    if path is not None:
        player.save(path)
    return player


def _diagram(output, rankdir):
    """The graph drawn by ``draw`` without gradients, as SVG markup to inline in HTML (no prolog, no URLs)."""
    import graphviz

    digraph = draw(output, show_grads=False, rankdir=rankdir)
    try:
        svg = digraph.pipe(format="svg").decode("utf-8")
    except graphviz.ExecutableNotFound as error:
        raise GraphvizNotFoundError(_INSTALL_DOT) from error
    svg = svg[svg.index("<svg"):]
    # HTML knows the SVG namespace: the declarations are the only URLs in the drawing, and nothing needs them
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)
    return svg.replace("<svg ", '<svg class="agst-svg" ', 1)


def _exact(value):
    """A scalar as the text of its float (the test of the page reads it back), else None."""
    if value is None:
        return None
    array = backend.to_numpy(value) if hasattr(value, "shape") else numpy.asarray(value)
    return repr(float(array.reshape(-1)[0])) if array.size == 1 else None


def _badge(value, output_symbol, symbol, by="∂"):
    """What a finished node shows beneath it: its gradient, or a tensor gradient's norm."""
    array = backend.to_numpy(value)
    if array.size == 1:
        return f"{by}{output_symbol}/∂{symbol} = {summarise(array)}"
    norm = float(numpy.sqrt(numpy.sum(numpy.square(array, dtype=numpy.float64))))
    return f"‖{by}{output_symbol}/∂{symbol}‖ = {summarise(norm)}"


def _dp_data(trace, node_id):
    output_symbol = trace.symbol(trace.output)
    steps = []
    for step in trace:
        left, symbolic, numeric, value = step.formula(output_symbol)
        terms = []
        for term in step.contributions:
            consumer = trace.symbol(term.consumer)
            gradient = f"∂{output_symbol}/∂{consumer}"
            if term.is_scalar:
                written = f"{gradient} · z({step.name}, {consumer})"
                numbers = f"{summarise(term.grad_output)} × {summarise(term.local)}"
                local = summarise(term.local)
            else:
                written = f"J({step.name}, {consumer})ᵀ {gradient}"
                numbers = f"Jᵀ {summarise(term.grad_output)}"
                local = f"J^T g of {term.operation.name}"
            terms.append(dict(consumer=node_id(term.consumer), consumer_name=consumer,
                              operation=node_id(term.operation), operation_name=term.operation.name,
                              written=written, numbers=numbers, grad_output=summarise(term.grad_output),
                              local=local, product=summarise(term.product), product_exact=_exact(term.product)))
        if step.is_output:
            sum_text = f"{left} = {value}"
        elif len(numeric) > 1 or step.contributions[0].is_scalar:
            sum_text = f"{left} = {' + '.join(numeric)} = {value}"
        else:
            sum_text = f"{left} = {value}"
        steps.append(dict(node=node_id(step.node), operation=None if step.is_leaf else node_id(step.node.grad_fn),
                          name=step.name, label=str(step.node.name or step.name), is_leaf=step.is_leaf,
                          is_output=step.is_output, formula=f"{left} = {' + '.join(symbolic)}", terms=terms,
                          sum=sum_text, value=value, value_exact=_exact(step.grad),
                          badge=_badge(step.grad, output_symbol, step.name),
                          text=str(step)))
    return dict(steps=steps, output=output_symbol)


def _paths_data(trace, node_id):
    names = trace.names
    steps = []
    for step in trace:
        route = [node_id(tensor) for tensor in step.path]
        operations = [node_id(node) for node in step.operations]
        edges = []
        for before, operation, after in zip(route, operations, route[1:]):
            edges += [f"{before}->{operation}", f"{operation}->{after}"]
        if step.is_scalar:
            factors = " × ".join(_signed(summarise(local)) for local in step.locals) or "1"
            product = f"{' · '.join(step.edge_labels()) or '1'} = {factors} = {summarise(step.product)}"
        else:
            product = (f"{' · '.join(step.edge_labels())}: a product of {len(step.locals)} Jacobians, applied to "
                       f"the output's gradient = {summarise(step.product)}")
        steps.append(dict(input=node_id(step.input), input_name=names.symbol(step.input),
                          path_number=step.path_number, path_count=step.path_count, nodes=route,
                          operations=operations, edges=edges,
                          route=" → ".join(names.symbol(tensor) for tensor in step.path), product=product,
                          product_value=summarise(step.product), product_exact=_exact(step.product),
                          running=summarise(step.running_sum), running_exact=_exact(step.running_sum),
                          text=str(step)))
    checks = []
    for check in trace.checks:
        if not check.path_count:
            continue
        last = max(number for number, step in enumerate(trace) if step.input is check.input)
        checks.append(dict(input=node_id(check.input), name=names.symbol(check.input), paths=check.path_count,
                           last_step=last, path_sum=summarise(check.path_sum), path_sum_exact=_exact(check.path_sum),
                           dp=summarise(check.dp), dp_exact=_exact(check.dp), agrees=check.agrees,
                           badge=_badge(check.path_sum, trace.symbol(trace.output), names.symbol(check.input),
                                        by="Σ ∂"),
                           text=str(check)))
    return dict(steps=steps, checks=checks, output=trace.symbol(trace.output))
