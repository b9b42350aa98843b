"""scikit-learn-style classifiers over the ``nn`` models, for ``cross_val_score`` and pipelines.

- :class:`PerceptronClassifier` — Rosenblatt's perceptron (``nn.Perceptron`` units).
- :class:`AdalineClassifier` — Widrow–Hoff's Adaline (``nn.Adaline`` units, LMS rule).
- :class:`MLPClassifier` — ``nn.MLP`` with softmax cross-entropy.

They follow scikit-learn's estimator conventions without importing scikit-learn (it is
optional; import this module freely): the constructor only stores its arguments;
``get_params`` / ``set_params`` read and write them (so ``sklearn.base.clone`` and grid
search work); ``fit`` validates the data and sets the fitted attributes, whose names end
in ``_`` (``classes_``, ``n_features_in_``, ``model_``, ``history_``, ``n_iter_``,
``loss_curve_``); ``predict`` returns labels of the original values (any labels — strings,
``{-1, 1}``, ``{3, 7}`` — are encoded as ``0 .. k-1`` for training and decoded back);
``score`` is the accuracy. ``__sklearn_tags__`` (imported lazily, only when scikit-learn
asks) marks them as classifiers, so ``cross_val_score`` stratifies its folds.

Two classes use a single ``nn.Perceptron`` / ``nn.Adaline`` unit. More classes use one
unit per class, each trained one-vs-rest on its own 0/1 target (a layer of the lecture's
single units, computed as one ``Linear`` layer whose column ``k`` is unit ``k``), and the
predicted class is the arg max of the net inputs ``z_k = w_k^T x + b_k``.

Parameter names follow this project (``seed``, ``epochs``, ``lr``), not scikit-learn's
``random_state``, ``max_iter``, ``learning_rate_init``; ``alpha`` (L2) and
``batch_size`` mean what they mean in ``sklearn.neural_network.MLPClassifier``.
Only :class:`MLPClassifier` has ``predict_proba``: a perceptron's step and an Adaline's
linear output are not probabilities (as in scikit-learn, whose ``Perceptron`` has none);
the two linear models offer ``decision_function`` instead.
"""

from __future__ import annotations

import inspect
import sys
import warnings
from typing import Any

import numpy as np

from autograd_core import Value, no_grad
from nn.callbacks import EarlyStopping, History
from nn.data import Seed, as_generator, train_test_split
from nn.layers import MLP, Adaline, Linear, Perceptron, add_bias_node
from nn.losses import cross_entropy, half_sse
from nn.module import Module
from nn.optim import SGD, get_optimizer
from nn.regularization import l2_penalty
from nn.training import TrainingDiverged, fit, predict

__all__ = [
    "AdalineClassifier",
    "MLPClassifier",
    "NotFittedError",
    "PerceptronClassifier",
    "lms_stability_bound",
]


class NotFittedError(ValueError, AttributeError):
    """``predict`` (or similar) before ``fit``; a ValueError and AttributeError, like sklearn's."""


_NOT_FITTED: list[type] = []


def _not_fitted_error_class() -> type:
    """Our NotFittedError, also a subclass of sklearn's when the caller has imported sklearn.

    sklearn is never imported here: only looked up in ``sys.modules``.
    """
    sk = sys.modules.get("sklearn.exceptions")
    if sk is None:
        return NotFittedError
    if not _NOT_FITTED:
        _NOT_FITTED.append(type("NotFittedError", (NotFittedError, sk.NotFittedError), {}))
    return _NOT_FITTED[0]


class _Classifier:
    """What the three estimators share: parameters, validation, label encoding, scoring."""

    _estimator_type = "classifier"  # scikit-learn < 1.6 reads this

    # ------------------------------------------------------------ parameters
    @classmethod
    def _get_param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return sorted(n for n, p in sig.parameters.items()
                      if n != "self" and p.kind is p.POSITIONAL_OR_KEYWORD)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments, as stored (scikit-learn's estimator API)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> _Classifier:
        """Set constructor arguments by name; returns self. Unknown names raise ValueError."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {valid!r}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        changed = []
        for name in self._get_param_names():
            default = sig.parameters[name].default
            value = getattr(self, name)
            if not (value is default or (np.isscalar(value) and value == default)):
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self):
        """Classifier tags for scikit-learn >= 1.6 (imported only when sklearn asks)."""
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags(),
            input_tags=InputTags(),
        )

    # ------------------------------------------------------------ data checks
    def _check_X(self, X: Any, reset: bool) -> np.ndarray:
        name = type(self).__name__
        if X is None:
            raise ValueError(f"{name}: X is None; expected an array of shape (n_samples, "
                             f"n_features)")
        if hasattr(X, "toarray") or hasattr(X, "tocsr"):
            raise TypeError(f"{name}: sparse input is not supported; pass a dense array "
                            f"(X.toarray())")
        X = np.asarray(X.data if isinstance(X, Value) else X)
        if X.dtype.kind == "c":
            raise ValueError(f"{name}: Complex data not supported (dtype {X.dtype})")
        if X.dtype.kind not in "biuf":
            try:
                X = X.astype(np.float64)
            except (TypeError, ValueError) as exc:  # keep numpy's own words: what was found
                raise type(exc)(f"{name}: X must be numeric ({exc})") from None
        if X.ndim != 2:
            raise ValueError(
                f"{name}: expected a 2-d array X of shape (n_samples, n_features), got shape "
                f"{X.shape}. Reshape your data with X.reshape(-1, 1) if it has one feature "
                f"or X.reshape(1, -1) if it is one sample"
            )
        if X.shape[0] == 0:
            raise ValueError(f"{name}: Found array with 0 sample(s) (shape={X.shape}) while a "
                             f"minimum of 1 is required.")
        if X.shape[1] == 0:
            raise ValueError(f"{name}: Found array with 0 feature(s) (shape={X.shape}) while a "
                             f"minimum of 1 is required.")
        X = X.astype(np.float64, copy=False)
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{name}: Input X contains NaN or infinity")
        if reset:
            self.n_features_in_ = X.shape[1]
        elif X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {name} is expecting {self.n_features_in_} "
                f"features as input."
            )
        return X

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise _not_fitted_error_class()(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                f"appropriate arguments before using this estimator."
            )

    def _encode(self, y: Any, n: int) -> np.ndarray:
        name = type(self).__name__
        if y is None:
            raise ValueError(f"{name} requires y to be passed, but the target y is None")
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            sk = sys.modules.get("sklearn.exceptions")
            warnings.warn(
                f"A column-vector y was passed when a 1d array was expected ({name}): "
                f"using y.ravel(); pass y of shape (n_samples,)",
                sk.DataConversionWarning if sk is not None else UserWarning,
                stacklevel=4,
            )
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(f"{name}: y must be 1-d class labels (n_samples,), got shape "
                             f"{y.shape}")
        if len(y) != n:
            raise ValueError(f"{name}: X has {n} samples but y has {len(y)}")
        if y.dtype.kind == "f":
            if not np.all(np.isfinite(y)):
                raise ValueError(f"{name}: y contains NaN or infinity")
            if not np.all(y == np.round(y)):
                raise ValueError(
                    f"{name}: Unknown label type: y has continuous values; a classifier "
                    f"needs class labels"
                )
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{name}: needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {self.classes_[0].tolist()!r}"
            )
        return y_idx.reshape(-1).astype(np.int64)

    def _prepare(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        X = self._check_X(X, reset=True)
        return X, self._encode(y, len(X))

    def _record(self, history: History) -> None:
        self.history_ = history
        self.n_iter_ = len(history)
        self.loss_curve_ = list(history["loss"])

    # ------------------------------------------------------------ prediction
    def _class_index(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels, in the original label values (``classes_``)."""
        self._check_fitted()
        X = self._check_X(X, reset=False)
        return self.classes_[self._class_index(X)]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y`` (weighted by ``sample_weight``)."""
        correct = self.predict(X) == np.asarray(y).reshape(-1)
        return float(np.average(correct, weights=sample_weight))


# --------------------------------------------------------------------------- linear units


class _UnitLayer(Module):
    """``k`` single units side by side, one column of ``W`` each: ``z = x @ W + b``, ``(N, k)``.

    Column ``j`` of ``W`` is unit ``j``'s weight vector ``w_j``; a unit's output is
    ``step(z_j)`` (perceptron) or ``z_j`` itself (Adaline). Mathematically ``k`` separate
    ``nn.Perceptron`` / ``nn.Adaline`` units, computed with one matrix product.
    """

    def __init__(self, n_in: int, k: int, thresholded: bool, bias_as_input: bool) -> None:
        super().__init__()
        self.bias_as_input = bias_as_input
        self.thresholded = thresholded
        n = n_in + 1 if bias_as_input else n_in
        self.linear = Linear(n, k, bias=not bias_as_input, init="zeros")

    def net_input(self, x: Any) -> Value:
        return self.linear(add_bias_node(x) if self.bias_as_input else x)

    def forward(self, x: Any) -> Value:
        z = self.net_input(x)
        return z.step() if self.thresholded else z

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """``(coef (k, n_features), intercept (k,))``."""
        W = self.linear.weight.data.T
        if self.bias_as_input:
            return W[:, 1:], W[:, 0]
        return W, self.linear.bias.data


class _LinearUnitClassifier(_Classifier):
    _unit: type = Perceptron

    def _build(self, n_features: int, n_classes: int) -> Module:
        # zero initial weights (Rosenblatt, Widrow-Hoff): no randomness in the model
        if n_classes == 2:
            return self._unit(n_features, bias_as_input=self.bias_as_input)
        return _UnitLayer(n_features, n_classes, thresholded=self._unit is Perceptron,
                          bias_as_input=self.bias_as_input)

    @staticmethod
    def _targets(y_idx: np.ndarray, n_classes: int) -> np.ndarray:
        """0/1 targets: ``y`` itself for one unit, one-hot rows (one-vs-rest) for ``k``."""
        if n_classes == 2:
            return y_idx.astype(np.float64)
        return np.eye(n_classes)[y_idx]

    def decision_function(self, X: Any) -> np.ndarray:
        """Net inputs ``z = w^T x + b``: ``(n,)`` for two classes (minus the unit's threshold,
        so positive means ``classes_[1]``), ``(n, k)`` otherwise (one score per class)."""
        self._check_fitted()
        X = self._check_X(X, reset=False)
        with no_grad():
            z = self.model_.net_input(X).data
        return z - self._threshold if z.ndim == 1 else z

    def _class_index(self, X: np.ndarray) -> np.ndarray:
        with no_grad():
            z = self.model_.net_input(X).data
        return (z > self._threshold).astype(np.int64) if z.ndim == 1 else z.argmax(axis=1)

    def _weights(self) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        m = self.model_
        if isinstance(m, _UnitLayer):
            return m.weights()
        w = m.weight.data
        if m.bias_as_input:
            return w[None, 1:], w[:1]
        return w[None, :], m.bias.data.reshape(1)

    @property
    def coef_(self) -> np.ndarray:
        """Weights ``(1, n_features)`` for two classes, ``(n_classes, n_features)`` otherwise."""
        return self._weights()[0]

    @property
    def intercept_(self) -> np.ndarray:
        """Biases ``b``, one per unit: the lecture's bias ``-θ``, the weight ``w0`` of
        ``x0 = 1`` once ``z > θ`` is written ``z - θ > 0`` (its slide writes ``w0 = θ``,
        which is the threshold with the other sign)."""
        return self._weights()[1]


def _units_all_right(output: np.ndarray, target: np.ndarray) -> float:
    """Fraction of (sample, unit) step outputs equal to their 0/1 targets."""
    return float(np.mean(np.asarray(output).reshape(target.shape) == target))


class PerceptronClassifier(_LinearUnitClassifier):
    """Rosenblatt's perceptron as a scikit-learn classifier.

    Trained by ``nn.training.fit`` with ``half_sse`` (sum) and plain SGD at learning rate
    ``eta``: the step unit's straight-through gradient makes every step exactly the rule
    ``w += η Σ (y - y_p) x`` (see ``nn.layers.Perceptron``). Weights start at zero. Training
    stops after an epoch without a single mistake (the rule has converged: on linearly
    separable data this always happens, by Novikoff's theorem) or after ``epochs``.

    Parameters: ``eta`` learning rate; ``epochs`` at most this many passes; ``batch_size``
    (1 = the classic online rule); ``shuffle`` and ``seed`` for the sample order;
    ``bias_as_input`` the lecture's bias node ``x0 = 1``; ``verbose`` shows a progress bar.
    """

    _unit = Perceptron
    _threshold = 0.0

    def __init__(
        self,
        eta: float = 1.0,
        epochs: int = 50,
        batch_size: int = 1,
        shuffle: bool = True,
        bias_as_input: bool = False,
        seed: Seed = None,
        verbose: bool = False,
    ) -> None:
        self.eta = eta
        self.epochs = epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.bias_as_input = bias_as_input
        self.seed = seed
        self.verbose = verbose

    def fit(self, X: Any, y: Any) -> PerceptronClassifier:
        X, y_idx = self._prepare(X, y)
        k = len(self.classes_)
        self.model_ = self._build(X.shape[1], k)
        targets = self._targets(y_idx, k)
        converged = lambda epoch, logs: logs["_units_all_right"] == 1.0  # noqa: E731
        self._record(fit(
            self.model_, half_sse, SGD(self.model_.parameters(), lr=self.eta), (X, targets),
            epochs=self.epochs, batch_size=self.batch_size, metrics=[_units_all_right],
            callbacks=[converged], progress=self.verbose, seed=self.seed, shuffle=self.shuffle,
        ))
        self.converged_ = self.history_["_units_all_right"][-1] == 1.0
        return self


class AdalineClassifier(_LinearUnitClassifier):
    """Widrow and Hoff's Adaline as a scikit-learn classifier (LMS / delta rule).

    Each unit's linear output ``z`` is fitted to its 0/1 target by minibatch gradient
    descent on ``1/2 · (1/N) Σ_t (y^t - z_t)^2`` (``half_sse`` summed over units, averaged
    over the ``N`` samples of a batch, so ``eta`` does not depend on the batch size); each
    step is ``w += η/N Σ_t (y^t - z_t) x^t``. Run long enough it reaches the least-squares
    solution. ``predict`` thresholds ``z`` at 0.5 (two classes) or takes the arg max.
    Gradient descent on squares is only stable for ``eta < 2 / λ_max(XᵀX / N)``: scale
    the features (a ``StandardScaler`` in a ``Pipeline``) or lower ``eta``.
    """

    _unit = Adaline
    _threshold = 0.5

    def __init__(
        self,
        eta: float = 0.01,
        epochs: int = 100,
        batch_size: int = 32,
        shuffle: bool = True,
        bias_as_input: bool = False,
        seed: Seed = None,
        verbose: bool = False,
    ) -> None:
        self.eta = eta
        self.epochs = epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.bias_as_input = bias_as_input
        self.seed = seed
        self.verbose = verbose

    def fit(self, X: Any, y: Any) -> AdalineClassifier:
        X, y_idx = self._prepare(X, y)
        k = len(self.classes_)
        self.model_ = self._build(X.shape[1], k)
        targets = self._targets(y_idx, k)

        def lms(z: Value, t: np.ndarray) -> Value:
            return half_sse(z, t, reduction="sum") * (1.0 / len(t))

        try:
            history = fit(
                self.model_, lms, SGD(self.model_.parameters(), lr=self.eta), (X, targets),
                epochs=self.epochs, batch_size=self.batch_size, metrics=None,
                progress=self.verbose, seed=self.seed, shuffle=self.shuffle,
            )
        except TrainingDiverged as exc:
            bound = lms_stability_bound(X)
            raise ValueError(
                f"AdalineClassifier: training diverged (epoch {exc.epoch}, step {exc.step}): "
                f"eta={self.eta} is above the LMS stability bound 2 / λ_max(X̃ᵀX̃ / N) = "
                f"{bound:.3g} of this data (X̃ = X with a column of ones); scale the features "
                f"(StandardScaler in a Pipeline) or use a smaller eta"
            ) from exc
        self._record(history)
        return self


def lms_stability_bound(X: Any) -> float:
    """``2 / λ_max(X̃ᵀX̃ / N)``: full-batch gradient descent on the mean squared error of a
    linear unit converges for learning rates below it (``X̃`` is ``X`` with the bias column).
    """
    X = np.asarray(X, dtype=np.float64)
    Xt = np.column_stack([X, np.ones(len(X))])
    lam = float(np.linalg.eigvalsh(Xt.T @ Xt / len(X))[-1])
    return 2.0 / lam


# --------------------------------------------------------------------------- MLP


class MLPClassifier(_Classifier):
    """A multilayer perceptron (``nn.MLP``) trained on softmax cross-entropy.

    The network is ``n_features -> hidden... -> n_classes`` logits (two classes get two
    logits); ``predict_proba`` is their softmax. Parameters (scikit-learn's name in
    brackets): ``hidden`` [hidden_layer_sizes], ``activation``, ``optimizer`` [solver] a
    name from ``nn.optim`` ("adam", "sgd", "momentum", ...), ``lr`` [learning_rate_init],
    ``alpha`` L2 penalty ``alpha/2 ||W||² / batch size`` on the weights (not biases),
    ``batch_size`` (capped at the number of samples), ``epochs`` [max_iter], ``dropout``,
    ``early_stopping`` with ``validation_fraction`` and ``patience`` [n_iter_no_change]
    (restores the best epoch's weights), ``dtype`` "float64" or "float32", ``seed``
    [random_state] for the initial weights, dropout and minibatch order, ``verbose``
    (progress bar).
    """

    def __init__(
        self,
        hidden: tuple[int, ...] = (100,),
        activation: str = "relu",
        optimizer: str = "adam",
        lr: float = 1e-3,
        alpha: float = 1e-4,
        batch_size: int = 200,
        epochs: int = 200,
        dropout: float = 0.0,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 10,
        dtype: str = "float64",
        seed: Seed = None,
        verbose: bool = False,
    ) -> None:
        self.hidden = hidden
        self.activation = activation
        self.optimizer = optimizer
        self.lr = lr
        self.alpha = alpha
        self.batch_size = batch_size
        self.epochs = epochs
        self.dropout = dropout
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.dtype = dtype
        self.seed = seed
        self.verbose = verbose

    def fit(self, X: Any, y: Any) -> MLPClassifier:
        X, y_idx = self._prepare(X, y)
        rng = as_generator(self.seed)
        hidden = [self.hidden] if isinstance(self.hidden, int) else list(self.hidden)
        self.model_ = MLP(X.shape[1], hidden, len(self.classes_), activation=self.activation,
                          dropout=self.dropout, seed=rng, dtype=np.dtype(self.dtype))
        val, callbacks = None, []
        if self.early_stopping:
            X, X_val, y_idx, y_val = train_test_split(
                X, y_idx, test_size=self.validation_fraction, seed=rng, stratify=True)
            val = (X_val, y_val)
            callbacks.append(EarlyStopping("val_loss", patience=self.patience))
        batch = min(int(self.batch_size), len(X))
        penalty = None
        if self.alpha > 0:
            coef = self.alpha / batch
            penalty = lambda m: l2_penalty(m, coef)  # noqa: E731
        opt = get_optimizer(self.optimizer, self.model_.parameters(), lr=self.lr)
        self._record(fit(
            self.model_, cross_entropy, opt, (X, y_idx), epochs=self.epochs, batch_size=batch,
            val=val, metrics=["accuracy"], callbacks=callbacks, progress=self.verbose,
            seed=rng, penalty=penalty,
        ))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``softmax(logits)``, columns in the order of ``classes_``."""
        return np.exp(self.predict_log_proba(X))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``log predict_proba(X)``, computed stably (log-softmax)."""
        self._check_fitted()
        X = self._check_X(X, reset=False)
        z = predict(self.model_, X).astype(np.float64)
        z -= z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def _class_index(self, X: np.ndarray) -> np.ndarray:
        return predict(self.model_, X).argmax(axis=1)
