"""Data sets by name, as the command line and ``model.json`` name them.

``moons``, ``circles``, ``spirals``, ``blobs`` (drawn from a seed), ``xor`` and ``digits``
(always the same), ``idx:IMAGES,LABELS`` (MNIST-style files) and a CSV file of your own
(``my.csv``, the label in the last column or the one ``target`` names). Also the
``fingerprint`` of a data set, by which ``evaluate`` recognises the data a model was
trained on, and the stratified split ``train`` holds out for validation.
"""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import dataclass, replace

import numpy as np

from nn import data as D
from nn.csvfile import load_csv

__all__ = [
    "BUILT_IN",
    "CLASSES",
    "DEFAULT_SAMPLES",
    "FIXED",
    "DataSpec",
    "fingerprint",
    "load_data",
    "rows_fingerprint",
    "split_indices",
]

BUILT_IN = ("xor", "moons", "circles", "spirals", "blobs", "digits")
FIXED = ("xor", "digits", "idx", "csv")  # the same samples whatever the seed
# the point clouds, drawn from a seed: how many samples by default, and how many classes
# (so the fewest samples a draw can have: one of each class)
DEFAULT_SAMPLES = {"moons": 200, "circles": 200, "spirals": 300, "blobs": 200}
CLASSES = {"moons": 2, "circles": 2, "spirals": 3, "blobs": 2}


@dataclass(frozen=True)
class DataSpec:
    """A named data set: a built-in one, ``idx`` with two file paths, or ``csv`` with a
    path and (optionally) the label column."""

    name: str
    images: str | None = None
    labels: str | None = None
    path: str | None = None
    target: str | None = None

    def __str__(self) -> str:
        if self.name == "idx":
            return f"idx:{self.images},{self.labels}"
        if self.name == "csv":
            return str(self.path)
        return self.name

    @classmethod
    def parse(cls, text: str, target: str | None = None) -> DataSpec:
        """A built-in name, ``idx:IMAGES,LABELS``, or a path ending in ``.csv``."""
        text = text.strip()
        if text.lower().startswith("idx:"):
            parts = [p.strip() for p in text[4:].split(",")]
            if len(parts) != 2 or not all(parts):
                raise ValueError(f"{text!r}: expected idx:IMAGES,LABELS (two IDX file paths "
                                 f"separated by a comma)")
            return cls("idx", *parts)
        if text.lower().endswith(".csv"):
            return cls("csv", path=text, target=target)
        if text.lower() not in BUILT_IN:
            raise ValueError(f"unknown data set {text!r}; choose from {', '.join(BUILT_IN)}, "
                             f"idx:IMAGES,LABELS or a file.csv")
        return cls(text.lower())

    @property
    def fixed(self) -> bool:
        """Whether the data is the same whatever the seed (files, xor, digits)."""
        return self.name in FIXED

    @property
    def files(self) -> tuple[str, ...]:
        """The file paths the spec names: a CSV file, or an idx's images and labels (none
        for a built-in data set)."""
        return {"csv": (self.path,), "idx": (self.images, self.labels)}.get(self.name, ())

    def absolute(self) -> DataSpec:
        """This spec with its file paths made absolute, as ``train`` records it in
        ``model.json``: the model's data is then found from any folder. An ``idx`` spec
        whose absolute paths hold a comma stays as given (``idx:IMAGES,LABELS`` could not
        be read back)."""
        if self.name == "csv":
            return replace(self, path=os.path.abspath(self.path))
        if self.name == "idx":
            images, labels = os.path.abspath(self.images), os.path.abspath(self.labels)
            if "," in images + labels:
                return self
            return replace(self, images=images, labels=labels)
        return self


def load_data(spec: DataSpec, n_samples: int | None = None, seed: int = 0
              ) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` for a data spec: float64 features ``(n, d)``, int64 labels ``0 .. k-1``.
    ``n_samples`` and ``seed`` draw the point clouds; files, xor and digits ignore them."""
    n = n_samples or DEFAULT_SAMPLES.get(spec.name)
    if spec.name == "xor":
        return D.xor()
    if spec.name == "moons":
        return D.two_moons(n, noise=0.15, seed=seed)
    if spec.name == "circles":
        return D.circles(n, noise=0.08, seed=seed)
    if spec.name == "spirals":
        return D.spirals(n, seed=seed)
    if spec.name == "blobs":
        return D.blobs(n, seed=seed)
    if spec.name == "digits":
        return D.load_digits()
    if spec.name == "idx":
        for path in (spec.images, spec.labels):
            if not os.path.isfile(path):
                raise FileNotFoundError(errno.ENOENT, "no such IDX file", path)
        return D.load_idx_dataset(spec.images, spec.labels)
    if spec.name == "csv":
        X, y, _ = load_csv(spec.path, spec.target)
        return X, y
    raise ValueError(f"unknown data set {spec.name!r}")


def fingerprint(*arrays: np.ndarray) -> str:
    """``sha256:...`` of the arrays' dtypes, shapes and bytes: ``evaluate`` recognises the
    data set a model was trained on by it (whatever path or seed produced it)."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape};".encode())
        h.update(memoryview(a).cast("B"))
    return "sha256:" + h.hexdigest()


def rows_fingerprint(rows: np.ndarray) -> str:
    """The fingerprint of a set of row indices, the same on every platform (numpy's
    default int is 32-bit on some)."""
    return fingerprint(np.sort(rows).astype("<i8"))


def split_indices(y: np.ndarray, val_split: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(train, val)`` row indices of ``train``'s stratified split (``val`` empty for 0)."""
    rows = np.arange(len(y))
    if val_split <= 0:
        return rows, rows[:0]
    train, val, _, _ = D.train_test_split(rows, y, val_split, seed=seed, stratify=True)
    return train, val
