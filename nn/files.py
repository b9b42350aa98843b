"""File helpers every writer in ``nn`` shares: make the folder, write atomically.

Nothing here knows about models or numbers; ``nn.io``, ``nn.callbacks``, ``nn.plotting``
and the command line use these so that every file ``nn`` writes behaves the same: its
folder is created when missing, and a model file is replaced in one step (a crash
mid-write leaves the old file), with the permissions the user's umask gives, as
``open(path, "w")`` would.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

__all__ = ["atomic_writer", "make_parent"]


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


def _umask() -> int:
    """The process's umask (reading it means setting it: put it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_writer(path: str | os.PathLike[str], who: str) -> Iterator[BinaryIO]:
    """``with atomic_writer(path, "save") as f: f.write(...)``: write to a temporary file
    in the same folder, flush it to disk, then ``os.replace`` it onto ``path``.

    The file gets the mode ``open()`` would give a new file (``0o666`` less the umask):
    ``tempfile.mkstemp`` makes it ``0o600``, readable by its owner only, which on a shared
    machine hides a teacher's models from the students. On any error the temporary file
    is removed and ``path`` is untouched.
    """
    path = make_parent(path, who)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".tmp-",
                               suffix=os.path.splitext(path)[1])
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
