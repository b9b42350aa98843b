"""nn.data: toy problems, splitting, standardisation, minibatches, digits, IDX files."""

import gzip
import struct

import numpy as np
import pytest

import nn
from nn.data import (
    IDXFormatError,
    Standardizer,
    and_gate,
    as_generator,
    blobs,
    circles,
    fewest_samples_to_split,
    held_out,
    load_digits,
    load_idx_dataset,
    minibatches,
    or_gate,
    read_idx,
    spirals,
    train_test_split,
    two_moons,
    write_idx,
    xor,
)

# --------------------------------------------------------------------------- generators


def test_gates_truth_tables_exact():
    X, y = and_gate()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 0, 0, 1])
    assert X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(or_gate()[1], [0, 1, 1, 1])
    np.testing.assert_array_equal(xor()[1], [0, 1, 1, 0])
    # y is exactly the logical function of the (noise-free) inputs
    np.testing.assert_array_equal(xor()[1], np.logical_xor(X[:, 0], X[:, 1]).astype(int))


def test_noisy_repeated_xor_stays_near_its_corners():
    X, y = xor(n_repeats=50, noise=0.1, seed=3, shuffle=True)
    assert X.shape == (200, 2) and y.shape == (200,)
    np.testing.assert_array_equal(np.bincount(y), [100, 100])
    corners = np.round(X)  # noise 0.1 keeps almost every point nearest its corner
    agree = np.mean(np.logical_xor(corners[:, 0], corners[:, 1]).astype(int) == y)
    assert agree > 0.99
    assert 0.07 < np.std(X - corners) < 0.13


def test_gate_argument_errors():
    with pytest.raises(ValueError, match="n_repeats must be >= 1"):
        xor(n_repeats=0)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        and_gate(noise=-1.0)
    with pytest.raises(TypeError, match="seed must be an int"):
        xor(noise=0.1, seed="abc")


def test_seeds_are_checked_as_the_layers_check_them():
    # one function turns a seed into a Generator, for the data as for the weights
    assert as_generator is nn.init.as_rng
    with pytest.raises(TypeError, match="seed must be an int, a numpy.random.Generator or None"):
        two_moons(seed=True)  # a bool is not a seed (bool is an int subclass)
    with pytest.raises(ValueError, match="seed must be a non-negative int, got -1"):
        xor(noise=0.1, seed=-1)
    model = nn.MLP(2, [], 2)
    with pytest.raises(TypeError, match="seed must be an int"):
        nn.fit(model, nn.cross_entropy, nn.SGD(model.parameters()), xor(), epochs=1,
               progress=False, seed=True)


@pytest.mark.parametrize(
    "make",
    [
        lambda s: blobs(n_samples=90, n_classes=3, seed=s),
        lambda s: two_moons(n_samples=90, seed=s),
        lambda s: circles(n_samples=90, seed=s),
        lambda s: spirals(n_samples=90, n_classes=3, seed=s),
        lambda s: xor(n_repeats=10, noise=0.2, seed=s, shuffle=True),
    ],
)
def test_generators_seeded_bit_identical_and_typed(make):
    X1, y1 = make(7)
    X2, y2 = make(7)
    X3, _ = make(8)
    assert X1.dtype == np.float64 and y1.dtype == np.int64 and X1.ndim == 2
    assert X1.tobytes() == X2.tobytes() and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    # a Generator works as well as an int
    X4, _ = make(np.random.default_rng(7))
    assert X4.tobytes() == X1.tobytes()


def _one_vs_rest_separable(X, y, k):
    """Class k vs the rest: a hyperplane normal to its mean direction u_k separates them."""
    u = X[y == k].mean(axis=0)
    u = u / np.linalg.norm(u)
    proj = X @ u
    return proj[y == k].min() > proj[y != k].max()


@pytest.mark.parametrize("k", [2, 3, 5])
def test_blobs_linearly_separable(k):
    X, y = blobs(n_samples=300, n_classes=k, n_features=3, seed=0)
    assert X.shape == (300, 3)
    np.testing.assert_array_equal(np.bincount(y), [300 // k + (c < 300 % k) for c in range(k)])
    for c in range(k):
        assert _one_vs_rest_separable(X, y, c)


def test_blobs_refuses_overlapping_arguments():
    with pytest.raises(ValueError, match="would not be linearly separable"):
        blobs(n_classes=6, center_radius=1.0, spread=1.0)


def test_two_moons_geometry():
    X, y = two_moons(n_samples=200, noise=0.0, shuffle=False, seed=0)
    np.testing.assert_allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1.0, X[y == 1, 1] - 0.5), 1.0)
    assert X[y == 0, 1].min() >= 0 and X[y == 1, 1].max() <= 0.5


def test_circles_radii():
    X, y = circles(n_samples=101, noise=0.0, factor=0.3, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)
    np.testing.assert_array_equal(np.bincount(y), [51, 50])
    with pytest.raises(ValueError, match="factor must be in"):
        circles(factor=1.5)


def test_spirals_arms_are_rotations_of_each_other():
    X, y = spirals(n_samples=60, n_classes=3, noise=0.0, shuffle=False)
    assert np.all(np.hypot(X[:, 0], X[:, 1]) <= 1.0 + 1e-12)
    rot = 2 * np.pi / 3
    R = np.array([[np.cos(rot), -np.sin(rot)], [np.sin(rot), np.cos(rot)]])
    np.testing.assert_allclose(X[y == 0] @ R.T, X[y == 1], atol=1e-12)
    np.testing.assert_allclose(X[y == 1] @ R.T, X[y == 2], atol=1e-12)


# --------------------------------------------------------------------------- splitting


def test_train_test_split_partitions_and_is_seeded():
    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.arange(20)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, seed=1)
    assert Xtr.shape == (15, 2) and Xte.shape == (5, 2)
    np.testing.assert_array_equal(np.sort(np.concatenate([ytr, yte])), y)
    np.testing.assert_array_equal(Xte[:, 0], 2 * yte)  # rows stay paired with labels
    again = train_test_split(X, y, test_size=0.25, seed=1)
    np.testing.assert_array_equal(again[3], yte)
    assert len(train_test_split(X, y, test_size=3, seed=0)[1]) == 3


def test_held_out_rounds_a_half_to_even_and_train_test_split_holds_out_that_many():
    assert [held_out(n, 0.25) for n in (2, 6, 10, 14)] == [0, 2, 2, 4]  # 0.5 1.5 2.5 3.5
    for n, fraction in [(10, 0.25), (14, 0.25), (7, 0.5), (200, 0.2)]:
        test = train_test_split(np.zeros((n, 1)), np.arange(n), fraction, seed=0)[1]
        assert len(test) == held_out(n, fraction)


def test_fewest_samples_to_split_is_the_first_count_that_splits():
    def brute(fraction):
        return next(k for k in range(2, 10**4) if 1 <= held_out(k, fraction) <= k - 1)

    for fraction in [0.001, 0.01, 0.1, 0.125, 0.2, 0.25, 1 / 3, 0.5, 0.75, 0.9, 0.99, 0.999]:
        assert fewest_samples_to_split(fraction) == brute(fraction), fraction
    assert [fewest_samples_to_split(f) for f in (0.2, 0.9, 0.1, 0.001)] == [3, 5, 6, 501]
    assert fewest_samples_to_split(1e-300) is None  # more than a million: not searched
    assert fewest_samples_to_split(0.9999999) is None


def test_train_test_split_stratified_keeps_class_shares():
    y = np.array([0] * 60 + [1] * 30 + [2] * 10)
    X = np.arange(100, dtype=float)[:, None]
    _, _, ytr, yte = train_test_split(X, y, test_size=0.2, seed=0, stratify=True)
    np.testing.assert_array_equal(np.bincount(yte), [12, 6, 2])
    np.testing.assert_array_equal(np.bincount(ytr), [48, 24, 8])
    # largest-remainder: 7 test samples of 3 classes 1:1:1 in 9 -> 7 in total, exactly
    y9 = np.repeat([0, 1, 2], 3)
    _, _, _, yte9 = train_test_split(np.zeros((9, 1)), y9, test_size=7, seed=0, stratify=True)
    assert len(yte9) == 7 and set(np.bincount(yte9)) <= {2, 3}


def test_train_test_split_takes_the_labels_to_stratify_by_as_scikit_learn_does():
    # stratify=y (scikit-learn's idiom) failed with numpy's "truth value of an array is
    # ambiguous"
    y = np.array([0] * 60 + [1] * 30 + [2] * 10)
    X = np.arange(100, dtype=float)[:, None]
    by_y = train_test_split(X, y, test_size=0.2, seed=0, stratify=y)
    assert nn.train_test_split is train_test_split and "train_test_split" in nn.__all__
    by_flag = train_test_split(X, y, test_size=0.2, seed=0, stratify=True)
    for a, b in zip(by_y, by_flag, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.bincount(by_y[3]), [12, 6, 2])
    # other labels than y: the groups keep their shares, y goes along with its rows
    groups = np.where(np.arange(100) < 80, "a", "b")
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, seed=3, stratify=list(groups))
    assert np.sum(Xte[:, 0] >= 80) == 5 and np.sum(Xtr[:, 0] >= 80) == 15
    np.testing.assert_array_equal(y[Xte[:, 0].astype(int)], yte)
    plain = train_test_split(X, y, test_size=0.2, seed=0)
    for off in (False, None, np.False_):
        np.testing.assert_array_equal(train_test_split(X, y, 0.2, seed=0, stratify=off)[3],
                                      plain[3])
    with pytest.raises(ValueError, match=r"^train_test_split: stratify must hold one class "
                                         r"label per sample, shape \(100,\), got shape "
                                         r"\(99,\)$"):
        train_test_split(X, y, stratify=y[:99])
    with pytest.raises(ValueError, match=r"shape \(100,\), got shape \(100, 3\)$"):
        train_test_split(X, y, stratify=np.eye(3)[y])
    with pytest.raises(TypeError, match=r"^train_test_split: stratify must be True, False or "
                                        r"an array of labels \(one per sample, e.g. "
                                        r"stratify=y\), got int 1$"):
        train_test_split(X, y, stratify=1)


def test_train_test_split_errors():
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(ValueError, match=r"len\(X\) = 10, len\(y\) = 9"):
        train_test_split(X, y[:9])
    with pytest.raises(ValueError, match="must be in \\(0, 1\\)"):
        train_test_split(X, y, test_size=1.5)
    with pytest.raises(ValueError, match="both parts need at least one"):
        train_test_split(X, y, test_size=10)
    with pytest.raises(ValueError, match="X is empty"):
        train_test_split(np.zeros((0, 2)), np.zeros(0))


# --------------------------------------------------------------------------- standardizer


def test_standardizer_moments_roundtrip_and_constant_column():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(5, 3, 200), rng.normal(-2, 0.1, 200), np.full(200, 7.0)])
    s = Standardizer().fit(X)
    Z = s.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), [1, 1, 0], atol=1e-12)
    np.testing.assert_array_equal(Z[:, 2], 0.0)  # zero variance -> 0, no division by zero
    assert s.scale_[2] == 1.0
    np.testing.assert_allclose(s.inverse_transform(Z), X, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(Standardizer().fit_transform(X), Z)


def test_standardizer_errors():
    with pytest.raises(RuntimeError, match="before fit"):
        Standardizer().transform(np.zeros((2, 2)))
    s = Standardizer().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match="X has 3 features, fitted on 2"):
        s.transform(np.ones((3, 3)))
    with pytest.raises(ValueError, match="must be 2-d"):
        Standardizer().fit(np.ones(3))
    with pytest.raises(ValueError, match="NaN or inf"):
        Standardizer().fit(np.array([[1.0], [np.nan]]))


# --------------------------------------------------------------------------- minibatches


def test_minibatches_cover_every_sample_once():
    X = np.arange(23, dtype=float)[:, None]
    y = np.arange(23)
    batches = list(minibatches(X, y, batch_size=5, seed=0))
    assert [len(b[1]) for b in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([b[1] for b in batches])
    np.testing.assert_array_equal(np.sort(seen), y)
    assert not np.array_equal(seen, y)  # shuffled
    for xb, yb in batches:
        np.testing.assert_array_equal(xb[:, 0], yb)
    ordered = np.concatenate([b[1] for b in minibatches(X, y, 5, shuffle=False)])
    np.testing.assert_array_equal(ordered, y)
    assert [len(b) for b in minibatches(X, batch_size=5, drop_last=True, seed=0)] == [5] * 4


def test_minibatches_seeded_and_generator_advances():
    X, y = np.zeros((10, 1)), np.arange(10)
    a = [b[1].tolist() for b in minibatches(X, y, 4, seed=3)]
    b = [b[1].tolist() for b in minibatches(X, y, 4, seed=3)]
    assert a == b
    rng = as_generator(3)
    e1 = np.concatenate([b[1] for b in minibatches(X, y, 4, seed=rng)])
    e2 = np.concatenate([b[1] for b in minibatches(X, y, 4, seed=rng)])
    assert not np.array_equal(e1, e2)  # one Generator across epochs -> new order per epoch


def test_minibatches_errors_raised_eagerly():
    X, y = np.zeros((4, 2)), np.zeros(4)
    with pytest.raises(ValueError, match="batch_size must be > 0, got 0"):
        minibatches(X, y, batch_size=0)
    with pytest.raises(ValueError, match="batch_size must be > 0, got -3"):
        minibatches(X, y, batch_size=-3)
    with pytest.raises(TypeError, match="batch_size must be an int"):
        minibatches(X, y, batch_size=2.5)
    with pytest.raises(ValueError, match="X is empty"):
        minibatches(np.zeros((0, 2)), np.zeros(0), batch_size=2)
    with pytest.raises(ValueError, match=r"len\(X\) = 4, len\(y\) = 3"):
        minibatches(X, y[:3], batch_size=2)


# --------------------------------------------------------------------------- digits


def test_load_digits_scaled_to_unit_interval():
    pytest.importorskip("sklearn")
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(np.unique(y), np.arange(10))
    assert np.all(np.isclose(X * 16, np.round(X * 16)))  # the 0..16 grey levels, divided by 16


def test_load_digits_message_without_sklearn(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        load_digits()


# --------------------------------------------------------------------------- IDX files


def _hand_written_idx(path, images):
    """MNIST's layout written byte by byte, independent of write_idx."""
    n, r, c = images.shape
    with open(path, "wb") as fh:
        fh.write(struct.pack(">I", 0x00000803))  # 0x08 = uint8, 3 dimensions
        fh.write(struct.pack(">III", n, r, c))
        fh.write(images.astype(np.uint8).tobytes())


def test_read_idx_hand_written_mnist_layout(tmp_path):
    images = np.arange(5 * 3 * 4, dtype=np.uint8).reshape(5, 3, 4) * 4
    p = tmp_path / "train-images-idx3-ubyte"
    _hand_written_idx(p, images)
    out = read_idx(p)
    assert out.dtype == np.uint8 and out.shape == (5, 3, 4)
    np.testing.assert_array_equal(out, images)


@pytest.mark.parametrize("dtype", ["u1", "i1", "i2", "i4", "f4", "f8"])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_roundtrip_every_dtype_and_gzip(tmp_path, dtype, suffix):
    rng = np.random.default_rng(0)
    a = (rng.normal(size=(3, 2, 5)) * 50).astype(dtype)
    p = tmp_path / f"a.idx{suffix}"
    write_idx(p, a)
    out = read_idx(p)
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    np.testing.assert_array_equal(out, a)


def test_idx_is_big_endian_on_disk(tmp_path):
    p = tmp_path / "x.idx"
    write_idx(p, np.array([1, 258], dtype=np.int32))
    raw = p.read_bytes()
    assert raw == bytes([0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 2])


def test_read_idx_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad-magic.idx"
    bad.write_bytes(b"\x12\x34\x08\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(IDXFormatError, match=r"bad-magic\.idx: bad IDX magic number 0x12340801"):
        read_idx(bad)
    code = tmp_path / "code.idx"
    code.write_bytes(b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(IDXFormatError, match=r"code\.idx: unknown IDX type code 0x07"):
        read_idx(code)
    short = tmp_path / "short.idx"
    _hand_written_idx(short, np.zeros((4, 2, 2)))
    short.write_bytes(short.read_bytes()[:-3])
    with pytest.raises(IDXFormatError, match=r"short\.idx: truncated IDX data.*needs 16 bytes"):
        read_idx(short)
    header = tmp_path / "header.idx"
    header.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(IDXFormatError, match=r"header\.idx: truncated IDX header"):
        read_idx(header)
    tiny = tmp_path / "tiny.idx"
    tiny.write_bytes(b"\x00")
    with pytest.raises(IDXFormatError, match="tiny.idx: truncated IDX file"):
        read_idx(tiny)
    extra = tmp_path / "extra.idx"
    write_idx(extra, np.zeros(3, np.uint8))
    extra.write_bytes(extra.read_bytes() + b"\x01\x02")
    with pytest.raises(IDXFormatError, match="2 unexpected trailing bytes"):
        read_idx(extra)
    notgz = tmp_path / "plain.idx.gz"
    write_idx(tmp_path / "plain.idx", np.zeros(3, np.uint8))
    notgz.write_bytes((tmp_path / "plain.idx").read_bytes())
    with pytest.raises(IDXFormatError, match=r"plain\.idx\.gz: not a valid gzip file"):
        read_idx(notgz)
    gz_unnamed = tmp_path / "gz-without-suffix"
    gz_unnamed.write_bytes(gzip.compress((tmp_path / "plain.idx").read_bytes()))
    with pytest.raises(IDXFormatError, match="needs a name ending .gz"):
        read_idx(gz_unnamed)
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "missing.idx")
    assert issubclass(IDXFormatError, ValueError)


def test_load_idx_dataset_scales_flattens_and_checks_counts(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(6, 4, 4), dtype=np.uint8)
    labels = rng.integers(0, 10, size=6).astype(np.uint8)
    ip, lp = tmp_path / "img-idx3-ubyte.gz", tmp_path / "lab-idx1-ubyte.gz"
    write_idx(ip, images)
    write_idx(lp, labels)
    X, y = load_idx_dataset(ip, lp)
    assert X.shape == (6, 16) and X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(X, images.reshape(6, 16) / 255.0)
    np.testing.assert_array_equal(y, labels)
    X3, _ = load_idx_dataset(ip, lp, flatten=False, scale=False)
    np.testing.assert_array_equal(X3, images)

    write_idx(lp, labels[:5])
    with pytest.raises(
        IDXFormatError, match=r"img-idx3-ubyte\.gz has 6 images but .*lab-idx1-ubyte\.gz has 5"
    ):
        load_idx_dataset(ip, lp)
    write_idx(lp, labels.reshape(3, 2))
    with pytest.raises(IDXFormatError, match=r"labels must be 1-d"):
        load_idx_dataset(ip, lp)
