"""Data for the lecture's experiments: toy problems, splitting, scaling, minibatches, files.

Everything here is plain numpy (no ``Value``, no scikit-learn at import time).  Every
generator returns ``X`` as float64 of shape ``(n, d)`` and ``y`` as int64 class labels
``0 .. k-1``; every random thing takes ``seed``, an ``int`` or a ``numpy.random.Generator``
(the same seed gives bit-identical data).

- Logic gates: :func:`and_gate`, :func:`or_gate` (linearly separable, the perceptron learns
  them) and :func:`xor` (not linearly separable: a single layer cannot, an MLP can).
- Point clouds: :func:`blobs` (guaranteed linearly separable), :func:`two_moons`,
  :func:`circles`, :func:`spirals` (``k`` arms).
- Tools: :func:`train_test_split`, :class:`Standardizer`, :func:`minibatches`.
- Real data: :func:`load_digits` (scikit-learn's bundled 8x8 digits) and :func:`read_idx` /
  :func:`load_idx_dataset` for MNIST / Fashion-MNIST IDX files on a local path.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from nn.init import Seed, as_rng

__all__ = [
    "Seed",
    "as_generator",
    "and_gate",
    "or_gate",
    "xor",
    "blobs",
    "two_moons",
    "circles",
    "spirals",
    "train_test_split",
    "held_out",
    "fewest_samples_to_split",
    "Standardizer",
    "minibatches",
    "load_digits",
    "read_idx",
    "write_idx",
    "load_idx_dataset",
    "IDXFormatError",
]


# The data sets take their seeds as the layers and initialisers do: one function, in nn.init.
as_generator = as_rng


def _check_count(name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_nonneg(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return value


def _split_counts(n: int, k: int) -> list[int]:
    """``n`` samples over ``k`` classes as evenly as possible (the first classes get the rest)."""
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _finish(X: np.ndarray, y: np.ndarray, rng: np.random.Generator, shuffle: bool):
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.int64)
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X, y


# --------------------------------------------------------------------------- logic gates

_GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _gate(truth: list[int], n_repeats: int, noise: float, seed: Seed, shuffle: bool):
    n_repeats = _check_count("n_repeats", n_repeats, 1)
    noise = _check_nonneg("noise", noise)
    rng = as_generator(seed)
    X = np.tile(_GATE_INPUTS, (n_repeats, 1))
    y = np.tile(np.array(truth), n_repeats)
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return _finish(X, y, rng, shuffle)


def and_gate(n_repeats: int = 1, noise: float = 0.0, seed: Seed = None, shuffle: bool = False):
    """The AND truth table: ``X`` rows ``(0,0), (0,1), (1,0), (1,1)``, ``y = [0, 0, 0, 1]``.

    ``n_repeats`` copies of the 4 points, each jittered by Gaussian ``noise`` (std).
    Linearly separable: ``w = (1, 1), b = -1.5`` separates it.
    """
    return _gate([0, 0, 0, 1], n_repeats, noise, seed, shuffle)


def or_gate(n_repeats: int = 1, noise: float = 0.0, seed: Seed = None, shuffle: bool = False):
    """The OR truth table, ``y = [0, 1, 1, 1]`` (see :func:`and_gate` for the arguments)."""
    return _gate([0, 1, 1, 1], n_repeats, noise, seed, shuffle)


def xor(n_repeats: int = 1, noise: float = 0.0, seed: Seed = None, shuffle: bool = False):
    """The XOR truth table, ``y = [0, 1, 1, 0]``: no line separates the classes.

    With the defaults it is exactly the 4 points; ``n_repeats`` and ``noise`` give noisy
    repeated samples around them.
    """
    return _gate([0, 1, 1, 0], n_repeats, noise, seed, shuffle)


# --------------------------------------------------------------------------- point clouds


def blobs(
    n_samples: int = 100,
    n_classes: int = 2,
    n_features: int = 2,
    center_radius: float = 3.0,
    spread: float = 1.0,
    seed: Seed = None,
    shuffle: bool = True,
):
    """``n_classes`` clusters that are guaranteed linearly separable.

    The class centres ``c_k = center_radius * (cos θ_k, sin θ_k, 0, ...)`` sit on a circle
    with ``θ_k = 2πk / n_classes``; points are drawn uniformly in the ball of radius
    ``spread`` around their centre.  Projecting on ``u_k = c_k / |c_k|`` puts class ``k``
    above ``center_radius - spread`` and every other class below
    ``center_radius cos(2π/k) + spread``, so each class is separable from the rest by a
    hyperplane whenever ``center_radius (1 - cos(2π / n_classes)) > 2 spread``; a ValueError
    says so if the arguments break this.
    """
    n_classes = _check_count("n_classes", n_classes, 2)
    n_samples = _check_count("n_samples", n_samples, n_classes)
    n_features = _check_count("n_features", n_features, 2)
    center_radius = _check_nonneg("center_radius", center_radius)
    spread = _check_nonneg("spread", spread)
    gap = center_radius * (1.0 - np.cos(2.0 * np.pi / n_classes))
    if not gap > 2.0 * spread:
        raise ValueError(
            f"blobs would not be linearly separable: need center_radius * (1 - cos(2*pi/"
            f"n_classes)) > 2 * spread, got {gap:.4g} <= {2.0 * spread:.4g}; increase "
            f"center_radius or decrease spread"
        )
    rng = as_generator(seed)
    Xs, ys = [], []
    for k, n_k in enumerate(_split_counts(n_samples, n_classes)):
        theta = 2.0 * np.pi * k / n_classes
        centre = np.zeros(n_features)
        centre[:2] = center_radius * np.cos(theta), center_radius * np.sin(theta)
        # Uniform in a d-ball: Gaussian direction, radius spread * U^(1/d).
        direction = rng.normal(size=(n_k, n_features))
        norms = np.linalg.norm(direction, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        radius = spread * rng.uniform(size=(n_k, 1)) ** (1.0 / n_features)
        Xs.append(centre + direction / norms * radius)
        ys.append(np.full(n_k, k))
    return _finish(np.concatenate(Xs), np.concatenate(ys), rng, shuffle)


def two_moons(n_samples: int = 200, noise: float = 0.1, seed: Seed = None, shuffle: bool = True):
    """Two interleaving half circles (class 0 on top, class 1 below, shifted), Gaussian noise."""
    n_samples = _check_count("n_samples", n_samples, 2)
    noise = _check_nonneg("noise", noise)
    rng = as_generator(seed)
    n0, n1 = _split_counts(n_samples, 2)
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.concatenate([upper, lower])
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return _finish(X, y, rng, shuffle)


def circles(
    n_samples: int = 200,
    noise: float = 0.05,
    factor: float = 0.5,
    seed: Seed = None,
    shuffle: bool = True,
):
    """A circle of radius 1 (class 0) around a circle of radius ``factor`` (class 1)."""
    n_samples = _check_count("n_samples", n_samples, 2)
    noise = _check_nonneg("noise", noise)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be in (0, 1) (inner / outer radius), got {factor}")
    rng = as_generator(seed)
    n0, n1 = _split_counts(n_samples, 2)
    t0 = np.linspace(0.0, 2.0 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2.0 * np.pi, n1, endpoint=False)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = factor * np.column_stack([np.cos(t1), np.sin(t1)])
    X = np.concatenate([outer, inner])
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return _finish(X, y, rng, shuffle)


def spirals(
    n_samples: int = 300,
    n_classes: int = 3,
    noise: float = 0.2,
    turns: float = 1.0,
    seed: Seed = None,
    shuffle: bool = True,
):
    """``n_classes`` interleaved spiral arms (class ``k`` is arm ``k``), radius 0 to 1.

    Arm ``k`` runs at radius ``r`` in [0, 1] and angle ``2π (turns r + k / n_classes)``,
    with Gaussian ``noise`` added to the angle (in radians), so noise bends the arm rather
    than blurring the centre.
    """
    n_classes = _check_count("n_classes", n_classes, 2)
    n_samples = _check_count("n_samples", n_samples, n_classes)
    noise = _check_nonneg("noise", noise)
    turns = _check_nonneg("turns", turns)
    rng = as_generator(seed)
    Xs, ys = [], []
    for k, n_k in enumerate(_split_counts(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, n_k)
        theta = 2.0 * np.pi * (turns * r + k / n_classes)
        if noise > 0:
            theta = theta + rng.normal(0.0, noise, size=n_k)
        Xs.append(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
        ys.append(np.full(n_k, k))
    return _finish(np.concatenate(Xs), np.concatenate(ys), rng, shuffle)


# --------------------------------------------------------------------------- tools


def _check_xy(X, y, allow_no_y: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    X = np.asarray(X)
    if X.ndim == 0:
        raise ValueError("X must have at least one dimension (one row per sample), got a scalar")
    if len(X) == 0:
        raise ValueError("X is empty: need at least one sample")
    if y is None:
        if allow_no_y:
            return X, None
        raise ValueError("y is required")
    y = np.asarray(y)
    if y.ndim == 0:
        raise ValueError("y must have one entry per sample, got a scalar")
    if len(X) != len(y):
        raise ValueError(
            f"X and y have different numbers of samples: len(X) = {len(X)}, len(y) = {len(y)}"
        )
    return X, y


def train_test_split(
    X,
    y,
    test_size: float | int = 0.25,
    seed: Seed = None,
    stratify: Any = False,
):
    """Split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    ``test_size`` is a fraction in (0, 1) or a number of samples.  With ``stratify=True``
    each class of ``y`` keeps its share in both parts (largest-remainder rounding, so the
    test set has exactly the requested size); ``stratify=labels`` (an array with one label
    per sample, scikit-learn's ``stratify=y``) does the same for those labels.  ``False``
    or ``None``: a plain random split.  Both parts keep a random order.
    """
    X, y = _check_xy(X, y)
    labels = _stratify_labels(stratify, y, len(X))
    n = len(X)
    if isinstance(test_size, bool):
        raise TypeError("test_size must be a float in (0, 1) or an int, got a bool")
    if isinstance(test_size, (int, np.integer)):
        n_test = int(test_size)
    else:
        test_size = float(test_size)
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"test_size as a fraction must be in (0, 1), got {test_size}")
        n_test = held_out(n, test_size)
    if not 1 <= n_test <= n - 1:
        raise ValueError(
            f"test_size gives {n_test} test samples out of {n}: both parts need at least one"
        )
    rng = as_generator(seed)
    if labels is None:
        order = rng.permutation(n)
        test_idx, train_idx = order[:n_test], order[n_test:]
    else:
        classes, y_idx = np.unique(labels, return_inverse=True)
        counts = np.bincount(y_idx, minlength=len(classes))
        exact = counts * (n_test / n)
        per_class = np.floor(exact).astype(int)
        # Largest remainders get the leftover test slots (ties: the bigger class first).
        leftover = n_test - per_class.sum()
        order_rem = np.lexsort((-counts, -(exact - per_class)))
        per_class[order_rem[:leftover]] += 1
        test_parts, train_parts = [], []
        for c in range(len(classes)):
            members = rng.permutation(np.flatnonzero(y_idx == c))
            test_parts.append(members[: per_class[c]])
            train_parts.append(members[per_class[c] :])
        test_idx = rng.permutation(np.concatenate(test_parts))
        train_idx = rng.permutation(np.concatenate(train_parts))
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def held_out(n: int, fraction: float) -> int:
    """How many of ``n`` samples ``fraction`` holds out: ``round(fraction * n)``, a half to
    the even side as Python rounds. ``train_test_split``'s rule (and so the validation
    split of ``python -m nn train``)."""
    return round(fraction * n)


def fewest_samples_to_split(fraction: float) -> int | None:
    """The fewest samples of which ``fraction`` holds out one and keeps one (None: more than
    a million). Near ``0.5 / fraction`` or ``0.5 / (1 - fraction)``: a few steps from the
    smaller estimate, as ``held_out`` takes a half to the even side."""
    m = max(2, math.floor(0.5 / fraction), math.floor(0.5 / (1 - fraction)))
    if m > 10**6:
        return None
    return next(k for k in range(m, m + 4) if 1 <= held_out(k, fraction) <= k - 1)


def _stratify_labels(stratify: Any, y: np.ndarray, n: int) -> np.ndarray | None:
    """The labels ``train_test_split`` stratifies by: ``y`` for True, the array given, or
    None (no stratification) for False and None."""
    if stratify is None or (isinstance(stratify, bool | np.bool_) and not stratify):
        return None
    if isinstance(stratify, bool | np.bool_):
        if y.ndim != 1:
            raise ValueError(f"stratify=True needs 1-d class labels y, got shape {y.shape}")
        return y
    if np.ndim(stratify) == 0:
        raise TypeError(
            f"train_test_split: stratify must be True, False or an array of labels (one per "
            f"sample, e.g. stratify=y), got {type(stratify).__name__} {stratify!r}"
        )
    labels = np.asarray(stratify)
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(
            f"train_test_split: stratify must hold one class label per sample, shape ({n},), "
            f"got shape {labels.shape}"
        )
    return labels


class Standardizer:
    """Per-feature standardisation ``x' = (x - mean) / std`` learned on the training set.

    A zero-variance column (constant feature) has its scale set to 1, so it maps to 0
    instead of dividing by zero.  Fitted attributes: ``mean_``, ``scale_``, ``n_features_``.
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.n_features_: int | None = None

    def fit(self, X) -> Standardizer:
        X = self._as_2d(X, "fit")
        if not np.all(np.isfinite(X)):
            raise ValueError("Standardizer.fit: X contains NaN or inf")
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        self.n_features_ = X.shape[1]
        return self

    def transform(self, X) -> np.ndarray:
        X = self._check_fitted(X, "transform")
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, X) -> np.ndarray:
        X = self._check_fitted(X, "inverse_transform")
        return X * self.scale_ + self.mean_

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)

    @staticmethod
    def _as_2d(X, where: str) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"Standardizer.{where}: X must be 2-d (n, d), got shape {X.shape}")
        if len(X) == 0:
            raise ValueError(f"Standardizer.{where}: X is empty")
        return X

    def _check_fitted(self, X, where: str) -> np.ndarray:
        if self.mean_ is None:
            raise RuntimeError(f"Standardizer.{where} called before fit")
        X = self._as_2d(X, where)
        if X.shape[1] != self.n_features_:
            raise ValueError(
                f"Standardizer.{where}: X has {X.shape[1]} features, fitted on "
                f"{self.n_features_}"
            )
        return X

    def __repr__(self) -> str:
        state = "unfitted" if self.mean_ is None else f"n_features={self.n_features_}"
        return f"Standardizer({state})"


def minibatches(
    X,
    y=None,
    batch_size: int = 32,
    shuffle: bool = True,
    seed: Seed = None,
    drop_last: bool = False,
) -> Iterator:
    """Iterate over ``(X_batch, y_batch)`` minibatches (or ``X_batch`` alone if ``y`` is None).

    With ``shuffle`` the order is a fresh permutation drawn from ``seed`` (pass one
    Generator across epochs to get a new order each epoch, reproducibly).  The last batch
    is smaller when ``batch_size`` does not divide ``n``, unless ``drop_last``.
    Arguments are checked here, not at the first ``next()``.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be an int, got {type(batch_size).__name__}")
    if batch_size <= 0:
        raise ValueError(f"batch_size must be > 0, got {batch_size}")
    X, y = _check_xy(X, y, allow_no_y=True)
    n = len(X)
    if drop_last and batch_size > n:
        raise ValueError(f"drop_last=True with batch_size {batch_size} > n = {n} yields nothing")
    order = as_generator(seed).permutation(n) if shuffle else None
    return _batches(X, y, int(batch_size), order, drop_last)


def _batches(X, y, batch_size, order, drop_last):
    n = len(X)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        if order is None:
            sl = slice(start, start + batch_size)
        else:
            sl = order[start : start + batch_size]
        yield X[sl] if y is None else (X[sl], y[sl])


# --------------------------------------------------------------------------- real data


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits (1797 images, 10 classes) from scikit-learn's bundled copy.

    Returns ``X`` of shape (1797, 64), float64 scaled from 0..16 to [0, 1], and ``y`` int64.
    """
    try:
        from sklearn.datasets import load_digits as _sk_load_digits
    except ImportError as exc:
        raise ImportError(
            "load_digits needs scikit-learn, which bundles the 8x8 digits data set: "
            "pip install scikit-learn (or pip install -e '.[dev]')"
        ) from exc
    bunch = _sk_load_digits()
    X = np.asarray(bunch.data, dtype=np.float64) / 16.0
    y = np.asarray(bunch.target, dtype=np.int64)
    return X, y


class IDXFormatError(ValueError):
    """An IDX file (MNIST format) is malformed: bad magic number, truncated, wrong counts."""


# IDX type codes -> big-endian numpy dtypes (http://yann.lecun.com/exdb/mnist/).
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_IDX_CODES = {dt.newbyteorder("="): code for code, dt in _IDX_DTYPES.items()}


def _read_bytes(path: str) -> bytes:
    if str(path).endswith(".gz"):
        try:
            with gzip.open(path, "rb") as fh:
                return fh.read()
        except (OSError, EOFError, zlib.error) as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            raise IDXFormatError(f"{path}: not a valid gzip file ({exc})") from exc
    with open(path, "rb") as fh:
        return fh.read()


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (MNIST / Fashion-MNIST format), gunzipping it if the name ends ``.gz``.

    Layout: magic ``00 00 TT ND`` (``TT`` the type code: 0x08 uint8, 0x09 int8, 0x0B int16,
    0x0C int32, 0x0D float32, 0x0E float64; ``ND`` the number of dimensions), then ``ND``
    big-endian uint32 sizes, then the data in C order, big-endian.  Returns a native-endian
    array of that shape.  Raises :class:`IDXFormatError` (a ValueError naming the file) on a
    bad magic number, an unknown type code, a truncated file or trailing bytes.
    """
    path = os.fspath(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise IDXFormatError(
            f"{path}: truncated IDX file: {len(raw)} bytes, the magic number alone needs 4"
        )
    zero0, zero1, code, ndim = raw[0], raw[1], raw[2], raw[3]
    if zero0 != 0 or zero1 != 0:
        raise IDXFormatError(
            f"{path}: bad IDX magic number 0x{raw[:4].hex()}: the first two bytes must be 0 "
            f"(is this an IDX file? a gzipped file needs a name ending .gz)"
        )
    if code not in _IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in _IDX_DTYPES)
        raise IDXFormatError(f"{path}: unknown IDX type code 0x{code:02X} (known: {known})")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXFormatError(
            f"{path}: truncated IDX header: {ndim} dimensions need {header} bytes, "
            f"file has {len(raw)}"
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = _IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(raw) - header
    if got < expected:
        raise IDXFormatError(
            f"{path}: truncated IDX data: shape {shape} of {dtype.newbyteorder('=')} needs "
            f"{expected} bytes after the header, file has {got}"
        )
    if got > expected:
        raise IDXFormatError(
            f"{path}: {got - expected} unexpected trailing bytes after the IDX data of shape "
            f"{shape}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header, count=expected // dtype.itemsize)
    return data.reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike, array) -> None:
    """Write ``array`` as an IDX file (gzipped if ``path`` ends ``.gz``); see :func:`read_idx`."""
    path = os.fspath(path)
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _IDX_CODES:
        raise ValueError(
            f"write_idx: dtype {array.dtype} has no IDX type code (use uint8, int8, int16, "
            f"int32, float32 or float64)"
        )
    if array.ndim > 255:
        raise ValueError(f"write_idx: at most 255 dimensions, got {array.ndim}")
    code = _IDX_CODES[native]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + np.ascontiguousarray(array, dtype=_IDX_DTYPES[code]).tobytes()
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as fh:
        fh.write(payload)


def load_idx_dataset(
    images_path: str | os.PathLike,
    labels_path: str | os.PathLike,
    flatten: bool = True,
    scale: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Load an MNIST-style pair of IDX files: images ``(n, rows, cols)`` and labels ``(n,)``.

    Returns ``X`` float64, flattened to ``(n, rows * cols)`` unless ``flatten=False``, and
    divided by 255 when ``scale`` and the images are uint8; ``y`` int64.  The image and label
    counts must agree (the error names both files).
    """
    images_path, labels_path = os.fspath(images_path), os.fspath(labels_path)
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim < 2:
        raise IDXFormatError(
            f"{images_path}: images need at least 2 dimensions (n, ...), got shape "
            f"{images.shape}"
        )
    if labels.ndim != 1:
        raise IDXFormatError(f"{labels_path}: labels must be 1-d (n,), got shape {labels.shape}")
    if np.issubdtype(labels.dtype, np.floating):
        raise IDXFormatError(f"{labels_path}: labels must be integers, got {labels.dtype}")
    if len(images) != len(labels):
        raise IDXFormatError(
            f"count mismatch: {images_path} has {len(images)} images but {labels_path} has "
            f"{len(labels)} labels"
        )
    X = images.astype(np.float64)
    if scale and images.dtype == np.uint8:
        X /= 255.0
    if flatten:
        X = X.reshape(len(X), -1)
    return X, labels.astype(np.int64)
