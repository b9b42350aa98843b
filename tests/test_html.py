"""The step-through page as a file: what it holds, its size, and its errors.

Stepping in a browser is tested in test_html_browser.py."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from graphs import lecture_graph

from autograd_core import Stepper, Value, no_grad, save_html, topological_order
from autograd_core.html import UNCUT_LIMIT, html_page
from autograd_core.viz import fmt_mean


def scalar_mlp(n_hidden: int, n_in: int = 4, seed: int = 0) -> Value:
    """A micrograd-style scalar network: about 17 nodes per hidden unit."""
    rng = np.random.default_rng(seed)
    xs = [Value(float(v), requires_grad=False, label=f"x{i}")
          for i, v in enumerate(rng.standard_normal(n_in))]
    outs = []
    for j in range(n_hidden):
        s = Value(0.0, label=f"b{j}")
        for i, x in enumerate(xs):
            s = s + Value(float(rng.standard_normal()), label=f"w{j}_{i}") * x
        outs.append(s.tanh())
    L = outs[0]
    for o in outs[1:]:
        L = L + o * Value(float(rng.standard_normal()), label="v")
    L = L**2
    L.label = "L"
    return L


def test_save_html_writes_one_self_contained_file(tmp_path):
    L = lecture_graph(labelled="")
    path = save_html(L, tmp_path / "sub" / "steps.html")  # the folder is made
    assert path == tmp_path / "sub" / "steps.html"
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 1
    # nothing to fetch: no src/href to anywhere, no stylesheet link, no import, no font
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    # afterwards every .grad is what backward() gives (the lecture's dL/da = 2.538)
    (a,) = [v for v in topological_order(L) if v.label == "a"]
    assert float(a.grad) == pytest.approx(2.538, abs=1e-3)


def test_first_frame_is_visible_without_the_script(tmp_path):
    page = save_html(lecture_graph(labelled=""), tmp_path / "s.html").read_text(encoding="utf-8")
    still = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    assert "Step 0/8: before the forward pass" in still
    assert 'class="data unknown"' in still and ">grad -" not in still.split("<svg")[1]


def test_page_and_stepper_agree_on_numbers_and_names(tmp_path):
    s = Stepper(lecture_graph(labelled="")).goto(3)
    assert s.to_html(tmp_path / "p.html") == tmp_path / "p.html"  # the path, as save_html's
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and s.to_html().startswith("<!DOCTYPE html>")
    for k in range(1, len(s) + 1):
        assert s.goto(k).describe().replace(">", "&gt;") in page  # the same sentences
    assert "⟨sub⟩" in page  # the unlabelled t - y: named as in the text


def test_a_200_node_drawing_stays_under_one_megabyte(tmp_path):
    L = scalar_mlp(11)
    path = save_html(L, tmp_path / "mlp.html")
    assert 180 <= len(Stepper(L)) <= 200  # (interior nodes and parameters)
    assert path.stat().st_size < 1_000_000


def test_big_graph_is_cut_as_draw_graph_cuts_it(tmp_path):
    L = scalar_mlp(40)
    page = save_html(L, tmp_path / "big.html").read_text(encoding="utf-8")
    assert "more nodes" in page and "max_nodes=200" in page
    # every step is still there, the drawing shows the 200 nodes nearest the loss
    assert f"Step {len(Stepper(L))}/{len(Stepper(L))}" in page


def test_errors_say_what_is_wrong(tmp_path):
    L = lecture_graph(labelled="")
    with pytest.raises(ValueError, match="is a leaf .* no graph to step through"):
        save_html(Value(1.0, label="w"), tmp_path / "x.html")
    with no_grad():
        y = Value(2.0) * 3
    with pytest.raises(ValueError, match="does not require grad"):
        save_html(y, tmp_path / "x.html")
    with pytest.raises(TypeError, match="root must be a Value, not float"):
        save_html(1.0, tmp_path / "new" / "x.html")
    assert not (tmp_path / "new").exists()  # nothing made before the input is checked
    with pytest.raises(IsADirectoryError, match="is a folder"):
        save_html(L, tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError, match="cannot write .*cannot make its folder"):
        save_html(L, blocker / "steps.html")
    with pytest.raises(TypeError, match="highlight is chosen by the page"):
        save_html(L, tmp_path / "x.html", highlight=None)
    big = scalar_mlp(UNCUT_LIMIT // 17 + 5)
    with pytest.raises(ValueError, match="max_nodes=None draws them all.*collapse=True"):
        html_page(big, max_nodes=None)



def test_a_steppers_page_checks_its_root_and_options_before_the_pass():
    with no_grad():
        y = Value(2.0) * 3
    s = Stepper(y, "forward")  # a forward stepper runs the backward pass for its page
    with pytest.raises(ValueError, match="save_html: this Value does not require grad"):
        s.to_html()
    with pytest.raises(ValueError, match="w is a leaf .* no graph to step through"):
        Stepper(Value(1.0, label="w"))._repr_mimebundle_()
    with pytest.raises(TypeError, match="title is chosen by the page"):
        Stepper(lecture_graph(labelled=""), title="mine").to_html()  # (to_html takes title=)

def test_a_matrix_step_writes_the_lectures_formula(tmp_path):
    # from a new-user trial: at linear and matmul the chain rule read vjp_linear([[...]]),
    # exactly where a backprop student wants dL/dW = x^T δ and dL/dx = δ W^T
    x = Value(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), label="x")
    W = Value(np.ones((3, 2)), label="W")
    b = Value(np.zeros(2), label="b")
    import autograd_core as ag

    def page_of(L, name):  # (the steps' texts are JSON in a script, where "</" is "<\\/")
        return save_html(L, tmp_path / name).read_text(encoding="utf-8").replace("<\\/", "</")

    page = page_of(ag.linear(x, W, b).sum(), "lin.html")
    assert "= δ · W<sup>T</sup> = <b " in page
    assert "= x<sup>T</sup> · δ = <b " in page
    assert "= δ summed over the samples = <b " in page
    page = page_of((x @ W).sum(), "mm.html")
    assert "= δ · W<sup>T</sup> = <b " in page and "= x<sup>T</sup> · δ = <b " in page
    assert "vjp<sub>" not in page
    # δ is said after the result: '= x^T · δ, with δ = [...] = [...]' read as if δ were the result
    assert re.search(r"= x<sup>T</sup> · δ = <b [^>]*><span[^<]*</span></b>, where δ = ", page)
    # data without a label is called by the lecture's letter; one sample sums nothing
    page = page_of(ag.linear(np.array([1.0, 2.0, 3.0]), W, b).sum(), "one.html")
    assert "= x<sup>T</sup> · δ = <b " in page
    assert "= δ (one sample: nothing to sum over) = <b " in page


def test_a_network_step_writes_its_derivative_not_vjp(tmp_path):
    """From a new-user trial: at tanh, relu and log_softmax the page read
    vjp_tanh(δ), where the lecture's f'(a) factor is what a student looks for."""
    import nn

    def page_of(L, name):
        return save_html(L, tmp_path / name).read_text(encoding="utf-8").replace("<\\/", "</")

    X, y = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0])
    page = page_of(nn.losses.cross_entropy(nn.MLP(2, [3], 2, activation="tanh", seed=0)(X), y),
                   "tanh.html")
    assert "= δ ⊙ (1 − ⟨tanh⟩²) = <b " in page
    assert "= δ − softmax(⟨linear⟩2) ⊙ (δ summed along the softmax's axis) = <b " in page
    assert "vjp<sub>" not in page
    page = page_of(nn.losses.cross_entropy(nn.MLP(2, [3], 2, activation="relu", seed=0)(X), y),
                   "relu.html")
    assert "= δ ⊙ [⟨linear⟩1 &gt; 0] = <b " in page
    # a broadcast input gets the sum of δ over the axes it was stretched along
    a, b = Value(np.ones((2, 3)), label="a"), Value(np.ones(3), label="b")
    page = page_of((a * b).sum(), "bcast.html")
    assert "= δ ⊙ a, summed back to b's shape (3,) = <b " in page
    # an expression as a name is bracketed, so the formula keeps its precedence
    u, w = Value(np.ones(3), label="y0 - y_p"), Value(np.ones(3), label="1 + w")
    page = page_of((u * w).sum(), "expr.html")
    assert "= δ ⊙ (1 + w) = <b " in page and "= δ ⊙ (y0 - y_p) = <b " in page


def test_the_seed_step_does_not_name_its_result_as_its_factor(tmp_path):
    """At the root, dL/dr = dL/dL · dL/dr named the local factor as the result."""
    r = Value(0.5, label="r")
    L = r**2
    L.label = "L"
    page = save_html(L, tmp_path / "seed.html").read_text(encoding="utf-8")
    page = re.sub(r"<[^>]*>", "", page.replace("<\\/", "</"))  # the text, without markup
    assert "∂L/∂r = ∂L/∂L · ∂L/∂r" not in page
    assert "∂L/∂r = (the seed) · (the derivative of pow with respect to r) = 1 · 1 = 1" in page


def test_an_unlabelled_constant_is_called_the_constant(tmp_path):
    """From a new-user trial: the forward text read 'from r = -0.5379, 2 = 2'."""
    a = Value(2.0, label="a")
    L = (a - 1) ** 2
    page = save_html(L, tmp_path / "c.html").read_text(encoding="utf-8").replace("<\\/", "</")
    text = re.sub(r"<[^>]*>", "", page)
    assert "from a = 2, the constant 1" in text
    assert "from ⟨sub⟩ = 1, the constant 2" in text
    assert "the constant 2 needs no gradient" in text
    assert "from ⟨sub⟩ = 1, 2 = 2" not in text


def text_of(path) -> str:
    """The page's words, without markup (the steps' texts are JSON, where "</" is "<\\/")."""
    page = path.read_text(encoding="utf-8").replace("<\\/", "</")
    return re.sub(r"<[^>]*>", "", page)


def test_a_value_used_twice_by_one_op_names_each_input(tmp_path):
    """From a teacher's trial: for a*a the page said twice '∂⟨mul⟩/∂a = 3', but ∂(a·a)/∂a
    is 6; for a - a 'the derivative of sub in a' was 1, then -1. Each line names its input."""
    a = Value(3.0, label="a")
    b = a * a + a
    b.label = "b"
    text = text_of(save_html(b, tmp_path / "aa.html"))
    assert "∂b/∂a (a part) = ∂b/∂⟨mul⟩ · ∂⟨mul⟩/∂(its first input a) = 1 · 3 = 3" in text
    assert "∂b/∂a (a part) = ∂b/∂⟨mul⟩ · ∂⟨mul⟩/∂(its second input a) = 1 · 3 = 3" in text
    assert "∂⟨mul⟩/∂a" not in text
    assert "sends 3 to a (its first input), 3 to a (its second input)" in text
    assert ("1 (from b, step 1) + 3 (from ⟨mul⟩ as its first input, step 2) + 3 (from ⟨mul⟩ "
            "as its second input, step 2) = 7") in text
    a = Value(3.0, label="a")
    r = a - a
    r.label = "r"
    text = text_of(save_html(r, tmp_path / "sub.html"))
    assert "(the derivative of sub with respect to its first input a) = 1 · 1 = 1" in text
    assert "(the derivative of sub with respect to its second input a) = 1 · (-1) = -1" in text
    assert "the derivative of sub with respect to a)" not in text
    # one Value as one input is named as before
    page = text_of(save_html(b, tmp_path / "aa.html"))
    assert "(the derivative of add with respect to ⟨mul⟩)" in page


def test_each_edge_of_a_value_used_twice_has_its_own_name(tmp_path):
    """Both edges of a*a were one SVG id, so only one could be lit (with both labels)."""
    from autograd_core.viz import to_dot

    a = Value(3.0, label="a")
    r = a - a
    page = save_html(r, tmp_path / "sub.html").read_text(encoding="utf-8")
    assert page.count('data-id="v1-&gt;o0#0"') == page.count('data-id="v1-&gt;o0#1"') == 1
    frames = json.loads(re.search(r'class="agc-data">(.*?)</script>', page, re.S)[1])["frames"]
    (seed,) = [f for f in frames if (f["kind"], f["k"]) == ("step", 1)]
    assert seed["edges"] == ["o0->v0", "v1->o0#0", "v1->o0#1"]
    assert seed["labels"] == {"v1->o0#0": "1", "v1->o0#1": "-1"}
    (fwd,) = [f for f in frames if (f["kind"], f["k"]) == ("forward", 2)]
    assert fwd["edges"] == ["o0->v0", "v1->o0#0", "v1->o0#1"]
    assert 'v1 -> o0 [id="v1->o0#1"]' in to_dot(r)  # the drawing's names (no id otherwise)
    assert "id=" not in to_dot(a * Value(2.0, label="w"))


def test_an_explicit_seed_is_the_seed_g_and_never_dL_dL(tmp_path):
    """From a teacher's trial: with grad=5 the page said '∂L/∂L = 5 (the seed)', but
    ∂L/∂L is 1; the sweep then gives the gradients of g·L, and the page says so."""
    a = Value(2.0, label="a")
    L = a * 3.0
    L.label = "L"
    text = text_of(save_html(L, tmp_path / "g.html", grad=5.0))
    assert ("Next: the seed g = 5, given to backward(grad=...), starts the chain rule at L "
            "(∂L/∂L itself is 1), so the gradients below are those of g·L: g times those of L."
            ) in text
    assert ("Step 1/2: at L (mul), the seed g = 5 (given to backward(grad=...)); sends 15 "
            "to a") in text
    assert "∂(g·L)/∂L = g = 5 (the seed, given to backward(grad=...))" in text
    assert "∂(g·L)/∂a = (the seed) · (the derivative of mul with respect to a) = 5 · 3 = 15" in text
    assert "leaf a receives ∂(g·L)/∂a = 15, stored in a.grad" in text
    assert "∂L/∂L = 5" not in text and "∂L/∂a" not in text and "∂L/∂L = 1" not in text
    v = Value(np.array([1.0, 2.0]), label="v")
    y = v * 3.0
    y.label = "y"
    s = Stepper(y, grad=[0.5, -3])
    assert s.goto(1).describe() == ("Step 1/2: at y (mul), the seed g = [0.5, -3] (given to "
                                    "backward(grad=...)); sends [1.5, -9] to v")
    assert s.goto(2).describe() == (
        "Step 2/2: leaf v receives ∂(g·y)/∂v = [1.5, -9], stored in v.grad")
    text = re.sub(r"<[^>]*>", "", s.to_html().replace("<\\/", "</"))
    assert "∂(g·y)/∂y = g = [0.5, -3] (the seed, given to backward(grad=...))" in text
    assert "the gradients below are those of g·y: the sum of g ⊙ y." in text
    assert "∂y/∂y" not in text
    # without grad, or with the seed 1 itself, the seed is ∂L/∂L = 1
    for grad in (None, 1.0):
        text = text_of(save_html(L, tmp_path / "one.html", grad=grad))
        assert "∂L/∂L = 1 (the seed)" in text and "g·L" not in text


def test_unlabelled_input_data_is_called_the_input(tmp_path):
    """From a teacher's trial: an MLP's unlabelled (4, 2) input was 'the constant ▸ min …
    (4, 2)' and 'linear(a constant, 0.weight, 0.bias)', beside a formula that reads xᵀ · δ."""
    import nn

    X, y = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0])
    L = nn.losses.cross_entropy(nn.MLP(2, [3], 2, activation="tanh", seed=0)(X), y)
    text = text_of(save_html(L, tmp_path / "mlp.html"))
    assert "⟨linear⟩1 = linear(the input (4, 2), 0.weight, 0.bias) = " in text
    assert "from the input min 0 · mean 0.5 · max 1 (4, 2)" in text
    assert re.search(r"the input min 0 · mean 0\.5 · max 1 \(4, 2\)\[\[[^<]*?\]\] needs no "
                     r"gradient", text)
    assert re.search(r"= xT · δ = \[[^=]*\], where δ = ", text)  # (xT: x<sup>T</sup> as text)
    assert "the constant" not in text and "a constant" not in text
    # small data is its values; a number stays the constant 2
    a = Value(np.array([1.0, 2.0]), label="a")
    text = text_of(save_html(((a * np.array([3.0, -1.0])) ** 2).sum(), tmp_path / "s.html"))
    assert "from a = [1, 2], the input [3, -1]" in text
    assert "the input [3, -1] needs no gradient" in text
    assert "from ⟨mul⟩ = [3, -2], the constant 2" in text


def test_a_collapsed_page_lights_the_edges_between_layer_boxes(tmp_path):
    """With collapse=True every step had no edges, while the key promised red ones: the
    edges that leave a box light up now, and the key says the inner ones are not drawn."""
    import nn

    X, y = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0])
    L = nn.losses.cross_entropy(nn.MLP(2, [3], 2, activation="tanh", seed=0)(X), y)
    page = save_html(L, tmp_path / "c.html", collapse=True).read_text(encoding="utf-8")
    frames = json.loads(re.search(r'class="agc-data">(.*?)</script>', page, re.S)[1])["frames"]
    steps = Stepper(L).steps
    back = {f["k"]: f for f in frames if f["kind"] == "step"}
    (tanh,) = [s for s in steps if s.op == "tanh"]
    (lin1,) = [s for s in steps if s.op == "linear" and s.node.parents[0].op is None]
    frame = back[tanh.index + 1]  # ⟨tanh⟩ (box Tanh) sends to ⟨linear⟩1 (box Linear(2→3))
    (edge,) = frame["edges"]
    assert frame["labels"] == {edge: f"mean {fmt_mean(np.asarray(tanh.contributions[0]))}"}
    assert edge.split("->")[1] == frame["node"] and f'data-id="{edge.replace(">", "&gt;")}"' in page
    assert back[lin1.index + 1]["edges"] == []  # its inputs are inside its own box
    assert "its inner edges are not drawn" in page
    assert "inner edges" not in save_html(L, tmp_path / "u.html").read_text(encoding="utf-8")


def test_a_step_at_a_node_beyond_max_nodes_lights_the_more_box_and_says_why(tmp_path):
    """From a teacher's trial: with 246 Values, the 92 steps at the nodes cut from the
    drawing (the first layer's weights) lit nothing and said nothing. They light the
    '… N more' box, and the page's one note says why (the script shows it at those steps:
    in every frame's text it made a 2,000-Value page 0.9 MB bigger)."""
    L = lecture_graph(labelled="")
    L.backward()
    page = save_html(L, tmp_path / "cut.html", max_nodes=4).read_text(encoding="utf-8")
    data = json.loads(re.search(r'class="agc-data">(.*?)</script>', page, re.S)[1])
    steps = {(f["kind"], f["k"]): f for f in data["frames"]}
    assert steps[("step", 1)]["node"] != "more"  # L itself is drawn
    last = steps[("step", max(k for kind, k in steps if kind == "step"))]  # a leaf, cut
    assert last["node"] == "more" and last["nodes"] == ["more"]
    assert steps[("forward", 1)]["node"] == "more"  # the forward pass starts at a leaf
    assert not any("not drawn" in t for t in data["texts"])
    notes = re.findall(r'<p class="note more-note"( hidden)?>(.*?)</p>', page)
    assert notes == [(" hidden", "This node is not drawn: it is one of the 6 nodes beyond "
                      "max_nodes, in the box “… 6 more nodes”. save_html(..., max_nodes=None) "
                      "draws every node; collapse=True draws each layer as one box.")]
    whole = save_html(L, tmp_path / "whole.html").read_text(encoding="utf-8")
    frames = json.loads(re.search(r'class="agc-data">(.*?)</script>', whole, re.S)[1])["frames"]
    assert "not drawn" not in whole and all(f["node"] != "more" for f in frames)


def test_an_op_taking_a_layer_boxs_output_twice_lights_the_one_merged_edge(tmp_path):
    """From a review: in a collapsed page, (out*out) named its edges m0->o1#0 and #1, but the
    drawing merges the edges from a box into one, m0->o1, so nothing lit up."""
    import nn

    m = nn.MLP(2, [3], 2, seed=0)
    out = m(Value(np.ones((4, 2)), requires_grad=False))
    L = (out * out).sum()
    page = save_html(L, tmp_path / "twice.html", collapse=True).read_text(encoding="utf-8")
    frames = json.loads(re.search(r'class="agc-data">(.*?)</script>', page, re.S)[1])["frames"]
    edges = {e for f in frames for e in f["edges"]}
    assert not any("#" in e for e in edges if e.startswith("m"))
    square = [f for f in frames if f["kind"] == "step" and any(
        e.startswith("m") and e.endswith("->o1") for e in f["edges"])]
    drawn = set(re.findall(r'data-id="([^"]*)"', page))
    assert square and all(e.replace(">", "&gt;") in drawn for f in square for e in f["edges"])
    assert square[0]["labels"] == {}  # two parts on one edge: no single number to show


def test_the_parts_on_their_way_are_stored_once_per_edge(tmp_path):
    """From a learner's trial: at step 5 of the lecture (e = a*b) the -0.846 that d sent to
    c at step 4 showed nowhere. Each edge whose part waits for its receiver's step is in
    the page's data once, as [the step that sends it, the receiver's step, its label]."""
    from autograd_core.viz import drawing_ids, edge_id, edge_text

    L = lecture_graph(labelled="edtr")
    page = save_html(L, tmp_path / "p.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'class="agc-data">(.*?)</script>', page, re.S)[1])
    steps = Stepper(L).steps
    ids, at = drawing_ids(L), {s.node.label: s.index + 1 for s in steps}

    def edge(op: str, to: str) -> str:
        (s,) = [s for s in steps if s.node.label == op]
        (i,) = [i for i, p in enumerate(s.node.parents) if p.label == to]
        return edge_id(ids[id(s.node.parents[i])][0], ids[id(s.node)][1], s.node.parents, i)

    (d,) = [s for s in steps if s.node.label == "d"]
    assert at == {"L": 1, "r": 2, "t": 3, "d": 4, "e": 5, "c": 6, "b": 7, "a": 8}
    assert data["p"] == {  # a part received at the next step never waits: not stored
        edge("d", "c"): [4, 6, edge_text(d.contributions[1])],
        edge("e", "a"): [5, 8, "2.538"],
        edge("e", "b"): [5, 7, "-1.692"],
    }
    assert data["p"][edge("d", "c")][2] == "-0.846"
    assert all("pending" not in f and "p" not in f for f in data["frames"])  # not per frame


def test_only_drawn_edges_carry_a_part_on_its_way(tmp_path):
    """A cut page stores the waiting parts of the edges in the drawing alone (none from
    the '… N more' box); a collapsed page those of the edges between boxes."""
    import nn
    from autograd_core.viz import edge_text

    L = scalar_mlp(40)
    page = save_html(L, tmp_path / "big.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'class="agc-data">(.*?)</script>', page, re.S)[1])
    drawn = set(re.findall(r'data-id="([^"]*)"', page))
    back = {f["k"]: f for f in data["frames"] if f["kind"] == "step"}
    assert data["p"] and not any(e.startswith("more") for e in data["p"])
    for e, (sent, received, label) in data["p"].items():
        assert e.replace(">", "&gt;") in drawn
        assert back[sent]["labels"][e] == label and sent + 1 < received <= len(back) - 1
        assert back[received]["node"] == e.split("->")[0].split("#")[0]  # its receiver's step
    out = nn.MLP(2, [3], 1, activation="tanh", seed=0)(np.array([[0.0, 0], [0, 1], [1, 0]]))
    s = Value(2.0, label="s")
    L = (out * out * s).sum()  # the square takes the box's output twice: no label
    page = save_html(L, tmp_path / "c.html", collapse=True).read_text(encoding="utf-8")
    data = json.loads(re.search(r'class="agc-data">(.*?)</script>', page, re.S)[1])
    steps = Stepper(L).steps
    (mul,) = [st for st in steps if any(p is s for p in st.node.parents)]
    (own,) = [st.index + 1 for st in steps if st.node is s]
    (edge,) = data["p"]  # s's part waits while the layers' boxes have their steps
    assert data["p"][edge] == [mul.index + 1, own, edge_text(mul.contributions[1])]
    assert own > mul.index + 2  # (waits at step own - 1 at least)
