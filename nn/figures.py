"""Where nn's figures come from, so that they show in Jupyter and save from pyplot.

- :func:`agg_figure`: a figure made without pyplot (on the Agg canvas): headless on the
  command line and in CI, pyplot's list of open figures untouched, and yet shown inline
  when a notebook cell returns it. Jupyter draws a matplotlib figure only through a
  formatter that pyplot's inline backend installs when pyplot is first imported, so in a
  fresh kernel where nothing was drawn before, a plain ``Figure`` printed as
  ``<Figure size 900x350 with 2 Axes>``. :class:`InlineFigure` carries its own
  ``_repr_png_``, which IPython uses when no formatter is installed (and ignores when one
  is, so the picture never appears twice). ``History.plot``, ``plot_learning_curves`` and
  ``new_figure`` return these.
- :func:`pyplot_axes`: a new *pyplot* figure and its axes, for a function that returns
  the axes it drew on (``plot_decision_boundary`` without ``ax``). As with pandas'
  ``DataFrame.plot``, ``plt.savefig`` and ``plt.show`` then act on that picture, and
  Jupyter shows it at the end of the cell.
"""

from __future__ import annotations

import io
from typing import Any

__all__ = ["InlineFigure", "agg_figure", "pyplot_axes"]


def _matplotlib(who: str) -> Any:
    try:
        import matplotlib.figure
    except ImportError as exc:  # pragma: no cover - matplotlib is in the dev extra
        raise ImportError(f"{who} needs matplotlib: pip install matplotlib") from exc
    return matplotlib.figure


class _InlineMixin:
    def _repr_png_(self) -> bytes:
        """The picture for Jupyter (PNG bytes, tight around the drawing, as pyplot's
        inline backend makes it)."""
        buf = io.BytesIO()
        self.savefig(buf, format="png", bbox_inches="tight")  # type: ignore[attr-defined]
        return buf.getvalue()


def _inline_class() -> type:
    global InlineFigure
    if InlineFigure is None:
        Figure = _matplotlib("nn's plotting").Figure
        InlineFigure = type("InlineFigure", (_InlineMixin, Figure), {
            "__doc__": "A matplotlib ``Figure`` that Jupyter shows inline in any kernel.",
            "__module__": __name__,
        })
    return InlineFigure


InlineFigure: Any = None  # the class, made on first use (matplotlib is imported lazily)


def agg_figure(figsize: tuple[float, float], who: str = "nn.plotting") -> Any:
    """A new :class:`InlineFigure` of ``figsize`` inches on the Agg canvas, no pyplot."""
    _matplotlib(who)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _inline_class()(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def pyplot_axes(figsize: tuple[float, float], who: str = "nn.plotting") -> Any:
    """The axes of a new pyplot figure of ``figsize`` inches (now pyplot's current one)."""
    _matplotlib(who)
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize, layout="constrained").add_subplot()
