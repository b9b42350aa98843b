"""Your own data from a CSV file: numeric features, one column of class labels.

``load_csv("my.csv")`` reads a file such as::

    x1,x2,label
    0.3,1.2,0
    -1.1,0.4,1

A header is detected (a first row that is not all numbers); the label is the last column,
or the one named by ``target`` (a header name, or a 1-based column number). Labels are
whole numbers ``0 .. k-1``. A malformed file raises ``CSVFormatError`` with one line
naming the file, the row (its line number) and the column, never a traceback from deep
inside a parser.
"""

from __future__ import annotations

import csv
import math
import os

import numpy as np

__all__ = ["CSVFormatError", "load_csv"]


class CSVFormatError(ValueError):
    """A CSV file that is not a numeric table with a label column; the message says where.

    ``label`` is True when the problem is the label column (no column of the name
    ``target`` gives, or a label that is missing or not a class), which another
    ``target`` may cure."""

    def __init__(self, message: str, label: bool = False) -> None:
        super().__init__(message)
        self.label = label


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value


def _rows(path: str) -> list[tuple[int, list[str]]]:
    """``(line number, fields)`` of every non-blank row."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such CSV file {path!r}")
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            rows = []
            for fields in reader:
                if any(f.strip() for f in fields):
                    rows.append((reader.line_num, [f.strip() for f in fields]))
    except (UnicodeDecodeError, csv.Error) as err:
        raise CSVFormatError(f"{path}: not a readable CSV text file ({err})") from None
    return rows


def _target_column(path: str, names: list[str], target: str | None) -> int:
    if target is None:
        return len(names) - 1
    if target in names:
        return names.index(target)
    if target.isdigit() and 1 <= int(target) <= len(names):
        return int(target) - 1
    raise CSVFormatError(f"{path}: no column {target!r}; its columns are "
                         f"{', '.join(names)} (or a column number 1..{len(names)})", label=True)


def load_csv(path: str | os.PathLike[str], target: str | None = None
             ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``(X, y, columns)``: float64 features ``(n, d)``, int64 labels, all column names
    (``"column 3"`` where the file has no header)."""
    path = os.fspath(path)
    rows = _rows(path)
    if not rows:
        raise CSVFormatError(f"{path}: the file is empty")
    first = rows[0][1]
    has_header = any(_number(f) is None for f in first)
    names = first if has_header else [f"column {j + 1}" for j in range(len(first))]
    data = rows[1:] if has_header else rows
    if len(names) < 2:
        raise CSVFormatError(f"{path}: needs at least two columns (features, then a label), "
                             f"found {len(names)}")
    if not data:
        raise CSVFormatError(f"{path}: no data rows after the header")
    label = _target_column(path, names, target)
    table = np.empty((len(data), len(names)), dtype=np.float64)
    for i, (line, fields) in enumerate(data):
        if len(fields) != len(names):
            raise CSVFormatError(f"{path}, row {line}: {len(fields)} fields, expected "
                                 f"{len(names)} (as in row {rows[0][0]})")
        for j, text in enumerate(fields):
            value = _number(text)
            if j == label and not text:
                raise CSVFormatError(f"{path}, row {line}, column {j + 1} ({names[j]!r}): "
                                     f"the label is missing", label=True)
            if j == label and value is None:  # a class name: the classes must be numbered
                raise CSVFormatError(f"{path}, row {line}, column {j + 1} ({names[j]!r}): "
                                     f"the label {text!r} is not a class 0, 1, 2, ...: number "
                                     f"the classes first (e.g. cat 0, dog 1)", label=True)
            if value is None or not math.isfinite(value):
                raise CSVFormatError(f"{path}, row {line}, column {j + 1} ({names[j]!r}): "
                                     f"{text!r} is not a finite number")
            if j == label and (value < 0 or value != int(value)):
                raise CSVFormatError(f"{path}, row {line}, column {j + 1} ({names[j]!r}): "
                                     f"the label {text!r} is not a class 0, 1, 2, ...",
                                     label=True)
            table[i, j] = value
    X = np.delete(table, label, axis=1)
    y = table[:, label].astype(np.int64)
    return X, y, names
