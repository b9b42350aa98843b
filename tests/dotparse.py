"""Read back the DOT text that autograd_core.viz writes, so tests can assert what it shows."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

_NODE = re.compile(r"^\t+(\w+) \[label=<(.*)>(?: (.*))?\]$")
_EDGE = re.compile(r"^\t+(\w+) -> (\w+)(?: \[(.*)\])?$")
_TITLE = re.compile(r"<b>(.*?)</b>")
_DATA = re.compile(r">data ([^<]*)<")
_GRAD = re.compile(r">grad ([^<]*)</font>")
_EDGE_LABEL = re.compile(r"taillabel=<.*?<td>(.*?)</td>")


@dataclass
class Node:
    id: str
    label: str  # the raw HTML-like label
    attrs: str

    @property
    def title(self) -> str | None:
        m = _TITLE.search(self.label)
        return html.unescape(m.group(1)) if m else None

    @property
    def data(self) -> str | None:
        """The data text a reader sees ("" when blank), None when there is no data row."""
        m = _DATA.search(self.label)
        if m:
            return html.unescape(m.group(1))
        return "" if ">data <font" in self.label else None

    @property
    def grad(self) -> str | None:
        """The grad text a reader sees ("" when blank), None when there is no grad row."""
        m = _GRAD.search(self.label)
        return html.unescape(m.group(1)) if m else None

    @property
    def current(self) -> bool:
        return "penwidth=3" in self.attrs


@dataclass
class Edge:
    src: str
    dst: str
    attrs: str

    @property
    def label(self) -> str | None:
        """The gradient written at the edge's input end (during a backward step)."""
        m = _EDGE_LABEL.search(self.attrs)
        return html.unescape(m.group(1)) if m else None


@dataclass
class Drawing:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def titled(self, title: str) -> Node:
        found = [n for n in self.nodes.values() if n.title == title and n.id[0] in "vm"]
        assert len(found) == 1, f"{len(found)} nodes titled {title!r}"
        return found[0]

    def values(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.id[0] == "v"]

    def ops(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.id[0] == "o"]

    def edges_between(self, src: str, dst: str) -> list[Edge]:
        return [e for e in self.edges if e.src == src and e.dst == dst]


def parse(dot: str) -> Drawing:
    d = Drawing()
    for line in dot.splitlines():
        if m := _NODE.match(line):
            d.nodes[m.group(1)] = Node(m.group(1), m.group(2), m.group(3) or "")
        elif m := _EDGE.match(line):
            d.edges.append(Edge(m.group(1), m.group(2), m.group(3) or ""))
    return d
