"""The demo's chapters and pictures (the whole demo runs in test_cli)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from nn import demo  # noqa: E402


def test_the_story_is_a_list_of_short_chapters():
    assert [c.__name__ for c in demo.CHAPTERS] == [
        "perceptron_on_blobs", "perceptron_on_xor", "adaline_on_blobs", "mlp_on_xor",
        "mlp_on_moons", "mlp_on_spirals"]


def test_xor_panels_say_which_side_every_point_falls_on():
    # issue 15, point 9: the perceptron's line on XOR runs exactly through (0, 0) and
    # (1, 0), so the picture could not show which side those points fall on
    story = demo.Story()
    runs = [demo.perceptron_on_xor(story), demo.mlp_on_xor(story)]
    fig = demo.decision_figure(runs)
    perceptron, mlp = fig.axes[:2]
    labels = {tuple(t.xy): t.get_text() for t in perceptron.texts}
    assert set(labels) == {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    z = np.asarray(runs[0].model.net_input(runs[0].X).data).reshape(-1)
    for (x0, x1), zi in zip(runs[0].X, z, strict=True):
        assert labels[(x0, x1)] == f"z={zi:.2g} → ŷ={int(zi > 0)}"
    assert labels[(0.0, 0.0)] == "z=0 → ŷ=0"  # on the line: the step fires only for z > 0
    assert sorted(t.get_text() for t in mlp.texts) == ["ŷ=0", "ŷ=0", "ŷ=1", "ŷ=1"]


@pytest.mark.slow
def test_moons_validation_spikes_are_found_and_explained_honestly():
    # issue 15, point 9: the moons validation loss spikes and nothing said why
    run = demo.mlp_on_moons(demo.Story())
    spikes = run.info["val_loss_spikes"]
    assert spikes, "the moons run has spikes to explain"
    h = run.history
    for sp in spikes:
        i = h.epochs.index(sp["epoch"])
        assert h["val_loss"][i] > 1.3 * min(h["val_loss"][i - 3:i])
        assert sp["with_train_loss"] == (h["loss"][i] > 1.5 * min(h["loss"][i - 3:i]))
    assert any(sp["with_train_loss"] for sp in spikes)  # the optimiser, not overfitting
    note = run.info["val_loss_note"]
    assert note == demo.spike_note(spikes)
    for sp in spikes:
        assert str(sp["epoch"]) in note
    assert "training loss jumps too" in note
    fig = demo.curves_figure([dataclasses.replace(run, title=f"run {i}") for i in range(6)])
    assert any(note in t.get_text() for t in fig.texts)
    marks = [t for ax in fig.axes for t in ax.texts if t.get_text() == "▼"]
    assert len(marks) >= len(spikes)


def test_a_model_graph_draws_its_own_losss_gradients(tmp_path, monkeypatch):
    # the demo's mlp_graph.png drew the training step's leftover gradients plus this loss's
    import nn
    import nn.graphs as graphs
    from nn.data import xor

    X, y = xor()
    model = nn.MLP(2, [3], 2, seed=0)
    nn.cross_entropy(model(X), y).backward()  # a training step's gradients, left in place
    drawn = {}
    real = graphs.draw_graph

    def spy(loss, **kwargs):
        drawn.update({n: np.array(p.grad) for n, p in model.named_parameters()})
        return real(loss, **kwargs)

    monkeypatch.setattr(graphs, "draw_graph", spy)
    graphs.render_model_graph(model, nn.cross_entropy, X[1:2], y[1:2], tmp_path / "g.svg", "svg")
    fresh = nn.MLP(2, [3], 2, seed=0)  # the same weights
    nn.cross_entropy(fresh(X[1:2]), y[1:2]).backward()
    for name, p in fresh.named_parameters():
        np.testing.assert_allclose(drawn[name], p.grad, rtol=1e-12)
    assert all(p.grad is None for p in model.parameters())  # cleared after, as documented


def test_a_model_graph_gives_every_module_its_own_mode_back(tmp_path):
    import nn
    import nn.graphs as graphs
    from nn.data import xor

    X, y = xor()
    model = nn.MLP(2, [3], 2, dropout=0.5, seed=0)
    model[2].eval()  # the Dropout alone in eval mode, inside a model in training mode
    graphs.render_model_graph(model, nn.cross_entropy, X[1:2], y[1:2], tmp_path / "g.svg", "svg")
    assert [m.training for m in model] == [True, True, False, True]


def test_the_spike_note_says_points_flip_only_when_the_accuracy_moved():
    base = {"epoch": 7, "with_train_loss": False, "train_loss_before": 0.1, "train_loss": 0.1}
    moved = demo.spike_note([{**base, "val_accuracy_before": 0.96, "val_accuracy": 0.91}])
    assert "96%→91%" in moved and "flip side" in moved
    still = demo.spike_note([{**base, "val_accuracy_before": 1.0, "val_accuracy": 1.0}])
    assert "100%→100%" in still and "flip" not in still and "no point changes side" in still
