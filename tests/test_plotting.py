"""nn.plotting: decision boundaries where the weights put them, learning curves with the
recorded numbers, figures that save as decodable PNGs."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.image import imread  # noqa: E402

import nn  # noqa: E402
from nn.callbacks import History  # noqa: E402
from nn.plotting import (  # noqa: E402
    class_legend_handles,
    new_figure,
    plot_decision_boundary,
    plot_learning_curves,
    save_figure,
)
from nn.training import predict  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _unit(cls, w, b, **kw):
    unit = cls(2, **kw)
    unit.weight.data[...] = w
    unit.bias.data[...] = b
    return unit


def _boundary_vertices(ax) -> np.ndarray:
    """The vertices of the boundary line (the unfilled contour) drawn on ``ax``."""
    lines = [c for c in ax.collections if isinstance(c, ContourSet) and not c.filled]
    assert len(lines) == 1, "expected exactly one boundary contour"
    segs = [s for level in lines[0].allsegs for s in level]
    return np.concatenate(segs)


def _grid_points():
    xs = np.linspace(-1.0, 2.0, 7)
    return np.array([(a, b) for a in xs for b in xs])


# --------------------------------------------------------------------------- boundaries


def test_perceptron_boundary_is_the_line_where_z_is_zero():
    # z = x1 - 0.5: the step fires right of x1 = 0.5, a vertical line
    p = _unit(nn.Perceptron, [1.0, 0.0], -0.5)
    X = _grid_points()
    y = (X[:, 0] > 0.5).astype(int)
    ax = plot_decision_boundary(p, X, y, resolution=50)
    v = _boundary_vertices(ax)
    np.testing.assert_allclose(v[:, 0], 0.5, atol=1e-9)
    assert np.ptp(v[:, 1]) > 2.5  # it crosses the whole plot
    assert "accuracy 100.0% on 49 points" in ax.get_title()


def test_slanted_perceptron_boundary_follows_w_dot_x_plus_b():
    # z = 2 x1 + x2 - 1 = 0  <=>  x2 = 1 - 2 x1
    p = _unit(nn.Perceptron, [2.0, 1.0], -1.0)
    X = _grid_points()
    y = p.predict(X)
    ax = plot_decision_boundary(p, X, y, resolution=40)
    v = _boundary_vertices(ax)
    np.testing.assert_allclose(2 * v[:, 0] + v[:, 1] - 1.0, 0.0, atol=1e-9)


def test_adaline_boundary_uses_its_threshold_on_z():
    # Adaline predicts 1 where z > 0.5: with z = x1 the boundary is x1 = 0.5, not x1 = 0
    a = _unit(nn.Adaline, [1.0, 0.0], 0.0)
    assert a.threshold == 0.5
    X = _grid_points()
    ax = plot_decision_boundary(a, X, a.predict(X), resolution=30)
    np.testing.assert_allclose(_boundary_vertices(ax)[:, 0], 0.5, atol=1e-9)


def test_misclassified_points_are_counted_in_legend_and_accuracy():
    p = _unit(nn.Perceptron, [1.0, 0.0], -0.5)
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])  # XOR: the line x1 = 0.5 gets (0,1) and (1,1) wrong
    ax = plot_decision_boundary(p, X, y, title="XOR")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["class 0", "class 1", "misclassified (2)"]
    assert ax.get_title() == "XOR\naccuracy 50.0% on 4 points"


def test_two_logit_mlp_boundary_is_where_the_logits_tie():
    # A one-layer "MLP" with logits (0, x1 + x2 - 1): they tie on the line x1 + x2 = 1
    m = nn.MLP(2, [], 2, seed=0)
    m[0].weight.data[...] = [[0.0, 1.0], [0.0, 1.0]]
    m[0].bias.data[...] = [0.0, -1.0]
    X = _grid_points()
    ax = plot_decision_boundary(m, X, (X.sum(1) > 1).astype(int), resolution=40)
    v = _boundary_vertices(ax)
    np.testing.assert_allclose(v.sum(axis=1), 1.0, atol=1e-9)
    assert "accuracy 100.0%" in ax.get_title()


def test_three_classes_shade_by_arg_max_and_report_accuracy():
    m = nn.MLP(2, [], 3, seed=0)
    m[0].weight.data[...] = [[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]]
    m[0].bias.data[...] = 0.0
    X = _grid_points()
    y = predict(m, X).argmax(axis=1)
    y[0] = (y[0] + 1) % 3  # one wrong label
    ax = plot_decision_boundary(m, X, y, resolution=30)
    assert f"accuracy {48 / 49:.1%} on 49 points" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-1] == "misclassified (1)"
    filled = [c for c in ax.collections if isinstance(c, ContourSet) and c.filled]
    assert len(filled) == 1 and len(filled[0].levels) == 4  # three class bands


def test_a_plain_function_of_X_can_be_drawn():
    def rule(X):
        return (X[:, 1] > 0.25).astype(np.int64)

    X = _grid_points()
    ax = plot_decision_boundary(rule, X, rule(X), legend=False)
    assert ax.get_title() == "rule\naccuracy 100.0% on 49 points"
    assert ax.get_legend() is None


def test_draws_into_given_axes_and_sets_limits_with_padding():
    fig, (ax1, ax2) = new_figure(2)
    p = _unit(nn.Perceptron, [1.0, 0.0], -0.5)
    X = np.array([[0.0, 0.0], [2.0, 4.0]])
    out = plot_decision_boundary(p, X, [0, 1], ax=ax2, padding=0.5)
    assert out is ax2 and not ax1.collections
    assert ax2.get_xlim() == pytest.approx((-1.0, 3.0))
    assert ax2.get_ylim() == pytest.approx((-2.0, 6.0))
    assert ax2.get_xlabel() == "$x_1$" and ax2.get_ylabel() == "$x_2$"


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros((4, 3)), None, r"shape \(n, 2\).*\(4, 3\)"),
        (np.zeros((4, 2)), [0, 1], "X has 4 rows, y has 2"),
        (np.zeros((0, 2)), None, "X is empty"),
        (np.zeros((2, 2)), [0.5, 1.0], "class labels"),
    ],
)
def test_bad_inputs_name_the_problem(X, y, match):
    with pytest.raises(ValueError, match=match):
        plot_decision_boundary(nn.Perceptron(2), X, y)


def test_bad_model_and_resolution():
    with pytest.raises(TypeError, match="Module or a function"):
        plot_decision_boundary(42, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="resolution must be an int >= 2"):
        plot_decision_boundary(nn.Perceptron(2), np.zeros((3, 2)), resolution=1)


# --------------------------------------------------------------------------- curves


def _history(losses, val_losses=None, accs=None):
    h = History()
    for i, loss in enumerate(losses):
        logs = {"loss": loss}
        if accs is not None:
            logs["accuracy"] = accs[i]
        if val_losses is not None:
            logs["val_loss"] = val_losses[i]
        h.append(i + 1, logs)
    return h


def test_learning_curves_plot_the_recorded_values_per_run_and_metric():
    a = _history([1.0, 0.5, 0.25], val_losses=[1.1, 0.4, 0.6], accs=[0.5, 0.75, 1.0])
    b = _history([2.0, 1.0], accs=[0.25, 0.5])
    fig = plot_learning_curves({"A": a, "B": b}, loss_names={"A": "cross-entropy"})
    axes = np.array(fig.axes).reshape(2, 2)  # rows: loss, accuracy; columns: A, B
    loss_a = axes[0, 0]
    train, val = loss_a.lines[0], loss_a.lines[1]
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(train.get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(val.get_ydata(), [1.1, 0.4, 0.6])
    assert val.get_linestyle() == "--" and train.get_linestyle() == "-"
    best = loss_a.lines[2]  # the lowest validation loss is at epoch 2
    assert list(best.get_xdata()) == [2, 2]
    assert loss_a.get_title() == "A" and axes[0, 1].get_title() == "B"
    assert loss_a.get_ylabel() == "loss: cross-entropy" and axes[0, 1].get_ylabel() == "loss"
    np.testing.assert_array_equal(axes[1, 1].lines[0].get_ydata(), [0.25, 0.5])
    assert axes[1, 0].get_xlabel() == "epoch" and axes[0, 0].get_xlabel() == ""
    assert axes[1, 0].get_ylim() == pytest.approx((-0.03, 1.03))


def test_a_run_missing_a_metric_gets_a_note_not_an_error():
    fig = plot_learning_curves({"with": _history([1.0], accs=[0.5]), "without": _history([1.0])})
    note = np.array(fig.axes).reshape(2, 2)[1, 1]
    assert not note.lines
    assert [t.get_text() for t in note.texts] == ["no accuracy recorded"]


def test_a_single_history_and_a_to_dict_are_accepted():
    h = _history([3.0, 2.0, 1.0])
    fig = plot_learning_curves(h, metrics=["loss"], logy=True)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log" and ax.get_title() == ""
    fig2 = plot_learning_curves({"run": h.to_dict()}, metrics="loss")
    np.testing.assert_array_equal(fig2.axes[0].lines[0].get_ydata(), [3.0, 2.0, 1.0])


def test_learning_curves_into_given_axes():
    fig, axes = new_figure(4, ncols=2)
    grid = np.array(axes, dtype=object).reshape(2, 2)
    out = plot_learning_curves({"r": _history([1.0, 0.5], accs=[0.5, 1.0])},
                               axes=grid[:, :1])
    assert out is fig
    assert grid[0, 0].lines and grid[1, 0].lines and not grid[0, 1].lines


def test_learning_curve_errors():
    with pytest.raises(ValueError, match="no histories"):
        plot_learning_curves({})
    with pytest.raises(ValueError, match="has no epochs"):
        plot_learning_curves({"empty": History()})
    with pytest.raises(ValueError, match=r"no run recorded \['f1'\]"):
        plot_learning_curves(_history([1.0]), metrics=["f1"])
    with pytest.raises(TypeError, match="expected a History"):
        plot_learning_curves({"x": [1, 2, 3]})


# --------------------------------------------------------------------------- figures


def test_new_figure_removes_unused_cells():
    fig, axes = new_figure(5, ncols=3)
    assert len(axes) == 5 and len(fig.axes) == 5
    assert fig.get_size_inches() == pytest.approx((12.0, 7.2))
    with pytest.raises(ValueError, match="n_panels must be an int >= 1"):
        new_figure(0)


def test_save_figure_writes_a_png_that_decodes(tmp_path):
    p = _unit(nn.Perceptron, [1.0, 0.0], -0.5)
    ax = plot_decision_boundary(p, _grid_points(), None)
    path = save_figure(ax.figure, tmp_path / "b.png", dpi=50)
    data = (tmp_path / "b.png").read_bytes()
    assert data[:8] == PNG_SIGNATURE and path.endswith("b.png")
    img = imread(path)
    w, h = ax.figure.get_size_inches() * 50
    assert img.shape[:2] == (round(h), round(w))
    assert img[..., :3].std() > 0.05  # not a blank image
    # a missing folder is created, as History.plot and draw_graph(...).render do
    path = save_figure(ax.figure, tmp_path / "missing" / "deeper" / "b.svg")
    assert open(path, encoding="utf-8").read().lstrip().startswith("<?xml")


def test_class_legend_handles():
    labels = [h.get_label() for h in class_legend_handles(3, ["a", "b"])]
    assert labels == ["a", "b", "class 2", "misclassified"]
    assert len(class_legend_handles(2, misclassified=False)) == 2
