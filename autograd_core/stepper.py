"""Walk a pass through the graph one node at a time: forward steps, a notebook stepper, images.

The reverse pass comes from ``autograd_core.backward_steps`` (the same sweep that
``backward()`` runs); this module adds its forward counterpart and the tools to look at
either: ``Stepper`` for a notebook (``next()`` / ``prev()`` / ``show()``, a slider when
ipywidgets is installed) and ``save_steps`` for one image per step plus an animated GIF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import graphviz

from autograd_core.engine import (
    BackwardStep,
    ForwardStep,
    backward_steps,
    forward_steps,
    topological_order,
)
from autograd_core.value import Value
from autograd_core.viz import ComputationGraph, draw_graph, fmt_array, node_name


def describe(step: BackwardStep | ForwardStep, total: int | None = None) -> str:
    """One sentence saying what happens at ``step``, with its numbers."""
    count = f"Step {step.index + 1}" + (f"/{total}" if total else "")
    v = step.node
    name = node_name(v)
    if isinstance(step, ForwardStep):
        if step.op is None:
            return f"{count}: {name} is given: {fmt_array(step.value)}"
        args = ", ".join(node_name(p) for p in step.inputs)
        return f"{count}: {name} = {step.op}({args}) = {fmt_array(step.value)}"
    upstream = fmt_array(step.upstream)
    if step.op is None:
        return f"{count}: leaf {name} receives dL/d{name} = {upstream}, stored in {name}.grad"
    sends = [
        f"{fmt_array(c)} to {node_name(p)}"
        for p, c in zip(step.node.parents, step.contributions, strict=False)
        if c is not None
    ]
    arrived = "the seed" if step.index == 0 else "arrived"
    tail = f"; sends {', '.join(sends)}" if sends else "; its inputs need no gradient"
    return f"{count}: at {name} ({step.op}), dL/d{name} = {upstream} {arrived}{tail}"


class Stepper:
    """Walk the reverse (or forward) pass of ``root`` one node at a time, in a notebook.

    ``Stepper(L)`` runs ``backward_steps(L)`` once (so afterwards every ``.grad`` is what
    ``L.backward()`` gives) and keeps the steps; ``next()``, ``prev()`` and ``goto(k)``
    move through them, ``show()`` draws the graph at the current step. ``next()`` returns
    the stepper, so a cell ending in ``s.next()`` displays the new state. ``widget()``
    gives a slider (needs ipywidgets).

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
        self.root = root
        self.direction = direction
        self.draw_options = draw_options
        if direction == "backward":
            if not isinstance(root, Value):
                raise TypeError(f"Stepper: root must be a Value, not {type(root).__name__}")
            if zero_grad:
                for v in topological_order(root):
                    if v.is_leaf:
                        v.grad = None
            self.steps: list[BackwardStep | ForwardStep] = list(backward_steps(root, grad))
        else:
            self.steps = list(forward_steps(root))
        self.position = 0

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def step(self) -> BackwardStep | ForwardStep:
        """The current step."""
        return self.steps[self.position]

    def goto(self, k: int) -> Stepper:
        """Move to step ``k`` (0-based; negative counts from the end)."""
        n = len(self.steps)
        if not -n <= k < n:
            raise IndexError(f"Stepper.goto: step {k} out of range for {n} steps")
        self.position = k % n
        return self

    def next(self) -> Stepper:
        """Move one step on (stays at the last step)."""
        self.position = min(self.position + 1, len(self.steps) - 1)
        return self

    def prev(self) -> Stepper:
        """Move one step back (stays at the first step)."""
        self.position = max(self.position - 1, 0)
        return self

    def describe(self) -> str:
        """What happens at the current step, in words and numbers."""
        return describe(self.step, len(self.steps))

    def show(self) -> ComputationGraph:
        """The graph at the current step, titled with ``describe()``."""
        options = {"title": self.describe(), **self.draw_options}
        return draw_graph(self.root, highlight=self.step, **options)

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
            value=self.position, min=0, max=len(self.steps) - 1, description="step",
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
        return self.show()._repr_mimebundle_(include=include, exclude=exclude)

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
    """Render every step of the pass to ``folder/backward_000.png``, ``..._001.png``, ...

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
    for k in range(len(stepper)):
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
