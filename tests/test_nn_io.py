"""Saving and loading: bit-exact round trip, atomic writes, and every bad file a clear error."""

from __future__ import annotations

import os
import re
import zipfile

import numpy as np
import pytest

from nn import io as nnio
from nn.io import ModelFileError, load, save
from nn.layers import MLP, Perceptron


def _model(seed=0, hidden=(8, 4), dtype=np.float64):
    return MLP(3, list(hidden), 2, seed=seed, dtype=dtype)


def _snapshot(m):
    return [p.data.copy() for p in m.parameters()]


def _assert_same(m, snap):
    for p, s in zip(m.parameters(), snap, strict=True):
        np.testing.assert_array_equal(p.data, s)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_trip_is_bit_exact(tmp_path, dtype):
    src = _model(seed=1, dtype=dtype)
    path = tmp_path / "model.npz"
    assert save(src, path) == str(path)
    dst = _model(seed=2, dtype=dtype)
    assert load(dst, path) is dst
    for a, b in zip(src.parameters(), dst.parameters(), strict=True):
        assert b.data.dtype == dtype
        assert a.data.tobytes() == b.data.tobytes()
    x = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_array_equal(src(x).data, dst(x).data)


def test_file_holds_plain_arrays_and_a_format_marker(tmp_path):
    path = tmp_path / "m"  # used as given: no .npz appended
    save(Perceptron(2), path)
    assert os.listdir(tmp_path) == ["m"]
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["__nn_architecture__", "__nn_class__", "__nn_format__",
                                     "__nn_version__", "bias", "weight"]
        assert str(npz["__nn_format__"]) == nnio.FORMAT
        assert int(npz["__nn_version__"]) == nnio.VERSION
        assert str(npz["__nn_class__"]) == "Perceptron"


def test_save_is_atomic_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    old = _model(seed=1)
    save(old, path)
    before = path.read_bytes()

    def exploding_savez(f, **arrays):
        f.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(nnio.np, "savez", exploding_savez)
    with pytest.raises(OSError, match="disk full"):
        save(_model(seed=2), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]  # the temporary file was removed
    monkeypatch.undo()
    m = _model(seed=3)
    load(m, path)
    _assert_same(m, _snapshot(old))


def test_save_errors(tmp_path):
    (tmp_path / "a_file").write_text("not a folder")
    with pytest.raises(OSError, match="save: cannot make the folder .*a_file.*"):
        save(_model(), tmp_path / "a_file" / "m.npz")
    with pytest.raises(TypeError, match="save: expected a Module, got dict"):
        save({}, tmp_path / "m.npz")


def test_a_directory_is_refused_up_front(tmp_path):
    # save raised IsADirectoryError naming an internal temporary file ('.tmp-...')
    adir = tmp_path / "io" / "adir"
    adir.mkdir(parents=True)
    want = re.escape(f"save: {str(adir)!r} is a directory; give a file name such as "
                     f"{os.path.join(str(adir), 'model.npz')!r}")
    with pytest.raises(IsADirectoryError, match=f"^{want}$"):
        save(_model(), adir)
    new = str(tmp_path / "new") + os.sep  # a folder by its trailing separator
    with pytest.raises(IsADirectoryError, match="^" + re.escape(
            f"save: {new!r} names a directory; give a file name such as "
            f"{os.path.join(new, 'model.npz')!r}") + "$"):
        save(_model(), new)
    assert sorted(os.listdir(tmp_path)) == ["io"] and os.listdir(adir) == []  # nothing left
    save(_model(), adir / "model.npz")
    _check_refused(tmp_path, adir, "^" + re.escape(
        f"load: {str(adir)!r} is a directory; give the model file, such as "
        f"{os.path.join(str(adir), 'model.npz')!r}") + "$")


def _check_refused(tmp_path, path, match):
    m = _model(seed=9)
    snap = _snapshot(m)
    with pytest.raises(ModelFileError, match=match):
        load(m, path)
    _assert_same(m, snap)  # untouched on any error


def test_wrong_shapes_name_file_key_and_both_shapes(tmp_path):
    path = tmp_path / "other.npz"
    save(_model(hidden=(8, 5)), path)
    _check_refused(
        tmp_path, path,
        r"other.npz' \(saved from an MLP\) does not fit this MLP \(module '2' is Linear\(in_"
        r"features=8, out_features=5, bias=True\) in the file but Linear\(in_features=8, "
        r"out_features=4, bias=True\) here\): load_state_dict: shape "
        r"mismatch for '2.weight': the model has \(8, 4\), the state dict has \(8, 5\)")


def test_a_partial_load_warns_and_a_refusal_names_the_architecture(tmp_path):
    # saved with dropout (Linear, ReLU, Dropout, Linear, ...), loaded into the same MLP
    # without: strict=False filled 0.* and left the rest random, without a word
    path = tmp_path / "dropout.npz"
    save(MLP(3, [8, 4], 2, dropout=0.2, seed=0), path)
    with pytest.raises(ModelFileError, match=r"\(module '2' is Dropout\(p=0.2\) in the file "
                                             r"but Linear\(.*\) here\): .*missing keys"):
        load(MLP(3, [8, 4], 2, seed=1), path)
    m = MLP(3, [8, 4], 2, seed=1)
    with pytest.warns(UserWarning, match=r"filled only part of this MLP \(module '2' is "
                                         r"Dropout\(p=0.2\).*parameters left as they were: "
                                         r"\['2.weight', '2.bias', '4.weight', '4.bias'\]; in "
                                         r"the file but not in the model: \['3.weight'"):
        load(m, path, strict=False)


def test_missing_and_extra_keys(tmp_path):
    path = tmp_path / "short.npz"
    save(MLP(3, [8], 2, seed=0), path)  # no 4.weight / 4.bias; 2.weight of another shape
    _check_refused(tmp_path, path, r"short.npz'.*missing keys \['4.weight', '4.bias'\]")
    path = tmp_path / "long.npz"
    save(MLP(3, [8, 4, 4], 2, seed=0), path)
    _check_refused(tmp_path, path, r"long.npz'.*unexpected keys \['6.weight', '6.bias'\]")


def test_wrong_dtype(tmp_path):
    path = tmp_path / "f32.npz"
    save(_model(dtype=np.float32), path)
    _check_refused(tmp_path, path, r"f32.npz'.*dtype mismatch for '0.weight'")


def test_foreign_files(tmp_path):
    npz = tmp_path / "foreign.npz"
    np.savez(npz, a=np.ones(3))
    _check_refused(tmp_path, npz, r"foreign.npz' is not a model file written by nn.save "
                                  r"\(no '__nn_format__' marker\); its keys are \['a'\]")
    npy = tmp_path / "array.npy"
    np.save(npy, np.ones(3))
    _check_refused(tmp_path, npy, r"array.npy' holds a single .npy array")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    _check_refused(tmp_path, text, r"notes.txt' is not a readable .npz model file")
    with pytest.raises(FileNotFoundError, match=r"load: no such file '.*missing.npz'"):
        load(_model(), tmp_path / "missing.npz")


def test_newer_version_and_non_float_arrays(tmp_path):
    good = _model(seed=1).state_dict()
    newer = tmp_path / "newer.npz"
    np.savez(newer, __nn_format__=np.array(nnio.FORMAT), __nn_version__=np.array(99),
             **good)
    _check_refused(tmp_path, newer, r"newer.npz' has format version 99; this library reads up to 2")
    ints = tmp_path / "ints.npz"
    np.savez(ints, __nn_format__=np.array(nnio.FORMAT), __nn_version__=np.array(1),
             **dict(good, **{"0.bias": np.zeros(8, dtype=np.int64)}))
    _check_refused(tmp_path, ints, r"ints.npz': key '0.bias' has dtype int64; parameters are "
                                   r"floats")


class _Payload:
    """Unpickling this runs ``exec`` of code that writes a marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('pwned')",))


def test_a_pickled_payload_is_refused_and_never_executed(tmp_path):
    marker = tmp_path / "PWNED"
    good = _model(seed=1).state_dict()
    evil = np.empty(1, dtype=object)
    evil[0] = _Payload(marker)
    path = tmp_path / "evil.npz"
    # the payload sits under a real parameter name, after a valid marker and version
    np.savez(path, __nn_format__=np.array(nnio.FORMAT), __nn_version__=np.array(1),
             **dict(good, **{"0.weight": evil}))
    _check_refused(tmp_path, path, r"evil.npz': key '0.weight' holds a pickled object array; "
                                   r"refusing to unpickle it")
    assert not marker.exists()
    # the payload is live: loading it the unsafe way would have run it
    with np.load(path, allow_pickle=True) as npz:
        npz["0.weight"]
    assert marker.read_text() == "pwned"


def test_truncated_files(tmp_path):
    path = tmp_path / "model.npz"
    save(_model(seed=1), path)
    data = path.read_bytes()
    for cut in (len(data) // 2, 30, len(data) - 10):
        path.write_bytes(data[:cut])
        _check_refused(tmp_path, path, r"model.npz' is not a readable .npz model file "
                                       r"\(truncated or corrupt\?\)")


def test_corrupt_array_bytes_fail_the_crc_and_name_the_key(tmp_path):
    path = tmp_path / "model.npz"
    m = _model(seed=1)
    save(m, path)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("0.weight.npy")
    data = bytearray(path.read_bytes())
    # local header (30 bytes + name + extra), then the .npy header (128 bytes), then the data
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 128
    data[start + 8] ^= 0xFF
    path.write_bytes(bytes(data))
    _check_refused(tmp_path, path, r"model.npz': key '0.weight' cannot be read \(truncated or "
                                   r"corrupt\?\).*CRC")


def test_a_file_that_is_not_a_zip_is_named_without_advice_to_unpickle(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello world")
    with pytest.raises(ModelFileError) as info:
        load(_model(), text)
    message = str(info.value)
    assert re.search(r"notes.txt' is not a readable .npz model file: it does not start like a "
                     r"zip archive \(first bytes b'hello '\)", message)
    assert "pickle" not in message  # numpy's own text advised pickle.load on it


def test_save_makes_a_missing_folder(tmp_path):
    m = _model(seed=4)
    path = save(m, tmp_path / "runs" / "today" / "m.npz")
    assert os.path.isfile(path)
    back = _model(seed=5)
    load(back, path)
    _assert_same(back, _snapshot(m))


# --------------------------------------------------------------------------- issue 15


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_saved_file_mode_follows_the_umask(tmp_path, umask):
    # issue 15, point 4: mkstemp made every model file 0600 whatever the umask, so students
    # could not read a teacher's models; a new file now gets 0666 less the umask, as open()
    old = os.umask(umask)
    try:
        save(_model(), tmp_path / "model.npz")
        save(_model(seed=1), tmp_path / "model.npz")  # replacing a file: the same rule
        with open(tmp_path / "plain.txt", "w") as fh:
            fh.write("x")
    finally:
        os.umask(old)
    mode = os.stat(tmp_path / "model.npz").st_mode & 0o777
    assert mode == 0o666 & ~umask
    assert mode == os.stat(tmp_path / "plain.txt").st_mode & 0o777
    assert sorted(os.listdir(tmp_path)) == ["model.npz", "plain.txt"]  # no temporary left


def test_load_refuses_another_architecture_naming_the_difference(tmp_path):
    # issue 15, point 5: tanh weights loaded silently into a ReLU MLP of the same shapes
    path = tmp_path / "tanh.npz"
    src = MLP(2, [8], 2, activation="tanh", seed=1)
    save(src, path)
    relu = MLP(2, [8], 2, activation="relu", seed=2)
    snap = _snapshot(relu)
    with pytest.raises(ModelFileError) as err:
        load(relu, path)
    msg = str(err.value)
    assert "another architecture" in msg
    assert "module '1' is Tanh() in the file but ReLU() here" in msg
    assert "strict=False" in msg
    _assert_same(relu, snap)  # untouched
    with pytest.warns(UserWarning, match=r"module '1' is Tanh\(\) in the file but ReLU\(\)"):
        load(relu, path, strict=False)
    _assert_same(relu, _snapshot(src))
    load(MLP(2, [8], 2, activation="tanh", seed=3), path)  # the same architecture loads


def test_architecture_records_sizes_and_options(tmp_path):
    path = tmp_path / "m.npz"
    save(MLP(2, [8], 2, dropout=0.1, seed=1), path)
    with np.load(path, allow_pickle=False) as npz:
        assert str(npz["__nn_version__"]) == "2"
        arch = str(npz["__nn_architecture__"])
    assert '["2", "Dropout", "p=0.1"]' in arch
    assert '["0", "Linear", "in_features=2, out_features=8, bias=True"]' in arch
    with pytest.raises(ModelFileError, match=r"module '2' is Dropout\(p=0.1\) in the file but "
                                             r"Dropout\(p=0.5\) here"):
        load(MLP(2, [8], 2, dropout=0.5), path)
    with pytest.raises(ModelFileError, match=r"the model is MLP\(\) in the file but "
                                             r"Sequential\(\) here"):
        from nn.module import Sequential
        load(Sequential(*MLP(2, [8], 2, dropout=0.1)), path)


def test_files_from_before_the_architecture_record_still_load(tmp_path):
    src = MLP(2, [8], 2, activation="tanh", seed=1)
    path = tmp_path / "v1.npz"
    np.savez(path, __nn_format__=np.array(nnio.FORMAT), __nn_version__=np.array(1),
             __nn_class__=np.array("MLP"), **src.state_dict())
    dst = MLP(2, [8], 2, activation="relu", seed=2)  # nothing recorded to compare with
    load(dst, path)
    _assert_same(dst, _snapshot(src))


def test_load_with_only_a_path_says_to_build_the_model_first(tmp_path):
    # nn.load("xor.npz") used to fail with Python's "missing 1 required positional
    # argument: 'path'", though a path was given
    import nn

    path = str(tmp_path / "m.npz")
    nn.save(nn.MLP(2, [8], 1, seed=0), path)
    with pytest.raises(TypeError, match=re.escape(
            f"load(model, path): give the model to fill first, built as the saved one was (the "
            f"file holds weights, not code): nn.load(model, {path!r}). {path!r} was saved from "
            f"an MLP: Linear(in_features=2, out_features=8, bias=True), ReLU(), "
            f"Linear(in_features=8, out_features=1, bias=True)")):
        nn.load(path)
    with pytest.raises(TypeError, match=r"give the model to fill first.*\(And 'nothere.npz' "
                                        r"does not exist.\)$"):
        nn.load("nothere.npz")
    with pytest.raises(TypeError, match=r"load\(model, path\): no path given"):
        nn.load(nn.MLP(2, [8], 1))
    one = str(tmp_path / "one.npz")  # a model of one module names that module
    nn.save(nn.Linear(2, 3), one)
    with pytest.raises(TypeError, match=r"saved from a Linear: Linear\(in_features=2, "
                                        r"out_features=3, bias=True\)$"):
        nn.load(one)
    (tmp_path / "junk.npz").write_bytes(b"not a zip file")  # a file of another kind: advice only
    with pytest.raises(TypeError, match=r"nn.load\(model, '.*junk.npz'\)$"):
        nn.load(str(tmp_path / "junk.npz"))


def test_every_activation_records_each_of_its_options():
    # nn.save tells architectures apart by each module's extra_repr: an option missing from
    # it (a new activation's, say) would load silently into a model set another way
    import inspect

    from nn.activations import activations
    from nn.io import architecture

    for cls in activations.values():
        for option in inspect.signature(cls).parameters.values():
            default = option.default
            other = (not default if isinstance(default, bool) else
                     default + 1 if isinstance(default, int) else default * 2 + 0.1)
            assert architecture(cls(**{option.name: other})) != architecture(cls()), (
                f"{cls.__name__}'s extra_repr does not show {option.name}: add it")
