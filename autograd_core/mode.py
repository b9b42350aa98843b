"""The engine's modes: grad mode, anomaly mode and the name scope.

Module-level flags that every op reads (a global read is the cheapest test Python has).
This module imports nothing of the project, so everything else may import it.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import linecache
import sys
from collections.abc import Callable, Iterator
from typing import Any

grad_enabled: bool = True  # ops record the graph
anomaly: bool = False  # ops check for NaN/inf and remember the user's line
scope: tuple[str, ...] = ()  # the name_scope path new nodes are tagged with


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default)."""
    return grad_enabled


class set_grad_enabled:  # noqa: N801 (used like a function)
    """Set grad mode for a block and restore it after; or, as a decorator
    (``@no_grad()``), for every call of a function.

    One object may be entered again inside its own block (``ng = no_grad()``, then
    ``with ng:`` nested): each entry remembers the mode it replaced.
    """

    __slots__ = ("mode", "previous")

    def __init__(self, mode: bool) -> None:
        self.mode = mode
        self.previous: list[bool] = []

    def __enter__(self) -> None:
        global grad_enabled
        self.previous.append(grad_enabled)
        grad_enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        global grad_enabled
        grad_enabled = self.previous.pop()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.isgeneratorfunction(fn):  # the mode would hold only until the first yield
            raise TypeError(
                f"{fn.__name__} is a generator function: a grad-mode decorator cannot hold "
                "across its yields; use the 'with' form inside it"
            )

        @functools.wraps(fn)
        def in_mode(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return in_mode


def no_grad(fn: Callable[..., Any] | None = None) -> Any:
    """Context in which ops record no graph: their outputs never require grad.

    Use it for evaluation and for updates of parameters, as ``torch.no_grad()``; as a
    decorator, ``@no_grad()`` or ``@no_grad``.
    """
    return set_grad_enabled(False) if fn is None else set_grad_enabled(False)(fn)


def enable_grad() -> set_grad_enabled:
    """Context that turns recording back on inside a ``no_grad`` block."""
    return set_grad_enabled(True)


class name_scope:  # noqa: N801 (used like a function: ``with name_scope("ReLU"):``)
    """Tag every op created inside with ``name`` (nested scopes give a path).

    ``nn.Module.__call__`` opens one per layer, so graph drawings can group the ops of
    ``Linear(2→16)`` in one box; the engine itself knows nothing of layers.
    """

    __slots__ = ("name", "previous")

    def __init__(self, name: str) -> None:
        self.name = str(name)
        self.previous: list[tuple[str, ...]] = []  # one per entry, as set_grad_enabled

    def __enter__(self) -> None:
        global scope
        self.previous.append(scope)
        scope = (*scope, self.name)

    def __exit__(self, *exc: object) -> None:
        global scope
        scope = self.previous.pop()


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise at the first non-finite value, forward or backward, naming where it was made.

    Inside the context every op remembers the user's line that created it; a NaN or inf in
    an op's output (forward) or in a gradient it sends (backward) raises
    ``FloatingPointError`` naming the op, its shape and that line. Outside the context it
    costs one flag test per op.
    """
    global anomaly
    previous, anomaly = anomaly, True
    try:
        yield
    finally:
        anomaly = previous


_INTERNAL_PACKAGES = frozenset({"autograd_core", "nn", "contextlib"})


def user_frame() -> str:
    """The innermost stack frame outside autograd_core and nn: where the user made an op.

    Frames are told apart by their module's name, not their file's path, so user code in a
    folder that happens to be called ``nn/`` still counts as user code.
    """
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        if module.partition(".")[0] not in _INTERNAL_PACKAGES:
            code = frame.f_code
            line = linecache.getline(code.co_filename, frame.f_lineno).strip()
            return f'File "{code.co_filename}", line {frame.f_lineno}, in {code.co_name}: {line}'
        frame = frame.f_back
    return "<unknown>"
