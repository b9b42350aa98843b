"""The demo (``python -m nn demo``, ``make demo``): the lecture's story on built-in data.

The story is a list of chapters (``CHAPTERS``), each a short function that trains one
model and says what it shows:

1. A perceptron learns linearly separable blobs by Rosenblatt's rule, to zero errors
   (the perceptron convergence theorem: it stops making mistakes after finitely many).
2. The same perceptron on XOR stays at 75% or below: no line separates XOR.
3. An Adaline learns the blobs by the delta rule (Widrow-Hoff / LMS) on its linear output.
4. An MLP with one hidden layer solves XOR: the hidden units are learned features in
   which XOR becomes linearly separable.
5. MLPs on two moons (with a validation split) and on three spirals.

Then ``gradcheck`` of the moons MLP (every weight's backpropagated gradient against
central differences, in float64) and the pictures. Everything is trained by
``loss.backward()`` and an optimiser step; nothing here (or in ``nn``) writes a
derivative. Files go to ``out/``: learning curves, decision boundaries, the computation
graph of the XOR MLP (PNG and SVG, one box per layer), the step-through pages
``backprop.html`` (the lecture's expression) and ``backprop_xor.html`` (the XOR MLP's
loss), to open in a browser, and ``summary.json``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from autograd_core import no_grad, save_html
from nn import data as D
from nn.callbacks import History
from nn.explain import lecture_expression, save_loss_page
from nn.gradcheck import gradcheck_model
from nn.graphs import render_model_graph
from nn.layers import MLP, Adaline, Perceptron
from nn.losses import cross_entropy, half_sse
from nn.metrics import predicted_classes
from nn.module import Module
from nn.optim import SGD, Adam, CosineAnnealingLR
from nn.plotting import (
    class_legend_handles,
    new_figure,
    plot_decision_boundary,
    plot_learning_curves,
    save_figure,
)
from nn.training import evaluate, fit, predict

__all__ = ["CHAPTERS", "FILES", "NEEDS_DOT", "run_demo"]

# What the demo writes to its folder, by the key summary.json's "files" gives it, in the
# order it lists them; `python -m nn demo --help` makes its list from this one.
FILES = {
    "decision_boundaries": "decision_boundaries.png",
    "learning_curves": "learning_curves.png",
    "mlp_graph_png": "mlp_graph.png",
    "mlp_graph_svg": "mlp_graph.svg",
    "backprop_html": "backprop.html",
    "backprop_xor_html": "backprop_xor.html",
    "summary": "summary.json",
}
NEEDS_DOT = ("mlp_graph_png", "mlp_graph_svg", "backprop_html", "backprop_xor_html")

HALF_MSE = "½ mean (y − y_p)²"


def _half_mse(out, target):
    return half_sse(out, target, reduction="mean")


def _fmt_pct(x: float) -> str:
    return f"{100 * x:.1f}%"


@dataclass
class Run:
    """One trained model of the story, with what the pictures and the summary need."""

    key: str
    title: str
    model: Module
    X: np.ndarray
    y: np.ndarray
    history: History
    loss_label: str
    loss_fn: Callable[..., Any]
    train: tuple[np.ndarray, np.ndarray]
    val: tuple[np.ndarray, np.ndarray] | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def metrics(self) -> dict[str, Any]:
        tr = evaluate(self.model, self.loss_fn, self.train)
        out = {"model": self.info.get("model", type(self.model).__name__),
               "data": self.info.get("data", ""), "epochs": len(self.history),
               "accuracy": tr["accuracy"],
               "errors": int(round((1 - tr["accuracy"]) * len(self.train[0]))),
               "final_loss": tr["loss"], "loss_function": self.loss_label,
               **{k: v for k, v in self.info.items() if k not in ("model", "data")}}
        if self.val is not None:
            va = evaluate(self.model, self.loss_fn, self.val)
            out.update(val_accuracy=va["accuracy"], final_val_loss=va["loss"])
        return out


@dataclass
class Story:
    """What the chapters share: the seeds, the progress bar, the log, and the data sets
    two chapters use (the blobs, XOR)."""

    seed: int = 0
    progress: bool = False
    log: Callable[[str], None] = print

    @cached_property
    def seeds(self) -> list[int]:
        ss = np.random.SeedSequence(self.seed)
        return [int(s.generate_state(1)[0]) for s in ss.spawn(12)]

    @cached_property
    def blobs(self) -> tuple[np.ndarray, np.ndarray]:
        # Two blobs centred on (0.5, 1) and (3.5, 1): separable, but not by a line through
        # the origin, so the bias has to be learned too.
        X, y = D.blobs(100, center_radius=1.5, spread=1.0, seed=self.seeds[0])
        return X + np.array([2.0, 1.0]), y

    @cached_property
    def xor(self) -> tuple[np.ndarray, np.ndarray]:
        return D.xor()

    def header(self, text: str) -> None:
        self.log(f"\n== {text}")

    def fit(self, model: Module, loss_fn: Callable[..., Any], optimizer: Any,
            train: tuple[np.ndarray, np.ndarray], seed: int, **kw: Any) -> History:
        return fit(model, loss_fn, optimizer, train, progress=self.progress, seed=seed, **kw)


# --------------------------------------------------------------------------- chapters


def perceptron_on_blobs(s: Story) -> Run:
    s.header("1. Perceptron on linearly separable blobs (Rosenblatt's rule, one sample at a "
             "time)")
    X, y = s.blobs
    p = Perceptron(2)
    train = (X, y.astype(np.float64))
    h = s.fit(p, _half_mse, SGD(p.parameters(), lr=0.1), train, s.seeds[1], epochs=10,
              batch_size=1)
    run = Run("perceptron_separable", "Perceptron on separable blobs", p, X, y, h, HALF_MSE,
              _half_mse, train,
              info={"model": "Perceptron(2)", "data": "blobs: 100 points, linearly separable"})
    m = run.metrics()
    clean = [e for e, a in zip(h.epochs, h["accuracy"], strict=True) if a == 1.0]
    first = run.info["first_epoch_without_mistakes"] = clean[0] if clean else None
    s.log(f"   {len(X)} points: {m['errors']} errors after {len(h)} epochs (accuracy "
          f"{_fmt_pct(m['accuracy'])}); no mistake from epoch {first} on, so the weights "
          f"stopped moving (the perceptron convergence theorem)")
    return run


def perceptron_on_xor(s: Story) -> Run:
    s.header("2. The same kind of perceptron on XOR")
    X, y = s.xor
    p = Perceptron(2)
    train = (X, y.astype(np.float64))
    h = s.fit(p, _half_mse, SGD(p.parameters(), lr=0.1), train, s.seeds[2], epochs=30,
              batch_size=1)
    run = Run("perceptron_xor", "Perceptron on XOR: no line separates it", p, X, y, h,
              HALF_MSE, _half_mse, train,
              info={"model": "Perceptron(2)", "data": "XOR truth table (4 points)"})
    s.log(f"   accuracy {_fmt_pct(run.metrics()['accuracy'])} after {len(h)} epochs (a line "
          f"gets at most 3 of the 4 points right: 75%)")
    return run


def adaline_on_blobs(s: Story) -> Run:
    s.header("3. Adaline on the blobs (delta rule on the linear output z = w^T x + b)")
    X, y = s.blobs
    ad = Adaline(2)
    train = (X, y.astype(np.float64))
    h = s.fit(ad, _half_mse, SGD(ad.parameters(), lr=0.02), train, s.seeds[3], epochs=40,
              batch_size=10)
    run = Run("adaline_separable", "Adaline (delta rule) on separable blobs", ad, X, y, h,
              HALF_MSE, _half_mse, train,
              info={"model": "Adaline(2)", "data": "blobs: 100 points, linearly separable"})
    m = run.metrics()
    s.log(f"   accuracy {_fmt_pct(m['accuracy'])}, loss {m['final_loss']:.4f} after {len(h)} "
          f"epochs (it minimises the squared error of z, so it keeps moving after 0 errors)")
    return run


def mlp_on_xor(s: Story) -> Run:
    s.header("4. MLP 2→8→2 (tanh) on XOR, softmax cross-entropy, Adam")
    X, y = s.xor
    mx = MLP(2, [8], 2, activation="tanh", seed=s.seeds[4])
    h = s.fit(mx, cross_entropy, Adam(mx.parameters(), lr=0.05), (X, y), s.seeds[5],
              epochs=150, batch_size=4)
    run = Run("mlp_xor", "MLP 2→8→2 (tanh) on XOR", mx, X, y, h, "cross-entropy",
              cross_entropy, (X, y),
              info={"model": "MLP 2→8→2 (tanh)", "data": "XOR truth table (4 points)"})
    m = run.metrics()
    s.log(f"   accuracy {_fmt_pct(m['accuracy'])}, loss {m['final_loss']:.4f} after {len(h)} "
          f"epochs: the hidden layer makes XOR linearly separable")
    return run


def mlp_on_moons(s: Story) -> Run:
    s.header("5. MLP 2→16→16→2 (tanh) on two moons, 25% held out for validation, Adam with a "
             "cosine learning-rate schedule")
    X, y = D.two_moons(300, noise=0.15, seed=s.seeds[6])
    X_tr, X_va, y_tr, y_va = D.train_test_split(X, y, 0.25, seed=s.seeds[7], stratify=True)
    mm = MLP(2, [16, 16], 2, activation="tanh", seed=s.seeds[8])
    opt = Adam(mm.parameters(), lr=0.02)
    schedule = CosineAnnealingLR(opt, T_max=150)  # a decaying step damps Adam's late spikes
    h = s.fit(mm, cross_entropy, opt, (X_tr, y_tr), s.seeds[9], epochs=150, batch_size=32,
              val=(X_va, y_va), callbacks=[schedule])  # fit steps it after each epoch
    spikes = loss_spikes(h)
    note = spike_note(spikes) if spikes else None
    run = Run("mlp_moons", "MLP 2→16→16→2 (tanh) on two moons", mm, X, y, h,
              "cross-entropy", cross_entropy, (X_tr, y_tr), (X_va, y_va),
              info={"model": "MLP 2→16→16→2 (tanh)",
                    "data": "two moons: 300 points, noise 0.15, 225 train / 75 validation",
                    "val_loss_spikes": spikes, "val_loss_note": note})
    m = run.metrics()
    s.log(f"   train accuracy {_fmt_pct(m['accuracy'])}, validation accuracy "
          f"{_fmt_pct(m['val_accuracy'])} after {len(h)} epochs")
    if note:
        s.log(f"   {note}")
    return run


def mlp_on_spirals(s: Story) -> Run:
    s.header("6. MLP 2→64→64→3 (ReLU) on three spirals, 25% held out for validation")
    X, y = D.spirals(300, seed=s.seeds[10])
    X_tr, X_va, y_tr, y_va = D.train_test_split(X, y, 0.25, seed=s.seeds[11], stratify=True)
    ms = MLP(2, [64, 64], 3, activation="relu", seed=s.seeds[4] + 1)
    h = s.fit(ms, cross_entropy, Adam(ms.parameters(), lr=0.005), (X_tr, y_tr),
              s.seeds[5] + 1, epochs=150, batch_size=16, val=(X_va, y_va))
    run = Run("mlp_spirals", "MLP 2→64→64→3 (ReLU) on three spirals", ms, X, y, h,
              "cross-entropy", cross_entropy, (X_tr, y_tr), (X_va, y_va),
              info={"model": "MLP 2→64→64→3 (ReLU)",
                    "data": "three spirals: 300 points, 225 train / 75 validation"})
    m = run.metrics()
    s.log(f"   train accuracy {_fmt_pct(m['accuracy'])}, validation accuracy "
          f"{_fmt_pct(m['val_accuracy'])} after {len(h)} epochs")
    return run


CHAPTERS: tuple[Callable[[Story], Run], ...] = (
    perceptron_on_blobs, perceptron_on_xor, adaline_on_blobs, mlp_on_xor, mlp_on_moons,
    mlp_on_spirals,
)


# --------------------------------------------------------------------------- loss spikes


def loss_spikes(h: History, factor: float = 1.3, top: int = 4) -> list[dict[str, Any]]:
    """The ``top`` largest jumps of the validation loss (above ``factor`` times the lowest
    of the three epochs before; one per event: none within 3 epochs of a larger one), each
    with the training loss and the validation accuracy around it.

    The training loss is the epoch's average while the weights change; when it jumps in
    the same epoch, the spike is the optimiser overshooting on the training data itself,
    not overfitting.
    """
    val, train = np.asarray(h["val_loss"]), np.asarray(h["loss"])
    acc = np.asarray(h["val_accuracy"])
    jumps = sorted(((val[i] / val[i - 3:i].min(), i) for i in range(3, len(val))), reverse=True)
    picked: list[int] = []
    for ratio, i in jumps:
        if ratio > factor and len(picked) < top and all(abs(i - j) > 3 for j in picked):
            picked.append(i)
    return [{"epoch": h.epochs[i], "val_loss": float(val[i]),
             "val_loss_before": float(val[i - 3:i].min()), "train_loss": float(train[i]),
             "train_loss_before": float(train[i - 3:i].min()),
             "val_accuracy": float(acc[i]), "val_accuracy_before": float(acc[i - 1]),
             "with_train_loss": bool(train[i] > 1.5 * train[i - 3:i].min())}
            for i in sorted(picked)]


def spike_note(spikes: list[dict[str, Any]]) -> str:
    """What the spikes ``loss_spikes`` found are, in one or two sentences."""
    def epochs(group: list[dict[str, Any]]) -> str:
        return ", ".join(str(sp["epoch"]) for sp in group)

    shared = [sp for sp in spikes if sp["with_train_loss"]]
    alone = [sp for sp in spikes if not sp["with_train_loss"]]
    parts = [f"The validation loss spikes at epochs {epochs(spikes)}."]
    if shared:
        jumps = ", ".join(f"{sp['train_loss_before']:.2f}→{sp['train_loss']:.2f}"
                          for sp in shared)
        parts.append(f"At {epochs(shared)} the training loss jumps too ({jumps}): Adam "
                     f"overshooting on a steep part of the loss surface, undone within an "
                     f"epoch or two; not overfitting.")
    if alone:
        accs = ", ".join(f"{sp['val_accuracy_before']:.0%}→{sp['val_accuracy']:.0%}"
                         for sp in alone)
        flipped = any(f"{sp['val_accuracy_before']:.0%}" != f"{sp['val_accuracy']:.0%}"
                      for sp in alone)
        why = ("a few of the 75 validation points near the boundary flip side, and "
               "cross-entropy punishes a confident mistake hard" if flipped else
               "no point changes side, but a few grow more confidently wrong (or less "
               "confidently right), and cross-entropy counts confidence, not only the side")
        parts.append(f"At {epochs(alone)} only the validation loss moves (validation "
                     f"accuracy {accs}): {why}.")
    return " ".join(parts)


# --------------------------------------------------------------------------- pictures


def _label_points(run: Run, ax: Any) -> None:
    """Write each point's prediction beside it (and a perceptron's net input z), for a
    panel of a few points, where the boundary may run through a point: XOR's (0, 0)."""
    classes = predicted_classes(predict(run.model, run.X))  # as accuracy reads the outputs
    with no_grad():
        z = (np.asarray(run.model.net_input(run.X).data).reshape(-1)
             if isinstance(run.model, Perceptron) else None)
    for i, (x0, x1) in enumerate(run.X):
        text = f"ŷ={classes[i]}" if z is None else f"z={z[i]:.2g} → ŷ={classes[i]}"
        ax.annotate(text, (x0, x1), xytext=(0, 9), textcoords="offset points",
                    ha="center", fontsize=8,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "alpha": 0.85,
                          "lw": 0})


def decision_figure(runs: list[Run]) -> Any:
    """Every run's decision boundary, one panel each, and one legend for them all."""
    fig, axes = new_figure(len(runs), ncols=3, panel_size=(4.2, 3.9))
    for run, ax in zip(runs, axes, strict=True):
        plot_decision_boundary(run.model, run.X, run.y, ax=ax, title=run.title,
                               resolution=160, legend=False, padding=0.35)
        if len(run.X) <= 8:
            _label_points(run, ax)
    fig.suptitle("Decision boundaries: a perceptron draws a line; an MLP bends it",
                 fontsize=12)
    fig.legend(handles=class_legend_handles(3), loc="outside lower center", ncol=4,
               fontsize=9, title="colours: true class; shading: predicted class; "
               "accuracy on all points, training and validation; ŷ: predicted class, "
               "z: the perceptron's net input (the step fires for z > 0)")
    return fig


def curves_figure(runs: list[Run]) -> Any:
    """Learning curves in two blocks of three runs; loss spikes marked and explained."""
    fig, grid = new_figure(4 * 3, ncols=3, panel_size=(3.8, 2.5))
    grid = np.array(grid, dtype=object).reshape(4, 3)
    names = {r.title: r.loss_label for r in runs}
    for row, chunk in ((0, runs[:3]), (2, runs[3:])):
        plot_learning_curves({r.title: r.history for r in chunk}, axes=grid[row:row + 2],
                             loss_names=names)
    notes = []
    for j, run in enumerate(runs[3:]):
        spikes = run.info.get("val_loss_spikes")
        if spikes:
            for sp in spikes:
                grid[2, j].annotate("▼", (sp["epoch"], sp["val_loss"]), ha="center",
                                    va="bottom", color="C3", fontsize=9)
            notes.append(f"{run.title} (▼): {spike_note(spikes)}")
    fig.suptitle("Learning curves: train (solid, averaged over each epoch while the weights "
                 "change) and validation (dashed, at the end of each epoch)", fontsize=11)
    if notes:
        fig.text(0.5, 0.0, "\n".join(notes), ha="center", va="bottom", fontsize=8, wrap=True)
        fig.get_layout_engine().set(rect=(0, 0.05, 1, 0.95))
    return fig


def graph_files(mx: Module, X: np.ndarray, y: np.ndarray, out: str
                ) -> tuple[dict[str, str], str | None]:
    """The XOR MLP's computation graph as PNG and SVG, and the step-through pages
    ``backprop.html`` (the lecture's expression) and ``backprop_xor.html`` (this MLP's
    loss): ``(files, note if not drawn)``."""
    files: dict[str, str] = {}
    for fmt in ("png", "svg"):
        name = FILES[f"mlp_graph_{fmt}"]
        try:
            render_model_graph(mx, cross_entropy, X[1:2], y[1:2], os.path.join(out, name),
                               fmt, title="MLP 2→8→2 (tanh) on XOR: the loss of the input "
                                          "(0, 1), one box per layer")
            files[f"mlp_graph_{fmt}"] = name
        except Exception as err:  # no Graphviz 'dot': the rest still stands
            return files, f"computation graph not drawn: {' '.join(str(err).split())}"
    save_html(lecture_expression(), os.path.join(out, FILES["backprop_html"]),
              title="Backpropagation through L = ((a·b + c).tanh() − y)², one node at a time")
    save_loss_page(mx, cross_entropy, X[1:2], y[1:2], os.path.join(out, FILES["backprop_xor_html"]),
                   title="MLP 2→8→2 (tanh) on XOR: backpropagation of the loss of the input (0, 1)")
    files.update({key: FILES[key] for key in ("backprop_html", "backprop_xor_html")})
    return files, None


# --------------------------------------------------------------------------- the demo


def gradcheck_summary(s: Story, moons: Run) -> dict[str, Any]:
    s.header("gradcheck: the moons MLP's backpropagated gradients against central differences "
             "(8 validation samples, float64)")
    X_va, y_va = moons.val
    report = gradcheck_model(moons.model, cross_entropy, X_va[:8], y_va[:8])
    s.log(str(report))
    return {"model": moons.key, "samples": 8, "parameters": moons.model.num_parameters(),
            "passed": report.ok, "max_abs_error": report.max_abs_error,
            "max_rel_error": report.max_rel_error, "eps": report.eps, "atol": report.atol,
            "rtol": report.rtol}


def run_demo(out: str = "out", seed: int = 0, progress: bool = False,
             log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the story, write the files to ``out`` and return the summary (also written)."""
    start = time.perf_counter()
    os.makedirs(out, exist_ok=True)
    story = Story(seed, progress, log)
    runs = [chapter(story) for chapter in CHAPTERS]
    by_key = {r.key: r for r in runs}
    check = gradcheck_summary(story, by_key["mlp_moons"])
    files = {key: FILES[key] for key in ("decision_boundaries", "learning_curves")}
    save_figure(decision_figure(runs), os.path.join(out, files["decision_boundaries"]))
    save_figure(curves_figure(runs), os.path.join(out, files["learning_curves"]))
    drawn, graph_note = graph_files(by_key["mlp_xor"].model, *story.xor, out)
    files.update(drawn)
    summary = {"seed": seed, "seconds": None, "models": {r.key: r.metrics() for r in runs},
               "gradcheck": check, "files": files, "out": os.path.abspath(out)}
    if graph_note:
        summary["notes"] = [graph_note]
    summary["seconds"] = round(time.perf_counter() - start, 2)
    files["summary"] = FILES["summary"]
    with open(os.path.join(out, files["summary"]), "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    story.header(f"files (in {summary['seconds']:.1f} s)")
    if graph_note:
        log(f"   note: {graph_note}")
    width = max(len(k) for k in files)
    for key, name in files.items():
        log(f"   {key:<{width}}  {os.path.join(out, name)}")
    return summary
