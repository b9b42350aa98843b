"""Reading your own data from a CSV file: the table, the label column, one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

from nn.csvfile import CSVFormatError, load_csv


def _write(tmp_path, text, name="my.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_header_is_detected_and_the_label_is_the_last_column(tmp_path):
    path = _write(tmp_path, "x1,x2,label\n0.5,-1,0\n 2e-1 , 3,1\n\n1,1,2\n")
    X, y, names = load_csv(path)
    assert names == ["x1", "x2", "label"]
    np.testing.assert_array_equal(X, [[0.5, -1.0], [0.2, 3.0], [1.0, 1.0]])
    assert X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(y, [0, 1, 2])


def test_no_header_and_target_by_name_or_number(tmp_path):
    X, y, names = load_csv(_write(tmp_path, "1,0.5,7\n0,1.5,8\n"))
    assert names == ["column 1", "column 2", "column 3"]
    np.testing.assert_array_equal(y, [7, 8])
    X, y, _ = load_csv(_write(tmp_path, "1,0.5,7\n0,1.5,8\n"), target="1")
    np.testing.assert_array_equal(X, [[0.5, 7], [1.5, 8]])
    np.testing.assert_array_equal(y, [1, 0])
    X, y, _ = load_csv(_write(tmp_path, "class,a,b\n1,0.5,7\n0,1.5,8\n"), target="class")
    np.testing.assert_array_equal(X, [[0.5, 7], [1.5, 8]])
    np.testing.assert_array_equal(y, [1, 0])


@pytest.mark.parametrize("text, target, message", [
    ("x1,x2,label\n0.5,1,0\n0.7,abc,1\n", None,
     r"my.csv, row 3, column 2 \('x2'\): 'abc' is not a finite number$"),
    ("x1,x2,label\n0.5,1,0\n0.7,1\n", None,
     r"my.csv, row 3: 2 fields, expected 3 \(as in row 1\)$"),
    ("x1,x2,label\n0.5,1,0\n0.7,1,2.5\n", None,
     r"my.csv, row 3, column 3 \('label'\): the label '2.5' is not a class 0, 1, 2, ...$"),
    ("x1,x2,label\n0.5,1,-1\n", None, r"row 2, column 3 \('label'\): the label '-1'"),
    ("x1,x2,label\n0.5,1,\n", None, r"row 2, column 3 \('label'\): the label is missing$"),
    ("x1,x2,label\n0.5,1,cat\n", None,
     r"row 2, column 3 \('label'\): the label 'cat' is not a class 0, 1, 2, ...: number the "
     r"classes first \(e.g. cat 0, dog 1\)$"),
    ("x1,x2,label\n0.5,nan,1\n", None, r"row 2, column 2 \('x2'\): 'nan' is not a finite"),
    ("x1,x2,label\n0.5,1,0\n", "y", r"my.csv: no column 'y'; its columns are x1, x2, label"),
    ("x1,x2,label\n", None, r"my.csv: no data rows after the header$"),
    ("", None, r"my.csv: the file is empty$"),
    ("label\n1\n", None, r"needs at least two columns"),
])
def test_malformed_files_get_one_line_naming_row_and_column(tmp_path, text, target, message):
    with pytest.raises(CSVFormatError, match=message) as err:
        load_csv(_write(tmp_path, text), target=target)
    assert "\n" not in str(err.value)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such CSV file"):
        load_csv(tmp_path / "nope.csv")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x01garbage\x00")
    with pytest.raises(CSVFormatError, match=r"bin.csv: not a readable CSV text file"):
        load_csv(tmp_path / "bin.csv")
