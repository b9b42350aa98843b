"""nn.training (fit / evaluate / predict / Ensemble), nn.metrics and nn.callbacks."""

import functools
import json
import warnings

import numpy as np
import pytest

import nn
from autograd_core import Value
from nn.callbacks import Callback, EarlyStopping, History
from nn.data import Standardizer, blobs, load_digits, train_test_split, xor
from nn.metrics import METRICS, accuracy, accuracy_logits, get_metric, mse, resolve_metrics
from nn.training import (
    Ensemble,
    TrainingDiverged,
    average_parameters,
    evaluate,
    fit,
    predict,
)

# --------------------------------------------------------------------------- metrics


def test_accuracy_rules():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 5.0], [9.0, 0.0, 0.0]])
    assert accuracy(logits, np.array([0, 1, 2, 1])) == 0.75
    assert accuracy(logits, np.eye(3)[[0, 1, 2, 1]]) == 0.75  # one-hot target
    probs = np.array([0.9, 0.2, 0.51, 0.49])
    assert accuracy(probs, np.array([1, 0, 1, 1])) == 0.75
    assert accuracy(probs[:, None], np.array([[1], [0], [1], [1]])) == 0.75
    z = np.array([0.3, -0.2, -1.0, 2.0])  # logits: threshold 0
    assert accuracy_logits(z, np.array([1, 0, 0, 1])) == 1.0
    assert accuracy(z, np.array([1, 0, 0, 1])) == 0.75  # the 0.5 rule misreads z = 0.3
    assert accuracy(z, np.array([1, 0, 0, 1]), threshold=0.0) == 1.0
    assert accuracy(z, np.array([1, -1, -1, 1]), threshold=0.0) == 1.0  # ±1 labels
    assert accuracy(Value(probs), np.array([1, 0, 1, 1])) == 0.75  # a Value works too


def test_metric_errors_and_registry():
    with pytest.raises(ValueError, match="output has 3 rows but target has 2"):
        accuracy(np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"one-hot target of shape \(2, 3\) does not match"):
        accuracy(np.zeros((2, 2)), np.zeros((2, 3)))
    assert mse(np.array([[1.0], [3.0]]), np.array([0.0, 1.0])) == 2.5
    with pytest.raises(ValueError, match="different sizes"):
        mse(np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="unknown metric 'f2'; known metrics: acc, accuracy"):
        get_metric("f2")
    assert get_metric("mse") == ("mse", METRICS["mse"])
    assert get_metric(functools.partial(accuracy, threshold=0.0))[0] == "accuracy"
    with pytest.raises(ValueError, match="duplicate metric names"):
        resolve_metrics(["accuracy", accuracy])
    with pytest.raises(ValueError, match="reserved"):
        resolve_metrics([_named("val_x")])


def _named(name):
    def f(o, t):
        return 0.0

    f.__name__ = name
    return f


# --------------------------------------------------------------------------- helpers


def _digits_split():
    X, y = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, seed=0, stratify=True)
    s = Standardizer().fit(Xtr)
    return s.transform(Xtr), s.transform(Xte), ytr, yte


class Probe(nn.Module):
    """A linear model that records the training flag and batch size of every call."""

    def __init__(self, n_in, n_out, seed=0):
        super().__init__()
        self.lin = nn.Linear(n_in, n_out, seed=seed)
        self.calls = []

    def forward(self, x):
        self.calls.append((self.training, x.shape[0], isinstance(x, Value) and x.requires_grad))
        return self.lin(x)


# --------------------------------------------------------------------------- fit: the lecture


def test_perceptron_trains_to_zero_errors_on_separable_blobs():
    X, y = blobs(n_samples=200, n_classes=2, seed=1)
    p = nn.Perceptron(2)
    stop_when_clean = lambda epoch, logs: logs["accuracy"] == 1.0  # noqa: E731
    hist = fit(p, nn.half_sse, nn.SGD(p.parameters(), lr=1.0), (X, y), epochs=50,
               batch_size=1, seed=0, progress=False, callbacks=[stop_when_clean])
    assert np.sum(p.predict(X) != y) == 0
    # an epoch with accuracy 1 made no update: the rule converged (Rosenblatt)
    assert hist["accuracy"][-1] == 1.0 and len(hist) < 50
    assert evaluate(p, None, (X, y))["accuracy"] == 1.0


def test_xor_single_layer_fails_mlp_solves():
    X, y = xor(n_repeats=25, noise=0.05, seed=0, shuffle=True)
    # One layer: no line separates XOR, so at most 3 of the 4 corners are right.
    lin = nn.MLP(2, [], 1, seed=0)
    fit(lin, lambda z, t: nn.binary_cross_entropy_with_logits(z[:, 0], t),
        nn.Adam(lin.parameters(), lr=0.05), (X, y), epochs=100, batch_size=20, seed=0,
        metrics=["accuracy_logits"], progress=False)
    acc_lin = evaluate(lin, None, (X, y), metrics=["accuracy_logits"])["accuracy_logits"]
    assert acc_lin <= 0.76
    mlp = nn.MLP(2, [8], 2, activation="tanh", seed=0)
    hist = fit(mlp, nn.cross_entropy, nn.Adam(mlp.parameters(), lr=0.05), (X, y), epochs=100,
               batch_size=20, seed=0, progress=False)
    assert evaluate(mlp, None, xor())["accuracy"] == 1.0  # the 4 exact corners
    assert evaluate(mlp, None, (X, y))["accuracy"] == 1.0
    assert hist["loss"][-1] < 0.05 < hist["loss"][0]
    print(f"XOR: single layer {acc_lin:.2f}, MLP 1.00 (loss {hist['loss'][-1]:.4f})")


def test_digits_mlp_reaches_097_and_matches_sklearn():
    sk = pytest.importorskip("sklearn.neural_network")
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    # small matrices: one BLAS thread is faster, and keeps the 2-core box usable
    with threadpool_limits(1):
        _digits_vs_sklearn(sk)


def _digits_vs_sklearn(sk):
    Xtr, Xte, ytr, yte = _digits_split()
    model = nn.MLP(64, [256], 10, dropout=0.3, seed=0, dtype=np.float32)
    hist = fit(model, nn.cross_entropy, nn.Adam(model.parameters(), lr=2e-3), (Xtr, ytr),
               epochs=20, batch_size=32, val=(Xte, yte), seed=0, progress=False)
    ours = evaluate(model, nn.cross_entropy, (Xte, yte))
    # the same budget: one hidden layer of 256 ReLU, Adam lr 2e-3, batch 32, 20 epochs
    ref = sk.MLPClassifier(hidden_layer_sizes=(256,), learning_rate_init=2e-3, batch_size=32,
                           max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: 20 epochs is its budget here
        ref.fit(Xtr, ytr)
    theirs = ref.score(Xte, yte)
    print(f"digits test accuracy: nn.MLP {ours['accuracy']:.4f}, sklearn MLPClassifier "
          f"{theirs:.4f} (n_test={len(yte)})")
    assert ours["accuracy"] >= 0.97
    assert ours["accuracy"] >= theirs - 0.015
    assert hist["val_accuracy"][-1] == ours["accuracy"]
    assert predict(model, Xte).dtype == np.float32


# --------------------------------------------------------------------------- fit: mechanics


def test_history_numbers_equal_evaluate():
    X, y = blobs(n_samples=100, n_classes=3, seed=0)
    Xv, yv = blobs(n_samples=50, n_classes=3, seed=1)
    model = nn.MLP(2, [4], 3, seed=0)
    # lr = 0: the weights never move, so every epoch's train loss is the full-data loss
    hist = fit(model, nn.cross_entropy, nn.SGD(model.parameters(), lr=0.0), (X, y),
               epochs=3, batch_size=7, val=(Xv, yv), metrics=["accuracy"], seed=0, progress=False)
    full = evaluate(model, nn.cross_entropy, (X, y), batch_size=1000)
    np.testing.assert_allclose(hist["loss"], [full["loss"]] * 3, rtol=1e-12)
    np.testing.assert_allclose(hist["accuracy"], [full["accuracy"]] * 3, rtol=1e-12)
    val = evaluate(model, nn.cross_entropy, (Xv, yv), batch_size=3)
    np.testing.assert_allclose(hist["val_loss"][-1], val["loss"], rtol=1e-12)
    assert hist.epochs == [1, 2, 3] and len(hist) == 3
    assert list(hist.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    # a real learning rate lowers the loss
    h2 = fit(model, nn.cross_entropy, nn.SGD(model.parameters(), lr=0.5), (X, y),
             epochs=5, batch_size=10, seed=0, progress=False)
    assert h2["loss"][-1] < 0.5 * h2["loss"][0]
    with pytest.raises(KeyError, match=r"History has no 'val_loss'; it has \['accuracy', 'loss'\]"):
        h2["val_loss"]


def test_train_mode_for_steps_eval_mode_for_validation_then_restored():
    X, y = blobs(n_samples=20, n_classes=2, seed=0)
    model = Probe(2, 2)
    model.eval()
    fit(model, nn.cross_entropy, nn.SGD(model.parameters(), lr=0.1), (X, y), epochs=2,
        batch_size=8, val=(X[:6], y[:6]), seed=0, progress=False)
    # per epoch: 3 training steps (8, 8, 4) in train mode, then 1 validation call in eval
    expected = [(True, 8, False), (True, 8, False), (True, 4, False), (False, 6, False)] * 2
    assert model.calls == expected
    assert model.training is False  # the mode it had before fit
    model.calls.clear()
    model.train()
    out = predict(model, X, batch_size=16)
    assert [c[:2] for c in model.calls] == [(False, 16), (False, 4)] and model.training
    np.testing.assert_allclose(out, X @ model.lin.weight.data + model.lin.bias.data, rtol=1e-12)


def test_every_submodules_own_mode_is_restored():
    # only the top module's flag was restored: a Dropout put in eval mode inside a
    # training model came back in training mode from predict, evaluate and fit
    X, y = blobs(n_samples=12, n_classes=2, seed=0)
    m = nn.MLP(2, [4, 4], 2, dropout=0.5, seed=0)

    def flags():
        return [mod.training for mod in m.modules()]

    m.train()
    m[2].eval()  # the first Dropout
    mixed = flags()
    assert mixed.count(False) == 1
    predict(m, X)
    assert flags() == mixed
    evaluate(m, nn.cross_entropy, (X, y))
    assert flags() == mixed
    fit(m, nn.cross_entropy, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=2, val=(X, y),
        progress=False)
    assert flags() == mixed
    # a callback that evaluates in eval mode and forgets to switch back: fit gives the
    # model its own modes back all the same
    during = []

    def evaluate_in_eval_mode(epoch, logs):
        m.eval()
        during.append(flags())

    fit(m, nn.cross_entropy, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=2, progress=False,
        callbacks=[evaluate_in_eval_mode])
    assert during == [[False] * len(mixed)] * 2 and flags() == mixed
    with pytest.raises(TrainingDiverged):  # restored on an error too
        fit(m, lambda out, t: nn.cross_entropy(out, t) * np.inf,
            nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=1, progress=False)
    assert flags() == mixed
    m.eval()
    m[5].train()  # the other way round: an eval model with one training Dropout
    mixed = flags()
    predict(m, X[0])
    evaluate(m, None, (X, y))
    fit(m, nn.cross_entropy, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=1, progress=False)
    assert flags() == mixed and mixed.count(True) == 1


def test_fit_minibatch_order_uses_seed_and_shuffle_flag():
    X = np.arange(10, dtype=float)[:, None]
    y = np.zeros(10, dtype=int)
    seen = []

    def loss_fn(out, target):
        return (out * 0.0).sum()

    class Rec(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(np.zeros((1, 1)))

        def forward(self, x):
            seen.append(x.data[:, 0].tolist())
            return x @ self.w

    m = Rec()
    fit(m, loss_fn, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=2, batch_size=4,
        shuffle=False, metrics=None, progress=False)
    assert seen == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] * 2
    seen.clear()
    fit(m, loss_fn, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=2, batch_size=10,
        seed=5, metrics=None, progress=False)
    rng = np.random.default_rng(5)
    assert seen == [rng.permutation(10).tolist(), rng.permutation(10).tolist()]


def test_same_seed_bit_identical_weights_with_dropout():
    X, y = blobs(n_samples=120, n_classes=3, seed=2)

    def run(fit_seed):
        m = nn.MLP(2, [16, 16], 3, dropout=0.3, seed=7)
        fit(m, nn.cross_entropy, nn.Adam(m.parameters(), lr=0.01), (X, y), epochs=4,
            batch_size=16, seed=fit_seed, progress=False)
        return m.state_dict()

    a, b, c = run(3), run(3), run(4)
    assert list(a) == list(b)
    assert all(a[k].tobytes() == b[k].tobytes() for k in a)
    assert any(a[k].tobytes() != c[k].tobytes() for k in a)


def test_penalty_is_trained_and_logged_separately():
    X, y = blobs(n_samples=60, n_classes=2, seed=0)
    m0 = nn.MLP(2, [8], 2, seed=0)
    m1 = nn.MLP(2, [8], 2, seed=0)
    fit(m0, nn.cross_entropy, nn.SGD(m0.parameters(), lr=0.1), (X, y), epochs=20,
        batch_size=10, seed=0, progress=False)
    h1 = fit(m1, nn.cross_entropy, nn.SGD(m1.parameters(), lr=0.1), (X, y), epochs=20,
             batch_size=10, seed=0, progress=False, penalty=lambda m: nn.l2_penalty(m, 0.5))
    w0 = sum(float((p.data ** 2).sum()) for n, p in m0.named_parameters() if "weight" in n)
    w1 = sum(float((p.data ** 2).sum()) for n, p in m1.named_parameters() if "weight" in n)
    assert w1 < 0.5 * w0  # weight decay shrank the weights
    assert "penalty" in h1 and h1["penalty"][-1] > 0
    # the logged loss is the data loss alone
    assert abs(h1["loss"][-1] - evaluate(m1, nn.cross_entropy, (X, y))["loss"]) < 0.05


def test_predict_takes_a_1d_input_as_one_sample_like_model_predict():
    # nn.predict(model, np.zeros(784)) split the 784 features into batches of 256
    m = nn.MLP(784, [4], 2, seed=0)
    x = np.random.default_rng(0).normal(size=784)
    got = predict(m, x)
    assert got.shape == (2,)
    np.testing.assert_array_equal(got, m.predict(x))
    np.testing.assert_allclose(got, predict(m, x[None, :])[0], rtol=1e-12)
    np.testing.assert_array_equal(predict(m, list(x), batch_size=1), got)
    p = nn.Perceptron(3)
    p.bias.data[...] = 1.0
    assert predict(p, np.zeros(3)).tolist() == 1.0  # a scalar output: the step of z = 1
    with pytest.raises(ValueError, match=r"expected input with last dimension 784, got shape "
                                         r"\(3,\)"):
        predict(m, np.zeros(3))  # the model's own message


def test_penalty_and_callbacks_are_checked_before_the_first_step():
    # penalty=1e-3 failed inside the first step ("'float' object is not callable"), and
    # callbacks=[nn.EarlyStopping] (the class) after the first epoch ("EarlyStopping:
    # patience must be an int >= 1, got {'loss': ...}")
    X, y = blobs(n_samples=20, n_classes=2, seed=0)
    m = nn.MLP(2, [4], 2, seed=0)
    before = m.state_dict()
    epochs_seen = []

    def go(**kw):
        fit(m, nn.cross_entropy, nn.SGD(m.parameters(), lr=0.5), (X, y), epochs=2,
            progress=False, **kw)

    with pytest.raises(TypeError, match=r"^fit: penalty must be a function penalty\(model\) "
                                        r"-> scalar Value, or None; got float 0.001; for an L2 "
                                        r"penalty with that coefficient pass penalty=functools."
                                        r"partial\(nn.l2_penalty, coef=0.001\)$"):
        go(penalty=1e-3)
    with pytest.raises(TypeError, match=r"got str 'l2'; e.g. penalty=functools.partial\("
                                        r"nn.l2_penalty, coef=1e-3\)$"):
        go(penalty="l2")
    with pytest.raises(TypeError, match=r"got type .*l2_penalty"):
        go(penalty=type("l2_penalty", (), {}))  # a class is callable, but not a penalty
    for cbs, name in (([lambda e, logs: epochs_seen.append(e), nn.EarlyStopping],
                       "nn.EarlyStopping"),
                      (nn.EarlyStopping, "nn.EarlyStopping"),
                      ([nn.StepLR], "nn.StepLR"),
                      ([Callback], "nn.callbacks.Callback")):
        with pytest.raises(TypeError, match=rf"^fit: callbacks holds the class {name}, not a "
                                            rf"callback; pass one made from it: {name}\(\.\.\.\)$"):
            go(callbacks=cbs)
    assert epochs_seen == []  # refused before the first epoch
    after = m.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    h = fit(m, nn.cross_entropy, nn.SGD(m.parameters(), lr=0.5), (X, y), epochs=2,
            progress=False, penalty=functools.partial(nn.l2_penalty, coef=1e-3),
            callbacks=[nn.EarlyStopping(monitor="loss")])
    assert h["penalty"][0] > 0 and len(h) == 2


def test_divergence_stops_with_epoch_and_step_before_updating():
    X, y = blobs(n_samples=20, n_classes=2, seed=0)
    m = nn.MLP(2, [], 2, seed=0)
    calls = {"n": 0}
    snapshots = []

    def loss_fn(out, target):
        calls["n"] += 1
        loss = nn.cross_entropy(out, target)
        return loss * np.nan if calls["n"] == 5 else loss

    # 2 steps per epoch: call 5 is epoch 3, step 1
    with pytest.raises(TrainingDiverged, match="loss is nan at epoch 3, step 1") as info:
        fit(m, loss_fn, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=5, batch_size=10,
            seed=0, progress=False, callbacks=[lambda e, logs: snapshots.append(m.state_dict())])
    assert info.value.epoch == 3 and info.value.step == 1
    assert isinstance(info.value, FloatingPointError)
    after = m.state_dict()
    assert all(np.array_equal(after[k], snapshots[-1][k]) for k in after)  # not updated
    assert m.training  # mode restored even on error


def test_real_divergence_from_a_huge_learning_rate():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)) * 100.0
    y = X @ np.array([1.0, -2.0, 0.5])
    m = nn.Linear(3, 1, seed=0)
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged, match=r"loss is (inf|nan)"):
        fit(m, lambda o, t: nn.mse(o[:, 0], t), nn.SGD(m.parameters(), lr=10.0), (X, y),
            epochs=50, batch_size=16, metrics=None, progress=False, seed=0)


def test_bad_inputs_are_caught_before_training():
    X, y = blobs(n_samples=20, n_classes=2, seed=0)
    m = nn.MLP(2, [], 2, seed=0)
    opt = nn.SGD(m.parameters(), lr=0.1)
    before = m.state_dict()

    def go(**kw):
        args = dict(model=m, loss_fn=nn.cross_entropy, optimizer=opt, train=(X, y), epochs=1,
                    batch_size=4, progress=False)
        args.update(kw)
        return fit(**args)

    Xn = X.copy()
    Xn[3, 1] = np.nan
    msg = r"train: X contains NaN or inf \(1 entries, the first at index \(3, 1\)\)"
    with pytest.raises(ValueError, match=msg):
        go(train=(Xn, y))
    Xi = X.copy()
    Xi[0, 0] = np.inf
    with pytest.raises(ValueError, match="val: X contains NaN or inf"):
        go(val=(Xi, y))
    with pytest.raises(ValueError, match=r"train: X and y .* len\(X\) = 20, len\(y\) = 19"):
        go(train=(X, y[:-1]))
    with pytest.raises(ValueError, match="train: X is empty"):
        go(train=(X[:0], y[:0]))
    with pytest.raises(ValueError, match="batch_size must be > 0, got 0"):
        go(batch_size=0)
    with pytest.raises(ValueError, match="epochs must be > 0, got 0"):
        go(epochs=0)
    with pytest.raises(TypeError, match=r"train must be a tuple \(X, y\)"):
        go(train=X)
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        go(metrics=["f1"])
    with pytest.raises(TypeError, match="optimizer must have a zero_grad"):
        go(optimizer=object())
    with pytest.raises(ValueError, match=r"loss_fn must return a scalar, got shape \(4,\)"):
        go(loss_fn=lambda o, t: nn.cross_entropy(o, t, reduction="none"))
    after = m.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_a_loss_name_works_like_the_function():
    X, y = blobs(n_samples=40, n_classes=3, seed=0)
    runs = []
    for loss in (nn.cross_entropy, "cross_entropy", "Cross-Entropy"):
        m = nn.MLP(2, [4], 3, seed=0)
        h = fit(m, loss, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=2, batch_size=8,
                progress=False, seed=0)
        runs.append((h["loss"], evaluate(m, loss, (X, y))))
    assert runs[1] == runs[0] and runs[2] == runs[0]
    with pytest.raises(ValueError, match=r"^fit\(model, loss_fn, optimizer, train=\(X, y\), "
                                         r"epochs\): unknown loss 'crossentropy'; known: "):
        fit(m, "crossentropy", nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=1)


def test_mistakes_in_fits_arguments_say_what_was_expected():
    X, y = blobs(n_samples=20, n_classes=2, seed=0)
    m = nn.MLP(2, [], 2, seed=0)
    opt = nn.SGD(m.parameters(), lr=0.1)
    before = m.state_dict()
    with pytest.raises(TypeError, match=r"fit: optimizer is the class nn.SGD, not an "
                                        r"optimizer; pass one built on the model's parameters: "
                                        r"nn.SGD\(model.parameters\(\), lr=...\)"):
        fit(m, nn.cross_entropy, nn.SGD, (X, y), epochs=1, progress=False)
    with pytest.raises(TypeError, match=r"nn.get_optimizer\('adam', model.parameters\(\)"):
        fit(m, nn.cross_entropy, "adam", (X, y), epochs=1, progress=False)
    with pytest.raises(TypeError, match=r"val must be a tuple \(X, y\) of arrays, got a tuple "
                                        r"of 3 items"):
        fit(m, nn.cross_entropy, opt, (X, y), epochs=1, val=(X, y, 1), progress=False)
    with pytest.raises(TypeError, match=r"train must be a tuple \(X, y\) of arrays, got a "
                                        r"list of 1 items"):
        fit(m, nn.cross_entropy, opt, [X], epochs=1, progress=False)
    with pytest.raises(TypeError, match=r"loss_fn must be a loss function f\(output, target\), "
                                        r"a loss name such as 'cross_entropy'; got SGD \(that is "
                                        r"an optimizer: the loss comes first\)"):
        fit(m, opt, nn.cross_entropy, (X, y), epochs=1, progress=False)
    with pytest.raises(TypeError, match="loss_fn must be a loss function.*; got int"):
        fit(m, 3, opt, (X, y), epochs=1, progress=False)
    after = m.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_evaluate_without_a_loss_names_its_signature():
    X, y = blobs(n_samples=20, n_classes=2, seed=0)
    m = nn.MLP(2, [], 2, seed=0)
    with pytest.raises(TypeError, match=r"^evaluate\(model, loss_fn, data=\(X, y\)\): no data "
                                        r"given \(the second argument is the loss; your \(X, y\) "
                                        r"went there\); e.g. evaluate\(model, nn.cross_entropy, "
                                        r"\(X, y\)\), or evaluate\(model, None, \(X, y\)\)"):
        evaluate(m, (X, y))
    with pytest.raises(TypeError, match="no data given; e.g."):
        evaluate(m, nn.cross_entropy)
    metrics_only = evaluate(m, data=(X, y))  # loss_fn defaults to None
    assert metrics_only == evaluate(m, None, (X, y)) and set(metrics_only) == {"accuracy"}
    with pytest.raises(TypeError, match=r"a loss name such as 'cross_entropy', None \(metrics "
                                        r"only\); got ndarray"):
        evaluate(m, X, (X, y))
    for y2 in (y, np.eye(2)[y]):  # also when (X, Y) would line up as one array
        with pytest.raises(TypeError, match=r"predict takes the inputs X alone, not \(X, y\)"):
            predict(m, (X, y2))
    rows = predict(m, (X[0], X[1]))  # two samples as a tuple of rows still work
    np.testing.assert_array_equal(rows, predict(m, X[:2]))


def test_progress_bar_on_and_off(capsys):
    X, y = blobs(n_samples=20, n_classes=2, seed=0)
    m = nn.MLP(2, [], 2, seed=0)
    fit(m, nn.cross_entropy, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=2, batch_size=5,
        progress=False)
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""
    fit(m, nn.cross_entropy, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=2, batch_size=5,
        progress=True)
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "8/8" in err and "100%" in err


# --------------------------------------------------------------------------- callbacks


class FakeModel:
    """Just enough for EarlyStopping: a state that changes every epoch."""

    def __init__(self):
        self.w = np.zeros(1)

    def state_dict(self):
        return {"w": self.w.copy()}

    def load_state_dict(self, sd):
        self.w[...] = sd["w"]


def test_a_sum_loss_gives_train_and_val_curves_on_one_scale():
    # half_sse sums over a batch: validation in batches of up to 256 against training in
    # batches of 32 drew a val curve 6x above the train curve on the same data
    X, y = blobs(n_samples=300, n_classes=2, seed=0)
    y = y[:, None].astype(float)
    model = nn.MLP(2, [4], 1, seed=0)
    hist = fit(model, nn.half_sse, nn.SGD(model.parameters(), lr=0.0), (X, y), epochs=1,
               batch_size=32, val=(X, y), metrics=None, shuffle=False, progress=False)
    np.testing.assert_allclose(hist["val_loss"], hist["loss"], rtol=1e-12)


def test_fit_refuses_an_optimizer_made_for_another_model():
    X, y = xor()
    old = nn.MLP(2, [4], 2, seed=0)
    opt = nn.SGD(old.parameters(), lr=0.1)
    model = nn.MLP(2, [4], 2, seed=0)  # the cell that made the model, run again
    with pytest.raises(ValueError, match=r"fit: the optimizer holds none of this model's "
                                         r"parameters.*re-running a cell"):
        fit(model, nn.cross_entropy, opt, (X, y), epochs=1, progress=False)


def test_regression_is_not_scored_with_accuracy_by_default():
    # metrics defaulted to accuracy, which logged 0.0 for every regression run
    X = np.linspace(-2, 2, 40)[:, None]
    y = np.sin(X)
    model = nn.MLP(1, [8], 1, seed=0)
    hist = fit(model, nn.mse, nn.SGD(model.parameters(), lr=0.05), (X, y), epochs=2,
               val=(X, y), progress=False)
    assert list(hist.history) == ["loss", "val_loss"]
    assert list(evaluate(model, nn.mse, (X, y))) == ["loss"]
    assert "accuracy" in evaluate(model, nn.mse, (X, y), metrics=["accuracy", "mse"])
    Xc, yc = blobs(n_samples=40, n_classes=2, seed=0)  # class labels, ints or 0/1 floats
    clf = nn.MLP(2, [4], 1, seed=0)
    for labels in (yc, yc[:, None].astype(float)):
        h = fit(clf, nn.binary_cross_entropy_with_logits, nn.SGD(clf.parameters(), lr=0.1),
                (Xc, labels.reshape(-1, 1)), epochs=1, progress=False)
        assert "accuracy" in h.history
    soft = np.eye(2)[yc] * 0.9 + 0.05  # smoothed one-hot rows are classes too
    two = nn.MLP(2, [4], 2, seed=0)
    h = fit(two, nn.cross_entropy, nn.SGD(two.parameters(), lr=0.1), (Xc, soft), epochs=1,
            progress=False)
    assert "accuracy" in h.history
    es = EarlyStopping(monitor="val_accuracy")  # asked for, but not computed: say how
    with pytest.raises(KeyError, match=r"pass metrics=\['accuracy'\] to fit"):
        es.on_epoch_end(1, {"loss": 1.0, "val_loss": 1.0})


def _identity_unit(threshold=None):
    """A 1-input unit whose output is its input (weight 1, bias 0)."""
    unit = nn.Linear(1, 1) if threshold is None else nn.Adaline(1, threshold=threshold)
    unit.weight.data[...] = 1.0
    if getattr(unit, "bias", None) is not None:
        unit.bias.data[...] = 0.0
    return unit


def test_auto_metrics_choose_by_the_loss():
    # logits were read at 0.5 (z = 0.1 and 0.3 counted as class 0), and a regression with
    # whole-number targets was reported with an 'accuracy' of 0.0
    X = np.array([[0.1], [0.3], [-0.2], [0.6]])  # the unit's outputs: logits or scores
    y01, ypm = np.array([1, 1, 0, 1]), np.array([1, 1, -1, 1])
    unit = _identity_unit()
    assert accuracy(X, y01) == 0.5  # what the 0.5 rule said
    for loss in (nn.binary_cross_entropy_with_logits, "bce_with_logits",
                 functools.partial(nn.binary_cross_entropy_with_logits, reduction="sum")):
        assert evaluate(unit, loss, (X, y01[:, None]))["accuracy"] == 1.0
    assert evaluate(unit, nn.hinge, (X, ypm[:, None]))["accuracy"] == 1.0
    h = fit(unit, nn.binary_cross_entropy_with_logits, nn.SGD(unit.parameters(), lr=1e-9),
            (X, y01[:, None]), epochs=1, progress=False)
    assert h["accuracy"] == [1.0]
    probs = np.array([[0.9], [0.6], [0.4], [0.45]])  # probabilities: still 0.5
    assert evaluate(unit, nn.binary_cross_entropy, (probs, y01[:, None]))["accuracy"] == 0.75
    assert list(evaluate(unit, nn.binary_cross_entropy, (probs, probs))) == ["loss"]  # soft
    ages = np.array([[151.0], [75.0], [141.0], [206.0]])  # whole numbers, a regression
    for loss in (nn.mse, nn.half_sse, "mse"):
        assert list(evaluate(unit, loss, (X, ages))) == ["loss"]
    h = fit(unit, nn.mse, nn.SGD(unit.parameters(), lr=1e-9), (X, ages), epochs=1,
            val=(X, ages), progress=False)
    assert list(h.history) == ["loss", "val_loss"]
    # a Perceptron or an Adaline is a classifier trained on a squared loss: scored as its
    # predict scores, the Adaline at its own threshold
    ada = _identity_unit(threshold=0.0)
    assert evaluate(ada, nn.half_sse, (X, ypm))["accuracy"] == 1.0
    assert np.mean(2 * ada.predict(X) - 1 == ypm) == 1.0
    assert evaluate(nn.Perceptron(1), nn.half_sse, (X, y01))["accuracy"] == 0.25
    # 0/1 targets on a squared loss: the lecture's classifiers (a sigmoid MLP on XOR)
    assert evaluate(unit, nn.mse, (X, y01[:, None]))["accuracy"] == 0.5
    assert evaluate(unit, nn.half_sse, (X, y01[:, None].astype(float)))["accuracy"] == 0.5
    two = nn.Linear(1, 2)  # one-hot rows: accuracy by the arg max; several 1s a row: none
    assert "accuracy" in evaluate(two, nn.mse, (X, np.eye(2)[y01]))
    assert list(evaluate(two, nn.mse, (X, np.array([[1, 1], [0, 1], [1, 0], [1, 1]])))) == [
        "loss"]
    # another loss (a lambda, no loss): accuracy when the targets are classes, as before
    sq = lambda out, t: ((out - t) ** 2).mean()  # noqa: E731
    assert evaluate(unit, sq, (X, y01[:, None]))["accuracy"] == 0.5
    assert list(evaluate(unit, sq, (X, X * 1.5))) == ["loss"]
    assert evaluate(unit, None, (X, y01))["accuracy"] == 0.5
    assert evaluate(unit, nn.mse, (X, y01[:, None]), metrics=["accuracy_logits"]) == {
        "loss": pytest.approx(np.mean((X[:, 0] - y01) ** 2)), "accuracy_logits": 1.0}


def test_a_learning_rate_schedule_steps_as_a_callback():
    X, y = xor()
    model = nn.MLP(2, [4], 2, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.4)
    fit(model, nn.cross_entropy, opt, (X, y), epochs=4, progress=False,
        callbacks=[nn.StepLR(opt, step_size=2, gamma=0.5)])
    assert opt.lr == pytest.approx(0.1)  # halved after epochs 2 and 4
    fit(model, nn.cross_entropy, opt, (X, y), epochs=2, progress=False,
        callbacks=nn.StepLR(opt, step_size=2, gamma=0.5))  # one, not in a list
    assert opt.lr == pytest.approx(0.2)  # from the group's initial_lr 0.4, as PyTorch


def test_early_stopping_suggests_the_key_it_meant():
    es = EarlyStopping(monitor="val_acc")
    with pytest.raises(KeyError, match=r"did you mean 'val_accuracy'\?"):
        es.on_epoch_end(1, {"loss": 1.0, "val_loss": 1.0, "val_accuracy": 0.5})
    with pytest.raises(KeyError, match=r"pass val=\(X_val, y_val\) to fit"):
        EarlyStopping(monitor="val_loss").on_epoch_end(1, {"loss": 1.0})


def test_early_stopping_logic_on_a_given_curve():
    curve = [1.0, 0.8, 0.7, 0.69, 0.75, 0.72, 0.9, 0.6]
    model, hist = FakeModel(), History()
    es = EarlyStopping(monitor="val_loss", patience=3, min_delta=0.02)
    es.on_train_begin(model, hist)
    stopped_at = None
    for epoch, v in enumerate(curve, 1):
        model.w[0] = epoch  # the "weights" of this epoch
        hist.append(epoch, {"val_loss": v})
        if es.on_epoch_end(epoch, {"val_loss": v}):
            stopped_at = epoch
            break
    es.on_train_end(model, hist)
    # 0.69 is not better than 0.7 by more than min_delta: best is epoch 3
    assert (es.best_epoch, es.best, stopped_at, es.stopped_epoch) == (3, 0.7, 6, 6)
    assert es.restored and model.w[0] == 3.0

    acc = EarlyStopping(monitor="val_accuracy", patience=1)
    assert acc.mode == "max"
    acc.on_train_begin(FakeModel(), History())
    assert acc.on_epoch_end(1, {"val_accuracy": 0.5}) is None
    assert acc.on_epoch_end(2, {"val_accuracy": 0.4}) is True
    msg = r"'val_loss'.*not in the epoch's logs \['loss'\] \(pass val="
    with pytest.raises(KeyError, match=msg):
        EarlyStopping().on_epoch_end(1, {"loss": 1.0})
    with pytest.raises(ValueError, match="patience must be an int >= 1"):
        EarlyStopping(patience=0)


def test_early_stopping_in_fit_restores_the_best_weights():
    # few noisy samples and a big network: the validation loss turns up (overfitting)
    X, y = blobs(n_samples=400, n_classes=2, center_radius=1.0, spread=0.45, seed=0)
    rng = np.random.default_rng(0)
    flip = rng.random(len(y)) < 0.25
    y_noisy = np.where(flip, 1 - y, y)
    Xtr, Xv, ytr, yv = train_test_split(X, y_noisy, test_size=0.5, seed=0)
    Xtr, ytr = Xtr[:40], ytr[:40]
    m = nn.MLP(2, [64, 64], 2, seed=0)
    es = EarlyStopping(monitor="val_loss", patience=10)
    hist = fit(m, nn.cross_entropy, nn.Adam(m.parameters(), lr=0.02), (Xtr, ytr), epochs=300,
               batch_size=40, val=(Xv, yv), seed=0, progress=False, callbacks=[es])
    assert len(hist) < 300 and es.stopped_epoch == len(hist)
    best_epoch, best = hist.best("val_loss")
    assert es.best_epoch == best_epoch == len(hist) - 10
    assert es.restored
    np.testing.assert_allclose(evaluate(m, nn.cross_entropy, (Xv, yv), batch_size=256)["loss"],
                               best, rtol=1e-12)
    assert hist["val_loss"][-1] > best


def test_callback_protocol_hooks_and_stop():
    X, y = blobs(n_samples=20, n_classes=2, seed=0)
    events = []

    class Rec(Callback):
        def on_train_begin(self, model, history):
            events.append("begin")

        def on_epoch_end(self, epoch, logs):
            events.append((epoch, sorted(logs)))
            if epoch == 2:
                self.stop_training = True

        def on_train_end(self, model, history):
            events.append(("end", len(history)))

    m = nn.MLP(2, [], 2, seed=0)
    hist = fit(m, nn.cross_entropy, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=10,
               batch_size=10, progress=False, callbacks=[Rec()])
    assert events == ["begin", (1, ["accuracy", "loss"]), (2, ["accuracy", "loss"]), ("end", 2)]
    hist = fit(m, nn.cross_entropy, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=10,
               batch_size=10, progress=False, callbacks=lambda e, logs: e == 4)
    assert hist.epochs == [1, 2, 3, 4]
    with pytest.raises(TypeError, match=r"a callback is a Callback, a function f\(epoch, "
                                        r"logs\) or a learning-rate schedule, got int"):
        fit(m, nn.cross_entropy, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=1,
            batch_size=10, progress=False, callbacks=[3])
    # np.True_ stops too; a truthy value of another kind (m.eval() returns the model) would
    # have stopped after one epoch without a word: refused, naming what came back
    hist = fit(m, nn.cross_entropy, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=10,
               batch_size=10, progress=False, callbacks=lambda e, logs: np.int64(e) == 2)
    assert hist.epochs == [1, 2]
    with pytest.raises(TypeError, match=r"the callback LambdaCallback\('<lambda>'\) returned "
                                        r"an object of type MLP at the end of an epoch; a "
                                        r"callback returns "
                                        r"True to stop training, and None or False to go on"):
        fit(m, nn.cross_entropy, nn.SGD(m.parameters(), lr=0.1), (X, y), epochs=3,
            batch_size=10, progress=False, callbacks=lambda e, logs: m.eval())


# --------------------------------------------------------------------------- history export


def test_history_plot_csv_json(tmp_path):
    h = History()
    for e, (l, vl, a) in enumerate([(1.0, 1.1, 0.5), (0.5, 0.7, 0.8), (0.25, 0.8, 0.9)], 1):
        h.append(e, {"loss": l, "accuracy": a, "val_loss": vl, "val_accuracy": a - 0.1})
    png = tmp_path / "curves.png"
    fig = h.plot(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_title() == "loss" and acc_ax.get_title() == "accuracy"
    np.testing.assert_array_equal(loss_ax.lines[0].get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(loss_ax.lines[1].get_ydata(), [1.1, 0.7, 0.8])
    np.testing.assert_array_equal(loss_ax.lines[2].get_xdata(), [2, 2])  # best val_loss
    assert h.best("val_loss") == (2, 0.7) and h.best("val_accuracy") == (3, 0.8)

    csv_text = h.to_csv(tmp_path / "h.csv")
    assert csv_text.splitlines()[0] == "epoch,loss,accuracy,val_loss,val_accuracy"
    assert csv_text.splitlines()[2] == "2,0.5,0.8,0.7,0.7000000000000001"
    assert (tmp_path / "h.csv").read_text() == csv_text

    h.to_json(tmp_path / "h.json")
    back = History.from_json(tmp_path / "h.json")
    assert back.epochs == h.epochs and back.history == h.history
    assert json.loads(h.to_json())["history"]["loss"] == [1.0, 0.5, 0.25]
    with pytest.raises(ValueError, match="epoch 4 logs"):
        h.append(4, {"loss": 1.0})
    with pytest.raises(ValueError, match="nothing to plot"):
        History().plot()


@pytest.mark.parametrize("epochs", [3, 20])  # matplotlib's ticks were 1.25, ... / 2.5, 7.5, ...
def test_history_plot_epoch_axis_has_whole_numbers_only(epochs):
    h = History()
    for e in range(1, epochs + 1):
        h.append(e, {"loss": 1.0 / e, "val_loss": 1.2 / e})
    fig = h.plot()
    fig.canvas.draw()
    (ax,) = fig.axes
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks), ticks


def test_history_plot_format_follows_the_extension(tmp_path):
    h = History()
    h.append(1, {"loss": 1.0})
    h.append(2, {"loss": 0.5})
    h.plot(tmp_path / "c.pdf")
    h.plot(tmp_path / "c.svg")
    h.plot(tmp_path / "c")  # no extension: PNG, under the name given
    assert (tmp_path / "c.pdf").read_bytes()[:5] == b"%PDF-"
    assert b"<svg" in (tmp_path / "c.svg").read_bytes()[:1000]
    assert (tmp_path / "c").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"History.plot: cannot save '.*c.docx' as .docx; "
                                         r"supported: .*png.*svg"):
        h.plot(tmp_path / "c.docx")
    assert not (tmp_path / "c.docx").exists()
    with pytest.raises(ValueError, match=r"as \.01; .* add one: '.*curves_lr0\.01\.png'"):
        h.plot(tmp_path / "curves_lr0.01")


def test_history_writers_create_missing_folders(tmp_path, monkeypatch):
    h = History()
    for e in (1, 2):
        h.append(e, {"loss": 1.0 / e, "val_loss": 1.5 / e})
    monkeypatch.chdir(tmp_path)  # relative paths, as in the walk-through: out/curves.png
    h.plot("out/curves.png")
    h.to_csv(tmp_path / "a" / "b" / "h.csv")
    h.to_json(tmp_path / "c" / "h.json")
    assert (tmp_path / "out" / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "a" / "b" / "h.csv").read_text().startswith("epoch,loss,val_loss")
    assert History.from_json(tmp_path / "c" / "h.json").history == h.history
    h.plot("here.png")  # no folder part: the working directory
    assert (tmp_path / "here.png").is_file()


# --------------------------------------------------------------------------- ensembles


def test_a_softmax_ensemble_is_scored_with_nll():
    X, y = blobs(n_samples=30, n_classes=3, seed=1)
    members = [nn.MLP(2, [5], 3, seed=s) for s in range(3)]
    ens = Ensemble(members, transform="softmax")
    probs = np.mean([_softmax(predict(m, X)) for m in members], axis=0)
    truth = -np.mean(np.log(probs[np.arange(30), y]))
    got = evaluate(ens, nn.nll, (X, y))
    assert got["loss"] == pytest.approx(truth, rel=1e-12)
    assert evaluate(ens, "nll", (X, y)) == got
    wrong = evaluate(ens, nn.cross_entropy, (X, y))["loss"]  # log_softmax of probabilities
    assert abs(wrong - truth) > 0.05
    assert nn.nll is nn.losses.nll and "nll" in nn.__all__
    doc = Ensemble.__doc__
    assert "nn.nll" in doc and "nn.binary_cross_entropy" in doc
    assert "nn.training.average_parameters" in doc and not hasattr(nn, "average_parameters")


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _permuted_copy(model, perm):
    """The same function with the hidden units relabelled: W1 columns, b1, W2 rows."""
    twin = average_parameters([model])
    sd = twin.state_dict()
    sd["0.weight"] = sd["0.weight"][:, perm]
    sd["0.bias"] = sd["0.bias"][perm]
    sd["2.weight"] = sd["2.weight"][perm, :]
    twin.load_state_dict(sd)
    return twin


def test_average_predictions_not_parameters():
    Xtr, Xte, ytr, yte = _digits_split()
    model = nn.MLP(64, [32], 10, seed=0)
    fit(model, nn.cross_entropy, nn.Adam(model.parameters(), lr=3e-3), (Xtr, ytr),
        epochs=10, batch_size=32, seed=0, progress=False)
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    twin = _permuted_copy(model, np.random.default_rng(1).permutation(32))
    np.testing.assert_allclose(predict(twin, Xte), predict(model, Xte), rtol=1e-10, atol=1e-10)
    acc = evaluate(model, None, (Xte, yte))["accuracy"]

    ens = Ensemble([model, twin])
    np.testing.assert_allclose(predict(ens, Xte), predict(model, Xte), rtol=1e-10, atol=1e-10)
    mixed = average_parameters([model, twin])
    acc_mixed = evaluate(mixed, None, (Xte, yte))["accuracy"]
    print(f"digits: network {acc:.3f}, its relabelled twin {acc:.3f}, ensemble {acc:.3f}, "
          f"parameter average {acc_mixed:.3f}")
    assert acc > 0.95 and acc_mixed < acc - 0.1

    # average_parameters is the arithmetic mean, in the model's dtype, on a fresh copy
    sd_m, sd_t = model.state_dict(), twin.state_dict()
    for k, v in mixed.state_dict().items():
        np.testing.assert_allclose(v, (sd_m[k] + sd_t[k]) / 2, rtol=1e-15)
        assert v.dtype == sd_m[k].dtype
    assert mixed is not model and all(p.grad is None for p in mixed.parameters())


def test_ensemble_averages_probabilities_of_independent_networks():
    Xtr, Xte, ytr, yte = _digits_split()
    members = []
    for s in range(3):
        m = nn.MLP(64, [32], 10, seed=s, dtype=np.float32)
        fit(m, nn.cross_entropy, nn.Adam(m.parameters(), lr=3e-3), (Xtr, ytr), epochs=8,
            batch_size=32, seed=s, progress=False)
        members.append(m)
    ens = Ensemble(members, transform="softmax")
    probs = predict(ens, Xte)
    expected = np.mean([_softmax(predict(m, Xte)) for m in members], axis=0)
    np.testing.assert_allclose(probs, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    accs = [evaluate(m, None, (Xte, yte))["accuracy"] for m in members]
    acc_ens = evaluate(ens, None, (Xte, yte))["accuracy"]
    acc_avg = evaluate(average_parameters(members), None, (Xte, yte))["accuracy"]
    print(f"members {np.round(accs, 3)}, ensemble {acc_ens:.3f}, parameter average {acc_avg:.3f}")
    assert acc_ens >= np.mean(accs)
    assert acc_avg < min(accs) - 0.05
    assert len(list(ens.parameters())) == 12
    with pytest.raises(ValueError, match="unknown transform 'max'"):
        Ensemble(members, transform="max")
    with pytest.raises(ValueError, match="has shape"):
        average_parameters([members[0], nn.MLP(64, [16], 10)])


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_a_perceptron_refuses_plus_minus_one_targets():
    # with ±1 labels the step's 0/1 output never matches -1: the loss stalled at 0.25 and
    # correctly classified -1 samples kept moving the weights, without a word
    X, y = blobs(n_samples=20, n_classes=2, seed=0)
    p = nn.Perceptron(2)
    with pytest.raises(ValueError, match=r"fit: a Perceptron outputs 0 or 1 \(the step f\(z\)\), "
                                         r"so its targets must be 0/1, got values from -1 to 1; "
                                         r"for ±1 labels pass \(y \+ 1\) / 2"):
        fit(p, nn.half_sse, nn.SGD(p.parameters(), lr=0.1), (X, 2 * y - 1), epochs=1,
            progress=False)
    with pytest.raises(ValueError, match=r"a Perceptron outputs 0 or 1"):  # the val set too
        fit(p, nn.half_sse, nn.SGD(p.parameters(), lr=0.1), (X, y), epochs=1,
            val=(X, 2 * y - 1), progress=False)


def test_fit_with_X_and_y_apart_says_they_go_together():
    """``fit(model, loss, opt, X, y)`` took y for ``epochs``; the message blamed epochs."""
    model = nn.MLP(2, [3], 1, seed=0)
    X, y = np.ones((4, 2)), np.ones((4, 1))
    with pytest.raises(TypeError, match=r"^train must be a tuple \(X, y\) of arrays, got ndarray "
                       r"\(inputs and targets go together: fit\(model, loss_fn, optimizer, "
                       r"\(X, y\), epochs=10\)\)$"):
        nn.fit(model, nn.mse, nn.SGD(model.parameters(), lr=0.1), X, y)
    with pytest.raises(TypeError, match=r"^train must be a tuple \(X, y\) of arrays, got a list "
                       r"of 4 items \(inputs and targets go together"):  # micrograd's xs, ys
        nn.fit(model, nn.mse, nn.SGD(model.parameters(), lr=0.1), X.tolist(), y.tolist())
    with pytest.raises(TypeError, match=r"got Value \(inputs and targets go together"):
        nn.fit(model, nn.mse, nn.SGD(model.parameters(), lr=0.1), Value(X), y)
