"""Computation graphs you can see: a ``Value`` graph as Graphviz DOT, SVG, PNG or PDF.

``draw_graph(L)`` draws every Value that ``L`` depends on as a box (its label, data and
grad) and every operation as a small oval named by its op, with arrows in the direction
of the forward pass: ``a → (mul) → a*b → (add) → ...``. Backpropagation runs the other
way along the same arrows: the gradient ``dL/d(out)`` arriving at an op's output is
multiplied by the local derivative ``d(out)/d(input)`` and sent to each input.

``draw_graph(L, highlight=step)`` draws the graph as it is at one step of the reverse
pass (``autograd_core.backward_steps``) or of the forward pass (``forward_steps``):
gradients not yet computed are blank, the current node is outlined and the edges it
sends its gradient along are red, labelled with what they carry.

Everything is deterministic: nodes are numbered in breadth-first order from the root
(never by ``id()``), so the same graph always gives the same DOT text.
"""

from __future__ import annotations

import html
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import graphviz
import numpy as np

from autograd_core.engine import _FREED, BackwardStep, ForwardStep, topological_order
from autograd_core.value import Value

DEFAULT_MAX_NODES = 200  # about 2 s in dot for a scalar MLP; 400 takes 6 s
SMALL = 6  # tensors with at most this many elements show their values, larger a summary

# Fill colours (ColorBrewer pastels, readable in print and for most colour-blind readers).
PARAMETER = "#c7e9c0"  # leaves that require grad
INPUT = "#e3e3e3"  # leaves that do not: data, constants
INTERIOR = "#deebf7"  # results of ops
OUTPUT = "#fdd49e"  # the root
MODULE = "#e7dcf1"  # a collapsed module
OP_FILL = "#ffffff"
GRAD_TEXT = "#b2182b"  # gradients are written in red ...
BACKWARD = "#d62728"  # ... and the reverse pass's current node and edges too
FORWARD = "#1f5fa8"  # the forward pass's current node and edges
MUTED = "#777777"


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Graphviz's ``dot`` program is not installed, so a graph cannot be rendered."""

    def __init__(self, what: str) -> None:
        # past ExecutableNotFound.__init__, which writes its own message from the command
        RuntimeError.__init__(
            self,
            f"Graphviz's 'dot' program was not found on PATH, so {what} cannot be rendered. "
            "Install Graphviz (the program, not only the Python package): "
            "Debian/Ubuntu `sudo apt-get install graphviz`, Fedora `sudo dnf install graphviz`, "
            "macOS `brew install graphviz`, conda `conda install -c conda-forge graphviz`, "
            "Windows: https://graphviz.org/download/ (then add its bin folder to PATH). "
            "to_dot(root) gives the DOT source without it.",
        )


class ComputationGraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering explains how to install ``dot`` when missing.

    Shows inline in Jupyter; ``.render("out/L.png")`` (format from the extension, no DOT
    file left behind), ``.pipe(format="svg")`` and ``.source`` work as for any Digraph.
    """

    def __repr__(self) -> str:  # stable text in notebook outputs (no memory address)
        return f"<ComputationGraph: {len(self.body)} DOT statements; display or .render() it>"

    def pipe(self, format: str | None = None, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        try:
            return super().pipe(format, *args, **kwargs)
        except graphviz.ExecutableNotFound as err:
            raise GraphvizNotFoundError(f"the graph ({format or self.format})") from err

    def render(self, filename: Any = None, directory: Any = None, view: bool = False,
               cleanup: bool = True, format: str | None = None,  # noqa: A002
               **kwargs: Any) -> str:
        """Render to a file; returns its path. ``render("out/L.png")`` writes a PNG there:
        a name ending in a Graphviz format (png, svg, pdf, jpg, ...) gives the format.
        ``render("out/L", format="png")`` writes ``out/L.png``. The DOT source file that
        Graphviz writes first is removed unless ``cleanup=False``. Folders are created."""
        ext = os.path.splitext(os.fspath(filename or ""))[1].lower().lstrip(".")
        if ext and format is None and ext not in graphviz.FORMATS and "outfile" not in kwargs:
            raise ValueError(
                f"render: {os.fspath(filename)!r} ends in .{ext}, which is not a format "
                f"Graphviz writes: name the file .png, .svg, .pdf or .jpg (or give format=)"
            )
        if filename is not None and ext in graphviz.FORMATS and "outfile" not in kwargs:
            if format is not None and format.lower() != ext:
                raise ValueError(f"render: {os.fspath(filename)!r} is a .{ext} name but "
                                 f"format={format!r}")
            path = os.path.join(os.fspath(directory or ""), os.fspath(filename))
            filename, directory, format, kwargs["outfile"] = None, None, ext, path
            if not cleanup:  # the DOT source beside it: L.png -> L.gv
                filename = os.path.splitext(path)[0] + ".gv"
        kwargs.setdefault("quiet", True)  # dot's complaints come back in the error below
        try:
            return super().render(filename, directory=directory, view=view, cleanup=cleanup,
                                  format=format, **kwargs)
        except graphviz.ExecutableNotFound as err:
            raise GraphvizNotFoundError("the graph") from err
        except graphviz.CalledProcessError as err:  # dot refused: a format this build lacks
            if cleanup and os.path.exists(self.filepath):  # the DOT source it wrote first
                os.remove(self.filepath)
            said = (err.stderr or b"").decode(errors="replace").strip()
            said = said.splitlines()[0].split(". Use one of")[0] if said else "it failed"
            raise ValueError(
                f"render: Graphviz's dot could not write the file ({said}); use a .png, .svg, "
                f".pdf or .jpg name"
            ) from None


# --------------------------------------------------------------------------- text
def fmt_number(x: Any) -> str:
    """A number with 4 significant digits: ``0.7616``, ``-6``, ``1.235e+04``. One that the
    4 digits would round to ±1 without being it gets up to 7: tanh(-8) is ``-0.9999998``
    and sigmoid(10) ``0.99995``, not the ``-1`` and ``1`` a saturated unit never reaches."""
    x = float(x)
    s = f"{x:.4g}"
    for digits in (5, 6, 7):
        if s not in ("1", "-1") or x in (1.0, -1.0):
            break
        s = f"{x:.{digits}g}"
    return "0" if s == "-0" else s


def fmt_array(a: Any) -> str:
    """Values of a small array (nested lists), else ``min · mean · max``."""
    a = a.data if isinstance(a, Value) else a
    a = np.asarray(a)
    if a.ndim == 0:
        return fmt_number(a)
    if a.size == 0:
        return "[] (empty)"
    if a.size <= SMALL:
        return _nested(a)
    return f"min {fmt_number(a.min())} · mean {fmt_mean(a)} · max {fmt_number(a.max())}"


def fmt_mean(a: np.ndarray) -> str:
    """The mean of a non-empty array, 0 when it is rounding noise: within 64 ulps of the
    mean magnitude, the size of a sum's rounding error (a softmax gradient's mean is 0, not
    1.274e-17; a sparse array's small mean, or an infinite one, is shown as it is)."""
    mean = a.mean()
    if a.dtype.kind == "f" and np.isfinite(mean):
        if abs(mean) <= 64 * np.finfo(a.dtype).eps * np.abs(a).mean():
            mean = 0.0
    return fmt_number(mean)


def edge_text(c: Any) -> str:
    """A gradient on an edge, kept short: it is placed after layout and must not cover nodes."""
    c = np.asarray(c)
    return fmt_array(c) if c.size <= 2 else f"mean {fmt_mean(c)}"


def repeated(parents: tuple[Value, ...], k: int) -> bool:
    """Whether input ``k`` of an op is also another of its inputs (``a * a``): each input
    then has its own edge and its own derivative."""
    return sum(q is parents[k] for q in parents) > 1


def merged(src: str, dst: str) -> bool:
    """Whether the drawing merges all edges from ``src`` to ``dst`` into one: those from
    the "… N more" box (``more``) and those into or out of a module's box (``m0``)."""
    return src[0] == "m" or dst[0] == "m"


def edge_id(src: str, dst: str, parents: tuple[Value, ...], k: int) -> str:
    """The drawing's name of the edge from input ``k`` of an op: ``v2->o1``, and
    ``v2->o1#0``, ``v2->o1#1`` when one Value is several of its inputs (``a * a``), so
    each of those edges can be lit on its own (unless the drawing merges them)."""
    if repeated(parents, k) and not merged(src, dst):
        return f"{src}->{dst}#{k}"
    return f"{src}->{dst}"


def _edge_label(c: Any) -> str:
    # an opaque white box: the label stays readable where it crosses a line
    return (
        '<table border="0" cellborder="0" cellpadding="1" cellspacing="0" bgcolor="white">'
        f"<tr><td>{_esc(edge_text(c))}</td></tr></table>"
    )


def _nested(a: np.ndarray) -> str:
    if a.ndim == 1:
        return "[" + ", ".join(fmt_number(x) for x in a.tolist()) + "]"
    return "[" + ", ".join(_nested(row) for row in a) + "]"


def _esc(text: str) -> str:
    """Text safe inside a Graphviz HTML-like label (``<``, ``>``, ``&``, control chars)."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return html.escape(text, quote=False)


def _bold(text: str) -> str:
    # the explicit size sidesteps a pango quirk that draws small bold Helvetica as a serif
    return f'<font point-size="12"><b>{_esc(text)}</b></font>'


# the gap between ranks (inches) where a backward step writes gradients on its edges
BACKWARD_RANKSEP = 0.75
TITLE_CHARS = 40  # a longer label is cut in the drawing (it stays whole in the texts)


def _shortened(title: str) -> str:
    """A node's title as drawn: at most ``TITLE_CHARS`` characters, one line."""
    title = " ".join(title.split())  # (a newline in a label would break the row)
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


def _blank(text: str) -> str:
    """An invisible stand-in for ``text``: a not-yet-computed number keeps its place.

    Digits all have the same width, so the boxes keep their size from step to step and
    the layout does not jump while the gradients appear.
    """
    placeholder = "".join("0" if ch.isdigit() else ch for ch in text)
    return f'<font color="transparent">{_esc(placeholder)}</font>'


def node_name(v: Value, names: dict[int, str] | None = None) -> str:
    """How a node is called in descriptions and drawings: its label, else its op in brackets.

    ``names`` (from ``node_names(root)``) tells apart unlabelled ops of the same kind. An
    unlabelled leaf is its values when small, else ``the input (4, 2)`` (data).
    """
    if names is not None and id(v) in names:
        return names[id(v)]
    if v.label:
        return v.label
    if v.op is not None:
        return f"⟨{v.op}⟩"
    if v.size <= SMALL:
        return fmt_array(v.data)
    return f"the input {v.shape}" if not v.requires_grad else f"an unlabelled leaf {v.shape}"


def node_names(root: Value) -> dict[int, str]:
    """The name of every unlabelled op result in ``root``'s graph, by ``id``.

    ``⟨tanh⟩`` when the graph has one unlabelled tanh, else ``⟨tanh⟩1``, ``⟨tanh⟩2``, ...
    in the order they were computed, so the text and the drawing call a node the same and
    two layers' outputs are told apart.
    """
    nodes, _ = reachable(root)
    unnamed = sorted((v for v in nodes if v._op is not None and not v.label), key=_creation)
    count = Counter(v.op for v in unnamed)
    seen: Counter[str] = Counter()
    names = {}
    for v in unnamed:
        if count[v.op] == 1:
            names[id(v)] = f"⟨{v.op}⟩"
        else:
            seen[v.op] += 1
            names[id(v)] = f"⟨{v.op}⟩{seen[v.op]}"
    return names


# --------------------------------------------------------------------------- state
@dataclass
class _View:
    """What to show: which grads (backward) or data (forward) are known, what is current."""

    mode: str = "plain"  # "plain" | "backward" | "forward"
    known: frozenset[int] = frozenset()  # ids of nodes reached so far
    current: Value | None = None
    sent: tuple[Any, ...] = ()  # the current node's contributions, one per parent

    def grad_known(self, v: Value) -> bool:
        return self.mode == "plain" or id(v) in self.known

    def data_known(self, v: Value) -> bool:
        return self.mode != "forward" or not v.requires_grad or id(v) in self.known


def _view(root: Value, highlight: Any) -> _View:
    if highlight is None:
        return _View()
    if isinstance(highlight, Value):
        return _View(current=highlight)
    if isinstance(highlight, str) and highlight in ("backward", "forward"):
        return _View(highlight)  # the pass about to start: nothing reached yet
    if isinstance(highlight, BackwardStep):
        order = topological_order(root)[::-1]
        _check_step(order, highlight, "backward_steps")
        reached = frozenset(id(v) for v in order[: highlight.index + 1])
        return _View("backward", reached, highlight.node, highlight.contributions)
    if isinstance(highlight, ForwardStep):
        order = topological_order(root)
        _check_step(order, highlight, "forward_steps")
        computed = frozenset(id(v) for v in order[: highlight.index + 1])
        return _View("forward", computed, highlight.node)
    raise TypeError(
        "highlight must be a step from backward_steps() or forward_steps(), a Value, "
        f"'backward' or 'forward' (the pass about to start) or None, not "
        f"{type(highlight).__name__}"
    )


def _check_step(order: list[Value], step: Any, source: str) -> None:
    if not (0 <= step.index < len(order) and order[step.index] is step.node):
        raise ValueError(
            f"highlight: step {step.index} ({node_name(step.node)}) is not step "
            f"{step.index} of {source}() from this root; draw the root the steps came from"
        )


# --------------------------------------------------------------------------- graph walk
def reachable(root: Value, max_nodes: int | None = None) -> tuple[list[Value], int]:
    """All Values ``root`` depends on, constants included, breadth-first from the root.

    Returns the first ``max_nodes`` of them (the ones nearest the output) and the total.
    Iterative, so deep graphs are fine.
    """
    order = [root]
    seen = {id(root)}
    i = 0
    while i < len(order):
        for p in order[i]._parents:
            if id(p) not in seen:
                seen.add(id(p))
                order.append(p)
        i += 1
    total = len(order)
    if max_nodes is not None and total > max_nodes:
        order = order[:max_nodes]
    return order, total


def _common_prefix(scopes: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    it = iter(scopes)
    prefix = next(it, ())
    for s in it:
        n = 0
        while n < len(prefix) and n < len(s) and prefix[n] == s[n]:
            n += 1
        prefix = prefix[:n]
    return prefix


def _scopes(nodes: list[Value], consumers: dict[int, list[Value]]) -> list[tuple[str, ...]]:
    """The module each node is drawn in.

    An op's output belongs to the scope it was made in. Parameters are usually made in a
    layer's ``__init__``, outside any scope, and constants carry none: they are drawn in
    the scope their consumers share, so ``W`` and ``b`` sit inside ``Linear(2→16)``. Data
    inputs stay outside.
    """
    out = []
    for v in nodes:
        if v._op is not None or v._scope:
            out.append(v._scope)
        elif (v.requires_grad or v._seq == 0) and consumers.get(id(v)):
            out.append(_common_prefix(c._scope for c in consumers[id(v)]))
        else:
            out.append(())
    return out


ModulePath = tuple[tuple[str, int], ...]  # a module instance: (scope name, group number) per level


def _find(group: list[int], i: int) -> int:
    """Union-find: the representative of ``i``'s group (with path halving)."""
    while group[i] != i:
        group[i] = group[group[i]]
        i = group[i]
    return i


def _instances(
    nodes: list[Value], scopes: list[tuple[str, ...]], index: dict[int, int]
) -> list[ModulePath]:
    """Tell apart the separate uses of one scope name: each gets its own box.

    A scope records only names, so the two ``Tanh`` layers of an MLP, or one layer called
    twice, share ``("MLP", "Tanh")``. Within a name, the nodes joined by edges inside
    that scope are one use of it; at each nesting level every such connected group gets
    a number (union-find, numbered in drawing order, so the result is deterministic).
    """
    depth = max((len(s) for s in scopes), default=0)
    paths: list[list[tuple[str, int]]] = [[] for _ in nodes]
    for d in range(1, depth + 1):
        group = list(range(len(nodes)))
        for i, v in enumerate(nodes):
            if len(scopes[i]) < d:
                continue
            for p in v._parents:
                j = index.get(id(p))
                if j is not None and len(scopes[j]) >= d and scopes[j][:d] == scopes[i][:d]:
                    group[_find(group, j)] = _find(group, i)
        numbers: dict[int, int] = {}
        for i in range(len(nodes)):
            if len(scopes[i]) >= d:
                root = _find(group, i)
                paths[i].append((scopes[i][d - 1], numbers.setdefault(root, len(numbers))))
    return [tuple(p) for p in paths]


def _boxes(paths: list[ModulePath], collapse: bool | int) -> list[ModulePath | None]:
    """For ``collapse``, the module box each node disappears into (None: drawn itself)."""
    if collapse is False:
        return [None] * len(paths)
    if collapse is True:  # the innermost modules: no other module used lies inside them
        used = set(paths)
        inner = {p for p in used if p}
        for p in used:
            for d in range(1, len(p)):
                inner.discard(p[:d])
        return [p if p in inner else None for p in paths]
    return [p[:collapse] if len(p) >= collapse else None for p in paths]


# --------------------------------------------------------------------------- DOT
def to_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    show_data: bool = True,
    show_grad: bool = True,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    highlight: Any = None,
    collapse: bool | int = False,
    legend: bool = True,
    title: str | None = None,
) -> str:
    """The DOT source of ``root``'s computation graph (no Graphviz program needed).

    Takes the same options as ``draw_graph``, whose ``.source`` it is.
    """
    return draw_graph(root, rankdir=rankdir, show_data=show_data, show_grad=show_grad,
                      max_nodes=max_nodes, highlight=highlight, collapse=collapse,
                      legend=legend, title=title).source


def draw_graph(
    root: Value,
    *,
    rankdir: str = "LR",
    show_data: bool = True,
    show_grad: bool = True,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    highlight: Any = None,
    collapse: bool | int = False,
    legend: bool = True,
    title: str | None = None,
) -> ComputationGraph:
    """Draw the computation graph of ``root`` (a ``graphviz.Digraph``, inline in Jupyter).

    - Boxes are Values: label, data and grad (4 significant digits); a tensor shows its
      shape and dtype, and its values when it has at most 6 elements, else min/mean/max.
      Fill colour: parameter (leaf with grad), input or constant (no grad), interior
      (an op's result), output (``root``); ovals are ops. A legend explains them.
    - ``rankdir``: "LR" (left to right, default) or "TB" (top to bottom).
    - ``show_data`` / ``show_grad``: leave out the data or grad rows.
    - ``max_nodes``: draw at most this many Values, those nearest the output, and one
      "… N more" node standing for the rest (None: all; a huge graph would stall dot).
    - ``highlight``: a step of ``backward_steps(root)`` draws the graph as it is at that
      step (grads not yet computed are blank, the current node and the edges carrying its
      gradient to its inputs are red and labelled); a step of ``forward_steps(root)`` shows
      the values computed so far; a Value is just outlined.
    - Ops made inside ``name_scope("Linear(2→16)")`` (every ``nn`` layer's forward) are
      drawn in a box named after the layer; ``collapse=True`` draws each innermost module
      as one node, ``collapse=k`` the modules at nesting depth ``k``.
    - ``title``: a line of text under the graph.

    ``.render("graph.png")``, ``.pipe(format="svg")`` render it with Graphviz;
    ``to_dot`` gives the same DOT text without it.
    """
    builder = _builder(root, rankdir, show_data, show_grad, max_nodes, highlight, collapse)
    return ComputationGraph(body=builder.lines(rankdir, legend, title))


def _builder(
    root: Value,
    rankdir: str,
    show_data: bool,
    show_grad: bool,
    max_nodes: int | None,
    highlight: Any,
    collapse: bool | int,
) -> _Builder:
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: root must be a Value, not {type(root).__name__}")
    if root._op is _FREED:
        raise RuntimeError(
            "draw_graph: the graph of this Value was released by backward(retain_graph=False) "
            "(as nn.fit trains): no operation is left to draw. Draw it before that backward, "
            "or run backward() with retain_graph=True (the default), which keeps the graph"
        )
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(
            f"draw_graph: rankdir must be 'LR' or 'TB' (or 'RL', 'BT'), not {rankdir!r}"
        )
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int)
                                  or max_nodes < 1):
        raise ValueError(f"draw_graph: max_nodes must be a positive int or None, not {max_nodes!r}")
    if not isinstance(collapse, bool) and not (isinstance(collapse, int) and collapse >= 1):
        raise ValueError(
            f"draw_graph: collapse must be True, False or a nesting depth >= 1, not {collapse!r}"
        )
    view = _view(root, highlight)
    nodes, total = reachable(root, max_nodes)
    return _Builder(root, nodes, total, view, show_data, show_grad, collapse)


def drawing_ids(
    root: Value, *, max_nodes: int | None = DEFAULT_MAX_NODES, collapse: bool | int = False
) -> dict[int, tuple[str, str | None]]:
    """Where each Value of ``root``'s graph is in the drawing, by ``id(value)``.

    ``(box, oval)``: the DOT names of its box and of the oval of the op that made it
    (None for a leaf); both are the module's box for a node collapsed into one, and a node
    beyond ``max_nodes`` is absent. Graphviz's SVG gives each node a ``<title>`` with this
    name, which is how the step-through page finds the node to highlight.
    """
    builder = _builder(root, "LR", False, False, max_nodes, None, collapse)
    return {
        id(v): (builder.value_id(v), builder.op_id(i) if v._op is not None else None)
        for i, v in enumerate(builder.nodes)
    }


class _Builder:
    """Turns the walked nodes into DOT lines: nodes grouped by module, then edges."""

    def __init__(
        self,
        root: Value,
        nodes: list[Value],
        total: int,
        view: _View,
        show_data: bool,
        show_grad: bool,
        collapse: bool | int,
    ) -> None:
        self.root, self.nodes, self.total, self.view = root, nodes, total, view
        self.show_data, self.show_grad = show_data, show_grad
        self.index = {id(v): i for i, v in enumerate(nodes)}
        consumers: dict[int, list[Value]] = {}
        for v in nodes:
            for p in v._parents:
                consumers.setdefault(id(p), []).append(v)
        self.consumers = consumers
        self.path = _instances(nodes, _scopes(nodes, consumers), self.index)
        self.box = _boxes(self.path, collapse)
        self.box_ids: dict[ModulePath, str] = {}
        self.members: dict[ModulePath, list[Value]] = {}
        for v, b in zip(nodes, self.box, strict=True):
            if b is not None:
                if b not in self.box_ids:
                    self.box_ids[b] = f"m{len(self.box_ids)}"
                self.members.setdefault(b, []).append(v)
        self.cut = total > len(nodes)
        self.used_colours: set[str] = set()
        self.names = node_names(root)

    # ------------------------------------------------------------------ ids
    def value_id(self, v: Value) -> str:
        i = self.index.get(id(v))
        if i is None:
            return "more"
        b = self.box[i]
        return self.box_ids[b] if b is not None else f"v{i}"

    def op_id(self, i: int) -> str:
        b = self.box[i]
        return self.box_ids[b] if b is not None else f"o{i}"

    # ------------------------------------------------------------------ labels
    def colour(self, v: Value) -> str:
        if v is self.root:
            c = OUTPUT
        elif v._op is not None:
            c = INTERIOR
        elif v.requires_grad:
            c = PARAMETER
        else:
            c = INPUT
        self.used_colours.add(c)
        return c

    def value_rows(self, v: Value, title: str | None) -> list[str]:
        rows = []
        if title:
            rows.append(_bold(_shortened(title)))
        if v.ndim:
            rows.append(f'<font color="{MUTED}">{_esc(str(v.shape))} {v.dtype}</font>')
        elif v.dtype != np.float64:
            rows.append(f'<font color="{MUTED}">{v.dtype}</font>')
        if self.show_data:
            text = "data " + fmt_array(v.data)
            if self.view.data_known(v):
                rows.append(_esc(text))
            else:
                rows.append("data " + _blank(text[5:]))
        if self.show_grad and v.requires_grad and self.view.mode != "forward":
            g = v.grad
            text = "" if g is None else fmt_array(g)
            if self.view.grad_known(v):
                rows.append(f'<font color="{GRAD_TEXT}">grad {_esc(text)}</font>')
            else:  # drawn during the pass, before any grad: hold a typical number's room
                stand_in = text or fmt_array(np.full(v.shape, -0.1234))
                rows.append(f'<font color="{GRAD_TEXT}">grad </font>{_blank(stand_in)}')
        return rows

    def current_attrs(self) -> str:
        colour = FORWARD if self.view.mode == "forward" else BACKWARD
        return f' color="{colour}" penwidth=3'

    # ------------------------------------------------------------------ output
    def lines(self, rankdir: str, legend: bool, title: str | None) -> list[str]:
        # a step's gradients are written at the input end of its edges (taillabel: placed
        # after layout, so the layout stays the same from step to step); wider gaps between
        # ranks give them room
        ranksep = BACKWARD_RANKSEP if self.view.mode == "backward" else 0.45
        out = [
            f'\tgraph [rankdir={rankdir} fontname="Helvetica" fontsize=11 nodesep=0.25 '
            f'ranksep={ranksep} forcelabels=true bgcolor="white"]\n',
            '\tnode [shape=box style="rounded,filled" fontname="Helvetica" fontsize=11 '
            'margin="0.08,0.04"]\n',
            '\tedge [color="#555555" arrowsize=0.6 fontname="Helvetica" fontsize=10]\n',
        ]
        groups: dict[ModulePath, list[str]] = {}
        for i, v in enumerate(self.nodes):
            if self.box[i] is not None:
                continue
            lines = groups.setdefault(self.path[i], [])
            lines.append(self.value_line(i, v))
            if v._op is not None:
                lines.append(self.op_line(i, v))
        for b, mid in self.box_ids.items():
            groups.setdefault(b[:-1], []).append(self.box_line(b, mid))
        if self.cut:
            groups.setdefault((), []).append(
                f'\tmore [label=<… {self.total - len(self.nodes):,} more nodes<br/>'
                f'<font point-size="9">max_nodes={len(self.nodes)}</font>> '
                f'shape=note style="filled,dashed" fillcolor="#f7f7f7" color="{MUTED}"]\n'
            )
        out.extend(_clusters(groups))
        out.extend(self.edges())
        if legend or title:
            out.append(f"\tlabel=<{self.caption(legend, title)}> labelloc=b labeljust=l\n")
        return out

    def value_line(self, i: int, v: Value) -> str:
        fill = self.colour(v)
        rows = self.value_rows(v, v.label or self.names.get(id(v)))
        extra = self.current_attrs() if v is self.view.current else ""
        return f'\tv{i} [label=<{_table(rows)}> fillcolor="{fill}"{extra}]\n'

    def op_line(self, i: int, v: Value) -> str:
        extra = self.current_attrs() if v is self.view.current else ""
        return (
            f'\to{i} [label=<{_esc(v.op)}> shape=ellipse style=filled fillcolor="{OP_FILL}" '
            f'fontsize=10 margin="0.03,0.01" width=0 height=0{extra}]\n'
        )

    def box_line(self, box: ModulePath, mid: str) -> str:
        members = self.members[box]
        inside = {id(v) for v in members}
        n_ops = sum(v._op is not None for v in members)
        params = sorted((v for v in members if v._op is None and v.requires_grad), key=_creation)
        outputs = [
            v
            for v in members
            if v is self.root or any(id(c) not in inside for c in self.consumers.get(id(v), ()))
        ]
        rows = [_bold(box[-1][0]), f"{n_ops} op{'s' if n_ops != 1 else ''}"]
        if 0 < len(params) <= 4:
            rows.append("params " + ", ".join(_esc(f"{p.label or '?'} {p.shape}") for p in params))
        elif params:
            rows.append(f"{len(params)} params")
        if len(outputs) == 1:
            out = outputs[0]
            rows.append(f"output {_esc(str(out.shape))} {out.dtype}" if out.ndim else "output")
            rows.extend(self.value_rows(out, None)[1 if out.ndim else 0 :])
        elif outputs:
            rows.append(f"{len(outputs)} outputs")
        current = self.view.current is not None and id(self.view.current) in inside
        extra = self.current_attrs() if current else ""
        self.used_colours.add(MODULE)
        return (
            f'\t{mid} [label=<{_table(rows)}> shape=box3d style=filled '
            f'fillcolor="{MODULE}"{extra}]\n'
        )

    def edges(self) -> Iterator[str]:
        view = self.view
        seen: set[tuple[str, str]] = set()
        for i, v in enumerate(self.nodes):
            if v._op is None:
                continue
            dst = self.op_id(i)
            is_current = v is view.current and self.box[i] is None
            for k, p in enumerate(v._parents):
                src = self.value_id(p)
                if src == dst:
                    continue
                if merged(src, dst):  # many edges into the cut or a module box are one
                    if (src, dst) in seen:
                        continue
                    seen.add((src, dst))
                attrs = []
                name = edge_id(src, dst, v._parents, k)
                if name != f"{src}->{dst}":  # one Value as two inputs
                    attrs.append(f'id="{name}"')
                if is_current and view.mode == "backward" and src != "more":
                    c = view.sent[k] if k < len(view.sent) else None
                    if c is not None:
                        attrs.append(
                            f'color="{BACKWARD}" penwidth=2.2 dir=back fontcolor="{BACKWARD}" '
                            f"taillabel=<{_edge_label(c)}> labeldistance=2.5 labelangle=25"
                        )
                elif is_current and view.mode == "forward":
                    attrs.append(f'color="{FORWARD}" penwidth=2.2')
                yield f"\t{src} -> {dst}{' [' + ' '.join(attrs) + ']' if attrs else ''}\n"
            if self.box[i] is None:
                attrs = ""
                if is_current:
                    colour = FORWARD if view.mode == "forward" else BACKWARD
                    back = " dir=back" if view.mode == "backward" else ""
                    attrs = f' [color="{colour}" penwidth=2.2{back}]'
                yield f"\to{i} -> v{i}{attrs}\n"

    def caption(self, legend: bool, title: str | None) -> str:
        rows = []
        if title:
            rows.append(f'<tr><td align="left" colspan="9">{_bold(title)}</td></tr>')
        if legend:
            entries = [
                (PARAMETER, "parameter (leaf, gets .grad)"),
                (INPUT, "input / constant (no grad)"),
                (INTERIOR, "interior value"),
                (OUTPUT, "output"),
            ]
            if MODULE in self.used_colours:
                entries.append((MODULE, "module (collapsed)"))
            cells = [f'<td bgcolor="{c}" border="1">{_esc(t)}</td>' for c, t in entries]
            if any(b is None and v._op is not None for b, v in zip(self.box, self.nodes,
                                                                    strict=True)):
                cells.append('<td border="1">oval: operation</td>')  # (if one is drawn)
            if self.view.mode == "backward":
                cells.append(
                    f'<td border="1" color="{BACKWARD}"><font color="{BACKWARD}">current node; '
                    "red edges: gradient sent to its inputs</font></td>"
                )
            elif self.view.mode == "forward":
                cells.append(
                    f'<td border="1" color="{FORWARD}"><font color="{FORWARD}">'
                    "value being computed</font></td>"
                )
            elif self.view.current is not None:
                cells.append(f'<td border="1" color="{BACKWARD}">highlighted</td>')
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return (
            '<table border="0" cellborder="0" cellspacing="4" cellpadding="3">'
            + "".join(rows)
            + "</table>"
        )


def _creation(v: Value) -> int:
    return v._seq


def _table(rows: list[str]) -> str:
    cells = "".join(f'<tr><td align="left">{r}</td></tr>' for r in rows)
    return f'<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{cells}</table>'


def _clusters(groups: dict[ModulePath, list[str]]) -> list[str]:
    """Nest each module's node lines in a ``subgraph cluster_k`` labelled with its name."""
    children: dict[ModulePath, list[ModulePath]] = {(): []}
    for s in groups:
        for d in range(1, len(s) + 1):
            if s[:d] not in children:
                children[s[:d]] = []
                children[s[:d - 1]].append(s[:d])
    out: list[str] = []
    counter = iter(range(len(children)))

    def emit(s: ModulePath, depth: int) -> None:
        indent = "\t" * depth
        if s:
            out.append(f"{indent[:-1]}subgraph cluster_{next(counter)} {{\n")
            out.append(
                f'{indent}label=<{_bold(s[-1][0])}> style="rounded,dashed" color="#999999" '
                'fontsize=11 labeljust=l\n'
            )
        out.extend(indent + line[1:] for line in groups.get(s, ()))
        for child in children[s]:
            emit(child, depth + 1)
        if s:
            out.append(f"{indent[:-1]}}}\n")

    emit((), 1)
    return out
