"""Workload e: train an MLP 64-64-10 on the 8x8 digits for a fixed number of epochs.

scikit-learn's ``MLPClassifier`` against ours, the same recipe: one hidden layer of 64
ReLU units, softmax output, Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8), minibatches of
32 shuffled every epoch, no L2 term (``alpha=0``), no early stopping, ``EPOCHS`` epochs,
float64; inputs standardised with the training split's mean and deviation (80/20 split,
stratified, seed 0). Each timed run trains from scratch and ends with the test accuracy.
The initial weights differ (each library's own default), so the accuracies are reported,
not asserted equal. The baseline of this workload is scikit-learn.

Ours is ``nn.MLP`` + ``nn.losses.cross_entropy`` + ``nn.optim.Adam`` + ``nn.training.fit``
(``metrics=None``, ``progress=False``: scikit-learn computes no per-epoch accuracy either).
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

from bench import harness
from bench.harness import Contestant

EPOCHS = 30
BATCH = 32
HIDDEN = 64
SKLEARN = "scikit-learn MLPClassifier"


def split():
    from nn.data import Standardizer, load_digits, train_test_split

    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0, stratify=True)
    scaler = Standardizer().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def sklearn_setup(X_train, X_test, y_train, y_test, epochs):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def step():
        clf = MLPClassifier(
            hidden_layer_sizes=(HIDDEN,), activation="relu", solver="adam",
            learning_rate_init=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
            batch_size=BATCH, max_iter=epochs, alpha=0.0, shuffle=True, random_state=0,
            tol=0.0, n_iter_no_change=epochs + 1, early_stopping=False,
        )  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X_train, y_train)
        return float(np.mean(clf.predict(X_test) == y_test))

    return step


def ours_setup(X_train, X_test, y_train, y_test, epochs):
    from autograd_core import no_grad
    from nn.layers import MLP
    from nn.losses import cross_entropy
    from nn.optim import Adam
    from nn.training import fit

    def step():
        model = MLP(X_train.shape[1], [HIDDEN], 10, activation="relu", seed=0)
        opt = Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
        fit(model, cross_entropy, opt, (X_train, y_train), epochs=epochs, batch_size=BATCH,
            metrics=None, progress=False, seed=0)  # fmt: skip
        model.eval()
        with no_grad():
            pred = model(X_test).data.argmax(axis=1)
        return float(np.mean(pred == y_test))

    return step, "nn.MLP + cross_entropy + optim.Adam + training.fit"


def main() -> None:
    epochs = 10 if harness.quick() else EPOCHS
    data = (*split(), epochs)
    print(f"e. digits MLP 64-{HIDDEN}-10, {epochs} epochs, batch {BATCH}", file=sys.stderr)
    contestants = [
        Contestant(SKLEARN, sklearn_setup, data, "solver='adam', alpha=0"),
        Contestant("ours", ours_setup, data),
    ]
    m = harness.measure(contestants, reps=harness.reps(5), min_sample_s=0.0)
    acc = {t.name: t.first_result for t in m.timings if not t.error}
    extra = {name: {"test_accuracy": a} for name, a in acc.items()}
    for t in m.timings:
        if t.name in acc:
            t.note = f"{t.note}; test accuracy {acc[t.name]:.3f}".lstrip("; ")
    case = f"digits 64-{HIDDEN}-10, {epochs} epochs, batch {BATCH}"
    targets = []
    ours, sk = m.by_name("ours"), m.by_name(SKLEARN)
    if not ours.error and not sk.error:
        targets.append(
            harness.target(
                "digits training: ours ≤ scikit-learn's time",
                ours.median / sk.median,
                1.0,
                "× scikit-learn",
            )  # fmt: skip
        )
    harness.write_result(
        "e_digits",
        {
            "title": f"e. Digits (8x8) MLP 64-{HIDDEN}-10 trained {epochs} epochs (Adam, "
            f"batch {BATCH}) against scikit-learn",
            "baseline": SKLEARN,
            "test_accuracy": acc,
            "rows": harness.timing_rows(case, m, SKLEARN, extra),
            "targets": targets,
        },
    )


if __name__ == "__main__":
    main()
