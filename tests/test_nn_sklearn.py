"""nn.sklearn: estimator conventions, cross_val_score and Pipeline, the lecture's facts."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

from nn.data import Standardizer, blobs, xor
from nn.sklearn import (
    AdalineClassifier,
    MLPClassifier,
    NotFittedError,
    PerceptronClassifier,
    lms_stability_bound,
)

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone, is_classifier  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """Tiny matrices: one BLAS thread is faster and keeps the 2-core machine usable."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def test_importing_does_not_import_sklearn():
    code = "import sys, nn.sklearn; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- conventions


@pytest.mark.parametrize("cls", [PerceptronClassifier, AdalineClassifier, MLPClassifier])
def test_params_clone_and_unfitted_state(cls):
    est = cls(seed=3)
    params = est.get_params()
    assert params["seed"] == 3 and "verbose" in params
    assert not [a for a in vars(est) if a.endswith("_")]  # the constructor stores only
    twin = clone(est)
    assert twin is not est and twin.get_params() == params
    assert is_classifier(est)
    assert est.set_params(verbose=True) is est and est.verbose is True
    msg = f"Invalid parameter 'colour' for estimator {cls.__name__}"
    with pytest.raises(ValueError, match=msg):
        est.set_params(colour="red")
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        est.predict(np.zeros((2, 2)))
    # when the caller uses sklearn, it is sklearn's NotFittedError too
    with pytest.raises(sklearn.exceptions.NotFittedError):
        est.predict(np.zeros((2, 2)))
    assert repr(cls(seed=3)) == f"{cls.__name__}(seed=3)"


def test_sklearn_check_estimator_suite():
    from sklearn.utils.estimator_checks import check_estimator

    diverges = ("LMS with the default eta=0.01 diverges on this check's unscaled data "
                "(a clear ValueError naming the stability bound)")
    cases = [
        (PerceptronClassifier(batch_size=10, epochs=20, seed=0), {}),
        (AdalineClassifier(epochs=30, seed=0),
         {c: diverges for c in ("check_fit_idempotent", "check_fit_check_is_fitted",
                                "check_n_features_in")}),
        (MLPClassifier(hidden=(16,), epochs=30, lr=1e-2, seed=0), {}),
    ]
    for est, expected in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = check_estimator(est, on_fail=None, expected_failed_checks=expected)
        failed = [r["check_name"] for r in results
                  if r["status"] == "failed" and not r["expected_to_fail"]]
        assert failed == [], (type(est).__name__, failed)
        assert sum(r["status"] == "passed" for r in results) >= 45
        xfail = {r["check_name"] for r in results if r["status"] == "xfail"}
        assert xfail <= set(expected)


def test_validation_messages():
    X, y = blobs(n_samples=40, n_classes=2, seed=0)
    est = PerceptronClassifier(seed=0).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but PerceptronClassifier is "
                                         "expecting 2 features as input"):
        est.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="Input X contains NaN"):
        PerceptronClassifier().fit(np.array([[np.nan, 1.0], [0.0, 1.0]]), [0, 1])
    with pytest.raises(ValueError, match="only one class: 7"):
        PerceptronClassifier().fit(X, np.full(40, 7))
    with pytest.raises(ValueError, match="X has 40 samples but y has 39"):
        PerceptronClassifier().fit(X, y[:39])
    with pytest.raises(ValueError, match="Reshape your data"):
        PerceptronClassifier().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="continuous values"):
        PerceptronClassifier().fit(X, y + 0.5)


# --------------------------------------------------------------------------- the lecture


def test_perceptron_separable_zero_errors_and_converges():
    X, y = blobs(n_samples=200, n_classes=2, seed=4)
    est = PerceptronClassifier(seed=0).fit(X, y)
    assert est.score(X, y) == 1.0 and est.converged_
    assert est.n_iter_ < est.epochs and est.history_["_units_all_right"][-1] == 1.0
    # the decision function is the net input z = w^T x + b, with the learned weights
    z = X @ est.coef_[0] + est.intercept_[0]
    np.testing.assert_allclose(est.decision_function(X), z, rtol=1e-12)
    np.testing.assert_array_equal(est.predict(X), (z > 0).astype(int))
    # the lecture's bias node gives the same classifier
    node = PerceptronClassifier(seed=0, bias_as_input=True).fit(X, y)
    assert node.score(X, y) == 1.0
    # three separable classes: one unit per class, zero errors as well
    X3, y3 = blobs(n_samples=300, n_classes=3, seed=1)
    est3 = PerceptronClassifier(seed=0, batch_size=10).fit(X3, y3)
    assert est3.score(X3, y3) == 1.0 and est3.coef_.shape == (3, 2)


def test_xor_perceptron_fails_mlp_solves():
    X, y = xor(n_repeats=20, noise=0.05, seed=0, shuffle=True)
    p = PerceptronClassifier(epochs=30, seed=0).fit(X, y)
    assert not p.converged_ and p.n_iter_ == 30
    assert p.score(X, y) <= 0.75
    m = MLPClassifier(hidden=(8,), activation="tanh", lr=0.05, batch_size=20, epochs=150,
                      alpha=0.0, seed=0).fit(X, y)
    assert m.score(X, y) == 1.0
    print(f"XOR: perceptron {p.score(X, y):.2f}, MLPClassifier {m.score(X, y):.2f}")


def test_adaline_reaches_the_least_squares_solution():
    X, y = blobs(n_samples=150, n_classes=3, seed=2, spread=1.4)
    Xs = Standardizer().fit_transform(X)
    # full-batch gradient descent with a learning rate safely under the bound
    eta = 0.9 * lms_stability_bound(Xs)
    est = AdalineClassifier(eta=eta, epochs=3000, batch_size=150, shuffle=False).fit(Xs, y)
    A = np.column_stack([Xs, np.ones(len(Xs))])
    sol, *_ = np.linalg.lstsq(A, np.eye(3)[y], rcond=None)
    np.testing.assert_allclose(est.coef_, sol[:2].T, atol=1e-8)
    np.testing.assert_allclose(est.intercept_, sol[2], atol=1e-8)
    # two classes: one nn.Adaline unit, thresholded at 0.5
    y2 = (y == 0).astype(int)
    est2 = AdalineClassifier(eta=eta, epochs=3000, batch_size=150, shuffle=False).fit(Xs, y2)
    sol2, *_ = np.linalg.lstsq(A, y2.astype(float), rcond=None)
    np.testing.assert_allclose(est2.coef_[0], sol2[:2], atol=1e-8)
    np.testing.assert_array_equal(est2.predict(Xs), (A @ sol2 > 0.5).astype(int))


def test_adaline_divergence_names_the_stability_bound():
    X, y = blobs(n_samples=60, n_classes=2, seed=0)
    X = X * 100.0
    bound = 2.0 / np.linalg.eigvalsh(np.column_stack([X, np.ones(60)]).T
                                     @ np.column_stack([X, np.ones(60)]) / 60)[-1]
    assert lms_stability_bound(X) == pytest.approx(bound, rel=1e-12)
    with np.errstate(all="ignore"), pytest.raises(
        ValueError, match=rf"eta=0.01 is above the LMS stability bound .* = {bound:.3g}"
    ):
        AdalineClassifier(eta=0.01, epochs=200, seed=0).fit(X, y)


# --------------------------------------------------------------------------- sklearn tools


def test_cross_val_score_on_iris_in_a_pipeline():
    X, y = load_iris(return_X_y=True)
    from sklearn.linear_model import Perceptron as SkPerceptron
    from sklearn.neural_network import MLPClassifier as SkMLP

    mlp = make_pipeline(StandardScaler(), MLPClassifier(hidden=(16,), lr=1e-2, batch_size=16,
                                                        epochs=60, seed=0))
    ours = cross_val_score(mlp, X, y, cv=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at the same 60-epoch budget
        theirs = cross_val_score(
            make_pipeline(StandardScaler(), SkMLP((16,), learning_rate_init=1e-2,
                                                  batch_size=16, max_iter=60, random_state=0)),
            X, y, cv=5)
    perc = cross_val_score(make_pipeline(StandardScaler(),
                                         PerceptronClassifier(batch_size=5, epochs=20, seed=0)),
                           X, y, cv=5)
    sk_perc = cross_val_score(make_pipeline(StandardScaler(), SkPerceptron(random_state=0)),
                              X, y, cv=5)
    ada = cross_val_score(make_pipeline(StandardScaler(),
                                        AdalineClassifier(eta=0.05, epochs=100, seed=0)),
                          X, y, cv=5)
    print(f"iris 5-fold accuracy: MLP {ours.mean():.3f} (sklearn {theirs.mean():.3f}), "
          f"perceptron {perc.mean():.3f} (sklearn {sk_perc.mean():.3f}), adaline {ada.mean():.3f}")
    assert ours.shape == (5,) and ours.mean() >= 0.93 and ours.mean() >= theirs.mean() - 0.03
    assert perc.mean() >= 0.75  # versicolor / virginica are not linearly separable
    assert ada.mean() >= 0.7  # least squares on one-hot targets: the middle class is masked


def test_arbitrary_label_values_round_trip():
    X, y = blobs(n_samples=90, n_classes=3, seed=0)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    est = MLPClassifier(hidden=(8,), lr=0.05, epochs=30, batch_size=16, seed=0).fit(X, names)
    np.testing.assert_array_equal(est.classes_, ["setosa", "versicolor", "virginica"])
    assert est.predict(X).dtype == names.dtype and est.score(X, names) == 1.0
    pm = np.where(y == 0, -1, 1)
    p = PerceptronClassifier(seed=0).fit(X, pm)
    assert set(np.unique(p.predict(X))) == {-1, 1} and p.score(X, pm) == 1.0
    odd = np.array([3, 7, 11])[y]
    a = AdalineClassifier(eta=0.01, epochs=50, seed=0).fit(X, odd)
    assert set(np.unique(a.predict(X))) <= {3, 7, 11}
    np.testing.assert_array_equal(a.classes_, [3, 7, 11])


def test_predict_proba_and_determinism():
    X, y = blobs(n_samples=120, n_classes=3, seed=5, spread=1.4)
    est = MLPClassifier(hidden=(16,), lr=0.02, epochs=20, batch_size=16, dropout=0.2,
                        seed=1).fit(X, y)
    proba = est.predict_proba(X)
    assert proba.shape == (120, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(est.classes_[proba.argmax(axis=1)], est.predict(X))
    np.testing.assert_allclose(est.predict_log_proba(X), np.log(proba), rtol=1e-10,
                               atol=1e-12)
    again = MLPClassifier(hidden=(16,), lr=0.02, epochs=20, batch_size=16, dropout=0.2,
                          seed=1).fit(X, y)
    assert again.predict_proba(X).tobytes() == proba.tobytes()
    assert len(est.loss_curve_) == est.n_iter_ == 20
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    assert not hasattr(PerceptronClassifier(), "predict_proba")


def test_mlp_early_stopping_and_float32():
    X, y = blobs(n_samples=200, n_classes=2, seed=0, center_radius=1.0, spread=0.45)
    flip = np.random.default_rng(0).random(200) < 0.3  # label noise: it will overfit
    y = np.where(flip, 1 - y, y)
    est = MLPClassifier(hidden=(64, 64), lr=0.02, epochs=300, batch_size=32, alpha=0.0,
                        early_stopping=True, patience=5, dtype="float32", seed=0).fit(X, y)
    assert est.n_iter_ < 300 and "val_loss" in est.history_
    assert est.model_.state_dict()["0.weight"].dtype == np.float32
    best_epoch, _ = est.history_.best("val_loss")
    assert best_epoch == est.n_iter_ - 5
