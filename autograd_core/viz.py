"""Graphviz drawings of the computational graph (Section 3.2, Figures 3.1 to 3.5).

``draw(output)`` walks the recorded graph back from ``output`` (iteratively,
never by recursion) and returns a ``graphviz.Digraph``: one node per tensor
(its name, shape, dtype, small values, and its gradient once backward has
run) and one node per operation, with edges in the direction of computation.
Edges can carry the local derivative z(i, j) = dy(j)/dy(i) of Figure 3.5,
the paths between an input and the output can be highlighted (Figures 3.2
and 3.4, Lemma 3.2.1), and groups of tensors (a layer, a module) can be
collapsed into one box.

The ``graphviz`` Python package is optional and imported only when drawing;
rendering to a file also needs Graphviz's ``dot`` program (``render``).
"""
import os

import numpy

from . import backend
from .tensor import ReleasedArray, Tensor, graph_node

#: Fill colours by role, also listed in the README's legend.
COLOURS = {
    "parameter": "#b7e1a1",   # a leaf that requires gradients (a weight, or w in the figures)
    "constant": "#e6e6e6",    # a leaf that does not (data, targets)
    "output": "#9ecae1",      # what draw() was called on
    "intermediate": "#ffffff",
    "operation": "#fdd49e",
    "group": "#fdae6b",       # a collapsed group of operations
}
HIGHLIGHT = "#d62728"
RANKDIRS = ("LR", "TB", "RL", "BT")

_INSTALL_PYTHON_PACKAGE = (
    "drawing computational graphs needs the graphviz Python package: pip install -e \".[graphviz]\" from a clone "
    "(or pip install graphviz)"
)
_INSTALL_DOT = (
    "rendering {path!r} needs Graphviz's 'dot' program, which was not found on PATH. Install Graphviz: "
    "'sudo apt-get install graphviz' (Debian, Ubuntu), 'brew install graphviz' (macOS), "
    "'conda install -c conda-forge graphviz' (conda), or see https://graphviz.org/download/. "
    "The DOT text is still available as digraph.source."
)


def _key(tensor):
    """One key per graph node: a large intermediate and its stand-in without values share it."""
    return ("t", id(graph_node(tensor)))


def node_names(output):
    """A function giving the DOT name that ``draw(output)`` gives a tensor (``t<n>``) or an operation (``f<n>``).

    Names number the nodes in the order ``draw`` walks the graph back from ``output`` (a Tensor or a
    list of them), so the same graph gives the same DOT text on every run. Build it once for many lookups.
    """
    names = _Graph([output] if isinstance(output, Tensor) else list(output)).names

    def name_of(tensor_or_operation):
        key = (_key(tensor_or_operation) if isinstance(tensor_or_operation, Tensor)
               else ("f", id(tensor_or_operation)))
        if key not in names:
            raise ValueError(f"node_id: {tensor_or_operation!r} is not in the graph of the given output")
        return names[key]

    return name_of


def node_id(tensor_or_operation, output):
    """The DOT name ``draw(output)`` gives one tensor or operation (see ``node_names`` for many)."""
    return node_names(output)(tensor_or_operation)


class GraphvizNotFoundError(RuntimeError):
    """Raised by ``render`` when Graphviz's ``dot`` program is not installed."""


def _graphviz():
    try:
        import graphviz
    except ImportError as error:
        raise ImportError(_INSTALL_PYTHON_PACKAGE) from error
    return graphviz


def draw(output, show_values=True, show_grads=True, edge_labels=False, highlight_paths=None, collapse=None,
         rankdir="auto", expand_groups=False, max_values=6, title=None):
    """Draw the graph that produced ``output`` (a Tensor or a list of Tensors); returns a ``graphviz.Digraph``.

    * ``show_values`` / ``show_grads``: print each tensor's value and
      gradient when it has at most ``max_values`` entries (otherwise only
      its shape; the gradient of a non-leaf is kept only after ``retain_grad()``).
    * ``edge_labels``: label each edge into an operation with the local
      derivative z(i, j) = dy(j)/dy(i) (Figure 3.5) where both ends are
      scalars. It needs the saved values, so draw before ``backward()`` or
      backpropagate with ``retain_graph=True``.
    * ``highlight_paths``: a Tensor w highlights every path from w to the
      output (Lemma 3.2.1); ``(w, [0, 3])`` highlights the paths numbered
      0 and 3 in the order ``ag.paths(output, w)`` yields them; a list of
      paths as ``ag.paths`` yields them highlights exactly those.
    * ``collapse``: ``{"layer 1": [tensors...], ...}`` or a function
      ``tensor -> group name or None``. Each group is drawn as a labelled
      box holding its leaves, the tensors it hands to the rest of the graph,
      and one node summarising its operations; ``expand_groups=True`` keeps
      every node of the group inside the box instead. An operation belongs
      to the group of the tensor it makes.
    * ``rankdir``: ``"LR"`` (left to right), ``"TB"`` (top to bottom), or
      ``"auto"`` (the default): whichever keeps the drawing nearer a screen's
      shape, so that a long chain does not become a strip many screens wide.

    Node ids number the nodes in the order of the walk (``node_id``), so the
    same graph gives the same DOT text on every run.
    """
    graphviz = _graphviz()
    outputs = [output] if isinstance(output, Tensor) else list(output)
    for value in outputs:
        if not isinstance(value, Tensor):
            raise TypeError(f"draw: expected Tensors, got {type(value).__name__}")
    if rankdir not in RANKDIRS and rankdir != "auto":
        raise ValueError(f"rankdir must be 'auto' or one of {RANKDIRS}, got {rankdir!r}")
    graph = _Graph(outputs)
    if rankdir == "auto":
        rankdir = _screen_shaped_rankdir(graph)
    highlighted_edges, highlighted_tensors, caption = _highlights(graph, outputs, highlight_paths)
    group_of = _groups(graph, collapse)

    dot = graphviz.Digraph(name="computational_graph")
    dot.attr(rankdir=rankdir, fontname="Helvetica", fontsize="12", nodesep="0.25", ranksep="0.35",
             newrank="true")
    dot.attr("node", fontname="Helvetica", fontsize="10", style="filled", penwidth="1")
    dot.attr("edge", fontname="Helvetica", fontsize="9", arrowsize="0.7", color="#555555")
    label_lines = [line for line in (title, caption) if line]
    if label_lines:
        dot.attr(label="\n".join(label_lines), labelloc="t", fontsize="13")

    output_ids = {_key(value) for value in outputs}
    hidden = set()  # keys of tensors and operations folded into a collapsed group's summary node
    groups = {}
    for name in dict.fromkeys(group_of.values()):
        groups[name] = graphviz.Digraph(name=f"cluster_{len(groups)}")
        groups[name].attr(label=name, style="rounded,filled", fillcolor="#fff5eb", color="#e6550d",
                          fontname="Helvetica-Bold", fontsize="11")
    if not expand_groups:
        hidden = _hidden_members(graph, group_of, output_ids)

    for tensor in graph.tensors:
        if _key(tensor) in hidden:
            continue
        role = _role(tensor, output_ids)
        attributes = dict(shape="box", style="rounded,filled", fillcolor=COLOURS[role])
        if _key(tensor) in highlighted_tensors:
            attributes.update(color=HIGHLIGHT, penwidth="2.5")
        target = groups.get(group_of.get(_key(tensor)), dot)
        target.node(graph.names[_key(tensor)], _tensor_label(tensor, show_values, show_grads, max_values), **attributes)

    for node in graph.operations:
        if ("f", id(node)) in hidden:
            continue
        made = graph.output_of[id(node)]
        target = groups.get(group_of.get(_key(made)), dot)
        target.node(graph.names[("f", id(node))], _operation_label(node), shape="ellipse",
                    fillcolor=COLOURS["operation"])

    summaries = _draw_summaries(graph, group_of, hidden, groups)
    for subgraph in groups.values():
        dot.subgraph(subgraph)

    lit_operations = {operation for operation, _ in highlighted_edges}
    summary_edges = {}  # (source, summary) -> highlighted, so a group draws each of its edges once
    for node in graph.operations:
        made = graph.output_of[id(node)]
        folded = ("f", id(node)) in hidden
        node_end = summaries[group_of[_key(made)]] if folded else graph.names[("f", id(node))]
        for input_index, value in enumerate(node.inputs):
            if not isinstance(value, Tensor):
                continue
            source = summaries[group_of[_key(value)]] if _key(value) in hidden else graph.names[_key(value)]
            lit = (id(node), input_index) in highlighted_edges
            if folded:
                if source != node_end:
                    summary_edges[(source, node_end)] = summary_edges.get((source, node_end), False) or lit
                continue
            attributes = dict(color=HIGHLIGHT, penwidth="2.5") if lit else {}
            if edge_labels and node.needs_input_grad[input_index]:
                attributes["label"] = _local_derivative_label(node, input_index, value, made)
            dot.edge(source, node_end, **attributes)
        if _key(made) in hidden:
            continue
        lit = id(node) in lit_operations
        made_name = graph.names[_key(made)]
        if folded:
            summary_edges[(node_end, made_name)] = summary_edges.get((node_end, made_name), False) or lit
            continue
        dot.edge(node_end, made_name, **(dict(color=HIGHLIGHT, penwidth="2.5") if lit else {}))
    for (source, target), lit in summary_edges.items():
        dot.edge(source, target, **(dict(color=HIGHLIGHT, penwidth="2.5") if lit else {}))
    return dot


#: Extensions written as DOT text by ``save_diagram`` (no Graphviz program needed).
DOT_EXTENSIONS = (".dot", ".gv")


def render(digraph, path, format=None):
    """Write ``digraph`` to ``path`` as SVG, PNG, PDF or another format of ``dot`` (``format``, else the extension).

    Needs Graphviz's ``dot`` program; raises ``GraphvizNotFoundError`` with
    the install command when it is missing, and ``ValueError`` naming the
    format when ``dot`` does not know it or cannot write it. Returns the path.
    """
    graphviz = _graphviz()
    path = os.fspath(path)
    if format is None:
        format = os.path.splitext(path)[1].lstrip(".").lower()
        if not format:
            raise ValueError(f"render: cannot tell the format of {path!r}; give it an extension or pass format=")
    if format not in graphviz.FORMATS:
        raise ValueError(f"render: Graphviz does not write the format {format!r} (from {path!r}); use svg, png or "
                         "pdf, or save_diagram with a .dot path for the DOT text")
    try:
        data = digraph.pipe(format=format, quiet=True)
    except graphviz.ExecutableNotFound as error:
        raise GraphvizNotFoundError(_INSTALL_DOT.format(path=path)) from error
    except graphviz.CalledProcessError as error:
        reason = (error.stderr or b"").decode(errors="replace").strip().splitlines()
        raise ValueError(f"render: Graphviz's dot could not write {path!r} as {format}"
                         + (f": {reason[0]}" if reason else "")) from error
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as file:
        file.write(data)
    return path


def save_diagram(digraph, path):
    """Write ``digraph`` to ``path``: DOT text for ``.dot``/``.gv``, else rendered by ``dot`` when it is installed.

    For scripts and tutorials that should run everywhere: without ``dot`` the
    DOT source goes to ``path`` with the extension ``.dot`` and one line says so
    and how to install Graphviz. Returns the path written.
    """
    path = os.fspath(path)
    stem, extension = os.path.splitext(path)
    if extension.lower() in DOT_EXTENSIONS:
        written = _write_text(digraph.source, path)
    elif dot_available():
        written = render(digraph, path)
    else:
        written = _write_text(digraph.source, stem + ".dot")
        print(f"Graphviz's dot is not installed, so {written} holds the DOT text instead of {path} "
              "(install Graphviz to render it: apt-get install graphviz, brew install graphviz)")
        return written
    print("wrote", written)
    return written


def _write_text(text, path):
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "w") as file:
        file.write(text)
    return path


def dot_available():
    """True when the graphviz Python package and Graphviz's ``dot`` program are both installed."""
    import shutil

    try:
        _graphviz()
    except ImportError:
        return False
    return shutil.which("dot") is not None


class _Graph:
    """The tensors and operations behind the outputs, inputs before the operations that use them."""

    def __init__(self, outputs):
        self.tensors, self.operations = [], []
        self.output_of = {}  # id(operation) -> the tensor it made
        seen = set()
        stack = [(value, False) for value in reversed(outputs)]
        while stack:
            tensor, expanded = stack.pop()
            node = tensor.grad_fn
            if expanded:
                self.operations.append(node)
                self.tensors.append(tensor)
                continue
            if _key(tensor) in seen:
                continue
            seen.add(_key(tensor))
            if node is None:
                self.tensors.append(tensor)
                continue
            self.output_of[id(node)] = tensor
            stack.append((tensor, True))
            stack.extend((value, False) for value in reversed(node.inputs)
                         if isinstance(value, Tensor) and _key(value) not in seen)
        # DOT names from the walk's order, not from id(): the same graph gives the same text every run
        self.names = {_key(tensor): f"t{number}" for number, tensor in enumerate(self.tensors)}
        self.names.update({("f", id(node)): f"f{number}" for number, node in enumerate(self.operations)})


#: Rough size in inches of a drawn node, for choosing the direction of the layout.
_NODE_WIDTH, _NODE_HEIGHT = 1.3, 0.6


def _screen_shaped_rankdir(graph):
    """"LR" or "TB", whichever gives the drawing an aspect ratio (width / height) nearer 16:10.

    The graph's ranks are its longest-path levels (every operation and tensor one level); left to
    right, the drawing is about ranks x node width wide and the fullest rank x node height tall.
    """
    level, consumers_of_leaf = {}, {}
    for tensor in graph.tensors:  # inputs come before the operations that use them
        node = tensor.grad_fn
        if node is None:
            level[_key(tensor)] = 0
            continue
        inputs = [value for value in node.inputs if isinstance(value, Tensor)]
        operation_level = 1 + max((level[_key(value)] for value in inputs), default=0)
        level[("f", id(node))] = operation_level
        level[_key(tensor)] = operation_level + 1
        for value in inputs:
            if value.grad_fn is None:
                consumers_of_leaf.setdefault(_key(value), []).append(operation_level)
    for key, consumer_levels in consumers_of_leaf.items():  # dot draws a leaf just before its first consumer
        level[key] = min(consumer_levels) - 1
    counts = {}
    for value in level.values():
        counts[value] = counts.get(value, 0) + 1
    ranks, fullest = len(counts), max(counts.values())
    left_to_right = (ranks * _NODE_WIDTH) / (fullest * _NODE_HEIGHT)
    top_to_bottom = (fullest * _NODE_WIDTH) / (ranks * _NODE_HEIGHT)
    target = 1.6
    return "LR" if abs(numpy.log(left_to_right / target)) <= abs(numpy.log(top_to_bottom / target)) else "TB"


def _role(tensor, output_ids):
    if _key(tensor) in output_ids:
        return "output"
    if tensor.grad_fn is not None:
        return "intermediate"
    return "parameter" if tensor.requires_grad else "constant"


def _tensor_label(tensor, show_values, show_grads, max_values):
    """An HTML-like label: the name in bold, shape and dtype in small grey type, the value, the gradient in red."""
    rows = []
    if tensor.name:
        rows.append(f"<B>{_escape(tensor.name)}</B>")
    shape = "scalar" if tensor.ndim == 0 else "x".join(str(size) for size in tensor.shape)
    rows.append(f'<FONT POINT-SIZE="8" COLOR="#636363">{shape} {tensor.dtype}</FONT>')
    if show_values and tensor.size <= max_values:
        rows.append(_escape(_format_array(tensor.numpy())))
    elif show_values and not isinstance(tensor.data, ReleasedArray):
        rows.append(f"norm {_format_number(float(numpy.linalg.norm(tensor.numpy().astype(float).ravel())))}")
    if show_grads and tensor.grad is not None and tensor.grad.size <= max_values:
        rows.append(f'<FONT COLOR="#b2182b">grad {_escape(_format_array(tensor.grad.numpy()))}</FONT>')
    return "<" + "<BR/>".join(rows) + ">"


def _escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _format_array(array):
    if array.ndim == 0:
        return _format_number(array.item())
    return numpy.array2string(array, precision=4, separator=", ", suppress_small=True,
                              formatter={"float_kind": _format_number}).replace("\n", "")


def _format_number(value):
    if isinstance(value, (bool, numpy.bool_)):
        return str(value)
    return f"{value + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0: a zero gradient reads 0, not -0


def _operation_label(node):
    """The operation's name, with its constant arguments and parameters folded in: ``Mul(·, 2)``, ``Sum(axis=1)``."""
    arguments, constants = [], False
    for value in node.inputs:
        if isinstance(value, Tensor):
            arguments.append("·")
        else:
            constants = True
            arguments.append(_format_constant(value))
    parameters = [f"{key}={_format_constant(value)}" for key, value in getattr(node, "params", {}).items()
                  if value is not None and value is not False]
    if not constants and not parameters:
        return node.name
    if not constants:
        arguments = []
    return f"{node.name}({', '.join(arguments + parameters)})"


def _format_constant(value):
    if isinstance(value, (int, float, numpy.number)):
        return _format_number(value)
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        if value.size <= 4:
            return _format_array(backend.to_numpy(value))
        return f"array {'x'.join(str(size) for size in value.shape)}"
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."


def _local_derivative_label(node, input_index, value, made):
    """z(i, j) for a scalar edge (Figure 3.5); the Jacobian's shape for a tensor edge."""
    from .paths import edge_jacobian

    if made is None or made.size != 1 or value.size != 1:
        rows = made.size if made is not None else "?"
        return f"J {rows}x{value.size}"
    try:
        jacobian = edge_jacobian(node, input_index, value.data, made.shape)
    except RuntimeError as error:
        raise RuntimeError(
            f"draw(edge_labels=True) needs the values {node.name} saved for backward, but they were released "
            "by backward(). Draw before calling backward(), or call backward(retain_graph=True)."
        ) from error
    return f"z = {_format_number(float(backend.to_numpy(jacobian).reshape(-1)[0]))}"


def _highlights(graph, outputs, highlight_paths):
    """The edges (id(operation), input index) and tensors on the chosen paths, and a caption counting them."""
    if highlight_paths is None or highlight_paths is False:
        return set(), set(), None
    if isinstance(highlight_paths, Tensor):
        return _all_paths_from(graph, highlight_paths, outputs)
    if isinstance(highlight_paths, tuple) and len(highlight_paths) == 2 and isinstance(highlight_paths[0], Tensor):
        source, numbers = highlight_paths
        return _numbered_paths(graph, source, outputs, numbers)
    chosen = list(highlight_paths)
    if not all(isinstance(path, (list, tuple)) and path and all(isinstance(t, Tensor) for t in path)
               for path in chosen):
        raise TypeError("highlight_paths must be a Tensor (every path from it), (tensor, [path numbers]), "
                        "or a list of paths as ag.paths yields them (lists of Tensors, input first)")
    return _listed_paths(graph, chosen)


def _all_paths_from(graph, source, outputs):
    """Every edge on some path from ``source`` to an output: the tensor end reaches back to the source."""
    reaches = {_key(source)}
    counts = {_key(source): 1}
    for tensor in graph.tensors:  # inputs come before the operations that use them
        node = tensor.grad_fn
        if node is None or _key(tensor) == _key(source):
            continue
        total = 0
        for value, needed in zip(node.inputs, node.needs_input_grad):
            if needed and _key(value) in reaches:
                total += counts[_key(value)]
        if total:
            reaches.add(_key(tensor))
            counts[_key(tensor)] = total
    edges = set()
    for node in graph.operations:
        made = graph.output_of[id(node)]
        if _key(made) not in reaches:
            continue
        for input_index, (value, needed) in enumerate(zip(node.inputs, node.needs_input_grad)):
            if needed and _key(value) in reaches:
                edges.add((id(node), input_index))
    total = sum(counts.get(_key(value), 0) for value in outputs)
    if total == 0:
        label = f" {source.name!r}" if source.name else ""
        raise ValueError(f"highlight_paths: the tensor{label} of shape {source.shape} has no path to the output")
    return edges, reaches, f"{total} path{'s' if total != 1 else ''} from {_tensor_name(source)} highlighted"


def _numbered_paths(graph, source, outputs, numbers):
    from .paths import paths

    wanted = sorted(set(int(number) for number in numbers))
    chosen, found = [], 0
    for output in outputs:
        for path in paths(output, source):
            if found in wanted:
                chosen.append(path)
            found += 1
            if found > wanted[-1]:
                break
    missing = [number for number in wanted if number >= found]
    if missing:
        raise ValueError(f"highlight_paths: asked for paths {missing}, but there are only {found} paths "
                         f"from {_tensor_name(source)} to the output")
    edges, tensors, _ = _listed_paths(graph, chosen)
    numbers_text = ", ".join(str(number) for number in wanted)
    return edges, tensors, f"path{'s' if len(wanted) != 1 else ''} {numbers_text} from {_tensor_name(source)}"


def _listed_paths(graph, chosen):
    """Edges along explicit paths; between two consecutive tensors every parallel edge (x * x) is lit."""
    edges, tensors = set(), set()
    for path in chosen:
        tensors.update(_key(tensor) for tensor in path)
        for before, after in zip(path, path[1:]):
            node = after.grad_fn
            if node is None:
                raise ValueError("highlight_paths: a path must run from an input to an output, input first")
            for input_index, value in enumerate(node.inputs):
                if value is before and node.needs_input_grad[input_index]:
                    edges.add((id(node), input_index))
    caption = f"{len(chosen)} path{'s' if len(chosen) != 1 else ''} highlighted"
    return edges, tensors, caption


def _tensor_name(tensor):
    return tensor.name if tensor.name else f"the tensor of shape {tensor.shape}"


def _groups(graph, collapse):
    """_key(tensor) -> group name, from a mapping of names to tensors or a function of a tensor."""
    if collapse is None:
        return {}
    group_of = {}
    if callable(collapse) and not hasattr(collapse, "items"):
        for tensor in graph.tensors:
            name = collapse(tensor)
            if name is not None:
                group_of[_key(tensor)] = str(name)
        return group_of
    if not hasattr(collapse, "items"):
        raise TypeError("collapse must be a mapping {group name: [tensors]} or a function tensor -> group name")
    for name, members in collapse.items():
        for tensor in ([members] if isinstance(members, Tensor) else members):
            if not isinstance(tensor, Tensor):
                raise TypeError(f"collapse[{name!r}] must hold Tensors, got {type(tensor).__name__}")
            if _key(tensor) in group_of and group_of[_key(tensor)] != name:
                raise ValueError(f"tensor {_tensor_name(tensor)} is in two groups, "
                                 f"{group_of[_key(tensor)]!r} and {name!r}")
            group_of[_key(tensor)] = str(name)
    return group_of


def _hidden_members(graph, group_of, output_ids):
    """The operations and inner tensors of each group, replaced by its summary node.

    A group keeps its leaves (its parameters) and the tensors that leave it
    (used outside the group, or outputs) as visible nodes.
    """
    used_outside = set(output_ids)
    for node in graph.operations:
        made = graph.output_of[id(node)]
        for value in node.inputs:
            if isinstance(value, Tensor) and group_of.get(_key(value)) != group_of.get(_key(made)):
                used_outside.add(_key(value))
    hidden = set()
    for node in graph.operations:
        made = graph.output_of[id(node)]
        if _key(made) in group_of:
            hidden.add(("f", id(node)))
            if _key(made) not in used_outside:
                hidden.add(_key(made))
    return hidden


def _draw_summaries(graph, group_of, hidden, groups):
    """One node per collapsed group listing the operations inside it; returns group name -> node id."""
    operations = {}
    for node in graph.operations:
        if ("f", id(node)) in hidden:
            operations.setdefault(group_of[_key(graph.output_of[id(node)])], []).append(node.name)
    summaries = {}
    for number, (name, names) in enumerate(operations.items()):
        counted = {}
        for operation in names:
            counted[operation] = counted.get(operation, 0) + 1
        listing = ", ".join(f"{operation} x{count}" if count > 1 else operation for operation, count in counted.items())
        summary_id = f"g{number}"
        groups[name].node(summary_id, f"{name}\n{len(names)} operations\n{listing}", shape="box3d",
                          style="filled", fillcolor=COLOURS["group"])
        summaries[name] = summary_id
    return summaries


from .step_through import step_through  # noqa: E402, F401  (viz.step_through; it builds on draw, so imported last)
