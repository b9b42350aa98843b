"""Saving and loading a module's parameters as ``.npz``, safely.

``save(model, path)`` writes ``model.state_dict()`` (plain numeric arrays, one per dotted
parameter name) and two marker keys (``__nn_format__``, ``__nn_version__``) plus the
model's class name (``__nn_class__``) for error messages. It never pickles: every array is
numeric or a plain unicode string. The write is atomic: a temporary file in the same
directory, flushed to disk, then ``os.replace`` onto ``path``, so a crash mid-write leaves
the old file intact.

``load(model, path)`` reads with ``np.load(..., allow_pickle=False)``, so a file holding an
object array (a pickled payload) is refused without running anything. Everything is
read and checked (format marker, version, keys, shapes, dtypes) before the first weight
is written; on any error the model is untouched and the ``ModelFileError`` names the file
(and the key, where one is at fault).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
import zlib

import numpy as np

from nn.module import Module

__all__ = ["FORMAT", "VERSION", "ModelFileError", "load", "save"]

FORMAT = "autograd_core.nn"
VERSION = 1
_FORMAT_KEY = "__nn_format__"
_VERSION_KEY = "__nn_version__"
_CLASS_KEY = "__nn_class__"
_META = (_FORMAT_KEY, _VERSION_KEY, _CLASS_KEY)


class ModelFileError(ValueError):
    """A model file that cannot be loaded into this model (bad, foreign or mismatched)."""


def make_parent(path: str | os.PathLike[str], who: str) -> str:
    """Create the folder ``path`` goes into, if missing (every writer of ``nn`` does, as
    ``draw_graph(...).render`` does); returns ``path`` as a string. A folder that cannot be
    made (a file in the way, no permission) raises the same kind of ``OSError``, naming it
    and ``who`` wanted it."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        raise type(err)(err.errno, f"{who}: cannot make the folder {folder!r} for {path!r}: "
                                   f"{err.strerror or err}") from None
    return path


def save(model: Module, path: str | os.PathLike[str]) -> str:
    """Write ``model``'s parameters to ``path`` (an ``.npz`` archive), atomically.

    The path is used as given (no ``.npz`` is appended); a missing folder is created, as
    every writer of ``nn`` does. Returns the path as a string.
    """
    if not isinstance(model, Module):
        raise TypeError(f"save: expected a Module, got {type(model).__name__}")
    path = make_parent(path, "save")
    folder = os.path.dirname(os.path.abspath(path))
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
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # numeric and unicode arrays only: nothing is pickled
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def _read(path: str) -> dict[str, np.ndarray]:
    """Every array of the archive, read fully (so CRC errors surface here), no pickle."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file {path!r}")
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


def load(model: Module, path: str | os.PathLike[str], strict: bool = True) -> Module:
    """Fill ``model``'s parameters in place from a file written by :func:`save`; returns it.

    Checks the format marker and version, then (through ``load_state_dict``) that names,
    shapes and dtypes match exactly. On any error the model is left untouched.
    """
    if not isinstance(model, Module):
        raise TypeError(f"load: expected a Module, got {type(model).__name__}")
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
    try:
        model.load_state_dict(state, strict=strict)
    except (KeyError, ValueError, TypeError) as err:
        msg = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
        raise ModelFileError(
            f"load: {path!r} (saved from {_article(saved_class)} {saved_class}) does not fit this "
            f"{type(model).__name__}: {msg}"
        ) from None
    return model


def _article(word: str) -> str:
    """'a' or 'an' before a class name, by how it is spoken (an MLP, an Adaline, a Linear)."""
    spoken_vowel = word[:1].upper() in "AEIOU" or (word.isupper() and word[:1] in "FHLMNRSX")
    return "an" if spoken_vowel else "a"
