"""Walk a pass through the graph one node at a time: a notebook stepper, one image per step.

The passes come from the engine: ``backward_steps`` (the same sweep that ``backward()``
runs) and its forward counterpart ``forward_steps``. This module has the tools to look at
either: ``Stepper`` for a notebook (``next()`` / ``prev()`` / ``show()``, a slider when
ipywidgets is installed) and ``save_steps`` for one image per step plus an animated GIF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import graphviz
import numpy as np

from autograd_core.engine import (
    BackwardStep,
    ForwardStep,
    forward_steps,
)
from autograd_core.html import check_page, stepper_page, write_page
from autograd_core.steps import (  # noqa: F401 (describe: re-exported)
    backward_pass,
    describe,
    describe_start,
    gradient_of,
)
from autograd_core.value import Value
from autograd_core.viz import ComputationGraph, draw_graph, node_names


class Stepper:
    """Walk the reverse (or forward) pass of ``root`` one node at a time, in a notebook.

    ``Stepper(L)`` runs ``backward_steps(L)`` once (so afterwards every ``.grad`` is what
    ``L.backward()`` gives) and keeps the steps. Steps are numbered 1 to ``len(s)``, the
    same numbers everywhere (``describe()``, ``goto(k)``, the drawing's title, the HTML
    page's counter and its ``#step=k`` address); step 0 is the pass about to start, where
    a new stepper stands, so the first ``next()`` shows step 1. ``next()``, ``prev()`` and
    ``goto(k)`` return the stepper, so a cell ending in ``s.next()`` displays the new
    state; ``show()`` draws the graph at the current step, ``widget()`` gives a slider
    (needs ipywidgets), ``to_html()`` the self-contained step-through page.

    ``zero_grad=True`` (default) first sets the leaves' ``.grad`` to None, as an
    optimiser's ``zero_grad()`` would, so the grads shown are this pass's alone. Extra
    keyword arguments go to ``draw_graph`` (``rankdir``, ``collapse``, ``max_nodes`` ...).
    """

    def __init__(
        self,
        root: Value,
        direction: str = "backward",
        *,
        grad: Any = None,
        zero_grad: bool = True,
        **draw_options: Any,
    ) -> None:
        if direction not in ("backward", "forward"):
            raise ValueError(
                f"Stepper: direction must be 'backward' or 'forward', not {direction!r}"
            )
        if "highlight" in draw_options:
            raise TypeError("Stepper: highlight is chosen by the stepper; use goto(k)")
        if not isinstance(root, Value):
            raise TypeError(f"Stepper: root must be a Value, not {type(root).__name__}")
        self.root = root
        self.direction = direction
        self.draw_options = draw_options
        self.grad = grad
        self.zero_grad = zero_grad
        if direction == "backward":
            self.steps: list[BackwardStep | ForwardStep] = backward_pass(root, grad, zero_grad)
        else:
            self.steps = list(forward_steps(root))
        self.names = node_names(root)
        self.position = 0

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def step(self) -> BackwardStep | ForwardStep | None:
        """The current step (None at step 0, before the pass)."""
        return self.steps[self.position - 1] if self.position else None

    def goto(self, k: int) -> Stepper:
        """Move to step ``k``: 1 to ``len(self)``, 0 before the pass; -1 is the last step."""
        n = len(self.steps)
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or not -n <= k <= n:
            raise IndexError(f"Stepper.goto: step {k} out of range: the steps are 1 to {n} "
                             f"(0: before the pass; -1: the last)")
        self.position = int(k) if k >= 0 else n + 1 + int(k)
        return self

    def next(self) -> Stepper:
        """Move one step on (stays at the last step)."""
        self.position = min(self.position + 1, len(self.steps))
        return self

    def prev(self) -> Stepper:
        """Move one step back (stays at step 0)."""
        self.position = max(self.position - 1, 0)
        return self

    def describe(self) -> str:
        """What happens at the current step, in words and numbers."""
        step = self.step
        if step is None:
            return describe_start(self.root, self.direction, len(self.steps), self.names)
        backward = self.direction == "backward"
        of = gradient_of(self.root, self.steps[0].upstream, self.names) if backward else None
        return describe(step, len(self.steps), self.names, of)

    def show(self) -> ComputationGraph:
        """The graph at the current step, titled with ``describe()``."""
        options = {"title": self.describe(), **self.draw_options}
        return draw_graph(self.root, highlight=self.step or self.direction, **options)

    def to_html(self, path: str | Path | None = None, *, title: str | None = None) -> str | Path:
        """The self-contained step-through page (forward, then backward pass), as HTML.

        The page opens at this stepper's step and numbers the steps as it does. With
        ``path``, writes it there and returns the file's path, as ``save_html`` does (the
        page, 30 kB and more, would fill an interactive session's screen); without, returns
        the page.
        """
        page = self._page(standalone=True, title=title)
        return page if path is None else write_page(page, path)

    def _page(self, standalone: bool, title: str | None = None) -> str:
        check_page(self.root, self.draw_options)
        if self.direction == "backward":
            steps = self.steps
        else:  # the page shows both passes: run the backward one too, zeroed as the
            # backward stepper's (a second page would otherwise show leaf grads doubled)
            steps = backward_pass(self.root, self.grad, self.zero_grad)
        return stepper_page(self.root, steps, title=title, standalone=standalone,
                            start=(self.direction, self.position), **self.draw_options)

    def widget(self) -> Any:
        """A slider over the steps above the graph (needs ``pip install ipywidgets``)."""
        try:
            import ipywidgets
        except ImportError:
            raise ImportError(
                "Stepper.widget() needs ipywidgets (pip install ipywidgets); without it, "
                "walk the steps with next() / prev() / show()"
            ) from None
        slider = ipywidgets.IntSlider(
            value=self.position, min=0, max=len(self.steps), description="step",
            continuous_update=False,
        )
        out = ipywidgets.Output()

        def redraw(change: Any = None) -> None:
            self.goto(slider.value)
            out.clear_output(wait=True)
            with out:
                from IPython.display import display

                display(self.show())

        slider.observe(redraw, names="value")
        redraw()
        return ipywidgets.VBox([slider, out])

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> Any:
        """In Jupyter, the step-through page, opened at this step (its buttons and keys
        work in a trusted notebook; GitHub and nbviewer show this step as a still)."""
        return {"text/html": self._page(standalone=False), "text/plain": repr(self)}

    def __repr__(self) -> str:
        return f"Stepper({self.direction}, {self.describe()})"


class SavedSteps(NamedTuple):
    """What ``save_steps`` wrote: one image per step, and the GIF (None without Pillow)."""

    images: list[Path]
    gif: Path | None


def save_steps(
    root: Value,
    folder: str | Path,
    format: str = "png",  # noqa: A002 (graphviz's name)
    *,
    direction: str = "backward",
    grad: Any = None,
    zero_grad: bool = True,
    gif: bool = True,
    frame_ms: int = 1200,
    **draw_options: Any,
) -> SavedSteps:
    """Render every step of the pass to ``folder/backward_001.png``, ``..._002.png``, ...
    (numbered as ``Stepper`` numbers them, from 1).

    With ``format="png"`` and Pillow installed, also writes ``folder/backward.gif``, an
    animation with ``frame_ms`` per frame. Runs the pass like ``Stepper`` (see there for
    ``zero_grad``); ``draw_options`` go to ``draw_graph``. Needs Graphviz's ``dot``.
    """
    if format not in graphviz.FORMATS:
        raise ValueError(f"save_steps: unknown format {format!r}; use png, svg or pdf")
    stepper = Stepper(root, direction, grad=grad, zero_grad=zero_grad, **draw_options)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    images = []
    for k in range(1, len(stepper) + 1):
        path = folder / f"{direction}_{k:03d}.{format}"
        path.write_bytes(stepper.goto(k).show().pipe(format=format))
        images.append(path)
    animation = None
    if gif and format == "png":
        animation = _gif(images, folder / f"{direction}.gif", frame_ms)
    return SavedSteps(images, animation)


def _gif(images: list[Path], path: Path, frame_ms: int) -> Path | None:
    """Pad the frames to one size (top left) and write an endlessly looping GIF."""
    try:
        from PIL import Image
    except ImportError:
        return None
    frames = []
    for p in images:
        with Image.open(p) as im:
            frames.append(im.convert("RGB"))
    width = max(f.width for f in frames)
    height = max(f.height for f in frames)
    padded = []
    for f in frames:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(f, (0, 0))
        padded.append(canvas)
    padded[0].save(
        path, save_all=True, append_images=padded[1:], duration=frame_ms, loop=0, optimize=False
    )
    return path
