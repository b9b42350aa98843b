"""Backpropagation in the browser: one self-contained HTML page that steps through a graph.

``save_html(L, "steps.html")`` writes a page that anyone can open from ``file://``: the
graph drawn once by Graphviz (the drawing of ``draw_graph``, inline SVG), then the forward
pass (each value appears in the order it was computed) and the backward pass, one node at
a time in reverse topological order. At each backward step the page writes the chain rule
with the engine's own numbers,

    ∂L/∂a = ∂L/∂e · ∂e/∂a = 0.87 · (−3) = −2.6,

highlights the node, shows the gradients known so far on the drawing (the others as
``?``), writes what the node sends back beside its edges (red), keeps the parts sent at
earlier steps on their edges (grey, dashed) until the node they go to has its step, and
there sums the parts of a gradient that reached a node along several paths.

Steps are numbered as ``Stepper`` numbers them (1 to N, 0 before the pass), and the
address follows the stepping: ``steps.html#step=7`` opens at backward step 7,
``#forward=3`` at forward step 3. Nothing is loaded from the network: the script, the
styles and the drawing are all in the file.

Imports point one way: engine -> viz -> steps -> html -> stepper.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from autograd_core.engine import (
    BackwardStep,
    ForwardStep,
    backward_steps,
    forward_steps,
)
from autograd_core.steps import (
    backward_pass,
    bracketed,
    describe,
    describe_start,
    gradient_of,
    partial_derivative,
    plain_seed,
    slot,
)
from autograd_core.value import Value
from autograd_core.viz import (
    BACKWARD_RANKSEP,
    DEFAULT_MAX_NODES,
    SMALL,
    draw_graph,
    drawing_ids,
    edge_id,
    edge_text,
    fmt_array,
    node_name,
    node_names,
    reachable,
)

UNCUT_LIMIT = 1000  # max_nodes=None draws every node; beyond this many dot takes minutes
FULL_ARRAY = 400  # "show the full array" holds at most this many elements (numpy's summary)
_PAGES = itertools.count(1)
_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", _SVG)
ET.register_namespace("xlink", _XLINK)


# --------------------------------------------------------------------------- public API
# The vjps of the matrix ops in the lecture's notation, written on the page where a tensor
# step would otherwise say vjp(...): δ = dL/d(output), {0}, {1} the inputs' names (the
# letters here for data that has none); linear(x, W, b) = x·W + b.
MATRIX_RULES = {
    "matmul": (("A", "B"), ("δ · {1}<sup>T</sup>", "{0}<sup>T</sup> · δ")),
    "linear": (("x", "W", "b"), ("δ · {1}<sup>T</sup>", "{0}<sup>T</sup> · δ",
                                 "δ summed over the samples")),
}
# The same for the tensor ops a network is made of, one formula per input: {0}, {1} the
# inputs' names, {out} the node's own; ⊙ multiplies element by element. Ops not here are
# written vjp_op(δ): the engine's rule, applied without forming the Jacobian.
ELEMENTWISE_RULES = {
    "tanh": ("δ ⊙ (1 − {out}²)",),
    "sigmoid": ("δ ⊙ {out} ⊙ (1 − {out})",),
    "relu": ("δ ⊙ [{0} &gt; 0]",),
    "exp": ("δ ⊙ {out}",),
    "log": ("δ / {0}",),
    "neg": ("−δ",),
    "add": ("δ", "δ"),
    "sub": ("δ", "−δ"),
    "mul": ("δ ⊙ {1}", "δ ⊙ {0}"),
    "sum": ("δ copied to every element of {0}",),
    "mean": ("δ / n copied to every element of {0} (n: how many were averaged)",),
    "log_softmax": ("δ − softmax({0}) ⊙ (δ summed along the softmax's axis)",),
    "nll_loss": ("−δ at each sample's true class, 0 elsewhere (÷ N for the mean)",),
}


def save_html(
    root: Value,
    path: str | os.PathLike[str],
    *,
    grad: Any = None,
    zero_grad: bool = True,
    title: str | None = None,
    **draw_options: Any,
) -> Path:
    """Write the step-through page of ``root``'s forward and backward pass to ``path``.

    Runs the backward pass once, as ``Stepper(root)`` does (``zero_grad=True`` first sets
    the leaves' ``.grad`` to None, so the page shows this pass's gradients alone);
    afterwards every ``.grad`` is what ``root.backward(grad)`` gives. ``draw_options`` go
    to ``draw_graph`` (``rankdir``, ``max_nodes``, ``collapse``, ``legend``). Returns the
    path written. Open it in any browser; ``#step=N`` in the address opens at step N.
    """
    check_page(root, draw_options)  # before anything is made or changed
    target = _writable(path)
    steps = backward_pass(root, grad, zero_grad)
    return write_page(stepper_page(root, steps, title=title, **draw_options), target)


def html_page(
    root: Value,
    *,
    grad: Any = None,
    zero_grad: bool = True,
    title: str | None = None,
    standalone: bool = True,
    **draw_options: Any,
) -> str:
    """The page of ``save_html`` as text (``standalone=False``: a fragment for a notebook)."""
    check_page(root, draw_options)
    steps = backward_pass(root, grad, zero_grad)
    return stepper_page(root, steps, title=title, standalone=standalone, **draw_options)


def write_page(page: str, path: str | os.PathLike[str]) -> Path:
    """Write ``page`` to ``path`` (its folder is made), or say clearly why it cannot be."""
    target = _writable(path)
    try:
        target.write_text(page, encoding="utf-8")
    except OSError as err:
        raise OSError(f"save_html: cannot write {str(target)!r}: {err.strerror or err}") from err
    return target


def stepper_page(
    root: Value,
    steps: Sequence[BackwardStep],
    *,
    title: str | None = None,
    standalone: bool = True,
    start: tuple[str, int] = ("forward", 0),
    **draw_options: Any,
) -> str:
    """The page for the backward ``steps`` of ``root`` (they must be the whole sweep).

    ``start``: the step the page opens at, ``("forward", k)`` or ``("backward", k)``
    (an address ``#step=N`` overrides it in a browser).

    ``Stepper.to_html`` and ``html_page`` call this; the backward pass has run, so every
    node's ``.grad`` is final and the drawing is made once with all of them, then the
    page's script hides what is not yet known at each step. They check ``root`` and the
    options (``check_page``) before they run the pass.
    """
    max_nodes = draw_options.get("max_nodes", DEFAULT_MAX_NODES)
    collapse = draw_options.get("collapse", False)
    ids = drawing_ids(root, max_nodes=max_nodes, collapse=collapse)
    drawn = {box for box, _ in ids.values()}
    if max_nodes is None and not collapse and len(drawn) > UNCUT_LIMIT:
        raise ValueError(
            f"save_html: the graph has {len(drawn):,} nodes and max_nodes=None draws them all, "
            f"which takes Graphviz minutes; keep max_nodes (default {DEFAULT_MAX_NODES}), or "
            f"pass collapse=True to draw each layer as one box"
        )
    page = _Page(root, list(steps), ids, title, draw_options.get("rankdir", "LR"))
    drawing = draw_graph(root, **draw_options)
    drawing.attr("graph", ranksep=str(BACKWARD_RANKSEP))  # room for the gradients' labels
    svg = drawing.pipe(format="svg").decode("utf-8")
    return page.render(svg, standalone, start)


# --------------------------------------------------------------------------- checks
def check_page(root: Any, draw_options: dict[str, Any]) -> None:
    """Raise if there is no page to make of ``root``, or an option is the page's own."""
    for key in ("highlight", "title", "show_data", "show_grad"):
        if key in draw_options:
            raise TypeError(f"save_html: {key} is chosen by the page, not a draw option")
    if not isinstance(root, Value):
        raise TypeError(f"save_html: root must be a Value, not {type(root).__name__}")
    if not root.requires_grad:
        raise ValueError(
            "save_html: this Value does not require grad (its inputs need no gradient, or it "
            "was made inside no_grad()), so it has no graph to step through"
        )
    if root.op is None:
        raise ValueError(
            f"save_html: {node_name(root)} is a leaf (no operation made it), so there is no "
            "graph to step through; pass the result of a computation, such as a loss"
        )


def _writable(path: str | os.PathLike[str]) -> Path:
    """The path as a Path whose folder exists, or an error naming what is wrong."""
    try:
        target = Path(path)
    except TypeError:
        kind = type(path).__name__
        raise TypeError(f"save_html: path must be a str or Path, not {kind}") from None
    if target.is_dir():
        raise IsADirectoryError(f"save_html: {str(target)!r} is a folder; give a file name "
                                f"such as {str(target / 'steps.html')!r}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OSError(f"save_html: cannot write {str(target)!r}: cannot make its folder "
                      f"({err.strerror or err})") from err
    if not os.access(target.parent, os.W_OK) or (target.exists()
                                                 and not os.access(target, os.W_OK)):
        raise PermissionError(f"save_html: cannot write {str(target)!r}: permission denied")
    return target


# --------------------------------------------------------------------------- numbers
def _full(x: Any) -> str:
    """Every digit of a number or array, for the hover text."""
    a = np.asarray(x)
    if a.ndim == 0:
        return repr(float(a)) if a.dtype.kind == "f" else str(a)
    return np.array2string(a, precision=17, threshold=FULL_ARRAY, max_line_width=100)


def _num(x: Any, term: bool = False) -> str:
    """A number or array as ``draw_graph`` writes it, full precision on hover (and, for a
    tensor, the whole array on demand). ``term``: a factor or summand, so a negative
    number is bracketed."""
    a = np.asarray(x)
    short = escape(fmt_array(a))
    if term and a.ndim == 0 and a.dtype.kind == "f" and float(a) < 0:
        short = f"({short})"  # −3 in a product reads as a factor, not a subtraction
    if a.size <= SMALL:
        return f'<span class="num" title="{escape(_full(a))}">{short}</span>'
    return (f'<details class="arr"><summary><span class="num">{short}</span> '
            f'<span class="shape">{a.shape}</span></summary><pre>{escape(_full(a))}</pre>'
            "</details>")


def _d(of: str, wrt: str) -> str:
    return escape(partial_derivative(of, wrt))


# --------------------------------------------------------------------------- frames
@dataclass
class _Frame:
    """One state of the page: a forward (``"forward"``) or backward (``"step"``) step."""

    kind: str
    k: int
    text: str  # the panel's HTML
    nodes: tuple[str, ...] = ()  # DOT names to outline
    edges: tuple[str, ...] = ()  # DOT edge titles ("v3->o2") to colour
    node: str | None = None  # the current node's DOT name (for tests and the address)
    grad: Any = None  # the current node's gradient, full precision (small arrays)
    labels: dict[str, str] = field(default_factory=dict)  # edge title -> what it carries back
    to: dict[str, int] = field(default_factory=dict)  # labelled edge -> its receiver's step


class _Page:
    """The frames of one page and what the drawing shows when."""

    def __init__(self, root: Value, steps: list[BackwardStep],
                 ids: dict[int, tuple[str, str | None]], title: str | None,
                 rankdir: str) -> None:
        self.root, self.steps, self.ids, self.rankdir = root, steps, ids, rankdir
        self.names = node_names(root)
        self.forward: list[ForwardStep] = list(forward_steps(root))
        self.title = title or f"Backpropagation through {self.name(root)}"
        self.collapsed = any(box.startswith("m") for box, _ in ids.values())  # layer boxes
        self.seed = steps[0].upstream if steps else 1.0
        self.L = gradient_of(root, self.seed, self.names)  # L, or g·L for another seed g
        # at which forward step each drawn node's value is known, at which backward step
        # its gradient (a collapsed module box: once all values in it / its output's grad)
        self.known_f: dict[str, int] = {}
        for s in self.forward:
            box = self.box(s.node)
            if box is not None:
                self.known_f[box] = max(self.known_f.get(box, 0), s.index + 1)
        self.known_b: dict[str, int] = {}
        for s in steps:
            box = self.box(s.node)
            if box is not None and box not in self.known_b:
                self.known_b[box] = s.index + 1
        # the Value each drawn box stands for (not a collapsed module's box)
        self.values: dict[str, Value] = {}
        self.hidden = 0  # the Values beyond max_nodes, in the "… N more nodes" box
        every_value, _ = reachable(root)  # constants too: they are drawn, but no steps
        for v in every_value:
            box = self.box(v)
            if box is not None and box.startswith("v"):
                self.values[box] = v
            self.hidden += box is None
        self.step_of = {id(s.node): s.index + 1 for s in steps}  # each node's own step
        # who sent what to each node: (sender, part, sender's step number, input slot)
        self.parts: dict[int, list[tuple[Value, Any, int, int]]] = {}
        for s in steps:
            for i, (p, c) in enumerate(zip(s.node.parents, s.contributions, strict=False)):
                if c is not None:
                    self.parts.setdefault(id(p), []).append((s.node, c, s.index + 1, i))

    def name(self, v: Value) -> str:
        return node_name(v, self.names)

    def box(self, v: Value) -> str | None:
        where = self.ids.get(id(v))
        return None if where is None else where[0]

    def shown_at(self, v: Value) -> str | None:
        """The box a step at ``v`` scrolls to: its own, or the "… N more" box."""
        return self.box(v) or ("more" if self.hidden else None)

    def more_note(self, first: _Frame) -> str:
        """The page's one note for the steps at Values the drawing left out (beyond
        ``max_nodes``), shown by the script at those steps (in every frame's text it made
        a 2,000-Value page 0.9 MB bigger)."""
        if not self.hidden:
            return ""
        hidden = "" if first.node == "more" else " hidden"
        return (f'<p class="note more-note"{hidden}>This node is not drawn: it is one of the '
                f"{self.hidden:,} nodes beyond max_nodes, in the box “… {self.hidden:,} more "
                f"nodes”. save_html(..., max_nodes=None) draws every node; collapse=True "
                f"draws each layer as one box.</p>")

    def known(self, row: str, box: str, frame: _Frame) -> bool:
        """Whether ``box``'s ``row`` ("data" or "grad") is shown at ``frame``, as the
        script's ``show()`` decides: data with no forward step (a constant) is always
        known, a grad only once a backward step has given it."""
        if row == "data":
            return frame.kind != "forward" or self.known_f.get(box, 0) <= frame.k
        at = self.known_b.get(box)
        return frame.kind != "forward" and at is not None and at <= frame.k

    # ------------------------------------------------------------------ frames
    def frames(self) -> list[_Frame]:
        m, n = len(self.forward), len(self.steps)
        out = [_Frame("forward", 0, self.say(escape(
            describe_start(self.root, "forward", m, self.names))))]
        for s in self.forward:
            out.append(self.forward_frame(s, m))
        root = escape(self.name(self.root))
        if plain_seed(self.seed):
            nxt = f"Next: the seed {_d(self.L, self.L)} = 1 starts the chain rule at {root}."
        else:  # ∂L/∂L is 1: the sweep gives the gradients of g·L
            scalar = np.size(self.root.data) == 1
            nxt = (f"Next: the seed g = {_num(self.seed)}, given to backward(grad=...), starts "
                   f"the chain rule at {root}"
                   + (f" ({_d(self.name(self.root), self.name(self.root))} itself is 1)"
                      if scalar else "")
                   + f", so the gradients below are those of {escape(self.L)}: "
                   + (f"g times those of {root}." if scalar else f"the sum of g ⊙ {root}."))
        out.append(_Frame("step", 0, self.say(escape(
            describe_start(self.root, "backward", n, self.names)) + f"<p>{nxt}</p>")))
        for s in self.steps:
            out.append(self.backward_frame(s, n))
        return out

    @staticmethod
    def say(body: str) -> str:
        return f'<p class="say">{body}</p>'  # (the counter above says the phase)

    def highlight(self, v: Value, slots: Sequence[int], sent: Sequence[Any] = ()
                  ) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, str], dict[str, int]]:
        """The DOT names of ``v``'s box and oval, of the edges from its inputs ``slots``
        (indices into ``v.parents``), the short text each edge carries backwards
        (``sent``: the contributions, one per slot), and the step of the input each
        labelled edge carries it to."""
        where = self.ids.get(id(v))
        if where is None:  # beyond max_nodes: the box that stands for the rest lights up
            return (("more",) if self.hidden else ()), (), {}, {}
        box, oval = where
        if oval is None:  # a leaf: its box alone
            return (box,), (), {}, {}
        nodes = (box, oval)
        edges: list[str] = []
        if oval != box:
            edges.append(f"{oval}->{box}")
        # an op collapsed into a layer's box: only the edges from other boxes are drawn, and
        # one of them may carry several inputs' parts (then it gets no label)
        carried: dict[str, list[tuple[Any, Value]]] = {}
        for j, i in enumerate(slots):
            src = self.box(v.parents[i]) or "more"
            if src != oval:
                name = edge_id(src, oval, v.parents, i)  # (one name for a merged edge)
                if name not in edges:
                    edges.append(name)
                if j < len(sent) and src != "more":
                    carried.setdefault(name, []).append((sent[j], v.parents[i]))
        one = {name: c[0] for name, c in carried.items() if len(c) == 1}
        labels = {name: edge_text(c) for name, (c, _) in one.items()}
        to = {name: self.step_of[id(p)] for name, (_, p) in one.items() if id(p) in self.step_of}
        return nodes, tuple(edges), labels, to

    def forward_frame(self, s: ForwardStep, total: int) -> _Frame:
        text = self.say(escape(describe(s, total, self.names)))
        if s.inputs:  # the numbers that went in
            text += "<p>from " + ", ".join(self.given(p) for p in s.inputs) + "</p>"
        else:
            text += f"<p>{self.given(s.node)} is given</p>"
        nodes, edges, _, _ = self.highlight(s.node, range(len(s.inputs)))
        return _Frame("forward", s.index + 1, text, nodes, edges, self.shown_at(s.node))

    def given(self, v: Value) -> str:
        """``r = -0.5379``, or ``the constant 2`` (not ``2 = 2``)."""
        return self.called(v) if self.unnamed_constant(v) else (
            f"{escape(self.name(v))} = {_num(v.data)}")

    def called(self, v: Value) -> str:
        """A node's name in a sentence: ``r``, ``the constant 2``, or for unlabelled data
        that is not a number ``the input [1, 2]`` (with its shape when it is large)."""
        if not self.unnamed_constant(v):
            return escape(self.name(v))
        return f"the {'constant' if v.size == 1 else 'input'} {_num(v.data)}"

    def unnamed_constant(self, v: Value) -> bool:
        """A leaf without label or gradient, which the drawing names by its number."""
        return v.op is None and not v.label and not v.requires_grad and id(v) not in self.names

    def backward_frame(self, s: BackwardStep, total: int) -> _Frame:
        v, name = s.node, self.name(s.node)
        lines = [f'<p class="say">{escape(describe(s, total, self.names, self.L))}</p>',
                 f'<p class="arrived">{self.arrived(s)}</p>']
        if v.op is None:
            what = "the sum" if len(self.parts.get(id(v), [])) > 1 else "it"
            lines.append(f"<p>{escape(name)} is a leaf: {what} is stored in "
                         f"<code>{escape(name)}.grad</code>.</p>")
        else:
            local = self.local_derivatives(s)
            rule = [self.sent(s, i, p, c, local)
                    for i, (p, c) in enumerate(zip(v.parents, s.contributions, strict=False))]
            lines.append(f'<p>The chain rule at {escape(v.op or "")}: what {escape(name)} '
                         f"sends to each input</p><ul>{''.join(rule)}</ul>")
        carrying = [(i, c) for i, c in enumerate(s.contributions)
                    if c is not None]  # the edges a gradient goes back along
        nodes, edges, labels, to = self.highlight(v, [i for i, _ in carrying],
                                                  [c for _, c in carrying])
        g = np.asarray(s.upstream)
        body = "".join(lines)
        return _Frame("step", s.index + 1, body, nodes, edges, self.shown_at(v),
                      g.tolist() if g.size <= FULL_ARRAY else None, labels, to)

    @staticmethod
    def in_flight(frames: Sequence[_Frame]) -> dict[str, list[Any]]:
        """The labelled edges whose part waits at least one step for its receiver:
        edge -> [the step that sends it, the receiver's own step, its label]. The script
        draws it, quieter than the current step's, at the steps strictly between (once per
        edge, not per frame: a 2,000-Value page has 2,000 frames). An edge lit at several
        steps (a merged edge into a layer's box) is left out: its one label would not say
        which part is waiting."""
        back = [f for f in frames if f.kind == "step"]
        lit: dict[str, int] = {}
        for f in back:
            for e in f.edges:
                lit[e] = lit.get(e, 0) + 1
        return {e: [f.k, f.to[e], label] for f in back for e, label in f.labels.items()
                if lit[e] == 1 and f.to.get(e, 0) > f.k + 1}

    def arrived(self, s: BackwardStep) -> str:
        """The gradient arriving at the step's node: the seed, or the sum of the parts
        sent to it along each path."""
        L, name = self.L, self.name(s.node)
        if s.index == 0 and plain_seed(s.upstream):
            return f"{_d(L, name)} = {_num(s.upstream)} (the seed)"
        if s.index == 0:  # ∂(g·L)/∂L = g
            return (f"{_d(L, name)} = g = {_num(s.upstream)} (the seed, given to "
                    "backward(grad=...))")
        parts = self.parts.get(id(s.node), [])
        arrived = f"{_d(L, name)} = "
        if len(parts) > 1:
            arrived += " + ".join(
                f'<span class="part">{_num(c, True)} <small>(from {escape(self.name(u))}'
                + (f" as its {which}" if (which := slot(u.parents, i)) else "")
                + f", step {k})</small></span>" for u, c, k, i in parts) + " = "
        arrived += f'<b class="upstream">{_num(s.upstream)}</b>'
        if len(parts) > 1:
            arrived += f" <small>({len(parts)} paths reach {escape(name)}: their parts "
            arrived += "are summed)</small>"
        return arrived

    def sent(self, s: BackwardStep, i: int, p: Value, c: Any, local: list[Any] | None) -> str:
        """The chain rule for input ``i`` (``p``) of the step's node, as a list item:
        ``∂L/∂p = ∂L/∂node · ∂node/∂p = (factors) = c``, where ``c`` is what is sent."""
        v, name, L, pn = s.node, self.name(s.node), self.L, self.name(p)
        if c is None:
            return f"<li>{self.called(p)} needs no gradient</li>"
        # a Value that is two inputs (a * a) has a derivative in each: name the input
        which = slot(v.parents, i)
        wrt = f"its {which} {pn}" if which else pn
        more = len(self.parts.get(id(p), [])) > 1
        # at the root, dL/dL · dL/dp would name the local factor as the result
        chain = (f"{_d(L, name)} · {_d(name, wrt)}" if v is not self.root else
                 f"(the seed) · (the derivative of {escape(v.op or '')} with "
                 f"respect to {escape(wrt)})")
        factors = self.factors(s, i, p, local)
        # a formula in δ says what δ is after the result: '= formula, with δ = [...] = c'
        # read as if δ were c
        where = f", where δ = {_d(L, name)} = {_num(s.upstream)}" if "δ" in factors else ""
        return (
            f'<li class="sent">{_d(L, pn)}{" (a part)" if more else ""} = '
            f'{chain} = {factors} = <b class="send">{_num(c)}</b>{where}'
            + (" <small>(one part; the parts are summed when "
               f"{escape(pn)} is reached)</small>" if more else "") + "</li>"
        )

    def factors(self, s: BackwardStep, i: int, p: Value, local: list[Any] | None) -> str:
        """``∂L/∂node · ∂node/∂p`` for input ``i`` (``p``), written out: as two numbers for
        a scalar node, else as the lecture's formula for the op, else as the op's vjp."""
        v = s.node
        if local is not None and local[i] is not None:
            return f"{_num(s.upstream, True)} · {_num(local[i], True)}"
        if v.op in MATRIX_RULES:  # the lecture's formula, δ = dL/d(node)
            return self.matrix_rule(v, i)
        if len(ELEMENTWISE_RULES.get(v.op or "", ())) > i:
            names = [escape(self.name(q) if self.unnamed_constant(q) else
                            bracketed(self.name(q))) for q in v.parents]
            text = ELEMENTWISE_RULES[v.op][i].format(*names,
                                                     out=escape(bracketed(self.name(v))))
            if v.op in ("add", "sub", "mul") and np.shape(p.data) != np.shape(v.data):
                text += f", summed back to {escape(self.name(p))}'s shape {np.shape(p.data)}"
            return text
        # a tensor node: the vjp multiplies by the Jacobian without forming it
        return f"vjp<sub>{escape(v.op or '')}</sub>({_num(s.upstream)})"

    def matrix_rule(self, v: Value, i: int) -> str:
        """``MATRIX_RULES``' formula for input ``i`` of ``v``, with the inputs' names."""
        letters, rules = MATRIX_RULES[v.op]
        if v.op == "linear" and i == 2 and np.ndim(v.data) == 1:
            return "δ (one sample: nothing to sum over)"
        names = [
            letter if q.op is None and not q.label else escape(self.name(q))
            for letter, q in zip(letters, v.parents, strict=True)
        ]
        return rules[i].format(*names)

    def local_derivatives(self, s: BackwardStep) -> list[Any] | None:
        """∂(node)/∂(input) for a scalar node, from the engine's own vjp with a unit seed.

        One step of ``backward_steps(node, grad=1)`` sends ``1 · ∂node/∂p`` to each input
        ``p``: exactly the local derivatives, computed by the rules ``backward()`` uses.
        Only for nodes in the drawing (each such sweep starts by sorting the node's part
        of the graph, so doing it for every node of a 2,000-node graph would take seconds).
        The node's ``.grad`` is put back afterwards.
        """
        v = s.node
        if v.op is None or np.size(v.data) != 1 or id(v) not in self.ids:
            return None
        kept = v.grad
        sweep = backward_steps(v, np.ones_like(np.asarray(v.data)))
        try:
            first = next(sweep)
        finally:
            sweep.close()
            v.grad = kept
        return list(first.contributions)

    # ------------------------------------------------------------------ page
    def render(self, svg: str, standalone: bool, start: tuple[str, int]) -> str:
        frames = self.frames()
        kind = "forward" if start[0] == "forward" else "step"
        first = next((i for i, f in enumerate(frames) if (f.kind, f.k) == (kind, start[1])), 0)
        data = {
            "frames": [{"kind": f.kind, "k": f.k, "nodes": f.nodes, "edges": f.edges,
                        "node": f.node, "grad": f.grad, "labels": f.labels}
                       for f in frames],
            "texts": [f.text for f in frames],
            "tb": self.rankdir in ("TB", "BT"),
            "f": self.known_f,
            "b": self.known_b,
            "p": self.in_flight(frames),
        }
        blob = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        blob = blob.replace("</", "<\\/")  # never ends the script element early
        # unique in a notebook that shows one graph twice, and the same from run to run
        uid = f"agc-{hashlib.sha1(blob.encode()).hexdigest()[:8]}-{next(_PAGES)}"
        last = len(frames) - 1
        body = _BODY.format(
            uid=uid, title=escape(self.title), last=last, first=first,
            fwd=" fwd" if frames[first].kind == "forward" else "",
            first_text=frames[first].text, svg=_annotate(svg, self, frames[first]),
            collapsed=_COLLAPSED if self.collapsed else "", more_note=self.more_note(
                frames[first]),
            css=_CSS.replace("ROOT", f"#{uid}"), data=blob, standalone="true" if standalone
            else "false", js=_JS,
        )
        if not standalone:
            return body
        return (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(self.title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
        )


# --------------------------------------------------------------------------- the drawing
def _annotate(svg: str, page: _Page, frame: _Frame) -> str:
    """Mark the drawing's value and gradient rows so the script can hide and show them.

    Graphviz writes each row of a node's label as one ``<text>``; a row ``data ...`` gets
    ``class="data"``, a row ``grad ...`` ``class="grad"``, with its text in ``data-text``.
    The drawing is then set to the first ``frame``, so a page whose script does not run
    (GitHub, nbviewer) still shows a true first frame.
    """
    svg = svg[svg.index("<svg"):]  # no XML declaration or DOCTYPE inside HTML
    tree = ET.fromstring(svg)
    ns = {"s": _SVG}
    for g in tree.iterfind(".//s:g", ns):
        kind = g.get("class")
        title = g.find("s:title", ns)
        if title is None:
            continue
        if kind not in ("node", "edge"):  # the graph's and the clusters' DOT names
            g.remove(title)
            continue
        name = title.text or ""
        if kind == "edge" and "->" in (g.get("id") or ""):
            name = g.get("id") or name  # one of an op's edges from a Value it takes twice
        g.set("data-id", name)
        g.remove(title)  # the DOT name would be the hover text; the rows carry their own
        if name in frame.nodes or name in frame.edges:
            g.set("class", f"{kind} cur")
        if kind != "node":
            continue
        value = page.values.get(name)
        for t in g.iterfind(".//s:text", ns):
            text = "".join(t.itertext())
            for row in ("data", "grad"):
                if text.startswith(row + " "):
                    t.set("class", row)
                    t.set("data-text", text)
                    full = None if value is None else getattr(value, row)
                    if full is not None:  # every digit, shown on hover once known
                        t.set("data-full", _full(full))
                    if not page.known(row, name, frame):
                        t.text = f"{row} ?"
                        t.set("class", f"{row} unknown")
    out = ET.tostring(tree, encoding="unicode")
    out = re.sub(r"\s*<!--.*?-->", "", out, flags=re.S)
    return out


# --------------------------------------------------------------------------- template
_CSS = """
ROOT{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 color:#222;max-width:100%;outline:none}
ROOT h1{font-size:20px;margin:4px 0 8px}
ROOT .bar{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:6px 0}
ROOT .bar button{font:inherit;padding:3px 10px;border:1px solid #999;border-radius:5px;
 background:#f4f4f4;cursor:pointer}
ROOT .bar button:hover{background:#e8e8e8}
ROOT .bar button[aria-disabled=true]{color:#aaa;border-color:#ddd;background:#fafafa;cursor:default}
ROOT .bar input[type=range]{flex:1 1 200px;min-width:120px}
ROOT .counter{font-variant-numeric:tabular-nums;min-width:15em}
ROOT .panel{border:1px solid #ddd;border-radius:6px;padding:6px 12px;background:#fbfbfb;
 min-height:7.5em}
ROOT.standalone .head{position:sticky;top:0;z-index:2;background:#fff;padding-bottom:4px}
ROOT.standalone .panel{max-height:45vh;overflow:auto}
ROOT .panel p{margin:4px 0;overflow-wrap:anywhere}
ROOT .panel ul{margin:2px 0 4px;padding-left:22px;overflow-wrap:anywhere}
ROOT .phase{font-weight:600;color:#555}
ROOT .num{font-variant-numeric:tabular-nums;border-bottom:1px dotted #aaa;cursor:help}
ROOT .upstream .num,ROOT .send .num{color:#b2182b}
ROOT .part{background:#fff3cd;border-radius:3px;padding:0 3px}
ROOT .note{color:#8a5a00;margin:4px 0}
ROOT details.arr{display:inline-block;vertical-align:top}
ROOT details.arr pre{max-height:14em;overflow:auto;background:#fff;border:1px solid #ddd;
 padding:4px;font-size:12px;margin:2px 0}
ROOT .shape{color:#777;font-size:12px}
ROOT .keys{color:#777;font-size:12px}
ROOT .keys .q{color:#aaa;font-family:Helvetica,Arial,sans-serif}
ROOT .drawing{overflow:auto;margin-top:8px;border:1px solid #eee}
ROOT .drawing svg{max-width:100%;height:auto}
ROOT .drawing.full svg{max-width:none}
ROOT text.unknown{fill:#aaaaaa}
ROOT g.cur>path,ROOT g.cur>polygon,ROOT g.cur>ellipse{stroke:#d62728;stroke-width:3px}
ROOT.fwd g.cur>path,ROOT.fwd g.cur>polygon,ROOT.fwd g.cur>ellipse{stroke:#1f5fa8}
ROOT g.edge.cur>path{stroke:#d62728;stroke-width:2.5px}
ROOT g.edge.cur>polygon{stroke:#d62728;fill:#d62728}
ROOT.fwd g.edge.cur>path{stroke:#1f5fa8}
ROOT:not(.fwd) g.edge.cur>polygon{display:none}
ROOT text.carry{font:bold 11px Helvetica,Arial,sans-serif;fill:#d62728;paint-order:stroke;
 stroke:#fff;stroke-width:3px}
ROOT:not(.fwd) g.edge.cur>polygon.back{display:inline;fill:#d62728;stroke:#d62728}
ROOT.fwd g.edge.cur>polygon{stroke:#1f5fa8;fill:#1f5fa8}
ROOT g.edge.pend>path{stroke:#b07f82;stroke-width:1.6px;stroke-dasharray:5 3}
ROOT g.edge.pend>polygon{display:none}
ROOT g.edge.pend>polygon.back{display:inline;fill:#b07f82;stroke:#b07f82}
ROOT text.carry.pend{font-weight:normal;font-style:italic;fill:#6e6e6e}
ROOT .keys .red{color:#d62728;font-weight:bold}
ROOT .keys .pend{color:#6e6e6e;font-style:italic}
"""

_COLLAPSED = """
A layer drawn as one box is outlined at each of its steps; its inner edges are not drawn, so
only what goes from one box to another lights up (an edge carrying several parts has no number)."""

_BODY = """<div class="agc-page{fwd}" id="{uid}" tabindex="0" data-start="{first}">
<style>{css}</style>
<h1>{title}</h1>
<div class="head">
<div class="bar">
<button type="button" class="home" title="first step (Home)">◀◀ First</button>
<button type="button" class="prev" title="previous step (←)">◀ Previous</button>
<button type="button" class="next" title="next step (→)">Next ▶</button>
<button type="button" class="end" title="last step (End)">Last ▶▶</button>
<button type="button" class="zoom" title="fit the drawing to the width, or full size">Zoom</button>
<input type="range" class="slider" min="0" max="{last}" value="{first}" aria-label="step">
<span class="counter"></span>
</div>
<div class="panel" aria-live="polite">{first_text}</div>{more_note}
</div>
<div class="keys">Keys: ← → step, Home / End. Hover a number for all its digits.
The current node is outlined: in blue in the forward pass, with the edges its inputs come along;
in red in the backward pass, with the edges its gradient goes back along.
<span class="q">grad ?</span>: not summed yet. A node's gradient is shown when the sweep
reaches it, as the sum of the parts sent to it: <span class="red">bold red</span> on the red edges,
the parts the current node sends; <span class="pend">grey</span> on the dashed edges, parts sent at
an earlier step, on their way until their node's step.{collapsed}</div>
<div class="drawing">{svg}</div>
<script type="application/json" class="agc-data">{data}</script>
<script>
(function(){{var root=document.getElementById("{uid}");var standalone={standalone};
{js}}})();
</script>
</div>"""

_JS = r"""
var D=JSON.parse(root.querySelector("script.agc-data").textContent);
var frames=D.frames,texts=D.texts,pos=0;
var panel=root.querySelector(".panel"),slider=root.querySelector(".slider");
var counter=root.querySelector(".counter"),head=root.querySelector(".head");
if(standalone)root.classList.add("standalone");
var byId={};root.querySelectorAll(".drawing g[data-id]").forEach(function(g){
  byId[g.getAttribute("data-id")]=g;});
var nf=0,nb=0;frames.forEach(function(f){if(f.kind==="forward")nf=f.k;else nb=f.k;});
function setText(t,known){
  var text=t.getAttribute("data-text"),full=t.getAttribute("data-full");
  t.textContent=known?text:text.slice(0,5)+"?";
  if(known&&full){var tip=document.createElementNS("http://www.w3.org/2000/svg","title");
    tip.textContent=full;t.appendChild(tip);}
  t.classList.toggle("unknown",!known);}
function backArrow(g,label,below){  // the gradient goes against the arrow: a head at its tail
  var path=g.querySelector("path");if(!path||!path.getTotalLength)return;
  var n=path.getTotalLength();if(n<1)return;
  var a=path.getPointAtLength(0),b=path.getPointAtLength(Math.min(9,n));
  var dx=b.x-a.x,dy=b.y-a.y,d=Math.sqrt(dx*dx+dy*dy)||1;dx/=d;dy/=d;
  var pts=[a.x,a.y,b.x-dy*4,b.y+dx*4,b.x+dy*4,b.y-dx*4];
  var tri=document.createElementNS("http://www.w3.org/2000/svg","polygon");
  tri.setAttribute("class","back");
  tri.setAttribute("points",pts[0]+","+pts[1]+" "+pts[2]+","+pts[3]+" "+pts[4]+","+pts[5]);
  g.appendChild(tri);
  if(label===undefined)return;  // and what it carries, beside it, on a white ground
  var t=document.createElementNS("http://www.w3.org/2000/svg","text");
  // top to bottom: nearer the input, where the edges of one op have spread apart
  var h=path.getPointAtLength(n),c=path.getPointAtLength(n*(D.tb?0.3:0.5));
  var e=path.getPointAtLength(Math.min(n,n*0.5+2)),ux=e.x-c.x,uy=e.y-c.y;
  var u=Math.sqrt(ux*ux+uy*uy)||1,nx=uy/u,ny=-ux/u;if(ny>0){nx=-nx;ny=-ny;}
  var x=c.x+nx*7,y=c.y+ny*7,anchor="middle";  // left to right: above the edge
  if(below){x=c.x-nx*7;y=c.y-ny*7+8;}  // the lower of two edges from one Value: below it
  if(D.tb){  // top to bottom: beside the edge, on the side away from the op's other edges
    anchor=h.x-a.x>8?"end":"start";x+=anchor==="end"?-5:5;y=c.y+4;
  }
  t.setAttribute("class","carry");t.setAttribute("x",x);t.setAttribute("y",y);
  t.setAttribute("text-anchor",anchor);t.textContent=label;g.appendChild(t);return t;}
function middleY(id){var p=byId[id].querySelector("path");
  return p&&p.getTotalLength?p.getPointAtLength(p.getTotalLength()/2).y:0;}
function lower(id,ids){  // "v2->o1#1" below its twin "v2->o1#0" (one Value, two inputs: a*a)
  var k=id.indexOf("#");if(k<0)return false;var base=id.slice(0,k+1),y=middleY(id);
  return ids.some(function(o){return o!==id&&o.slice(0,k+1)===base&&byId[o]&&middleY(o)<y;});}
function covers(b,boxes){return boxes.some(function(p){return b.x<p.x+p.width&&
  p.x<b.x+b.width&&b.y<p.y+p.height&&p.y<b.y+b.height;});}
function untangle(labels){  // move a label off the nodes and the labels placed before it:
  var placed=[];            // to the nearest free place, up or down (0, -4, +4, -8, ...)
  root.querySelectorAll(".drawing g.node").forEach(function(g){placed.push(g.getBBox());});
  var ground=root.querySelector(".drawing g.graph > polygon"),top=-Infinity,bottom=Infinity;
  if(ground){var gb=ground.getBBox();top=gb.y;bottom=gb.y+gb.height;}
  labels.forEach(function(t){
    var y=+t.getAttribute("y");
    for(var k=0;k<=24;k++){
      t.setAttribute("y",y+(k%2?-1:1)*Math.ceil(k/2)*4);
      var b=t.getBBox();  // free, and inside the drawing
      if(b.y>=top&&b.y+b.height<=bottom&&!covers(b,placed))break;
      if(k===24)t.setAttribute("y",y);}  // nowhere near: leave it beside its edge
    placed.push(t.getBBox());});}
function show(i,quiet){
  pos=Math.max(0,Math.min(frames.length-1,i));var f=frames[pos];
  var fwd=f.kind==="forward";root.classList.toggle("fwd",fwd);
  root.querySelectorAll("text.data").forEach(function(t){
    var id=t.closest("g[data-id]").getAttribute("data-id");
    var at=D.f[id];setText(t,!fwd||at===undefined||at<=f.k);});
  root.querySelectorAll("text.grad").forEach(function(t){
    var id=t.closest("g[data-id]").getAttribute("data-id");
    var at=D.b[id];setText(t,!fwd&&at!==undefined&&at<=f.k);});
  root.querySelectorAll(".drawing g.cur,.drawing g.pend").forEach(function(g){
    g.classList.remove("cur","pend");});
  f.nodes.concat(f.edges).forEach(function(id){if(byId[id])byId[id].classList.add("cur");});
  root.querySelectorAll(".drawing polygon.back").forEach(function(a){a.remove();});
  root.querySelectorAll(".drawing text.carry").forEach(function(t){t.remove();});
  if(!fwd)f.edges.forEach(function(id){if(byId[id])backArrow(byId[id],f.labels[id],
    !D.tb&&lower(id,f.edges));});
  var now=Array.prototype.slice.call(root.querySelectorAll(".drawing text.carry")),later=[];
  // the parts sent at earlier steps whose node has not had its step: on their way
  var waiting=fwd?[]:Object.keys(D.p).filter(function(id){var p=D.p[id];
    return p[0]<f.k&&f.k<p[1]&&byId[id];}).sort(function(i,j){return D.p[j][0]-D.p[i][0];});
  waiting.forEach(function(id){byId[id].classList.add("pend");
    var t=backArrow(byId[id],D.p[id][2],!D.tb&&lower(id,waiting));if(t)later.push(t);});
  // placed after the current step's labels, the latest sent first, in the bold type they
  // were sent in (so each stays where it was, as far as the new labels leave it room);
  // then set quieter, which is narrower: still off the nodes and the other labels
  untangle(now.concat(later));
  later.forEach(function(t){t.classList.add("pend");});
  panel.innerHTML=texts[pos];
  var note=root.querySelector(".more-note");if(note)note.hidden=f.node!=="more";
  panel.setAttribute("data-kind",f.kind);panel.setAttribute("data-k",f.k);
  panel.setAttribute("data-node",f.node===null?"":f.node);
  panel.setAttribute("data-grad",f.grad===null?"":JSON.stringify(f.grad));
  slider.value=pos;  // nowhere to go: the buttons say so (not `disabled`, which would
  [".home",".prev",".next",".end"].forEach(function(c,j){  // take the keys' focus away)
    root.querySelector(c).setAttribute("aria-disabled",j<2?pos===0:pos===frames.length-1);});
  counter.textContent=(fwd?"Forward pass: step "+f.k+"/"+nf:"Backward pass: step "+f.k+"/"+nb);
  if(standalone){var h=(fwd?"#forward=":"#step=")+f.k;
    if(location.hash!==h)history.replaceState(null,"",h);}
  var cur=f.node&&byId[f.node];
  // the step's text stays in view at the top: scroll the node below it, not under it
  if(standalone)document.documentElement.style.scrollPaddingTop=head.offsetHeight+"px";
  if(cur&&cur.scrollIntoView)reveal(cur,quiet);}
function reveal(cur,quiet){  // the node, its edges and the nodes at their ends, as far as they fit
  var lit=[],x0=1e9,y0=1e9,x1=-1e9,y1=-1e9;
  root.querySelectorAll(".drawing g.cur").forEach(function(g){lit.push(g);
    var id=g.getAttribute("data-id")||"",k=id.indexOf("->");  // and the node at its far end
    if(k>0&&byId[id.slice(0,k)])lit.push(byId[id.slice(0,k)]);});
  lit.forEach(function(g){var b=g.getBBox();x0=Math.min(x0,b.x);y0=Math.min(y0,b.y);
    x1=Math.max(x1,b.x+b.width);y1=Math.max(y1,b.y+b.height);});
  if(quiet){inBox(lit);inBox([cur]);return;}
  if(lit.length>1&&cur.parentNode){  // a stand-in rectangle over all of it, scrolled to
    var r=document.createElementNS("http://www.w3.org/2000/svg","rect");
    r.setAttribute("x",x0-8);r.setAttribute("y",y0-8);r.setAttribute("fill","none");
    r.setAttribute("width",x1-x0+16);r.setAttribute("height",y1-y0+16);
    cur.parentNode.appendChild(r);r.scrollIntoView({block:"nearest",inline:"nearest"});
    r.remove();}
  cur.scrollIntoView({block:"nearest",inline:"nearest"});}  // the node itself in any case
function inBox(gs){  // scroll the drawing alone to show gs, and not the page around it
  var box=root.querySelector(".drawing"),c=box.getBoundingClientRect(),x0=1e9,y0=1e9,
    x1=-1e9,y1=-1e9;
  gs.forEach(function(g){var b=g.getBoundingClientRect();x0=Math.min(x0,b.left);
    y0=Math.min(y0,b.top);x1=Math.max(x1,b.right);y1=Math.max(y1,b.bottom);});
  box.scrollLeft+=x1>c.right?Math.min(x1-c.right,x0-c.left):Math.min(0,x0-c.left);
  box.scrollTop+=y1>c.bottom?Math.min(y1-c.bottom,y0-c.top):Math.min(0,y0-c.top);}
function fromHash(){
  var m=/^#(step|forward)=(\d+)$/.exec(location.hash);if(!m)return null;
  var kind=m[1],k=+m[2];
  for(var i=0;i<frames.length;i++)if(frames[i].kind===kind&&frames[i].k===k)return i;
  return kind==="step"?frames.length-1:nf;}
root.querySelector(".home").onclick=function(){show(0);};
root.querySelector(".prev").onclick=function(){show(pos-1);};
root.querySelector(".next").onclick=function(){show(pos+1);};
root.querySelector(".end").onclick=function(){show(frames.length-1);};
root.querySelector(".zoom").onclick=function(){
  root.querySelector(".drawing").classList.toggle("full");};
slider.oninput=function(){show(+slider.value);};
function key(e){
  if(e.altKey||e.ctrlKey||e.metaKey)return;
  var t=e.target&&e.target.tagName;if(t==="INPUT"||t==="TEXTAREA"||t==="BUTTON"&&e.key===" ")return;
  var to={ArrowRight:pos+1,ArrowDown:pos+1,ArrowLeft:pos-1,ArrowUp:pos-1,Home:0,
    End:frames.length-1}[e.key];
  if(to===undefined)return;e.preventDefault();e.stopPropagation();show(to);}
(standalone?document:root).addEventListener("keydown",key);
if(standalone)window.addEventListener("hashchange",function(){
  var i=fromHash();if(i!==null&&i!==pos)show(i);});
var svg=root.querySelector(".drawing svg"),box=root.querySelector(".drawing");
if(svg&&svg.width.baseVal.value>2*box.clientWidth)box.classList.add("full");  // too small fitted
// a page inside a notebook opens without scrolling the notebook to itself
var start=standalone?fromHash():null;
show(start===null?+root.getAttribute("data-start"):start,!standalone);
"""
