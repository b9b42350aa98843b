"""Graph drawing: what the DOT says (labels, data, grads, ops, modules), rendering, limits."""

from __future__ import annotations

import re
import struct
import sys
import xml.etree.ElementTree as ET

import graphviz
import numpy as np
import pytest
from dotparse import parse
from graphs import BY_HAND, DL_DD, DL_DT, PNG_SIGNATURE, T, Y, lecture_graph

from autograd_core import Value, backward_steps, draw_graph, name_scope, to_dot, topological_order
from autograd_core.viz import (
    INPUT,
    INTERIOR,
    OUTPUT,
    PARAMETER,
    ComputationGraph,
    GraphvizNotFoundError,
    drawing_ids,
    edge_text,
    fmt_array,
    fmt_number,
)


def node_of(L: Value, name: str) -> Value:
    return next(v for v in topological_order(L) if v.label == name)


# --------------------------------------------------------------------------- text
def test_number_format_has_four_significant_digits():
    assert fmt_number(2.0) == "2"
    assert fmt_number(-3) == "-3"
    assert fmt_number(0.123456) == "0.1235"
    assert fmt_number(np.tanh(0.5)) == "0.4621"
    assert fmt_number(12345.6) == "1.235e+04"
    assert fmt_number(-1e-7) == "-1e-07"
    assert fmt_number(-0.0) == "0"
    assert fmt_number(float("nan")) == "nan"
    assert fmt_number(float("-inf")) == "-inf"


def test_array_format_values_when_small_else_min_mean_max():
    assert fmt_array(np.array(0.25)) == "0.25"
    assert fmt_array(np.array([1.0, -2.5, 1 / 3])) == "[1, -2.5, 0.3333]"
    assert fmt_array(np.arange(6.0).reshape(2, 3)) == "[[0, 1, 2], [3, 4, 5]]"
    assert fmt_array(np.arange(7.0)) == "min 0 · mean 3 · max 6"
    x = np.linspace(-1, 2, 50).reshape(5, 10)
    assert fmt_array(x) == f"min -1 · mean {x.mean():.4g} · max 2"
    assert fmt_array(np.zeros((0, 3))) == "[] (empty)"
    assert fmt_array(Value([1.5, 2.5])) == "[1.5, 2.5]"
    # a mean that is rounding noise is 0 (a softmax gradient's rows sum to zero)
    g = np.random.default_rng(0).standard_normal((4, 10))
    g -= g.mean(axis=1, keepdims=True)
    assert g.mean() != 0.0 and abs(g.mean()) < 1e-15
    assert " mean 0 " in fmt_array(g) and " mean 0 " in fmt_array(g.astype(np.float32))
    assert edge_text(g) == "mean 0"  # an edge's label, in the drawing and on the page
    tiny = np.array([-1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1e-10])  # a real mean stays
    assert fmt_array(tiny) == "min -1 · mean 1.429e-11 · max 1"
    sparse = np.zeros(200_000, np.float32)
    sparse[0] = 1.0
    assert fmt_array(sparse) == "min 0 · mean 5e-06 · max 1"
    half = np.zeros(20, np.float16)
    half[0] = 1.0
    assert fmt_array(half) == "min 0 · mean 0.04999 · max 1"  # (float16 rounding)
    blown = np.arange(20.0)
    blown[3] = np.inf
    assert fmt_array(blown) == "min 0 · mean inf · max inf" and edge_text(blown) == "mean inf"


# --------------------------------------------------------------------------- scalar graph
def test_scalar_graph_shows_labels_data_and_grads_after_backward():
    L = lecture_graph()
    L.backward()
    d = parse(to_dot(L))
    for name, (data, grad) in BY_HAND.items():
        node = d.titled(name)
        assert node.data == f"{data:.4g}", name
        assert node.grad == f"{grad:.4g}", name
    assert d.titled("a").grad == "2.538" and d.titled("b").grad == "-1.692"
    assert d.titled("L").data == "0.2893" and d.titled("L").grad == "1"
    # y needs no gradient: no grad row; the exponent 2 is a constant node, untitled
    assert d.titled("y").grad is None and d.titled("y").data == "1"
    (const,) = [n for n in d.values() if n.title is None and n.data == "2"]
    assert const.grad is None
    # an unlabelled op result is named by its op, as the step-through's text names it
    diff = d.titled("⟨sub⟩")
    assert diff.data == f"{T - Y:.4g}" and diff.grad == f"{DL_DT:.4g}"
    assert len(d.values()) == 10


def test_colours_tell_parameters_inputs_interior_and_output_apart():
    L = lecture_graph()
    L.backward()
    d = parse(to_dot(L))
    fill = {n: re.search(r'fillcolor="([^"]+)"', d.titled(n).attrs).group(1) for n in "abcyedtL"}
    assert fill == {
        "a": PARAMETER, "b": PARAMETER, "c": PARAMETER, "y": INPUT,
        "e": INTERIOR, "d": INTERIOR, "t": INTERIOR, "L": OUTPUT,
    }  # fmt: skip
    assert "parameter (leaf, gets .grad)" in to_dot(L)
    assert "input / constant (no grad)" in to_dot(L)
    assert "legend" not in to_dot(L, legend=False) and "label=<<table" not in to_dot(
        L, legend=False
    ).split("->")[-1]


def test_one_op_node_per_operation_named_by_the_op_and_wired_in_forward_direction():
    L = lecture_graph()
    d = parse(to_dot(L))
    assert sorted(re.sub(r"<.*?>", "", o.label) for o in d.ops()) == sorted(
        ["mul", "add", "tanh", "sub", "pow"]
    )
    for child, inputs in {"e": "ab", "d": "ec", "t": "d"}.items():
        vid = d.titled(child).id
        op = "o" + vid[1:]
        assert d.edges_between(op, vid), child
        for name in inputs:
            assert len(d.edges_between(d.titled(name).id, op)) == 1, (child, name)
    assert len(d.edges) == 14  # 9 inputs of the 5 ops, 5 op -> result


def test_before_backward_grads_are_blank():
    L = lecture_graph()
    d = parse(to_dot(L))
    assert d.titled("a").grad == "" and d.titled("L").grad == ""
    assert d.titled("a").data == "2"


def test_reused_node_has_two_edges_into_its_op():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    d = parse(to_dot(b))
    op = "o" + d.titled("b").id[1:]
    assert len(d.edges_between(d.titled("a").id, op)) == 2


def test_show_data_and_show_grad_leave_rows_out():
    L = lecture_graph()
    L.backward()
    d = parse(to_dot(L, show_data=False))
    assert d.titled("a").data is None and d.titled("a").grad == "2.538"
    d = parse(to_dot(L, show_grad=False))
    assert d.titled("a").data == "2" and d.titled("a").grad is None


def test_rankdir_and_title():
    L = lecture_graph()
    assert "rankdir=LR" in to_dot(L)
    assert "rankdir=TB" in to_dot(L, rankdir="TB")
    assert "one sample &lt;3&gt;" in to_dot(L, title="one sample <3>")


def test_dtype_shown_for_float32_scalar():
    x = Value(np.float32(1.5), label="x")
    d = parse(to_dot(x * 2))
    assert "float32" in d.titled("x").label and d.titled("x").data == "1.5"


# --------------------------------------------------------------------------- tensors
def test_tensor_nodes_show_shape_dtype_and_values_or_summary():
    W = Value(np.arange(6, dtype=np.float32).reshape(2, 3), label="W")
    x = Value(np.linspace(0, 1, 10), requires_grad=False, label="x")
    k = Value(3.0, label="k")
    s = (W * 2.0).sum() + (x * k).sum()
    s.label = "s"
    s.backward()
    d = parse(to_dot(s))
    w = d.titled("W")
    assert "(2, 3) float32" in w.label
    assert w.data == "[[0, 1, 2], [3, 4, 5]]"
    assert w.grad == "[[2, 2, 2], [2, 2, 2]]"
    xn = d.titled("x")
    assert "(10,) float64" in xn.label
    assert xn.data == "min 0 · mean 0.5 · max 1" and xn.grad is None
    assert d.titled("s").data == f"{15 * 2 + 5 * 3:.4g}"
    assert d.titled("k").grad == "5"  # sum of x


def test_large_tensor_grad_is_summarised():
    W = Value(np.ones((4, 5)), label="W")
    L = (W * np.arange(20.0).reshape(4, 5)).sum()
    L.backward()
    assert parse(to_dot(L)).titled("W").grad == "min 0 · mean 9.5 · max 19"


def test_create_graph_grads_are_drawn_from_their_data():
    x = Value(3.0, label="x")
    y = x**3
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value)
    assert parse(to_dot(y)).titled("x").grad == "27"


# --------------------------------------------------------------------------- escaping
def test_labels_are_escaped_for_graphviz_and_survive_rendering():
    name = 'Linear(2→16) <x> & "q" {a|b}'
    a = Value(1.0, label=name)
    with name_scope("<scope> & co"):
        b = a * 2
    dot = to_dot(b)
    assert "Linear(2→16) &lt;x&gt; &amp; \"q\" {a|b}" in dot
    assert "&lt;scope&gt; &amp; co" in dot
    assert parse(dot).titled(name).data == "1"
    svg = draw_graph(b).pipe(format="svg", encoding="utf-8")
    text = " ".join(t.strip() for t in ET.fromstring(svg).itertext() if t.strip())
    assert name in text and "<scope> & co" in text


# --------------------------------------------------------------------------- modules
def mlp_graph() -> tuple[Value, dict[str, Value]]:
    rng = np.random.default_rng(0)
    x = Value(rng.normal(size=(4, 2)), requires_grad=False, label="x")
    W1, b1 = Value(rng.normal(size=(2, 3)), label="W1"), Value(np.zeros(3), label="b1")
    W2, b2 = Value(rng.normal(size=(3, 1)), label="W2"), Value(np.zeros(1), label="b2")
    with name_scope("MLP"):
        with name_scope("Linear(2→3)"):
            h = x @ W1 + b1
        with name_scope("ReLU"):
            h = h.relu()
        with name_scope("Linear(3→1)"):
            out = h @ W2 + b2
    with name_scope("MSELoss"):
        L = (out**2).mean()
    L.label = "L"
    return L, {"x": x, "W1": W1, "b1": b1, "W2": W2, "b2": b2, "h": h, "out": out}


def cluster_list(dot: str) -> list[tuple[str, str | None, list[str]]]:
    """Every cluster in order as (name, parent name, node ids), repeated names kept."""
    out, stack = [], []
    for line in dot.splitlines():
        s = line.strip()
        if s.startswith("subgraph cluster_"):
            stack.append(None)
        elif s.startswith("label=<") and stack and stack[-1] is None:
            name = re.search(r"<b>(.*?)</b>", s).group(1)
            parent = out[stack[-2]][0] if len(stack) > 1 else None
            out.append((name, parent, []))
            stack[-1] = len(out) - 1
        elif s == "}" and stack:
            stack.pop()
        elif stack and (m := re.match(r"(\w+) \[label=", s)):
            out[stack[-1]][2].append(m.group(1))
    return out


def clusters(dot: str) -> dict[str, tuple[str | None, list[str]]]:
    """cluster name -> (parent cluster name, ids of the nodes declared directly in it)."""
    return {name: (parent, ids) for name, parent, ids in cluster_list(dot)}


def test_ops_made_in_a_name_scope_are_drawn_in_a_cluster_named_after_it():
    L, v = mlp_graph()
    L.backward()
    dot = to_dot(L)
    d = parse(dot)
    cl = clusters(dot)
    assert set(cl) == {"MLP", "Linear(2→3)", "ReLU", "Linear(3→1)", "MSELoss"}
    assert cl["MLP"][0] is None and cl["MSELoss"][0] is None
    assert {cl[k][0] for k in ("Linear(2→3)", "ReLU", "Linear(3→1)")} == {"MLP"}
    # parameters sit in the layer that uses them; the data input stays outside
    assert d.titled("W1").id in cl["Linear(2→3)"][1] and d.titled("b1").id in cl["Linear(2→3)"][1]
    assert d.titled("W2").id in cl["Linear(3→1)"][1]
    assert all(d.titled("x").id not in ids for _, ids in cl.values())
    assert d.titled("L").id in cl["MSELoss"][1]
    ops_in = {k: sorted(re.sub(r"<.*?>", "", d.nodes[i].label) for i in ids if i[0] == "o")
              for k, (_, ids) in cl.items()}
    assert ops_in["Linear(2→3)"] == ["add", "matmul"]
    assert ops_in["ReLU"] == ["relu"]
    assert ops_in["MSELoss"] == ["mean", "pow"]
    assert ops_in["MLP"] == []


def test_collapse_draws_each_innermost_module_as_one_box():
    L, v = mlp_graph()
    L.backward()
    dot = to_dot(L, collapse=True)
    d = parse(dot)
    boxes = {n.title: n for n in d.nodes.values() if n.id.startswith("m")}
    assert set(boxes) == {"Linear(2→3)", "ReLU", "Linear(3→1)", "MSELoss"}
    lin = boxes["Linear(2→3)"]
    assert "2 ops" in lin.label and "params W1 (2, 3), b1 (3,)" in lin.label
    assert "output (4, 3) float64" in lin.label
    assert lin.data == fmt_array(v["h"].parents[0].data)  # the add before the ReLU
    assert boxes["Linear(3→1)"].grad == fmt_array(v["out"].grad)
    assert boxes["MSELoss"].grad == "1"
    assert not d.ops()  # every op is inside some module
    x = d.titled("x").id
    chain = [x, lin.id, boxes["ReLU"].id, boxes["Linear(3→1)"].id, boxes["MSELoss"].id]
    assert [(e.src, e.dst) for e in d.edges] and all(
        len(d.edges_between(s, t)) == 1 for s, t in zip(chain, chain[1:], strict=False)
    )
    assert len(d.edges) == 4
    assert set(clusters(dot)) == {"MLP"}  # the outer module still groups its layers
    assert "module (collapsed)" in dot


def test_collapse_at_depth_one():
    L, _ = mlp_graph()
    d = parse(to_dot(L, collapse=1))
    boxes = {n.title: n for n in d.nodes.values() if n.id.startswith("m")}
    assert set(boxes) == {"MLP", "MSELoss"}
    assert "5 ops" in boxes["MLP"].label
    assert "params W1 (2, 3), b1 (3,), W2 (3, 1), b2 (1,)" in boxes["MLP"].label


# --------------------------------------------------------------------------- determinism
def test_same_graph_gives_the_same_dot_text():
    first, second = lecture_graph(), lecture_graph()
    first.backward()
    second.backward()
    assert to_dot(first) == to_dot(second)
    (L1, _), (L2, _) = mlp_graph(), mlp_graph()
    assert to_dot(L1, collapse=True) == to_dot(L2, collapse=True)
    assert "id(" not in to_dot(first) and not re.search(r"\b\d{9,}\b", to_dot(first))


def test_draw_graph_is_a_digraph_with_the_same_source():
    L = lecture_graph()
    g = draw_graph(L, rankdir="TB")
    assert isinstance(g, graphviz.Digraph) and isinstance(g, ComputationGraph)
    assert g.source == to_dot(L, rankdir="TB")


# --------------------------------------------------------------------------- rendering
def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_has_signature_and_plausible_size(tmp_path):
    L = lecture_graph()
    L.backward()
    data = draw_graph(L).pipe(format="png")
    width, height = png_size(data)
    assert 600 <= width <= 3000 and 150 <= height <= 1200, (width, height)
    assert 5_000 < len(data) < 2_000_000
    path = draw_graph(L).render(tmp_path / "graph", format="png", cleanup=True)
    assert path.endswith("graph.png")
    assert png_size(open(path, "rb").read()) == (width, height)


def test_svg_parses_as_xml_and_holds_the_numbers():
    L = lecture_graph()
    L.backward()
    svg = draw_graph(L).pipe(format="svg", encoding="utf-8")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    text = " ".join(t.strip() for t in root.itertext() if t.strip())
    for word in ("tanh", "mul", "grad 2.538", "data 0.4621", "parameter (leaf, gets .grad)"):
        assert word in text, word


def test_pdf_renders():
    assert draw_graph(lecture_graph()).pipe(format="pdf")[:5] == b"%PDF-"


def test_missing_dot_says_how_to_install_graphviz(monkeypatch, tmp_path):
    L = lecture_graph()
    dot = to_dot(L)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` anywhere
    g = draw_graph(L)
    with pytest.raises(GraphvizNotFoundError, match=r"apt-get install graphviz") as err:
        g.pipe(format="png")
    assert "brew install graphviz" in str(err.value) and "to_dot" in str(err.value)
    assert isinstance(err.value, graphviz.ExecutableNotFound)  # old except clauses still work
    with pytest.raises(GraphvizNotFoundError, match="'dot' program was not found"):
        g.render(tmp_path / "g", format="svg")
    with pytest.raises(GraphvizNotFoundError):
        g._repr_mimebundle_()  # what Jupyter calls to show it
    assert to_dot(L) == dot  # DOT text needs no Graphviz


# --------------------------------------------------------------------------- size limit
def scalar_mlp(n_hidden: int = 16, n_samples: int = 4) -> Value:
    """A micrograd-style scalar MLP 2-16-16-1 on a few samples: about 2,900 nodes."""
    rng = np.random.default_rng(0)
    sizes = [2, n_hidden, n_hidden, 1]
    layers = [
        [([Value(rng.normal()) for _ in range(n_in)], Value(0.0)) for _ in range(n_out)]
        for n_in, n_out in zip(sizes, sizes[1:], strict=False)
    ]

    def forward(x):
        for layer in layers:
            x = [sum((w * xi for w, xi in zip(ws, x, strict=True)), b).tanh() for ws, b in layer]
        return x[0]

    xs = [[Value(v, requires_grad=False) for v in rng.normal(size=2)] for _ in range(n_samples)]
    return sum(((forward(x) - 1.0) ** 2 for x in xs), Value(0.0))


def count_reachable(root: Value) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        for p in stack.pop().parents:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


def test_big_graph_is_cut_at_max_nodes_with_a_more_node():
    L = scalar_mlp()
    L.backward()
    total = count_reachable(L)
    assert 2000 <= total <= 4000
    dot = to_dot(L, max_nodes=60)
    d = parse(dot)
    assert len(d.values()) == 60
    assert f"… {total - 60:,} more nodes" in d.nodes["more"].label
    assert any(e.src == "more" for e in d.edges)
    assert len({(e.src, e.dst) for e in d.edges if e.src == "more"}) == len(
        [e for e in d.edges if e.src == "more"]
    )  # one edge per op that lost inputs to the cut
    assert "o0" in d.nodes and d.nodes["v0"].grad == "1"  # the output end is kept
    width, height = png_size(draw_graph(L, max_nodes=60).pipe(format="png"))
    assert width > 300 and height > 100
    assert "more" not in parse(to_dot(L, max_nodes=None)).nodes
    assert len(parse(to_dot(L, max_nodes=None)).values()) == total


def test_default_max_nodes_keeps_big_graphs_drawable():
    L = scalar_mlp()
    d = parse(to_dot(L))
    assert len(d.values()) == 200 and "more" in d.nodes


def test_deep_chain_does_not_recurse():
    x = Value(0.5, label="x")
    y = x
    for _ in range(20_000):
        y = y * 1.0
    d = parse(to_dot(y, max_nodes=10))
    # x, 20,000 products and 20,000 constants 1.0: 40,001 nodes, 10 of them drawn
    assert len(d.values()) == 10 and "… 39,991 more nodes" in d.nodes["more"].label


# --------------------------------------------------------------------------- highlight
def test_highlight_backward_step_shows_exactly_the_grads_reached_so_far():
    L = lecture_graph()
    steps = list(backward_steps(L))
    order = list(reversed(topological_order(L)))
    assert [s.node for s in steps] == order
    for k, step in enumerate(steps):
        d = parse(to_dot(L, highlight=step))
        shown = {n.title for n in d.values() if n.title and n.grad}
        assert shown == {v.label or "⟨sub⟩" for v in order[: k + 1]}, k
        blank = {n.title for n in d.values() if n.title and n.grad == ""}
        assert blank == {v.label or "⟨sub⟩" for v in order[k + 1 :]}, k
        shown.discard("⟨sub⟩")
        for name in shown:
            assert d.titled(name).grad == f"{BY_HAND[name][1]:.4g}"
        current = [n for n in d.values() if n.current]
        assert len(current) == 1 and current[0].id == drawing_ids(L)[id(step.node)][0]


def test_highlight_marks_the_edges_the_gradient_is_sent_along():
    L = lecture_graph()
    steps = {s.node.label: s for s in backward_steps(L)}
    d = parse(to_dot(L, highlight=steps["d"]))  # d = e + c sends dL/dd to e and to c
    op = "o" + d.titled("d").id[1:]
    red = [e for e in d.edges if "dir=back" in e.attrs]
    assert {(e.src, e.dst) for e in red} == {
        (d.titled("e").id, op), (d.titled("c").id, op), (op, d.titled("d").id)
    }
    assert [e.label for e in red] == [f"{DL_DD:.4g}", f"{DL_DD:.4g}", None]
    assert "penwidth=3" in d.nodes[op].attrs
    assert "red edges: gradient sent to its inputs" in to_dot(L, highlight=steps["d"])
    leaf = parse(to_dot(L, highlight=steps["a"]))
    assert leaf.titled("a").current and not [e for e in leaf.edges if "dir=back" in e.attrs]


def test_blank_grads_keep_their_space():
    """Not-yet-reached grads are written invisibly with zeroed digits: same box sizes."""
    L = lecture_graph()
    steps = list(backward_steps(L))
    dot = to_dot(L, highlight=steps[0])
    assert '<font color="transparent">0.000</font>' in dot  # a's 2.538, hidden
    assert "2.538" not in dot


def test_highlight_of_another_graph_or_wrong_type_is_an_error():
    L, other = lecture_graph(), lecture_graph()
    step = next(backward_steps(other))
    with pytest.raises(ValueError, match=r"highlight: step 0 \(L\) is not step 0 of backward"):
        to_dot(L, highlight=step)
    with pytest.raises(TypeError, match="highlight must be a step .* not int"):
        to_dot(L, highlight=3)


def test_highlight_a_value_outlines_it():
    L = lecture_graph()
    t = node_of(L, "t")
    d = parse(to_dot(L, highlight=t))
    assert [n.title for n in d.values() if n.current] == ["t"]


# --------------------------------------------------------------------------- arguments
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"rankdir": "XY"}, ValueError, "rankdir must be 'LR' or 'TB'"),
        ({"max_nodes": 0}, ValueError, "max_nodes must be a positive int or None, not 0"),
        ({"max_nodes": 2.5}, ValueError, "max_nodes must be a positive int"),
        ({"collapse": -1}, ValueError, "collapse must be True, False or a nesting depth"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        draw_graph(lecture_graph(), **kwargs)


def test_root_must_be_a_value():
    with pytest.raises(TypeError, match="root must be a Value, not ndarray"):
        to_dot(np.ones(3))


def test_a_lone_leaf_and_a_graph_without_grad_draw():
    d = parse(to_dot(Value(1.25, label="w")))
    assert d.titled("w").data == "1.25" and not d.edges
    x = Value(2.0, requires_grad=False, label="x")
    d = parse(to_dot(x * 3))  # nothing recorded: the product is a plain input
    assert len(d.values()) == 1 and d.values()[0].data == "6"


def test_highlight_inside_a_collapsed_module_outlines_its_box():
    L, v = mlp_graph()
    steps = list(backward_steps(L))
    (relu_step,) = [s for s in steps if s.op == "relu"]
    d = parse(to_dot(L, collapse=True, highlight=relu_step))
    boxes = {n.title: n for n in d.nodes.values() if n.id.startswith("m")}
    assert [t for t, n in boxes.items() if n.current] == ["ReLU"]
    # reached by then: the loss and the second layer, not yet the first
    assert boxes["MSELoss"].grad == "1"
    assert boxes["Linear(3→1)"].grad == fmt_array(v["out"].grad)
    assert boxes["Linear(2→3)"].grad == ""


def test_tensor_gradients_on_edges_are_short():
    L, v = mlp_graph()
    steps = list(backward_steps(L))
    (step,) = [s for s in steps if s.node is v["out"].parents[0]]  # h @ W2
    sent_to_h, sent_to_w2 = step.contributions
    d = parse(to_dot(L, highlight=step))
    labels = sorted(e.label for e in d.edges if e.label)
    assert labels == sorted([f"mean {sent_to_h.mean():.4g}", f"mean {sent_to_w2.mean():.4g}"])
    a = Value(np.array([1.0, 2.0]), label="a")
    s = (a * 3.0).sum()
    (_, mul_step, _) = backward_steps(s)
    assert [e.label for e in parse(to_dot(s, highlight=mul_step)).edges if e.label] == ["[3, 3]"]


def test_two_layers_with_the_same_name_get_two_boxes():
    rng = np.random.default_rng(0)
    x = Value(rng.normal(size=(3, 2)), requires_grad=False, label="x")
    W = [Value(rng.normal(size=(2, 2)), label=f"W{k}") for k in range(2)]
    h = x
    with name_scope("MLP"):
        for k in range(2):
            with name_scope("Linear(2→2)"):
                h = h @ W[k]
            with name_scope("Tanh"):
                h = h.tanh()
    v = Value(2.0, label="v")
    with name_scope("Shared"):  # one module called twice on separate inputs
        u = (x * v).sum()
    with name_scope("Shared"):
        w = h.sum()
    L = u * w
    dot = to_dot(L)
    names = [(name, parent) for name, parent, _ in cluster_list(dot)]
    assert sorted(names) == sorted(
        [("MLP", None), ("Linear(2→2)", "MLP"), ("Linear(2→2)", "MLP"), ("Tanh", "MLP"),
         ("Tanh", "MLP"), ("Shared", None), ("Shared", None)]
    )
    d = parse(dot)
    linear = [ids for name, _, ids in cluster_list(dot) if name == "Linear(2→2)"]
    # each layer's unlabelled product is named apart from the other's, in creation order
    assert sorted(sorted(d.nodes[i].title for i in ids if d.nodes[i].title) for ids in linear) == [
        ["W0", "⟨matmul⟩1"], ["W1", "⟨matmul⟩2"]
    ]
    boxes = [n.title for n in parse(to_dot(L, collapse=True)).nodes.values() if n.id[0] == "m"]
    assert sorted(boxes) == ["Linear(2→2)"] * 2 + ["Shared"] * 2 + ["Tanh"] * 2


def test_drawing_a_released_graph_says_what_happened():
    x = Value(np.array([1.0, 2.0]), label="x")
    h = (x * 2.0).tanh()
    loss = h.sum()
    loss.backward(retain_graph=False)
    for root in (loss, h):
        with pytest.raises(RuntimeError, match=r"released by backward\(retain_graph=False\)"):
            draw_graph(root)
        with pytest.raises(RuntimeError, match="retain_graph=True"):
            to_dot(root)
    again = (h * 3.0).sum()  # a new graph on a released node: drawn, the node shown freed
    assert "freed" in to_dot(again)


def test_render_takes_the_format_from_the_extension_and_leaves_no_dot_file(tmp_path):
    # issue 15, point 2: render("t1.png") wrote the DOT text into t1.png and a PDF named
    # t1.png.pdf; render("out/L", format="png") left the DOT file "out/L" beside the PNG.
    L = lecture_graph()
    L.backward()
    g = draw_graph(L)
    magic = {"png": PNG_SIGNATURE, "svg": b"<?xml", "pdf": b"%PDF-", "jpg": b"\xff\xd8\xff"}
    for ext, head in magic.items():
        path = g.render(tmp_path / f"t1.{ext}")
        assert path == str(tmp_path / f"t1.{ext}")
        assert open(path, "rb").read()[: len(head)] == head, ext
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t1.jpg", "t1.pdf", "t1.png", "t1.svg"]
    path = g.render(tmp_path / "out" / "L", format="png")  # the older form, a new folder
    assert path == str(tmp_path / "out" / "L.png")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["L.png"]
    png_size(open(path, "rb").read())


def test_render_keeps_the_dot_file_when_asked_and_refuses_a_clash(tmp_path):
    L = lecture_graph()
    g = draw_graph(L)
    g.render(tmp_path / "k.png", cleanup=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.gv", "k.png"]
    assert (tmp_path / "k.gv").read_text().startswith("digraph")
    with pytest.raises(ValueError, match=r"'.*t\.png' is a \.png name but format='svg'"):
        g.render(tmp_path / "t.png", format="svg")


def test_render_refuses_a_name_it_would_not_write_as_asked(tmp_path):
    # from a new-user trial: render("r/L.txt") wrote r/L.txt.pdf
    g = draw_graph(lecture_graph())
    with pytest.raises(ValueError, match=r"'.*L\.txt' ends in \.txt, which is not a format "
                                         r"Graphviz writes: name the file \.png, \.svg"):
        g.render(tmp_path / "L.txt")
    assert list(tmp_path.iterdir()) == []
    # with format= the name may hold any dot; without an extension Graphviz's default, pdf
    assert g.render(tmp_path / "graph.v1", format="png") == str(tmp_path / "graph.v1.png")
    assert g.render(tmp_path / "L") == str(tmp_path / "L.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["L.pdf", "graph.v1.png"]


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS builds of dot write cgimage")
@pytest.mark.parametrize("how", ["extension", "format", "outfile"])
def test_a_format_dot_cannot_write_is_an_error_in_words_leaving_no_file(tmp_path, how, capfd):
    # a format this dot build lacks (.bmp here; cgimage, which only macOS builds write, in
    # the test) raised subprocess's CalledProcessError, echoed dot's list of formats, and
    # left the DOT source behind
    g = draw_graph(lecture_graph())
    with pytest.raises(ValueError, match=r"render: Graphviz's dot could not write the file "
                                         r"\(Format: \"cgimage\" not recognized\); use a \.png"):
        if how == "extension":
            g.render(tmp_path / "L.cgimage")
        elif how == "format":
            g.render(tmp_path / "L", format="cgimage")
        else:
            g.render(tmp_path / "L", outfile=tmp_path / "L.cgimage")
    assert list(tmp_path.iterdir()) == []
    assert "not recognized" not in capfd.readouterr().err  # said once, in the error


def test_a_long_label_is_cut_in_the_drawing_and_whole_elsewhere():
    """From a teacher's trial: a 190-character label made the PNG 3630 px wide."""
    from autograd_core.viz import TITLE_CHARS, to_dot

    name = "w" * 150
    a = Value(2.0, label=name)
    b = a * 3.0
    b.label = "two\nlines"
    dot = to_dot(b)
    assert name not in dot and "w" * (TITLE_CHARS - 1) + "…" in dot
    assert "two lines" in dot  # one row
    assert a.label == name  # the Value keeps it


def test_the_legend_names_the_ovals_only_when_one_is_drawn():
    """From a teacher's trial: a collapsed drawing listed 'oval: operation' with no oval."""
    import nn

    model = nn.MLP(2, [3], 2, seed=0)
    out = model(np.ones((4, 2)))
    assert "oval: operation" not in to_dot(out, collapse=True)  # every op inside a box
    assert "oval: operation" in to_dot(out.sum(), collapse=True)  # the sum is drawn
    assert "oval: operation" in to_dot(out)


def test_a_number_near_one_is_not_rounded_to_one():
    """From a teacher's trial: tanh(-8) = -0.99999977 was shown as -1, which a saturated
    unit never reaches; 4 digits stay the rule elsewhere."""
    from autograd_core.viz import fmt_number

    assert fmt_number(np.tanh(-8.0)) == "-0.9999998"
    assert fmt_number(1 / (1 + np.exp(-10.0))) == "0.99995"
    assert fmt_number(1.0) == "1" and fmt_number(-1.0) == "-1"
    assert fmt_number(np.float32(0.99999994)) == "0.9999999"
    assert fmt_number(1 + 1e-12) == "1"  # beyond 7 digits: as it rounds
    assert fmt_number(1234.4) == "1234" and fmt_number(2.00001) == "2"
    assert fmt_number(0.7616) == "0.7616" and fmt_number(-0.0) == "0"
