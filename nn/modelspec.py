"""A saved model's description: what ``model.json`` holds beside ``model.npz``.

``nn train`` writes two files side by side: ``model.npz`` (the weights, ``nn.save``; no
pickle) and ``model.json`` (a ``ModelSpec``: the architecture, so a model can be rebuilt
before ``nn.load`` fills it, the data set it was trained on, and how training split that
data). ``save_model`` / ``load_model`` write and read the pair; ``build_model``,
``loss_for`` and ``targets_for`` say what the spec means in code; ``save_run`` adds the
rest of a training run's folder (``RUN_FILES``: history, learning curves, metrics).

The record of the split is written and read here only: ``training_split`` makes the split
and its record, ``ModelSpec.trained_on`` recognises the data again by its fingerprint and
``ModelSpec.validation_rows`` rebuilds the rows training held out.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd_core import Value
from nn.datasets import fingerprint, rows_fingerprint, split_indices
from nn.files import make_parent
from nn.io import load, save
from nn.layers import MLP, Adaline, Perceptron
from nn.losses import cross_entropy, half_sse
from nn.module import Module

if TYPE_CHECKING:
    from nn.callbacks import History

__all__ = [
    "MODELS",
    "RUN_FILES",
    "ModelSpec",
    "ModelSpecError",
    "build_model",
    "load_model",
    "loss_for",
    "save_model",
    "save_run",
    "targets_for",
    "training_split",
]

SPEC_FORMAT = "nn-model-spec"
SPEC_VERSION = 1
MODELS = ("perceptron", "adaline", "mlp")
# the files save_run writes beside model.npz and model.json
RUN_FILES = ("history.csv", "history.json", "learning_curves.png", "metrics.json")


class ModelSpecError(ValueError):
    """A model folder or ``model.json`` that cannot be read; the message says which file."""


@dataclass
class ModelSpec:
    """Everything needed to rebuild a model before ``nn.load`` fills in its weights."""

    model: str
    n_in: int
    n_out: int
    hidden: tuple[int, ...] = ()
    activation: str = "relu"
    dropout: float = 0.0
    data: str = ""
    weights: str = "model.npz"
    # how train used the data: samples, sha256 (fingerprint), seed, val_split, val_samples,
    # val_sha256 (of the validation row indices), so evaluate can score the held-out part
    training_data: dict[str, Any] | None = None
    target: str | None = None  # a CSV's label column, when --target named it

    @property
    def loss_name(self) -> str:
        return "cross_entropy" if self.model == "mlp" else "half_sse (mean)"

    def describe(self) -> str:
        if self.model == "mlp":
            sizes = "→".join(str(s) for s in (self.n_in, *self.hidden, self.n_out))
            extra = f", dropout {self.dropout:g}" if self.dropout else ""
            return f"MLP {sizes} ({self.activation}{extra})"
        return f"{self.model.capitalize()}({self.n_in})"

    def to_json(self) -> dict[str, Any]:
        obj = {"format": SPEC_FORMAT, "version": SPEC_VERSION, "model": self.model,
               "n_in": self.n_in, "n_out": self.n_out, "hidden": list(self.hidden),
               "activation": self.activation, "dropout": self.dropout,
               "loss": self.loss_name, "data": self.data, "weights": self.weights}
        if self.training_data is not None:
            obj["training_data"] = dict(self.training_data)
        if self.target is not None:
            obj["target"] = self.target
        return obj

    def trained_on(self, X: np.ndarray, y: np.ndarray) -> bool | None:
        """Whether ``(X, y)`` is the data set this model was trained on, by its fingerprint
        (the same files, or a point cloud drawn with the same seed and size); None when
        ``model.json`` predates the record of the training split."""
        if self.training_data is None:
            return None
        return self.training_data["sha256"] == fingerprint(X, y)

    def validation_rows(self, y: np.ndarray) -> np.ndarray:
        """The rows that training held out of its data set (labels ``y``), rebuilt from the
        seed and fraction in the record; a ``ModelSpecError`` when they do not match the
        record's fingerprint of them (the record edited, or the split made differently
        now)."""
        td = self.training_data
        if td is None:
            raise ModelSpecError("model.json does not record the training split")
        _, rows = split_indices(y, td["val_split"], td["seed"])
        if rows_fingerprint(rows) != td["val_sha256"]:
            raise ModelSpecError("the validation split rebuilt from model.json does not "
                                 "match its record")
        return rows

    @classmethod
    def from_json(cls, obj: Any, where: str) -> ModelSpec:
        if not isinstance(obj, dict) or obj.get("format") != SPEC_FORMAT:
            raise ModelSpecError(f"{where} is not a model description written by 'nn train' "
                           f"(no \"format\": \"{SPEC_FORMAT}\")")
        if obj.get("version", 0) > SPEC_VERSION:
            raise ModelSpecError(f"{where} has version {obj.get('version')}; this program reads up "
                           f"to {SPEC_VERSION}")
        try:
            spec = cls(model=str(obj["model"]), n_in=int(obj["n_in"]), n_out=int(obj["n_out"]),
                       hidden=tuple(int(h) for h in obj.get("hidden", ())),
                       activation=str(obj.get("activation", "relu")),
                       dropout=float(obj.get("dropout", 0.0)), data=str(obj.get("data", "")),
                       weights=str(obj.get("weights", "model.npz")),
                       training_data=_training_data(obj.get("training_data")),
                       target=None if obj.get("target") is None else str(obj["target"]))
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ModelSpecError(f"{where}: missing or malformed field {err}") from None
        if spec.model not in MODELS:
            raise ModelSpecError(f"{where}: unknown model {spec.model!r} (known: "
                                 f"{', '.join(MODELS)})")
        return spec


def _training_data(obj: Any) -> dict[str, Any] | None:
    """``model.json``'s record of the training split (None in files from before it)."""
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise TypeError("'training_data'")
    td = {"samples": obj["samples"], "sha256": str(obj["sha256"]), "seed": obj["seed"],
          "val_split": float(obj["val_split"]), "val_samples": obj["val_samples"],
          "val_sha256": str(obj["val_sha256"])}
    for key in ("samples", "seed", "val_samples"):
        if isinstance(td[key], bool) or not isinstance(td[key], int) or td[key] < 0:
            raise ValueError(f"'training_data.{key}' (a whole number >= 0, got {td[key]!r})")
    if not 0.0 <= td["val_split"] < 1.0:
        raise ValueError(f"'training_data.val_split' (in [0, 1), got {td['val_split']})")
    if not td["val_samples"] < td["samples"] or (td["val_samples"] == 0) != (td["val_split"] == 0):
        raise ValueError("'training_data.val_samples' (does not fit samples and val_split)")
    return td


def training_split(X: np.ndarray, y: np.ndarray, val_split: float, seed: int
                   ) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """``(train rows, validation rows, record)``: the stratified split ``train`` holds out
    (``split_indices``) and ``model.json``'s record of it (``ModelSpec.training_data``):
    the data's size and fingerprint, the seed and fraction that rebuild the split, and the
    fingerprint of the held-out rows, which checks the rebuild."""
    train, val = split_indices(y, val_split, seed)
    record = {"samples": len(X), "sha256": fingerprint(X, y), "seed": seed,
              "val_split": val_split, "val_samples": len(val),
              "val_sha256": rows_fingerprint(val)}
    return train, val, record


def build_model(spec: ModelSpec, seed: int | None = 0) -> Module:
    """A fresh model of ``spec``'s architecture (float64), initialised from ``seed``."""
    if spec.model == "perceptron":
        return Perceptron(spec.n_in, seed=seed)
    if spec.model == "adaline":
        return Adaline(spec.n_in, seed=seed)
    return MLP(spec.n_in, list(spec.hidden), spec.n_out, activation=spec.activation,
               dropout=spec.dropout, seed=seed)


def loss_for(spec: ModelSpec) -> Callable[[Value, np.ndarray], Value]:
    """The training loss: softmax cross-entropy for an MLP; ``1/2 mean (y - y_p)^2`` for
    the perceptron (Rosenblatt's rule through the step's straight-through gradient) and
    the Adaline (the delta rule on its linear output)."""
    if spec.model == "mlp":
        return cross_entropy
    return lambda out, target: half_sse(out, target, reduction="mean")


def targets_for(spec: ModelSpec, y: np.ndarray) -> np.ndarray:
    """Labels as the loss wants them: ints for cross-entropy, floats 0/1 for the units."""
    return y if spec.model == "mlp" else y.astype(np.float64)


def save_model(model: Module, spec: ModelSpec, folder: str, stem: str = "model") -> tuple[str, str]:
    """Write ``folder/stem.npz`` (weights, ``nn.save``) and ``folder/stem.json`` (spec);
    ``folder`` is created if missing."""
    spec.weights = f"{stem}.npz"
    npz = os.path.join(folder, spec.weights)
    js = os.path.join(folder, f"{stem}.json")
    save(model, npz)
    with open(make_parent(js, "save_model"), "w", encoding="utf-8") as fh:
        json.dump(spec.to_json(), fh, indent=1)
        fh.write("\n")
    return npz, js


def save_run(model: Module, spec: ModelSpec, history: History, metrics: dict[str, float],
             seconds: float, folder: str, data: str) -> list[str]:
    """A training run's folder: the model (``save_model``) and ``RUN_FILES``: the history
    as CSV and JSON, the learning curves titled with the model and ``data`` (the data
    set's name as given), and the final metrics with the epochs and seconds. Returns the
    paths written, ``model.npz`` and ``model.json`` first."""
    from nn.plotting import save_figure

    npz, js = save_model(model, spec, folder)
    paths = {name: os.path.join(folder, name) for name in RUN_FILES}
    history.to_csv(paths["history.csv"])
    history.to_json(paths["history.json"])
    fig = history.plot()
    fig.suptitle(f"{spec.describe()} on {data}: learning curves", fontsize=11)
    save_figure(fig, paths["learning_curves.png"])
    with open(make_parent(paths["metrics.json"], "save_run"), "w", encoding="utf-8") as fh:
        json.dump({**metrics, "epochs": len(history), "seconds": round(seconds, 3)}, fh,
                  indent=1)
    return [npz, js, *paths.values()]


def _spec_path(path: str) -> str:
    """The JSON next to a model: from the folder, the .npz or the .json itself."""
    if os.path.isdir(path):
        return os.path.join(path, "model.json")
    root, ext = os.path.splitext(path)
    return root + ".json" if ext.lower() == ".npz" else path


def load_model(path: str) -> tuple[Module, ModelSpec]:
    """Rebuild a model saved by ``train`` (folder, ``.npz`` or ``.json``) and load its weights."""
    if not os.path.exists(path):
        raise ModelSpecError(f"no such model file or folder {path!r}")
    js = _spec_path(path)
    if not os.path.isfile(js):
        raise ModelSpecError(f"{path!r}: the architecture file {js!r} is missing (a model "
                             f"saved by 'nn train' is a .npz and a .json side by side)")
    try:
        with open(js, encoding="utf-8") as fh:
            obj = json.load(fh)
    except json.JSONDecodeError as err:
        raise ModelSpecError(f"{js!r} is not a model saved by 'nn train' (expected a folder, "
                             f".npz or .json; this file is not valid JSON: {err})") from None
    spec = ModelSpec.from_json(obj, repr(js))
    if path.lower().endswith(".npz"):  # the weights the user named, not the JSON's default
        npz = path
    else:
        npz = os.path.join(os.path.dirname(js), spec.weights)
    if not os.path.isfile(npz):
        raise ModelSpecError(f"{js!r} names the weights file {npz!r}, which does not exist")
    model = build_model(spec, seed=0)
    load(model, npz)
    return model, spec

