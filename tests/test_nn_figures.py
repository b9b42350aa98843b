"""Figures a student sees: inline in a fresh Jupyter kernel, and saved by pyplot.

The kernel tests run a real ``python3`` kernel (nbclient + ipykernel, as the notebooks'
tests do): a figure shows inline only through what the kernel does, which no mock shows.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from matplotlib.image import imread  # noqa: E402

import nn  # noqa: E402
from nn.figures import agg_figure  # noqa: E402
from nn.plotting import plot_decision_boundary  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def readme_nn_snippet() -> str:
    """The README's first code block after '## Neural networks'."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Neural networks"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def run_in_fresh_kernel(cells: list[str], cwd: Path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def images(cell) -> list[bytes]:
    import base64

    return [base64.b64decode(out["data"]["image/png"]) for out in cell.outputs
            if "image/png" in out.get("data", {})]


def not_blank(png: Path | bytes) -> np.ndarray:
    if isinstance(png, bytes):
        import io

        png = io.BytesIO(png)
    img = imread(png)
    assert img[..., :3].std() > 0.05, "blank picture"
    return img


@pytest.mark.slow
def test_readme_snippet_then_plots_show_inline_in_a_fresh_kernel(tmp_path):
    # issue 15, point 1: in a kernel where nothing was drawn before, history.plot() printed
    # only "<Figure size 900x350 with 2 Axes>" and plot_decision_boundary only "<Axes: ...>",
    # and plt.savefig("b.png") right after wrote a blank 640x480 page
    boundary = ("from nn.plotting import plot_decision_boundary\n"
                "plot_decision_boundary(model, X, y)\n"
                "import matplotlib.pyplot as plt\n"
                "plt.savefig('b.png')")
    nb = run_in_fresh_kernel([readme_nn_snippet(), "history.plot()", boundary,
                              "history.plot()"], tmp_path)
    _, curves, drawn, again = nb.cells
    (png,) = images(curves)  # one picture, not two
    assert png[:8] == PNG_SIGNATURE
    img = not_blank(png)
    assert img.shape[1] > 2 * img.shape[0]  # two panels side by side
    (png,) = images(drawn)
    not_blank(png)
    saved = not_blank(tmp_path / "b.png")
    assert saved.shape[:2] != (480, 640)  # not pyplot's default empty page
    assert saved.shape[:2] == (420, 480)  # the 4.8 x 4.2 inch figure at 100 dpi
    assert len(images(again)) == 1  # with pyplot's inline backend on: still once


def test_plt_savefig_right_after_plot_decision_boundary_saves_it(tmp_path):
    import matplotlib.pyplot as plt

    X, y = nn.data.two_moons(60, seed=0)
    model = nn.MLP(2, [4], 2, seed=0)
    ax = plot_decision_boundary(model, X, y)
    try:
        assert plt.gcf() is ax.figure
        plt.savefig(tmp_path / "b.png")
        img = not_blank(tmp_path / "b.png")
        assert img.shape[:2] == (420, 480)
    finally:
        plt.close(ax.figure)


def test_returned_figures_draw_themselves_as_png():
    fig = agg_figure((3, 2))
    fig.add_subplot().plot([0, 1], [1, 0])
    png = fig._repr_png_()
    assert png[:8] == PNG_SIGNATURE
    not_blank(png)
    X, y = nn.data.two_moons(40, seed=0)
    model = nn.MLP(2, [4], 2, seed=0)
    history = nn.fit(model, nn.cross_entropy, nn.Adam(model.parameters(), lr=0.01), (X, y),
                     epochs=2, progress=False)
    assert history.plot()._repr_png_()[:8] == PNG_SIGNATURE
