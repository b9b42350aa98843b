"""Saving and loading a module's parameters as ``.npz``, safely.

``save(model, path)`` writes ``model.state_dict()`` (plain numeric arrays, one per dotted
parameter name) and two marker keys (``__nn_format__``, ``__nn_version__``) plus the
model's class name (``__nn_class__``) for error messages, and its architecture
(``__nn_architecture__``: every module's path, class and settings, as JSON text). It never
pickles: every array is numeric or a plain unicode string. The write is atomic: a
temporary file in the same directory, flushed to disk, then ``os.replace`` onto ``path``,
so a crash mid-write leaves the old file intact; the file's mode follows the umask.

``load(model, path)`` reads with ``np.load(..., allow_pickle=False)``, so a file holding an
object array (a pickled payload) is refused without running anything. Everything is
read and checked (format marker, version, architecture, keys, shapes, dtypes) before the
first weight is written; on any error the model is untouched and the ``ModelFileError``
names the file (and the key, or the module whose architecture differs).
"""

from __future__ import annotations

import json
import os
import warnings
import zipfile
import zlib

import numpy as np

from nn.english import with_article
from nn.files import atomic_writer
from nn.module import Module

__all__ = ["FORMAT", "VERSION", "ModelFileError", "architecture", "load", "save"]

FORMAT = "autograd_core.nn"
VERSION = 2  # 2: the architecture is recorded (files of version 1 still load)
_FORMAT_KEY = "__nn_format__"
_VERSION_KEY = "__nn_version__"
_CLASS_KEY = "__nn_class__"
_ARCH_KEY = "__nn_architecture__"
_META = (_FORMAT_KEY, _VERSION_KEY, _CLASS_KEY, _ARCH_KEY)


class ModelFileError(ValueError):
    """A model file that cannot be loaded into this model (bad, foreign or mismatched)."""


def save(model: Module, path: str | os.PathLike[str]) -> str:
    """Write ``model``'s parameters and architecture to ``path`` (an ``.npz`` archive),
    atomically.

    The path is used as given (no ``.npz`` is appended; a directory is refused); a missing
    folder is created, as every writer of ``nn`` does; the file's mode follows the umask.
    Returns the path as a string.
    """
    if not isinstance(model, Module):
        raise TypeError(f"save: expected a Module, got {type(model).__name__}")
    path = os.fspath(path)
    if os.path.isdir(path) or path.endswith(("/", os.sep)):  # else a temporary file's error
        what = "is a directory" if os.path.isdir(path) else "names a directory"
        raise IsADirectoryError(f"save: {path!r} {what}; give a file name such as "
                                f"{os.path.join(path, 'model.npz')!r}")
    arrays: dict[str, np.ndarray] = dict(model.state_dict())
    for key in arrays:
        if key in _META:
            raise ModelFileError(f"save: parameter name {key!r} is reserved")
    for key, arr in arrays.items():
        if arr.dtype.kind != "f":
            raise TypeError(f"save: parameter {key!r} has dtype {arr.dtype}, expected floats")
    arrays[_FORMAT_KEY] = np.array(FORMAT)
    arrays[_VERSION_KEY] = np.array(VERSION, dtype=np.int64)
    arrays[_CLASS_KEY] = np.array(type(model).__name__)
    arrays[_ARCH_KEY] = np.array(json.dumps(architecture(model)))
    with atomic_writer(path, "save") as f:
        np.savez(f, **arrays)  # numeric and unicode arrays only: nothing is pickled
    return path


def architecture(model: Module) -> list[list[str]]:
    """``[path, class, settings]`` for the model and every submodule, e.g. ``["1", "Tanh",
    ""]``, ``["0", "Linear", "in_features=2, out_features=8, bias=True"]``: what ``save``
    records so that ``load`` can tell a tanh MLP's weights from a ReLU MLP's of the same
    shapes (the settings are the layer's ``extra_repr``, what ``repr(model)`` shows)."""
    return [[name, type(m).__name__, m.extra_repr()] for name, m in model.named_modules()]


def _architecture_difference(saved: list[list[str]], model: Module) -> str | None:
    """The first difference between a recorded architecture and ``model``'s, in words."""
    mine = architecture(model)
    for (path, cls, extra), (path2, cls2, extra2) in zip(saved, mine, strict=False):
        if (path, cls, extra) != (path2, cls2, extra2):
            where = f"module {path!r}" if path == path2 and path else (
                "the model" if path == path2 else f"module {path!r} / {path2!r}")
            return f"{where} is {cls}({extra}) in the file but {cls2}({extra2}) here"
    if len(saved) != len(mine):
        return f"the file's model has {len(saved)} modules, this one {len(mine)}"
    return None


def _read(path: str) -> dict[str, np.ndarray]:
    """Every array of the archive, read fully (so CRC errors surface here), no pickle."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file {path!r}")
    if os.path.isdir(path):
        raise ModelFileError(f"load: {path!r} is a directory; give the model file, such as "
                             f"{os.path.join(path, 'model.npz')!r}")
    if os.path.isfile(path):
        with open(path, "rb") as f:
            magic = f.read(6)
        # np.load takes anything that is neither a zip nor an .npy for a pickle, and its
        # error then suggests unpickling the file: say what the file is not, instead
        if not magic.startswith((b"PK\x03\x04", b"PK\x05\x06", b"\x93NUMPY")):
            raise ModelFileError(
                f"load: {path!r} is not a readable .npz model file: it does not start like a "
                f"zip archive (first bytes {magic!r})"
            )
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise ModelFileError(
            f"load: {path!r} is not a readable .npz model file (truncated or corrupt?): {err}"
        ) from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ModelFileError(
            f"load: {path!r} holds a single .npy array, not an .npz model file written by "
            "nn.save"
        )
    out: dict[str, np.ndarray] = {}
    with npz:
        for key in npz.files:
            try:
                out[key] = npz[key]
            except ValueError as err:
                if "allow_pickle" in str(err) or "Object arrays" in str(err):
                    raise ModelFileError(
                        f"load: {path!r}: key {key!r} holds a pickled object array; "
                        "refusing to unpickle it (model files hold only numeric arrays)"
                    ) from None
                raise ModelFileError(f"load: {path!r}: key {key!r} is corrupt: {err}") from None
            except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as err:
                raise ModelFileError(
                    f"load: {path!r}: key {key!r} cannot be read (truncated or corrupt?): {err}"
                ) from None
    return out


def _meta_str(arrays: dict[str, np.ndarray], key: str) -> str | None:
    a = arrays.get(key)
    if a is None or a.shape != () or a.dtype.kind != "U":
        return None
    return str(a)


def load(model: Module, path: str | os.PathLike[str] | None = None, strict: bool = True) -> Module:
    """Fill ``model``'s parameters in place from a file written by :func:`save`; returns it.

    Checks the format marker and version, that the file was saved from the same
    architecture (classes, sizes, activations, options: ``architecture``), then (through
    ``load_state_dict``) that names, shapes and dtypes match exactly. On any error the
    model is left untouched. ``strict=False`` loads despite a different architecture
    (with a warning) and ignores missing or unexpected parameters.
    """
    if path is None and isinstance(model, str | os.PathLike):
        raise TypeError(_model_first(os.fspath(model)))
    if not isinstance(model, Module):
        raise TypeError(f"load: expected a Module, got {type(model).__name__}")
    if path is None:
        raise TypeError("load(model, path): no path given")
    path = os.fspath(path)
    arrays = _read(path)
    if _meta_str(arrays, _FORMAT_KEY) != FORMAT:
        raise ModelFileError(
            f"load: {path!r} is not a model file written by nn.save (no {_FORMAT_KEY!r} "
            f"marker); its keys are {sorted(arrays)[:10]}"
        )
    version = arrays.get(_VERSION_KEY)
    if version is None or version.shape != () or version.dtype.kind not in "iu":
        raise ModelFileError(f"load: {path!r}: missing or malformed key {_VERSION_KEY!r}")
    if int(version) > VERSION:
        raise ModelFileError(
            f"load: {path!r} has format version {int(version)}; this library reads up to "
            f"{VERSION}"
        )
    saved_class = _meta_str(arrays, _CLASS_KEY) or "?"
    state = {k: v for k, v in arrays.items() if k not in _META}
    for key, arr in state.items():
        if arr.dtype.kind != "f":
            raise ModelFileError(
                f"load: {path!r}: key {key!r} has dtype {arr.dtype}; parameters are floats"
            )
    diff = _architecture_difference_in(arrays, model, path)
    if diff is not None and _same_tensors(state, model):  # else the keys tell it below
        msg = (f"load: {path!r} was saved from another architecture than this "
               f"{type(model).__name__}: {diff}")
        if strict:
            raise ModelFileError(f"{msg} (strict=False loads the weights anyway)")
        warnings.warn(msg, UserWarning, stacklevel=2)
    because = f" ({diff})" if diff is not None else ""
    try:
        skipped = model.load_state_dict(state, strict=strict)
    except (KeyError, ValueError, TypeError) as err:
        msg = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
        raise ModelFileError(
            f"load: {path!r} (saved from {with_article(saved_class)}) does not fit this "
            f"{type(model).__name__}{because}: {msg}"
        ) from None
    if skipped.missing_keys or skipped.unexpected_keys:  # strict=False: say what was skipped
        warnings.warn(
            f"load: {path!r} filled only part of this {type(model).__name__}{because}: "
            f"parameters left as they were: {skipped.missing_keys}; in the file but not in "
            f"the model: {skipped.unexpected_keys}",
            UserWarning, stacklevel=2,
        )
    return model


def _model_first(path: str) -> str:
    """The error for ``load(path)``: the file holds weights, not code, so ``load`` fills a
    model built first; the message shows the one the file was saved from, when it can."""
    msg = ("load(model, path): give the model to fill first, built as the saved one was "
           f"(the file holds weights, not code): nn.load(model, {path!r})")
    if not os.path.exists(path):
        return f"{msg}. (And {path!r} does not exist.)"
    try:
        arrays = _read(path)
        saved = [[str(x) for x in entry] for entry in json.loads(_meta_str(arrays, _ARCH_KEY))]
        (_, model, extra), *parts = saved
        modules = ", ".join(f"{cls}({more})" for _, cls, more in parts) or f"{model}({extra})"
    except (ModelFileError, OSError, ValueError, TypeError):  # not a model file of ours
        return msg
    return f"{msg}. {path!r} was saved from {with_article(model)}: {modules}"


def _same_tensors(state: dict[str, np.ndarray], model: Module) -> bool:
    """Whether ``state`` has exactly ``model``'s parameter names, shapes and dtypes."""
    mine = {name: np.asarray(p.data) for name, p in model.named_parameters()}
    return set(mine) == set(state) and all(
        mine[k].shape == state[k].shape and mine[k].dtype == state[k].dtype for k in mine)


def _architecture_difference_in(arrays: dict[str, np.ndarray], model: Module,
                                path: str) -> str | None:
    """How the file's recorded architecture differs from ``model``'s, in words (None when
    they agree, or for files written before it was recorded: version 1)."""
    text = _meta_str(arrays, _ARCH_KEY)
    if text is None:
        return None
    try:
        saved = json.loads(text)
        return _architecture_difference([[str(x) for x in entry] for entry in saved], model)
    except (ValueError, TypeError) as err:
        raise ModelFileError(f"load: {path!r}: key {_ARCH_KEY!r} is malformed: {err}") from None
