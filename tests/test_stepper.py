"""Step-through: the reverse and forward passes node by node, the notebook stepper, images."""

from __future__ import annotations

import re
import sys
from collections import defaultdict

import numpy as np
import pytest
from dotparse import parse
from graphs import DL_DD, DL_DT, PNG_SIGNATURE, A, B, T, Y, lecture_graph

from autograd_core import (
    ForwardStep,
    Stepper,
    Value,
    backward_steps,
    forward_steps,
    save_steps,
    topological_order,
)
from autograd_core.stepper import describe
from autograd_core.steps import gradient_of


def by_label(root: Value) -> dict[str, Value]:
    return {v.label: v for v in topological_order(root)}


# --------------------------------------------------------------------------- backward steps
def test_steps_come_in_reverse_topological_order():
    L = lecture_graph(labelled="edtr")
    steps = list(backward_steps(L))
    assert [s.node for s in steps] == list(reversed(topological_order(L)))
    assert [s.index for s in steps] == list(range(8))
    assert [s.node.label for s in steps] == ["L", "r", "t", "d", "e", "c", "b", "a"]
    assert [s.op for s in steps] == ["pow", "sub", "tanh", "add", "mul", None, None, None]


def test_each_step_carries_upstream_and_the_local_chain_rule_products():
    L = lecture_graph(labelled="edtr")
    steps = {s.node.label: s for s in backward_steps(L)}
    assert steps["L"].upstream == 1.0
    assert steps["t"].upstream == pytest.approx(DL_DT)
    (to_d,) = steps["t"].contributions
    assert to_d == pytest.approx(DL_DT * (1 - T**2))  # dL/dt * dt/dd
    to_a, to_b = steps["e"].contributions
    assert to_a == pytest.approx(DL_DD * B) and to_b == pytest.approx(DL_DD * A)
    to_t, to_y = steps["r"].contributions
    assert to_t == pytest.approx(DL_DT) and to_y is None  # y needs no gradient
    assert steps["a"].contributions == () and steps["a"].op is None


def test_contributions_sum_to_the_final_grads():
    rng = np.random.default_rng(1)
    W = Value(rng.normal(size=(3, 2)), label="W")
    x = Value(rng.normal(size=(4, 3)), requires_grad=False, label="x")
    h = (x @ W).tanh()
    L = (h * h).sum() + (h @ W.T).mean()  # W used twice, h three times
    steps = list(backward_steps(L))
    received: dict[int, np.ndarray] = defaultdict(lambda: 0.0)
    for s in steps:
        for p, c in zip(s.node.parents, s.contributions, strict=True):
            if c is not None:
                received[id(p)] = received[id(p)] + c
    for s in steps:
        expected = 1.0 if s.node is L else received[id(s.node)]
        np.testing.assert_allclose(s.upstream, expected, rtol=1e-12)
        np.testing.assert_allclose(s.node.grad, expected, rtol=1e-12)
    # and exactly what backward() gives on the same graph rebuilt
    W2 = Value(W.data.copy())
    h2 = (x @ W2).tanh()
    ((h2 * h2).sum() + (h2 @ W2.T).mean()).backward()
    np.testing.assert_allclose(W.grad, W2.grad, rtol=1e-12)


def test_a_reused_node_receives_two_contributions():
    a = Value(3.0, label="a")
    b = a + a
    c = b * 5.0
    steps = list(backward_steps(c))
    (b_step,) = [s for s in steps if s.node is b]
    assert b_step.node.parents == (a, a)
    assert b_step.contributions == (5.0, 5.0)
    assert a.grad == 10.0
    (a_step,) = [s for s in steps if s.node is a]
    assert a_step.upstream == 10.0 and a_step.index == len(steps) - 1


def test_graph_at_step_k_shows_the_grads_accumulated_by_step_k():
    L = lecture_graph(labelled="edtr")
    s = Stepper(L)
    final = {k: float(v.grad) for k, v in by_label(L).items()}
    seen: list[str] = []
    d = parse(s.show().source)  # step 0: the pass about to start, no grad known
    assert {n.title for n in d.values() if n.title and n.grad} == set()
    assert not [n for n in d.values() if n.current] and "Step 0/8" in s.show().source
    for k in range(1, len(s) + 1):
        s.goto(k)
        seen.append(s.step.node.label)
        d = parse(s.show().source)
        shown = {n.title: n.grad for n in d.values() if n.title and n.grad}
        assert shown == {name: f"{final[name]:.4g}" for name in seen}, k
        assert {n.title for n in d.values() if n.current} == {s.step.node.label}


# --------------------------------------------------------------------------- forward steps
def test_forward_steps_follow_topological_order_with_values():
    L = lecture_graph(labelled="edtr")
    steps = list(forward_steps(L))
    assert all(isinstance(s, ForwardStep) for s in steps)
    assert [s.node for s in steps] == topological_order(L)
    assert [s.node.label for s in steps] == ["a", "b", "c", "e", "d", "t", "r", "L"]
    e = steps[3]
    assert e.op == "mul" and [p.label for p in e.inputs] == ["a", "b"] and e.value == A * B
    assert steps[-1].value == pytest.approx((T - Y) ** 2)


def test_forward_drawing_shows_only_values_computed_so_far():
    L = lecture_graph(labelled="edtr")
    steps = list(forward_steps(L))
    d = parse(Stepper(L, "forward").goto(5).show().source)  # step 5: d = e + c computed
    data = {n.title: n.data for n in d.values() if n.title}
    assert data == {"a": "2", "b": "-3", "c": "6.5", "e": "-6", "d": "0.5", "y": "1",
                    "t": "", "r": "", "L": ""}
    assert all(n.grad is None for n in d.values())  # no grads in the forward pass
    assert [n.title for n in d.values() if n.current] == ["d"]
    assert steps[4].node.label == "d"


def test_a_label_that_is_an_expression_is_bracketed_after_the_partial_sign():
    w, x = Value(2.0, label="w0·x0 + b"), Value(3.0, label="x")
    leaf = [s for s in backward_steps(w * x) if s.node is w][0]
    assert "receives ∂L/∂(w0·x0 + b) = 3," in describe(leaf, of="L")
    assert "receives ∂(y0 - y_p)/∂(w0·x0 + b) = 3," in describe(leaf, of="y0 - y_p")
    leaf = [s for s in backward_steps(w * x) if s.node is x][0]
    assert "receives ∂L/∂x = 2," in describe(leaf, of="L")


def test_a_module_path_is_bracketed_after_the_partial_sign():
    """``2.weight`` after ``∂L/∂`` would read as ``∂2``: an nn parameter's name is bracketed."""
    w = Value(2.0, label="2.weight")
    leaf = [s for s in backward_steps(w * 3.0) if s.node is w][0]
    assert "receives ∂L/∂(2.weight) = 3, stored in 2.weight.grad" in describe(leaf, of="L")


def test_descriptions_say_what_happens_with_numbers():
    L = lecture_graph(labelled="edtr")
    steps = {s.node.label: s for s in backward_steps(L)}
    assert describe(steps["L"], 8, of="L") == (
        f"Step 1/8: at L (pow), ∂L/∂L = 1 (the seed); sends {2 * (T - Y):.4g} to r"
    )
    assert describe(steps["d"], 8, of="L") == (
        f"Step 4/8: at d (add), ∂L/∂d = {DL_DD:.4g} arrived; sends {DL_DD:.4g} to e, "
        f"{DL_DD:.4g} to c"
    )
    assert describe(steps["a"], of="L") == (
        f"Step 8: leaf a receives ∂L/∂a = {DL_DD * B:.4g}, stored in a.grad"
    )
    fwd = list(forward_steps(L))
    assert describe(fwd[0], 8) == "Step 1/8: a is given: 2"
    assert describe(fwd[5], 8) == f"Step 6/8: t = tanh(d) = {T:.4g}"
    # unlabelled nodes are called by their op
    x = Value(1.0, label="x")
    z = (x * 2.0).exp()
    assert describe(next(backward_steps(z)), of="⟨exp⟩") == (
        f"Step 1: at ⟨exp⟩ (exp), ∂⟨exp⟩/∂⟨exp⟩ = 1 (the seed); sends {np.exp(2):.4g} to ⟨mul⟩"
    )



def test_gradient_of_names_the_root_and_the_seed():
    L = lecture_graph(labelled="edtr")
    assert gradient_of(L, 1.0) == "L"
    assert gradient_of(L, 2.0) == "g·L"  # backward(grad=2): the gradients of 2·L
    z = (Value(1.0, label="x") * 2.0).exp()
    assert gradient_of(z, np.ones(())) == "⟨exp⟩"
    y = Value(np.ones(2), label="y0 - y_p")
    assert gradient_of(y, np.array([0.5, -3.0])) == "g·(y0 - y_p)"


def test_describe_needs_what_a_backward_steps_gradients_are_of():
    L = lecture_graph(labelled="edtr")
    step = list(backward_steps(L))[3]  # not the root: nothing in it says what L is
    with pytest.raises(TypeError, match=r"describe: a backward step needs of=gradient_of"):
        describe(step, 8)
    assert describe(next(forward_steps(L)), 8) == "Step 1/8: a is given: 2"  # (no of)


# --------------------------------------------------------------------------- Stepper
def test_stepper_moves_and_clamps():
    s = Stepper(lecture_graph(labelled="edtr"))
    assert len(s) == 8 and s.position == 0 and s.step is None
    assert s.describe().startswith("Step 0/8: the forward pass is done (L = 0.2")
    # one numbering: the first next() shows step 1, goto(k) and describe() agree
    assert s.next() is s and s.step.node.label == "L" and s.describe().startswith("Step 1/8")
    assert s.next().step.node.label == "r" and s.describe().startswith("Step 2/8: at r")
    for k in range(1, 9):
        assert s.goto(k).describe().startswith(f"Step {k}/8: ")
        assert s.step.index == k - 1  # the engine's index counts from 0
    s.goto(1).prev().prev()
    assert s.position == 0
    s.goto(-1)
    assert s.position == 8 and s.next().position == 8
    with pytest.raises(IndexError, match="step 9 out of range: the steps are 1 to 8"):
        s.goto(9)
    assert repr(s).startswith("Stepper(backward, Step 8/8: leaf a receives")
    assert "Step 8/8" in s.show().source  # the title under the graph


def test_stepper_zeroes_leaf_grads_first_unless_told_not_to():
    L = lecture_graph(labelled="edtr")
    L.backward()
    a = by_label(L)["a"]
    Stepper(L)
    assert float(a.grad) == pytest.approx(DL_DD * B)  # this pass only
    Stepper(L, zero_grad=False)
    assert float(a.grad) == pytest.approx(2 * DL_DD * B)  # accumulated, as backward() does


def test_a_forward_steppers_page_shows_one_passs_grads_however_often_it_is_made():
    L = lecture_graph(labelled="edtr")
    L.backward()  # grads left from an earlier pass
    a = by_label(L)["a"]
    s = Stepper(L, "forward")
    pages = [s.to_html(), s._repr_mimebundle_()["text/html"]]  # each ran the backward pass
    assert float(a.grad) == pytest.approx(DL_DD * B)  # this pass only, not three passes
    for page in pages:
        assert f'data-text="grad {DL_DD * B:.4g}"' in page  # a's box in the drawing
        assert f'data-text="grad {2 * DL_DD * B:.4g}"' not in page


def test_stepper_passes_draw_options_and_checks_its_own():
    s = Stepper(lecture_graph(labelled="edtr"), rankdir="TB", legend=False)
    assert "rankdir=TB" in s.show().source and "parameter (leaf" not in s.show().source
    with pytest.raises(ValueError, match="direction must be 'backward' or 'forward', not 'up'"):
        Stepper(lecture_graph(labelled="edtr"), "up")
    with pytest.raises(TypeError, match="highlight is chosen by the stepper"):
        Stepper(lecture_graph(labelled="edtr"), highlight=None)
    with pytest.raises(RuntimeError, match="does not require grad"):
        Stepper(Value(1.0, requires_grad=False) * 2)


def test_stepper_shows_in_jupyter():
    # the step-through page, opened at the stepper's step; its first frame is plain HTML
    bundle = Stepper(lecture_graph(labelled="edtr")).goto(4)._repr_mimebundle_()
    page = bundle["text/html"]
    assert page.startswith('<div class="agc-page"') and "<svg" in page
    assert "Step 4/8: at d (add)" in page.split("<script")[0]  # the still, before any script
    assert bundle["text/plain"].startswith("Stepper(backward, Step 4/8: at d")


def test_widget_without_ipywidgets_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import fails
    with pytest.raises(ImportError, match=r"pip install ipywidgets.*next\(\) / prev\(\)"):
        Stepper(lecture_graph(labelled="edtr")).widget()


def test_widget_slider_moves_the_stepper():
    ipywidgets = pytest.importorskip("ipywidgets")
    s = Stepper(lecture_graph(labelled="edtr"))
    box = s.widget()
    slider, out = box.children
    assert isinstance(slider, ipywidgets.IntSlider)
    assert (slider.min, slider.max, slider.value) == (0, 8, 0)
    slider.value = 6
    assert s.position == 6 and s.step.node.label == "c"


# --------------------------------------------------------------------------- save_steps
def test_save_steps_writes_one_png_per_step_and_a_gif(tmp_path):
    saved = save_steps(lecture_graph(labelled="edtr"), tmp_path / "frames")
    # named by the steps' own numbers, 1 to 8, as Stepper and the HTML page count them
    assert [p.name for p in saved.images] == [f"backward_{k:03d}.png" for k in range(1, 9)]
    for p in saved.images:
        assert p.read_bytes()[:8] == PNG_SIGNATURE
    pil = pytest.importorskip("PIL.Image")
    assert saved.gif == tmp_path / "frames" / "backward.gif"
    with pil.open(saved.gif) as gif:
        assert gif.n_frames == 8
        sizes = set()
        for k in range(8):
            gif.seek(k)
            sizes.add(gif.size)
        assert len(sizes) == 1  # frames padded to one size
    with pil.open(saved.images[0]) as first, pil.open(saved.images[-1]) as last:
        # the blank grads keep their space: every frame has the same layout and size
        assert first.size == last.size


def test_save_steps_forward_svg_without_gif(tmp_path):
    saved = save_steps(lecture_graph(labelled="edtr"), tmp_path, "svg", direction="forward")
    assert len(saved.images) == 8 and saved.gif is None
    assert saved.images[0].name == "forward_001.svg"
    assert saved.images[-1].read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_save_steps_rejects_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="unknown format 'bmpx'"):
        save_steps(lecture_graph(labelled="edtr"), tmp_path, "bmpx")


# --------------------------------------------------------------------------- names
def test_an_mlp_loss_names_every_node_alike_in_text_and_drawing():
    """Issue 15, point 6: parameters by module path, layer outputs told apart, loss boxed."""
    from autograd_core.viz import drawing_ids
    from nn import MLP
    from nn.losses import mse

    model = MLP(2, [3], 1, activation="tanh", seed=0)
    L = mse(model(Value(np.array([[0.5, -1.0]]), requires_grad=False)), np.array([[1.0]]))
    s = Stepper(L)
    leaves = [s.goto(k).describe() for k in range(1, len(s) + 1) if s.steps[k - 1].op is None]
    assert sorted(t.split(" receives")[0].split("leaf ")[1] for t in leaves) == [
        "0.bias", "0.weight", "2.bias", "2.weight"]
    text = "\n".join(s.goto(k).describe() for k in range(1, len(s) + 1))
    assert "⟨linear⟩1" in text and "⟨linear⟩2" in text and "⟨linear⟩ " not in text
    d = parse(s.show().source)
    titles = {n.title for n in d.values() if n.title}
    assert {"0.weight", "0.bias", "2.weight", "2.bias", "⟨linear⟩1", "⟨linear⟩2"} <= titles
    # every node named in the text has that name in the drawing
    ids = drawing_ids(L)
    for k, step in enumerate(s.steps, 1):
        name = s.goto(k).describe().split(" at ")[-1].split(" (")[0]
        if step.op is not None and not step.node.label:
            assert d.nodes[ids[id(step.node)][0]].title == name
    assert "label=<<font point-size=\"12\"><b>loss: mse</b></font>>" in s.show().source


def test_the_page_brackets_a_label_that_is_an_expression_after_the_partial_sign():
    from autograd_core.html import _d

    assert _d("L", "y0 - y_p") == "∂L/∂(y0 - y_p)" and _d("L", "w") == "∂L/∂w"
    assert _d("L", "(y0 - y_p)²") == "∂L/∂(y0 - y_p)²" and _d("L", "h[0]") == "∂L/∂h[0]"


def test_forward_step_0_says_the_parameters_come_first():
    """From new-user trials: step 0 said 'only data and constants are known' while the
    parameters read 'data ?' until their own step gave them; then it said the first steps
    give 'the leaves (data, parameters, constants)', but data and constants get no step."""
    s = Stepper(lecture_graph(labelled="edtr"), "forward")
    assert s.describe() == (
        "Step 0/8: before the forward pass: only the data and constants are known (they need "
        "no gradient, so they get no step); the first steps give the parameters (the leaves "
        "that need a gradient), then each op runs")
    assert [x.node.label for x in s.steps[:3]] == ["a", "b", "c"]  # y (data) is no step
    a = Value(3.0, label="a")  # no data, no constant
    assert Stepper(a * a, "forward").describe() == (
        "Step 0/2: before the forward pass: nothing is computed yet; the first steps give the "
        "parameters (the leaves that need a gradient), then each op runs")


def test_the_gradients_are_named_by_the_root_in_one_notation():
    """From a teacher's trial: a neuron with output o read 'dL/do = 1 (the seed)' right
    above the page's '∂o/∂o = 1 (the seed)'. Both now write ∂o/∂..., and the page too."""
    x = Value(np.array([1.0, -2.0]), requires_grad=False, label="x")
    w, b = Value(np.array([0.5, 0.3]), label="w"), Value(0.1, label="b")
    o = ((w * x).sum() + b).tanh()
    o.label = "o"
    s = Stepper(o)
    texts = [s.goto(k).describe() for k in range(1, len(s) + 1)]
    assert texts[0] == "Step 1/6: at o (tanh), ∂o/∂o = 1 (the seed); sends 1 to ⟨add⟩"
    assert texts[1] == "Step 2/6: at ⟨add⟩ (add), ∂o/∂⟨add⟩ = 1 arrived; sends 1 to ⟨sum⟩, 1 to b"
    assert texts[-1] == "Step 6/6: leaf w receives ∂o/∂w = [1, -2], stored in w.grad"
    assert not any("dL" in t or "∂L" in t for t in texts)
    page = re.sub(r"<[^>]*>", "", s.to_html())
    assert "dL/d" not in page and "∂L/" not in page
    assert "∂o/∂⟨sum⟩ = ∂o/∂⟨add⟩ · ∂⟨add⟩/∂⟨sum⟩ = 1 · 1 = 1" in page
    # an unlabelled root is called by its op, as in the rest of the page
    z = (Value(2.0, label="a") * 3).exp()
    assert "∂⟨exp⟩/∂a = 1210" in Stepper(z).goto(3).describe()
