"""``python -m nn explain`` and ``make demo``'s step-through pages (nn/explain.py)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from autograd_core import Stepper
from nn import MLP, cli
from nn.explain import lecture_expression, save_loss_page
from nn.losses import cross_entropy


@pytest.fixture(scope="module")
def xor_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("xor")
    assert cli.main(["train", "--data", "xor", "--hidden", "4", "--activation", "tanh",
                     "--epochs", "3", "--batch-size", "4", "--out", str(out),
                     "--no-progress"]) == 0
    return out


def test_explain_writes_the_page_of_one_real_samples_loss(xor_run, tmp_path, capsys):
    path = tmp_path / "sub" / "steps.html"
    assert cli.main(["explain", str(xor_run), "--out", str(path), "--sample", "2"]) == 0
    assert f"wrote {path}" in capsys.readouterr().out
    page = path.read_text(encoding="utf-8")
    # the XOR sample 2 is (1, 0) with label 1, named in the title
    assert "loss of sample 2 of xor, label 1" in page
    assert "data [[1, 0]]" in page  # the input box shows the real sample
    # parameters by module path, the loss in its box, the layers' outputs told apart
    for name in ("0.weight", "0.bias", "2.weight", "2.bias", "loss: cross_entropy",
                 "⟨linear⟩1", "⟨linear⟩2"):
        assert name in page, name


def test_explain_errors_are_one_line(xor_run, tmp_path, capsys):
    assert cli.main(["explain", str(xor_run), "--out", str(tmp_path), "--sample", "0"]) != 0
    assert "is a folder" in capsys.readouterr().err
    assert cli.main(["explain", str(xor_run), "--out", str(tmp_path / "s.html"),
                     "--sample", "4"]) != 0
    assert "--sample 4: xor has 4 samples (0 to 3)" in capsys.readouterr().err


def test_save_loss_page_leaves_the_model_as_it_was(tmp_path):
    model = MLP(2, [3], 2, activation="tanh", seed=0, dropout=0.5)
    save_loss_page(model, cross_entropy, np.array([[0.0, 1.0]]), np.array([1]),
                   tmp_path / "p.html")
    assert model.training and all(p.grad is None for p in model.parameters())
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "dropout" not in page.split("<svg")[1]  # eval mode: no dropout op recorded


def test_save_loss_page_gives_every_module_its_own_mode_back(tmp_path):
    model = MLP(2, [3], 2, activation="tanh", seed=0, dropout=0.5)
    model[2].eval()  # the Dropout alone in eval mode, inside a model in training mode
    save_loss_page(model, cross_entropy, np.array([[0.0, 1.0]]), np.array([1]),
                   tmp_path / "p.html")
    assert [m.training for m in model] == [True, True, False, True]


def test_lecture_expression_is_the_lectures(tmp_path):
    L = lecture_expression()
    assert float(L.data) == pytest.approx((np.tanh(2 * -3 + 6.5) - 1) ** 2)
    s = Stepper(L)
    assert [st.node.label for st in s.steps] == ["L", "r", "t", "d", "e", "c", "b", "a"]
    page = s.to_html()
    blob = re.search(r'<script type="application/json" class="agc-data">(.*?)</script>', page,
                     re.S).group(1)
    texts = "".join(json.loads(blob)["texts"])  # each frame's panel, as the script shows it
    assert re.search(r"∂L/∂a = ∂L/∂e · ∂e/∂a = <span[^>]*>\(-0.846\)</span> · "
                     r'<span[^>]*>\(-3\)</span> = <b class="send"><span[^>]*>2.538', texts)
