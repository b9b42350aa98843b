"""The step-through page in a real browser: headless Chromium driven by Playwright.

Every check compares what the page shows with the engine's own numbers: at backward step k
the highlighted node is the k-th node of ``backward_steps`` and the gradient shown is its
``.grad``. The ``watched`` fixture (tests/browser.py) fails a test whose page made a
network request or logged a console error.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from graphs import lecture_graph

from autograd_core import Stepper, Value, save_html
from autograd_core.viz import drawing_ids, edge_text, fmt_array

pytestmark = pytest.mark.browser


def state(page) -> dict:
    panel = page.locator(".panel")
    grad = panel.get_attribute("data-grad")
    return {
        "kind": panel.get_attribute("data-kind"),
        "k": int(panel.get_attribute("data-k")),
        "node": panel.get_attribute("data-node"),
        "grad": json.loads(grad) if grad else None,
        "current": sorted(page.eval_on_selector_all(
            ".drawing g.node.cur", "gs => gs.map(g => g.getAttribute('data-id'))")),
    }


def shown(page, dot_id: str, row: str) -> str:
    """The row's text as drawn (without its hover title)."""
    return page.locator(f'.drawing g[data-id="{dot_id}"] text.{row}').first.evaluate(
        "t => t.firstChild.nodeValue")


def known_grads(page) -> int:
    return page.eval_on_selector_all(".drawing text.grad:not(.unknown)", "ts => ts.length")


@pytest.fixture
def lecture_page(tmp_path):
    L = lecture_graph()
    path = save_html(L, tmp_path / "steps.html")
    steps = Stepper(L).steps  # the same sweep again (leaf grads zeroed first): same numbers
    return path, L, steps


def test_keys_and_buttons_walk_the_engines_backward_steps(watched, lecture_page):
    path, L, steps = lecture_page
    ids = drawing_ids(L)
    page = watched.page
    page.goto(path.as_uri())
    assert page.locator(".counter").text_content() == "Forward pass: step 0/8"
    page.keyboard.press("End")
    assert state(page)["kind"] == "step" and state(page)["k"] == 8
    page.keyboard.press("Home")
    assert (state(page)["kind"], state(page)["k"]) == ("forward", 0)
    for _ in range(9):  # the forward pass: steps 1 to 8, then backward step 0
        page.keyboard.press("ArrowRight")
    assert (state(page)["kind"], state(page)["k"]) == ("step", 0) and known_grads(page) == 0
    for k, step in enumerate(steps, start=1):
        if k % 2:
            page.locator("button.next").click()
        else:
            page.keyboard.press("ArrowRight")
        s = state(page)
        box, oval = ids[id(step.node)]
        assert (s["kind"], s["k"]) == ("step", k)
        assert page.locator(".counter").text_content() == f"Backward pass: step {k}/8"
        assert s["node"] == box and s["current"] == sorted({box, oval} - {None})
        assert s["grad"] == float(step.node.grad)  # every digit: the engine's own number
        assert shown(page, box, "grad") == "grad " + fmt_array(step.node.grad)
        assert known_grads(page) == k  # the grads known so far, the rest shown as unknown
        assert f"Step {k}/8" in page.locator(".panel").text_content()
    page.keyboard.press("ArrowRight")  # stays at the last step
    assert state(page)["k"] == 8
    page.locator("button.prev").click()
    page.keyboard.press("ArrowLeft")
    assert state(page)["k"] == 6
    page.locator("button.home").click()
    assert (state(page)["kind"], state(page)["k"]) == ("forward", 0)
    page.locator("button.end").click()
    assert state(page)["k"] == 8
    page.locator(".slider").fill("3")  # the slider: frame 3 is forward step 3
    assert (state(page)["kind"], state(page)["k"]) == ("forward", 3)


def test_forward_pass_shows_values_in_creation_order(watched, lecture_page):
    path, L, _ = lecture_page
    ids = drawing_ids(L)
    page = watched.page
    page.goto(path.as_uri() + "#forward=4")  # a, b, c given, then e = a*b
    e = next(v for v in L.parents[0].parents[0].parents[0].parents if v.label == "e")
    assert shown(page, ids[id(e)][0], "data") == "data -6"
    t = L.parents[0].parents[0]
    assert shown(page, ids[id(t)][0], "data") == "data ?"
    assert state(page)["current"] == sorted(x for x in ids[id(e)] if x)
    assert page.eval_on_selector_all(".drawing text.grad:not(.unknown)", "ts => ts.length") == 0


def test_address_opens_at_step_n_and_follows_the_stepping(watched, lecture_page):
    path, L, steps = lecture_page
    page = watched.page
    page.goto(path.as_uri() + "#step=5")
    s = state(page)
    assert (s["kind"], s["k"], s["grad"]) == ("step", 5, float(steps[4].node.grad))
    assert s["node"] == drawing_ids(L)[id(steps[4].node)][0]
    page.keyboard.press("ArrowRight")
    assert page.evaluate("location.hash") == "#step=6"
    page.keyboard.press("Home")
    assert page.evaluate("location.hash") == "#forward=0"
    page.evaluate("location.hash = '#step=2'")  # a link followed within the page
    page.wait_for_function("document.querySelector('.panel').dataset.k === '2'")
    assert state(page)["kind"] == "step"


def test_a_node_reached_twice_shows_both_parts_and_their_sum(watched, tmp_path):
    x = Value(3.0, label="x")
    w = Value(-2.0, label="w")
    u = x * w
    u.label = "u"
    L = u * x + x  # x reaches L along three paths: through u, through the product, directly
    L.label = "L"
    path = save_html(L, tmp_path / "twice.html")
    steps = Stepper(L).steps
    (x_step,) = [s for s in steps if s.node is x]
    sent = [c for s in steps
            for p, c in zip(s.node.parents, s.contributions, strict=True) if p is x]
    assert len(sent) == 3
    page = watched.page
    page.goto(path.as_uri() + f"#step={x_step.index + 1}")
    parts = page.locator(".panel .part .num")
    assert parts.count() == 3
    assert [float(parts.nth(i).get_attribute("title")) for i in range(3)] == [
        float(c) for c in sent]
    total = page.locator(".panel .upstream .num")
    assert float(total.get_attribute("title")) == float(x.grad) == sum(float(c) for c in sent)
    assert total.text_content() == fmt_array(x.grad)
    assert "3 paths reach x" in page.locator(".panel").text_content()


def test_chain_rule_written_with_the_local_derivative(watched, lecture_page):
    path, L, steps = lecture_page
    (e_step,) = [s for s in steps if s.node.label == "e"]  # e = a*b: ∂e/∂a = b = -3
    page = watched.page
    page.goto(path.as_uri() + f"#step={e_step.index + 1}")
    text = page.locator(".panel").text_content()
    up = fmt_array(e_step.upstream)
    assert f"∂L/∂a = ∂L/∂e · ∂e/∂a = ({up}) · (-3) = {fmt_array(e_step.contributions[0])}" in text
    # on the drawing: the edges back to a and b are red, with what each carries beside it
    carried = page.eval_on_selector_all(".drawing g.edge.cur text.carry",
                                        "ts => ts.map(t => t.textContent)")
    assert sorted(carried) == sorted(fmt_array(c) for c in e_step.contributions)
    page.keyboard.press("ArrowLeft")  # step 4 at d = e + c; step 3 at t = tanh(d) ...
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # step 2 at t - y: y needs no gradient, its edge stays grey
    ids = drawing_ids(L)
    red = page.eval_on_selector_all(".drawing g.edge.cur", "gs => gs.map(g => g.dataset.id)")
    (r_step,) = [s for s in steps if s.index == 1]
    y = r_step.node.parents[1]
    assert y.label == "y" and not any(e.startswith(ids[id(y)][0] + "->") for e in red)
    assert len(red) == 2  # the op's edge to r and the edge back to t


def test_tensor_page_shows_shapes_and_the_full_array_on_demand(watched, tmp_path):
    rng = np.random.default_rng(0)
    W = Value(rng.standard_normal((3, 4)), label="W")
    x = Value(rng.standard_normal(4), requires_grad=False, label="x")
    L = (W @ x).tanh().sum()
    L.label = "L"
    path = save_html(L, tmp_path / "tensor.html")
    page = watched.page
    page.goto(path.as_uri() + "#step=4")  # the last step: the leaf W
    s = state(page)
    assert np.array_equal(np.array(s["grad"]), W.grad)  # every digit of every element
    box = drawing_ids(L)[id(W)][0]
    assert shown(page, box, "grad") == "grad " + fmt_array(W.grad)  # min · mean · max
    details = page.locator(".panel details.arr").first
    assert "(3, 4)" in details.text_content()
    details.locator("summary").click()
    assert details.locator("pre").is_visible()


def test_screenshot_of_a_backward_step(watched, lecture_page, tmp_path):
    path, _, _ = lecture_page
    page = watched.page
    page.goto(path.as_uri() + "#step=5")
    shot = tmp_path / "step5.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_watch_sees_a_request_and_a_console_error(browser, tmp_path):
    """The no-network and no-console-error checks above would catch a page that did either."""
    from browser import Watched

    bad = tmp_path / "bad.html"
    bad.write_text('<img src="http://example.invalid/x.png"><script>console.error("boom")'
                   "</script>", encoding="utf-8")
    context = browser.new_context()
    try:
        w = Watched(context.new_page())
        w.page.goto(bad.as_uri())
        w.page.wait_for_timeout(100)
        assert any("example.invalid" in u for u in w.requests) and "boom" in w.errors
    finally:
        context.close()


def test_two_inline_pages_in_one_document_step_independently(watched, tmp_path):
    """In Jupyter the page is a fragment among other outputs (Stepper's display): its
    script, styles and keys stay inside it, and it leaves the address alone."""
    first = Stepper(lecture_graph())._repr_mimebundle_()["text/html"]
    second = Stepper(lecture_graph()).goto(3)._repr_mimebundle_()["text/html"]
    doc = tmp_path / "notebook.html"
    doc.write_text(f"<!DOCTYPE html><meta charset=utf-8><body>{first}<p>between</p>{second}",
                   encoding="utf-8")
    page = watched.page
    page.goto(doc.as_uri())
    a, b = page.locator(".agc-page").nth(0), page.locator(".agc-page").nth(1)
    assert b.locator(".panel").get_attribute("data-k") == "3"  # opened at the stepper's step
    assert b.locator(".counter").text_content() == "Backward pass: step 3/8"
    a.locator("button.next").click()
    a.locator("button.next").click()
    assert a.locator(".panel").get_attribute("data-k") == "2"
    assert b.locator(".panel").get_attribute("data-k") == "3"
    b.focus()
    page.keyboard.press("ArrowRight")
    assert b.locator(".panel").get_attribute("data-k") == "4"
    assert a.locator(".panel").get_attribute("data-k") == "2"
    assert page.evaluate("location.hash") == ""


def test_numbers_on_the_drawing_show_every_digit_on_hover(watched, lecture_page):
    path, L, steps = lecture_page
    ids = drawing_ids(L)
    t = next(s.node for s in steps if s.node.label == "t")
    page = watched.page
    page.goto(path.as_uri() + "#step=1")
    box = ids[id(t)][0]
    data = page.locator(f'.drawing g[data-id="{box}"] text.data title')
    assert float(data.text_content()) == float(t.data)  # repr: every digit
    assert page.locator(f'.drawing g[data-id="{box}"] text.grad title').count() == 0  # unknown
    page.goto(path.as_uri() + "#step=3")  # t reached
    page.reload()
    grad = page.locator(f'.drawing g[data-id="{box}"] text.grad title')
    assert float(grad.text_content()) == float(t.grad)


def test_collapsed_layers_light_up_as_one_box(watched, tmp_path):
    from nn import MLP
    from nn.losses import mse

    model = MLP(2, [3], 1, activation="tanh", seed=0)
    L = mse(model(Value(np.array([[0.5, -1.0]]), requires_grad=False)), np.array([[1.0]]))
    path = save_html(L, tmp_path / "collapsed.html", collapse=True)
    steps = Stepper(L).steps
    ids = drawing_ids(L, collapse=True)
    page = watched.page
    page.goto(path.as_uri() + "#step=0")
    for k, step in enumerate(steps, start=1):
        page.keyboard.press("ArrowRight")
        assert state(page)["k"] == k
        box, _ = ids[id(step.node)]
        assert state(page)["node"] == box and box in state(page)["current"]
        assert state(page)["grad"] == np.asarray(step.node.grad).tolist()


def test_the_steps_text_and_its_node_are_in_view_together(watched, tmp_path):
    """From a new-user trial at 1280x720: opening a step of a tall graph scrolled to its node
    and the text of the step out of view. The bar and the text stay at the top now."""
    import nn

    X, y = np.array([[0.0, 1.0]]), np.array([1])
    model = nn.MLP(2, [8], 2, activation="tanh", seed=0)
    path = save_html(nn.losses.cross_entropy(model(X), y), tmp_path / "xor.html")
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 720})
    for step in (4, 9):  # the tanh node half-way down, then the first weight at the top
        page.goto(path.as_uri() + f"#step={step}")
        page.wait_for_timeout(100)
        head = page.locator(".head").bounding_box()
        node = page.locator(".drawing g.node.cur").first.bounding_box()
        assert 0 <= head["y"] <= 50  # the text is in view, at the top (under the title at most)
        assert node["y"] >= head["y"] + head["height"] - 1  # the node is below it, not under
        assert node["y"] + node["height"] <= 720 + 1  # and on the screen


def test_both_edges_of_a_value_used_twice_light_up_with_one_label_each(watched, tmp_path):
    """From a teacher's trial: in a*a both edges had one id, so one was red with both
    labels stacked on it and the other stayed grey, in the forward pass too."""
    a = Value(3.0, label="a")
    r = a - a
    r.label = "r"
    path = save_html(r, tmp_path / "sub.html")
    page = watched.page
    page.goto(path.as_uri() + "#step=1")
    lit = page.eval_on_selector_all(".drawing g.edge.cur", "gs => gs.map(g => g.getAttribute("
                                    "'data-id'))")
    assert sorted(lit) == ["o0->v0", "v1->o0#0", "v1->o0#1"]
    labels = {i: page.eval_on_selector_all(f'.drawing g[data-id="v1->o0#{i}"] text.carry',
                                          "ts => ts.map(t => t.textContent)") for i in (0, 1)}
    assert labels == {0: ["1"], 1: ["-1"]}
    boxes = [page.locator(f'.drawing g[data-id="v1->o0#{i}"] text.carry').bounding_box()
             for i in (0, 1)]
    assert boxes[0]["y"] + boxes[0]["height"] <= boxes[1]["y"] or (
        boxes[1]["y"] + boxes[1]["height"] <= boxes[0]["y"])  # apart, not stacked
    page.goto(path.as_uri() + "#forward=2")
    page.reload()
    lit = page.eval_on_selector_all(".drawing g.edge.cur", "gs => gs.map(g => g.getAttribute("
                                    "'data-id'))")
    assert sorted(lit) == ["o0->v0", "v1->o0#0", "v1->o0#1"]


def test_collapsed_layers_send_their_gradient_along_a_red_edge(watched, tmp_path):
    """The key promises red edges; a collapsed page had none at any step."""
    from nn import MLP
    from nn.losses import mse

    model = MLP(2, [3], 1, activation="tanh", seed=0)
    L = mse(model(Value(np.array([[0.5, -1.0]]), requires_grad=False)), np.array([[1.0]]))
    path = save_html(L, tmp_path / "collapsed.html", collapse=True)
    (tanh,) = [s for s in Stepper(L).steps if s.op == "tanh"]
    page = watched.page
    page.goto(path.as_uri() + f"#step={tanh.index + 1}")
    lit = page.eval_on_selector_all(".drawing g.edge.cur", "gs => gs.map(g => g.getAttribute("
                                    "'data-id'))")
    assert len(lit) == 1
    carry = page.eval_on_selector_all(".drawing g.edge.cur text.carry",
                                      "ts => ts.map(t => t.textContent)")
    assert carry == [edge_text(tanh.contributions[0])]  # "mean -0.3095"
    assert "inner edges are not drawn" in page.locator(".keys").text_content()


def micrograd_expression() -> Value:
    """micrograd's README example, L = tanh((a*b + c) * f), after backward()."""
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), \
        Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = (d * f).tanh()
    L.label = "L"
    L.backward()
    return L


# every label's box against every node's shape, in the drawing's own coordinates: the
# overlap in x and y (a few pixels at a corner read fine; a number over an oval does not);
# and against the other labels (the current step's and those on their way)
_LABELS_OVER_NODES = """() => {
  const out = [], ground = document.querySelector('.drawing g.graph > polygon').getBBox();
  for (const t of document.querySelectorAll('.drawing text.carry')) {
    const b = t.getBBox();
    if (b.y < ground.y || b.y + b.height > ground.y + ground.height) {
      out.push([t.textContent, 'outside']);
    }
    for (const g of document.querySelectorAll('.drawing g.node')) {
      const c = g.querySelector('path,polygon,ellipse').getBBox();
      const ix = Math.min(b.x + b.width, c.x + c.width) - Math.max(b.x, c.x);
      const iy = Math.min(b.y + b.height, c.y + c.height) - Math.max(b.y, c.y);
      if (ix > 4 && iy > 4) out.push([t.textContent, g.textContent.trim().slice(0, 12), ix, iy]);
    }
    for (const u of document.querySelectorAll('.drawing text.carry')) {  // nor each other
      const c = u.getBBox();
      const ix = Math.min(b.x + b.width, c.x + c.width) - Math.max(b.x, c.x);
      const iy = Math.min(b.y + b.height, c.y + c.height) - Math.max(b.y, c.y);
      if (u !== t && ix > 1 && iy > 1) out.push([t.textContent, u.textContent, ix, iy]);
    }
  }
  return out;
}"""


def test_the_gradient_labels_stay_off_the_nodes_and_inside_the_drawing(watched, tmp_path):
    """From a teacher's trial: on micrograd's expression a label covered the mul and add
    ovals in 4 of 8 steps, and at e = a*b the label for a was pushed under a's box."""
    L = micrograd_expression()
    path = save_html(L, tmp_path / "micro.html")
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 720})
    shown_at, waiting = {}, 0
    for k in range(1, len(Stepper(L)) + 1):
        page.goto(path.as_uri() + f"#step={k}")
        page.wait_for_timeout(50)
        assert page.evaluate(_LABELS_OVER_NODES) == [], f"step {k}"  # the waiting ones too
        node = page.locator(".panel").inner_text().split(":")[1].split(",")[0].strip()
        shown_at[node] = sorted(page.eval_on_selector_all(".drawing text.carry:not(.pend)",
                                                          "ts => ts.map(t => t.textContent)"))
        waiting += page.eval_on_selector_all(".drawing text.carry.pend", "ts => ts.length")
    assert shown_at["at e (mul)"] == ["-1.801e-06", "2.701e-06"]  # to b and to a, both seen
    assert sum(map(len, shown_at.values())) == 7  # a label on every edge a gradient goes along
    assert waiting == 9  # f at steps 3-4, c at 4-5, b at 5-6, a at 5-7: on their way


def test_a_step_scrolls_its_node_and_the_nodes_it_sends_to_into_view(watched, tmp_path):
    """From a teacher's trial: the page scrolled to the current box only, so top to bottom
    the nodes receiving its gradient sat under the step's text (step 4: e and c)."""
    L = micrograd_expression()
    path = save_html(L, tmp_path / "tb.html", rankdir="TB")
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 720})
    seen = """() => {
      const head = document.querySelector('.head').getBoundingClientRect().bottom;
      const ids = new Set();
      for (const g of document.querySelectorAll('.drawing g.cur')) {
        const id = g.getAttribute('data-id');
        ids.add(id.includes('->') ? id.split('->')[0] : id);
      }
      return [...ids].map(id => {
        const r = document.querySelector(`.drawing g[data-id="${id}"]`).getBoundingClientRect();
        return [id, r.top >= head - 1 && r.bottom <= innerHeight + 1];
      });
    }"""
    for k in range(1, len(Stepper(L)) + 1):
        page.goto(path.as_uri() + f"#step={k}")
        page.wait_for_timeout(50)
        shown = page.evaluate(seen)
        assert shown and all(ok for _, ok in shown), (k, shown)


def test_a_long_label_wraps_in_the_steps_text(watched, tmp_path):
    """From a teacher's trial: a 150-character label ran past the panel's edge at 800 px."""
    a = Value(2.0, label="w" * 150)
    L = a * a
    L.label = "L"
    L.backward()
    path = save_html(L, tmp_path / "long.html")
    page = watched.page
    page.set_viewport_size({"width": 800, "height": 720})
    page.goto(path.as_uri() + "#step=2")
    page.wait_for_timeout(50)
    assert "w" * 150 in page.locator(".panel").inner_text()
    assert page.evaluate("() => { const p = document.querySelector('.panel');"
                         " return p.scrollWidth <= p.clientWidth; }")


def test_the_buttons_that_lead_nowhere_are_disabled(watched, tmp_path):
    """From a teacher's trial: Previous and Next stayed live at the ends."""
    path = save_html(lecture_graph(), tmp_path / "ends.html")
    page = watched.page
    off = ("() => ['home', 'prev', 'next', 'end'].map("
           "c => document.querySelector('.' + c).getAttribute('aria-disabled') === 'true')")
    page.goto(path.as_uri() + "#forward=0")
    page.wait_for_timeout(50)
    assert page.evaluate(off) == [True, True, False, False]
    page.keyboard.press("ArrowRight")
    assert page.evaluate(off) == [False, False, False, False]
    page.keyboard.press("End")
    assert page.evaluate(off) == [False, False, True, True]


def test_the_keys_still_work_after_clicking_to_the_last_step_of_an_embedded_page(watched,
                                                                                 tmp_path):
    """From a review: a disabled button loses the focus, and the keys of a page embedded in
    a notebook listen on its root; clicking Next to the end made the arrow keys dead."""
    from autograd_core.html import html_page

    body = html_page(lecture_graph(), standalone=False)
    path = tmp_path / "embedded.html"
    path.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>", encoding="utf-8")
    page = watched.page
    page.goto(path.as_uri())
    page.wait_for_timeout(50)
    page.click(".end")
    last = state(page)["k"]
    page.keyboard.press("ArrowLeft")
    assert state(page)["k"] == last - 1


def test_an_embedded_page_opens_at_its_step_without_scrolling_the_notebook(watched, tmp_path):
    """From a learner's trial: notebook 03's page opens at step 6, and showing that step
    scrolled the notebook around it down to the page (scrollY 0 -> 1672, no input). It
    scrolls its own drawing only; a step the reader asks for still scrolls into view."""
    L = micrograd_expression()
    s = Stepper(L)
    s.goto(len(s))
    body = s._repr_mimebundle_()["text/html"]  # what Jupyter shows
    path = tmp_path / "notebook.html"
    path.write_text(f'<!DOCTYPE html><html><body><div style="height:3000px">cells above</div>'
                    f'{body}<div style="height:3000px">cells below</div></body></html>',
                    encoding="utf-8")
    page = watched.page
    page.set_viewport_size({"width": 1000, "height": 700})
    page.goto(path.as_uri())
    page.wait_for_timeout(100)
    assert state(page)["k"] == len(s)  # at its step
    assert page.evaluate("() => window.scrollY") == 0
    page.locator(".agc-page").focus()  # the reader steps: the page follows the step
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(50)
    assert page.evaluate("() => window.scrollY") > 2000


def test_the_not_drawn_note_shows_at_the_steps_of_cut_nodes_only(watched, tmp_path):
    L = lecture_graph()
    L.backward()
    path = save_html(L, tmp_path / "cut.html", max_nodes=4)
    page = watched.page
    page.goto(path.as_uri() + "#step=1")
    page.wait_for_timeout(50)
    assert not page.locator(".more-note").is_visible()
    page.keyboard.press("End")  # the last step: a leaf, in the '… 6 more nodes' box
    assert state(page)["node"] == "more" and page.locator(".more-note").is_visible()


def test_a_part_sent_earlier_stays_on_its_edge_until_its_nodes_step(watched, tmp_path):
    """From a learner's trial: at step 4 of the lecture d = e + c sends -0.846 to e and to
    c; at step 5 (e = a*b) c's -0.846 showed nowhere. It stays on c's edge, grey and
    dashed, until c's own step; the current step's parts are still bold and red."""
    from nn.explain import lecture_expression

    L = lecture_expression()
    steps = Stepper(L).steps
    path = save_html(L, tmp_path / "lecture.html")
    ids = drawing_ids(L)
    (d,) = [s for s in steps if s.node.label == "d"]
    c = d.node.parents[1]
    (c_step,) = [s.index + 1 for s in steps if s.node is c]
    edge = f'{ids[id(c)][0]}->{ids[id(d.node)][1]}'
    label = edge_text(d.contributions[1])
    assert (d.index + 1, c_step, label) == (4, 6, "-0.846")
    look = """t => { const s = getComputedStyle(t), p = t.parentNode.querySelector('path');
      return [t.textContent, s.fill, s.fontWeight, s.fontStyle, t.parentNode.classList.contains(
        'cur'), t.parentNode.classList.contains('pend'), getComputedStyle(p).stroke,
        getComputedStyle(p).strokeDasharray]; }"""
    red, grey = "rgb(214, 39, 40)", "rgb(110, 110, 110)"
    page = watched.page
    page.goto(path.as_uri() + "#step=5")
    page.wait_for_timeout(50)
    pending = page.eval_on_selector_all(".drawing text.carry.pend", f"ts => ts.map({look})")
    assert pending == [[label, grey, "400", "italic", False, True, "rgb(176, 127, 130)",
                        "5px, 3px"]]
    assert page.eval_on_selector_all(f'.drawing g[data-id="{edge}"] text.carry',
                                     "ts => ts.length") == 1
    current = page.eval_on_selector_all(".drawing text.carry:not(.pend)", f"ts => ts.map({look})")
    assert sorted(x[0] for x in current) == sorted(fmt_array(x) for x in steps[4].contributions)
    assert all(x[1:] == [red, "700", "normal", True, False, red, "none"] for x in current)
    assert page.evaluate(_LABELS_OVER_NODES) == []  # the waiting label off the nodes too
    for k in range(c_step, len(steps) + 1):  # gone at c's own step, where it is summed
        page.goto(path.as_uri() + f"#step={k}")
        page.wait_for_timeout(50)
        assert page.eval_on_selector_all(f'.drawing g[data-id="{edge}"] text.carry',
                                         "ts => ts.length") == 0, k
    for hash_ in ("#step=4", "#forward=8", "#step=0"):  # not before it is sent
        page.goto(path.as_uri() + hash_)
        page.wait_for_timeout(50)
        assert page.eval_on_selector_all(".drawing .pend", "ts => ts.length") == 0, hash_
    page.goto(path.as_uri() + "#step=6")  # stepping on: a's and b's parts wait, c's is gone
    page.wait_for_timeout(50)
    page.keyboard.press("ArrowLeft")  # back to e's step: c's part waits again
    assert page.eval_on_selector_all(".drawing text.carry.pend",
                                     "ts => ts.map(t => t.textContent)") == [label]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert sorted(page.eval_on_selector_all(".drawing text.carry.pend", "ts => ts.map(t => "
                                            "t.textContent)")) == ["2.538"]  # a's, at b's step
    key = " ".join(page.locator(".keys").text_content().split())
    assert ("bold red on the red edges, the parts the current node sends; grey on the dashed "
            "edges, parts sent at an earlier step, on their way until their node's step") in key
