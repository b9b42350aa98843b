"""The lecture's graph, shared by the drawing and step-through tests, with its numbers.

``L = ((a*b + c).tanh() - y)**2`` at a=2, b=-3, c=6.5, y=1, and its values and
derivatives worked out by hand. Imported as ``from graphs import ...`` (pytest puts
tests/ on the path, as for ``dotparse``).
"""

from __future__ import annotations

import numpy as np

from autograd_core import Value

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"  # how a drawing rendered as PNG starts

A, B, C, Y = 2.0, -3.0, 6.5, 1.0
D = A * B + C  # 0.5
T = np.tanh(D)
DL_DT = 2 * (T - Y)
DL_DD = DL_DT * (1 - T**2)
BY_HAND = {  # label: (data, grad)
    "L": ((T - Y) ** 2, 1.0),
    "t": (T, DL_DT),
    "d": (D, DL_DD),
    "e": (A * B, DL_DD),
    "c": (C, DL_DD),
    "a": (A, DL_DD * B),
    "b": (B, DL_DD * A),
}


def lecture_graph(labelled: str = "edt") -> Value:
    """``L``, with its leaves ``a``, ``b``, ``c``, ``y`` (data, no gradient) and itself
    labelled, and of the interior nodes ``e = a*b``, ``d = e + c``, ``t = tanh(d)`` and
    ``r = t - y`` those whose letters are in ``labelled`` (the others are named by their
    op: ``⟨sub⟩``)."""
    a, b, c = Value(A, label="a"), Value(B, label="b"), Value(C, label="c")
    y = Value(Y, requires_grad=False, label="y")
    e = a * b
    d = e + c
    t = d.tanh()
    r = t - y
    L = r**2
    for name, v in zip("edtr", (e, d, t, r), strict=True):
        if name in labelled:
            v.label = name
    L.label = "L"
    return L
