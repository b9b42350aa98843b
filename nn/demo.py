"""The demo (``python -m nn demo``, ``make demo``): the lecture's story on built-in data.

1. A perceptron learns linearly separable blobs by Rosenblatt's rule, to zero errors
   (the perceptron convergence theorem: it stops making mistakes after finitely many).
2. The same perceptron on XOR stays at 75% or below: no line separates XOR.
3. An Adaline learns the blobs by the delta rule (Widrow-Hoff / LMS) on its linear output.
4. An MLP with one hidden layer solves XOR: the hidden units are learned features in
   which XOR becomes linearly separable.
5. MLPs on two moons (with a validation split) and on three spirals.
6. ``gradcheck`` of the moons MLP: every weight's backpropagated gradient against central
   differences, in float64.

Everything is trained by ``loss.backward()`` and an optimiser step; nothing here (or in
``nn``) writes a derivative. Files go to ``out/``: learning curves, decision boundaries, the
computation graph of the XOR MLP (PNG and SVG, one box per layer) and ``summary.json``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nn import data as D
from nn.callbacks import History
from nn.gradcheck import gradcheck_model
from nn.graphs import render_model_graph
from nn.layers import MLP, Adaline, Perceptron
from nn.losses import cross_entropy, half_sse
from nn.module import Module
from nn.optim import SGD, Adam, CosineAnnealingLR
from nn.plotting import (
    class_legend_handles,
    new_figure,
    plot_decision_boundary,
    plot_learning_curves,
    save_figure,
)
from nn.training import evaluate, fit

__all__ = ["run_demo"]

HALF_MSE = "½ mean (y − y_p)²"


def _half_mse(out, target):
    return half_sse(out, target, reduction="mean")


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
               "accuracy": tr["accuracy"], "errors": int(round((1 - tr["accuracy"]) *
                                                               len(self.train[0]))),
               "final_loss": tr["loss"], "loss_function": self.loss_label,
               **{k: v for k, v in self.info.items() if k not in ("model", "data")}}
        if self.val is not None:
            va = evaluate(self.model, self.loss_fn, self.val)
            out.update(val_accuracy=va["accuracy"], final_val_loss=va["loss"])
        return out


def _fmt_pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def run_demo(out: str = "out", seed: int = 0, progress: bool = False,
             log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the story, write the files to ``out`` and return the summary (also written)."""
    start = time.perf_counter()
    os.makedirs(out, exist_ok=True)
    ss = np.random.SeedSequence(seed)
    seeds = [int(s.generate_state(1)[0]) for s in ss.spawn(12)]
    runs: list[Run] = []

    def header(text: str) -> None:
        log(f"\n== {text}")

    # 1. Perceptron, separable --------------------------------------------------------
    # Two blobs centred on (0.5, 1) and (3.5, 1): separable, but not by a line through the
    # origin, so the bias has to be learned too.
    Xb, yb = D.blobs(100, center_radius=1.5, spread=1.0, seed=seeds[0])
    Xb = Xb + np.array([2.0, 1.0])
    yb_f = yb.astype(np.float64)
    header("1. Perceptron on linearly separable blobs (Rosenblatt's rule, one sample at a "
           "time)")
    p = Perceptron(2)
    h = fit(p, _half_mse, SGD(p.parameters(), lr=0.1), (Xb, yb_f), epochs=10, batch_size=1,
            progress=progress, seed=seeds[1])
    run = Run("perceptron_separable", "Perceptron on separable blobs", p, Xb, yb, h, HALF_MSE,
              _half_mse, (Xb, yb_f),
              info={"model": "Perceptron(2)", "data": "blobs: 100 points, linearly separable"})
    runs.append(run)
    m = run.metrics()
    clean = [e for e, a in zip(h.epochs, h["accuracy"], strict=True) if a == 1.0]
    m_first = clean[0] if clean else None
    run.info["first_epoch_without_mistakes"] = m_first
    log(f"   {len(Xb)} points: {m['errors']} errors after {len(h)} epochs (accuracy "
        f"{_fmt_pct(m['accuracy'])}); no mistake from epoch {m_first} on, so the weights "
        f"stopped moving (the perceptron convergence theorem)")

    # 2. Perceptron, XOR ----------------------------------------------------------------
    Xx, yx = D.xor()
    yx_f = yx.astype(np.float64)
    header("2. The same kind of perceptron on XOR")
    px = Perceptron(2)
    h = fit(px, _half_mse, SGD(px.parameters(), lr=0.1), (Xx, yx_f), epochs=30, batch_size=1,
            progress=progress, seed=seeds[2])
    run = Run("perceptron_xor", "Perceptron on XOR: no line separates it", px, Xx, yx, h,
              HALF_MSE, _half_mse, (Xx, yx_f),
              info={"model": "Perceptron(2)", "data": "XOR truth table (4 points)"})
    runs.append(run)
    m = run.metrics()
    log(f"   accuracy {_fmt_pct(m['accuracy'])} after {len(h)} epochs (a line gets at most 3 "
        f"of the 4 points right: 75%)")

    # 3. Adaline ------------------------------------------------------------------------
    header("3. Adaline on the blobs (delta rule on the linear output z = w^T x + b)")
    ad = Adaline(2)
    h = fit(ad, _half_mse, SGD(ad.parameters(), lr=0.02), (Xb, yb_f), epochs=40, batch_size=10,
            progress=progress, seed=seeds[3])
    run = Run("adaline_separable", "Adaline (delta rule) on separable blobs", ad, Xb, yb, h,
              HALF_MSE, _half_mse, (Xb, yb_f),
              info={"model": "Adaline(2)", "data": "blobs: 100 points, linearly separable"})
    runs.append(run)
    m = run.metrics()
    log(f"   accuracy {_fmt_pct(m['accuracy'])}, loss {m['final_loss']:.4f} after {len(h)} "
        f"epochs (it minimises the squared error of z, so it keeps moving after 0 errors)")

    # 4. MLP on XOR -----------------------------------------------------------------------
    header("4. MLP 2→8→2 (tanh) on XOR, softmax cross-entropy, Adam")
    mx = MLP(2, [8], 2, activation="tanh", seed=seeds[4])
    h = fit(mx, cross_entropy, Adam(mx.parameters(), lr=0.05), (Xx, yx), epochs=150,
            batch_size=4, progress=progress, seed=seeds[5])
    run = Run("mlp_xor", "MLP 2→8→2 (tanh) on XOR", mx, Xx, yx, h, "cross-entropy",
              cross_entropy, (Xx, yx),
              info={"model": "MLP 2→8→2 (tanh)", "data": "XOR truth table (4 points)"})
    runs.append(run)
    m = run.metrics()
    log(f"   accuracy {_fmt_pct(m['accuracy'])}, loss {m['final_loss']:.4f} after {len(h)} "
        f"epochs: the hidden layer makes XOR linearly separable")

    # 5. MLP on two moons ---------------------------------------------------------------
    header("5. MLP 2→16→16→2 (tanh) on two moons, 25% held out for validation, Adam with a "
           "cosine learning-rate schedule")
    Xm, ym = D.two_moons(300, noise=0.15, seed=seeds[6])
    Xm_tr, Xm_va, ym_tr, ym_va = D.train_test_split(Xm, ym, 0.25, seed=seeds[7], stratify=True)
    mm = MLP(2, [16, 16], 2, activation="tanh", seed=seeds[8])
    opt = Adam(mm.parameters(), lr=0.02)
    schedule = CosineAnnealingLR(opt, T_max=150)  # a decaying step damps Adam's late spikes
    h = fit(mm, cross_entropy, opt, (Xm_tr, ym_tr), epochs=150, batch_size=32,
            val=(Xm_va, ym_va), callbacks=[lambda epoch, logs: schedule.step()],
            progress=progress, seed=seeds[9])
    run = Run("mlp_moons", "MLP 2→16→16→2 (tanh) on two moons", mm, Xm, ym, h,
              "cross-entropy", cross_entropy, (Xm_tr, ym_tr), (Xm_va, ym_va),
              info={"model": "MLP 2→16→16→2 (tanh)",
                    "data": "two moons: 300 points, noise 0.15, 225 train / 75 validation"})
    runs.append(run)
    m = run.metrics()
    log(f"   train accuracy {_fmt_pct(m['accuracy'])}, validation accuracy "
        f"{_fmt_pct(m['val_accuracy'])} after {len(h)} epochs")

    # 6. MLP on spirals -----------------------------------------------------------------
    header("6. MLP 2→64→64→3 (ReLU) on three spirals, 25% held out for validation")
    Xs, ys = D.spirals(300, seed=seeds[10])
    Xs_tr, Xs_va, ys_tr, ys_va = D.train_test_split(Xs, ys, 0.25, seed=seeds[11], stratify=True)
    ms = MLP(2, [64, 64], 3, activation="relu", seed=seeds[4] + 1)
    h = fit(ms, cross_entropy, Adam(ms.parameters(), lr=0.005), (Xs_tr, ys_tr), epochs=150,
            batch_size=16, val=(Xs_va, ys_va), progress=progress, seed=seeds[5] + 1)
    run = Run("mlp_spirals", "MLP 2→64→64→3 (ReLU) on three spirals", ms, Xs, ys, h,
              "cross-entropy", cross_entropy, (Xs_tr, ys_tr), (Xs_va, ys_va),
              info={"model": "MLP 2→64→64→3 (ReLU)",
                    "data": "three spirals: 300 points, 225 train / 75 validation"})
    runs.append(run)
    m = run.metrics()
    log(f"   train accuracy {_fmt_pct(m['accuracy'])}, validation accuracy "
        f"{_fmt_pct(m['val_accuracy'])} after {len(h)} epochs")

    # gradcheck -----------------------------------------------------------------------------
    header("gradcheck: the moons MLP's backpropagated gradients against central differences "
           "(8 validation samples, float64)")
    report = gradcheck_model(mm, cross_entropy, Xm_va[:8], ym_va[:8])
    log(str(report))
    gradcheck_summary = {
        "model": "mlp_moons", "samples": 8, "parameters": mm.num_parameters(),
        "passed": report.ok, "max_abs_error": report.max_abs_error,
        "max_rel_error": report.max_rel_error, "eps": report.eps, "atol": report.atol,
        "rtol": report.rtol,
    }

    # pictures ------------------------------------------------------------------------------
    files: dict[str, str] = {}
    fig, axes = new_figure(len(runs), ncols=3, panel_size=(4.2, 3.9))
    for run, ax in zip(runs, axes, strict=True):
        plot_decision_boundary(run.model, run.X, run.y, ax=ax, title=run.title,
                               resolution=160, legend=False)
    fig.suptitle("Decision boundaries: a perceptron draws a line; an MLP bends it",
                 fontsize=12)
    fig.legend(handles=class_legend_handles(3), loc="outside lower center", ncol=4,
               fontsize=9, title="colours: true class; shading: predicted class; "
               "accuracy on all points, training and validation")
    files["decision_boundaries"] = "decision_boundaries.png"
    save_figure(fig, os.path.join(out, files["decision_boundaries"]))

    fig, grid = new_figure(4 * 3, ncols=3, panel_size=(3.8, 2.5))
    grid = np.array(grid, dtype=object).reshape(4, 3)
    names = {r.title: r.loss_label for r in runs}
    for row, chunk in ((0, runs[:3]), (2, runs[3:])):
        plot_learning_curves({r.title: r.history for r in chunk}, axes=grid[row:row + 2],
                             loss_names=names)
    fig.suptitle("Learning curves: train (solid, averaged over each epoch while the weights "
                 "change) and validation (dashed, at the end of each epoch)", fontsize=11)
    files["learning_curves"] = "learning_curves.png"
    save_figure(fig, os.path.join(out, files["learning_curves"]))

    graph_note = None
    for fmt in ("png", "svg"):
        name = f"mlp_graph.{fmt}"
        try:
            render_model_graph(mx, cross_entropy, Xx[1:2], yx[1:2], os.path.join(out, name),
                               fmt, title="MLP 2→8→2 (tanh) on XOR: the loss of the input "
                                          "(0, 1), one box per layer", loss_name="cross-entropy")
            files[f"mlp_graph_{fmt}"] = name
        except Exception as err:  # no viz module or no Graphviz 'dot': the rest still stands
            graph_note = f"computation graph not drawn: {' '.join(str(err).split())}"
            break

    summary = {
        "seed": seed,
        "seconds": None,
        "models": {r.key: r.metrics() for r in runs},
        "gradcheck": gradcheck_summary,
        "files": files,
        "out": os.path.abspath(out),
    }
    if graph_note:
        summary["notes"] = [graph_note]
    summary["seconds"] = round(time.perf_counter() - start, 2)
    files["summary"] = "summary.json"
    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=1, ensure_ascii=False)
        fh.write("\n")

    header(f"files (in {summary['seconds']:.1f} s)")
    if graph_note:
        log(f"   note: {graph_note}")
    width = max(len(k) for k in files)
    for key, name in files.items():
        log(f"   {key:<{width}}  {os.path.join(out, name)}")
    return summary
