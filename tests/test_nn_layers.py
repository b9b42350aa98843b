"""Layers: Linear, the perceptron (Rosenblatt's rule), Adaline (the LMS rule), MLP, Dropout."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd_core import Value, no_grad
from nn import activations as A
from nn.layers import MLP, Adaline, Dropout, Linear, Perceptron, add_bias_node
from nn.losses import binary_cross_entropy_with_logits, half_sse
from nn.optim import SGD, Adam


# ------------------------------------------------------------------ Linear
def test_linear_is_x_at_w_plus_b_with_w_n_in_by_n_out():
    lin = Linear(3, 4, seed=0)
    assert lin.weight.shape == (3, 4) and lin.bias.shape == (4,)
    lin.bias.data[:] = [0.5, -1.0, 2.0, 0.0]
    x = np.random.default_rng(1).normal(size=(5, 3))
    out = lin(x)
    np.testing.assert_array_equal(out.data, x @ lin.weight.data + lin.bias.data)
    # one sample (a vector) works too
    np.testing.assert_array_equal(lin(x[0]).data, x[0] @ lin.weight.data + lin.bias.data)


def test_linear_gradients_are_the_transposed_lecture_formulas():
    lin = Linear(3, 2, seed=0)
    x = np.random.default_rng(1).normal(size=(4, 3))
    g = np.random.default_rng(2).normal(size=(4, 2))
    (lin(x) * g).sum().backward()
    np.testing.assert_allclose(lin.weight.grad, x.T @ g, rtol=1e-14)  # dL/dW = x^T delta
    np.testing.assert_allclose(lin.bias.grad, g.sum(axis=0), rtol=1e-14)


def test_linear_without_bias_and_float32():
    lin = Linear(3, 2, bias=False, seed=0, dtype=np.float32)
    assert lin.bias is None
    assert [n for n, _ in lin.named_parameters()] == ["weight"]
    assert lin.weight.dtype == np.float32
    out = lin(np.ones((2, 3)))  # float64 data is computed in the layer's float32
    assert out.dtype == np.float32
    out.sum().backward()
    assert lin.weight.grad.dtype == np.float32


def test_linear_shape_error_names_layer_and_shape():
    lin = Linear(2, 16, seed=0)
    with pytest.raises(ValueError, match=r"Linear\(2→16\) expected input with last dimension 2, "
                                         r"got shape \(5, 3\)"):
        lin(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"got shape \(\)"):
        lin(Value(1.0))


def test_linear_bad_arguments():
    with pytest.raises(ValueError, match="n_in must be a positive int"):
        Linear(0, 3)
    with pytest.raises(ValueError, match="n_out must be a positive int"):
        Linear(2, 2.5)
    with pytest.raises(TypeError, match="float type"):
        Linear(2, 3, dtype=np.int32)
    with pytest.raises(ValueError, match="unknown initialiser 'glorious'.*xavier_uniform"):
        Linear(2, 3, init="glorious")
    with pytest.raises(ValueError, match=r"initialiser returned shape \(2,\), expected \(2, 3\)"):
        Linear(2, 3, init=lambda shape, seed, dtype: np.zeros(2))


def test_linear_same_seed_same_weights_generator_stream():
    a, b = Linear(5, 7, seed=3), Linear(5, 7, seed=3)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert not np.array_equal(a.weight.data, Linear(5, 7, seed=4).weight.data)
    rng = np.random.default_rng(0)
    first, second = Linear(5, 7, seed=rng), Linear(5, 7, seed=rng)  # one stream, consumed
    assert not np.array_equal(first.weight.data, second.weight.data)


def test_linear_forward_opens_name_scope():
    lin = Linear(2, 16, seed=0)
    out = lin(np.ones((1, 2)))
    assert out.scope == ("Linear(2→16)",)
    assert out.op == "linear"  # x @ W + b as one op
    assert out.parents[1] is lin.weight and out.parents[2] is lin.bias
    np.testing.assert_allclose(out.data, np.ones((1, 2)) @ lin.weight.data + lin.bias.data)


# ------------------------------------------------------------------ Perceptron
def _perceptron_problem(seed=0, n=20, m=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m))
    y = (rng.random(n) > 0.5).astype(float)
    return X, y


def test_perceptron_forward_is_step_of_w_dot_x_plus_b():
    p = Perceptron(3, init="normal", seed=1)
    p.bias.data[...] = 0.3
    X, _ = _perceptron_problem()
    expected = (X @ p.weight.data + 0.3 > 0).astype(float)
    np.testing.assert_array_equal(p(X).data, expected)
    np.testing.assert_array_equal(p.predict(X), expected.astype(int))
    assert p.predict(X).dtype == np.int64


@pytest.mark.parametrize("eta", [1.0, 0.1, 0.037])
def test_one_sgd_step_on_half_sse_is_rosenblatts_rule(eta):
    X, y = _perceptron_problem()
    p = Perceptron(3, init="normal", seed=2)
    p.bias.data[...] = -0.2
    w0, b0 = p.weight.data.copy(), float(p.bias.data)
    # the rule by hand, in numpy: w += η Σ (y - y_p) x,  b += η Σ (y - y_p)
    y_p = (X @ w0 + b0 > 0).astype(float)
    assert 0 < np.sum(y != y_p) < len(y)  # some samples are misclassified, some are not
    w_hand = w0 + eta * (y - y_p) @ X
    b_hand = b0 + eta * np.sum(y - y_p)
    # the generic machinery: L = 1/2 Σ (y - y_p)^2, backward, one SGD step
    opt = SGD(p.parameters(), lr=eta)
    half_sse(p(X), y).backward()
    opt.step()
    np.testing.assert_allclose(p.weight.data, w_hand, rtol=0, atol=1e-12)
    assert abs(float(p.bias.data) - b_hand) <= 1e-12


def test_perceptron_with_bias_node_x0_is_the_same_model():
    X, y = _perceptron_problem(seed=5)
    a = Perceptron(3, init="normal", seed=7)
    b = Perceptron(3, bias_as_input=True, init="zeros")
    assert b.bias is None and b.weight.shape == (4,)
    assert [n for n, _ in b.named_parameters()] == ["weight"]
    b.weight.data[0] = float(a.bias.data)  # w0 on the node x0 = 1 is the bias
    b.weight.data[1:] = a.weight.data
    np.testing.assert_array_equal(a(X).data, b(X).data)
    np.testing.assert_array_equal(add_bias_node(X)[:, 0], np.ones(len(X)))
    np.testing.assert_array_equal(add_bias_node(X)[:, 1:], X)
    opt_a, opt_b = SGD(a.parameters(), lr=0.5), SGD(b.parameters(), lr=0.5)
    for _ in range(5):  # the two forms train identically
        for model, opt in ((a, opt_a), (b, opt_b)):
            opt.zero_grad()
            half_sse(model(X), y).backward()
            opt.step()
    np.testing.assert_allclose(b.weight.data[0], a.bias.data, atol=1e-12)
    np.testing.assert_allclose(b.weight.data[1:], a.weight.data, atol=1e-12)


def test_add_bias_node_keeps_value_gradient():
    x = Value(np.arange(6.0).reshape(2, 3))
    xa = add_bias_node(x)
    assert isinstance(xa, Value) and xa.shape == (2, 4)
    (xa * np.arange(8.0).reshape(2, 4)).sum().backward()
    np.testing.assert_array_equal(x.grad, [[1.0, 2, 3], [5, 6, 7]])
    np.testing.assert_array_equal(add_bias_node([2.0, 3.0]), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="add_bias_node"):
        add_bias_node(3.0)


def _separable(seed=0, n=60):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(4 * n, 2))
    margin = X @ np.array([1.0, -2.0]) + 0.3
    keep = np.abs(margin) > 0.2
    return X[keep][:n], (margin[keep][:n] > 0).astype(float)


def _train_perceptron_per_sample(p, X, y, epochs, lr=1.0):
    """Rosenblatt's algorithm through the generic machinery: one sample per step."""
    opt = SGD(p.parameters(), lr=lr)
    errors = []
    for _ in range(epochs):
        for i in range(len(X)):
            opt.zero_grad()
            half_sse(p(X[i]), y[i]).backward()
            opt.step()
        errors.append(int(np.sum(p.predict(X) != y)))
    return errors


def test_perceptron_reaches_zero_errors_on_separable_data():
    X, y = _separable()
    p = Perceptron(2)
    errors = _train_perceptron_per_sample(p, X, y, epochs=50)
    assert errors[-1] == 0
    assert errors[0] > 0 or errors.index(0) == 0


def test_perceptron_cannot_learn_xor():
    X = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    y = np.array([0.0, 1, 1, 0])
    errors = _train_perceptron_per_sample(Perceptron(2), X, y, epochs=100)
    assert min(errors) >= 1  # no line separates XOR: at best 3 of 4 right


# ------------------------------------------------------------------ Adaline
def test_adaline_gradient_is_the_widrow_hoff_lms_rule():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(15, 4)), rng.normal(size=15)
    ad = Adaline(4, init="normal", seed=1)
    w, b = ad.weight.data.copy(), float(ad.bias.data)
    z = X @ w + b
    np.testing.assert_array_equal(ad(X).data, z)  # forward is the linear output
    half_sse(ad(X), y).backward()
    np.testing.assert_allclose(ad.weight.grad, -(y - z) @ X, rtol=1e-13)  # -Σ (y - z) x
    np.testing.assert_allclose(ad.bias.grad, -np.sum(y - z), rtol=1e-13)
    eta = 0.01
    SGD(ad.parameters(), lr=eta).step()
    np.testing.assert_allclose(ad.weight.data, w + eta * (y - z) @ X, atol=1e-13)


def test_adaline_converges_to_least_squares_and_predicts_by_threshold():
    X, y = _separable(seed=2, n=80)
    ad = Adaline(2)
    opt = SGD(ad.parameters(), lr=0.005)
    for _ in range(3000):
        opt.zero_grad()
        half_sse(ad(X), y).backward()
        opt.step()
    A = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(ad.weight.data, solution[:2], atol=1e-8)
    np.testing.assert_allclose(ad.bias.data, solution[2], atol=1e-8)
    pred = ad.predict(X)
    np.testing.assert_array_equal(pred, (A @ solution > 0.5).astype(int))
    assert np.mean(pred == y) >= 0.95


# ------------------------------------------------------------------ MLP
def test_mlp_structure_and_names():
    m = MLP(2, [16, 8], 3, activation="tanh", seed=0)
    assert [type(l).__name__ for l in m] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert [l.weight.shape for l in m.linears] == [(2, 16), (16, 8), (8, 3)]
    assert [n for n, _ in m.named_parameters()] == [
        "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert m(np.zeros((5, 2))).shape == (5, 3)
    assert m.num_parameters() == 2 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3
    out = m(np.ones((1, 2)))
    assert out.scope == ("MLP(2→16→8→3)", "Linear(8→3)")


def test_mlp_without_hidden_layers_is_the_single_layer_perceptron():
    m = MLP(3, [], 1, output_activation="step", seed=0)
    assert [type(l).__name__ for l in m] == ["Linear", "Step"]
    X = np.random.default_rng(0).normal(size=(6, 3))
    lin = m[0]
    np.testing.assert_array_equal(m(X).data, (X @ lin.weight.data + lin.bias.data > 0) * 1.0)


def test_mlp_default_init_follows_the_activation():
    relu = MLP(400, [300], 2, activation="relu", seed=0)
    tanh = MLP(400, [300], 2, activation="tanh", seed=0)
    bound_he, bound_xavier = np.sqrt(6 / 400), np.sqrt(6 / 700)
    assert np.abs(relu[0].weight.data).max() == pytest.approx(bound_he, rel=0.01)
    assert np.abs(tanh[0].weight.data).max() == pytest.approx(bound_xavier, rel=0.01)


@pytest.mark.parametrize("activation, init", [
    ("ReLU", "he_uniform"), (A.ReLU(), "he_uniform"), (A.ReLU, "he_uniform"),
    (A.relu, "he_uniform"), ("leaky relu", "he_uniform"), (A.LeakyReLU(0.1), "he_uniform"),
    ("ELU", "he_uniform"), (A.softplus, "he_uniform"),
    (A.Tanh(), "xavier_uniform"), (A.tanh, "xavier_uniform"), ("Sigmoid", "xavier_uniform"),
    (lambda v: v.relu(), "xavier_uniform"),  # a function of its own: nothing to go by
])
def test_mlp_default_init_is_the_same_however_the_activation_is_given(activation, init):
    # the activation given as a name, a Module, a class or nn's own function: one choice
    default = MLP(20, [30], 2, activation=activation, seed=0)
    chosen = MLP(20, [30], 2, activation=activation, init=init, seed=0)
    for a, b in zip(default.parameters(), chosen.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_one_hidden_layer_gradients_equal_the_lecture_formulas():
    # x -W1-> a1 -f1-> z1 -W2-> a2 -f2-> y_p,   L = 1/2 (y_p - y0)^2, one sample
    rng = np.random.default_rng(0)
    m = MLP(3, [5], 1, activation="tanh", output_activation="sigmoid", seed=1)
    W1, b1 = m[0].weight.data, m[0].bias.data
    W2, b2 = m[2].weight.data, m[2].bias.data
    b1[:] = rng.normal(size=5)
    b2[:] = 0.2
    x, y0 = rng.normal(size=3), 1.0
    half_sse(m(x), np.array([y0])).backward()
    # by hand, in numpy (our W is the lecture's W transposed: a = x @ W)
    a1 = x @ W1 + b1
    z1 = np.tanh(a1)
    a2 = z1 @ W2 + b2
    y_p = 1 / (1 + np.exp(-a2))
    f2_prime = y_p * (1 - y_p)
    dL_da2 = (y_p - y0) * f2_prime                       # (1,)
    dL_dW2 = np.outer(z1, dL_da2)                       # (y_p - y0) f2'(a2) z1
    dL_da1 = (W2 @ dL_da2) * (1 - z1**2)                 # back through W2 and f1' = 1 - tanh^2
    dL_dW1 = np.outer(x, dL_da1)                         # (dL/da1) x
    np.testing.assert_allclose(m[2].weight.grad, dL_dW2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(m[2].bias.grad, dL_da2, rtol=1e-12)
    np.testing.assert_allclose(m[0].weight.grad, dL_dW1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(m[0].bias.grad, dL_da1, rtol=1e-12, atol=1e-15)


def test_one_hidden_layer_batch_gradients_sum_the_per_sample_formulas():
    rng = np.random.default_rng(4)
    m = MLP(2, [4], 1, activation="sigmoid", output_activation="sigmoid", seed=2)
    X, Y = rng.normal(size=(7, 2)), rng.random((7, 1))
    half_sse(m(X), Y).backward()
    W1, b1, W2, b2 = (p.data for p in m.parameters())
    gW1, gW2 = np.zeros_like(W1), np.zeros_like(W2)
    for x, y0 in zip(X, Y, strict=True):
        z1 = 1 / (1 + np.exp(-(x @ W1 + b1)))
        y_p = 1 / (1 + np.exp(-(z1 @ W2 + b2)))
        da2 = (y_p - y0) * y_p * (1 - y_p)
        gW2 += np.outer(z1, da2)
        gW1 += np.outer(x, (W2 @ da2) * z1 * (1 - z1))
    np.testing.assert_allclose(m[0].weight.grad, gW1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(m[2].weight.grad, gW2, rtol=1e-12, atol=1e-15)


def test_mlp_solves_xor():
    X = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    y = np.array([[0.0], [1], [1], [0]])
    m = MLP(2, [8], 1, activation="tanh", seed=0)
    opt = Adam(m.parameters(), lr=0.05)
    for _ in range(300):
        opt.zero_grad()
        loss = binary_cross_entropy_with_logits(m(X), y)
        loss.backward()
        opt.step()
    assert loss.item() < 0.05
    np.testing.assert_array_equal((m.predict(X) > 0).astype(float), y)


def test_mlp_same_seed_bit_identical_training_and_dropout_does_not_change_init():
    def train(seed, dropout):
        m = MLP(4, [8, 8], 2, dropout=dropout, seed=seed)
        init = [p.data.copy() for p in m.parameters()]
        opt = SGD(m.parameters(), lr=0.1, momentum=0.9)
        X = np.random.default_rng(0).normal(size=(16, 4))
        y = np.arange(16) % 2
        for _ in range(10):
            opt.zero_grad()
            nn.cross_entropy(m(X), y).backward()
            opt.step()
        return init, [p.data.copy() for p in m.parameters()]

    init_a, a = train(11, 0.3)
    init_b, b = train(11, 0.3)
    for pa, pb in zip(a, b, strict=True):
        np.testing.assert_array_equal(pa, pb)
    init_c, c = train(11, 0.0)
    for pa, pc in zip(init_a, init_c, strict=True):
        np.testing.assert_array_equal(pa, pc)  # same weights with and without dropout
    assert not np.array_equal(a[0], c[0])  # but dropout changed the training


def test_mlp_float32_stays_float32():
    m = MLP(6, [5], 3, seed=0, dtype=np.float32)
    out = m(np.random.default_rng(0).normal(size=(4, 6)))
    assert out.dtype == np.float32
    loss = nn.cross_entropy(out, np.array([0, 1, 2, 0]))
    assert loss.dtype == np.float32
    loss.backward()
    SGD(m.parameters(), lr=0.1).step()
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in m.parameters())


def test_mlp_bad_arguments():
    with pytest.raises(ValueError, match=r"hidden\[1\] must be a positive int"):
        MLP(2, [3, 0], 1)
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\)"):
        MLP(2, [3], 1, dropout=1.0)
    with pytest.raises(ValueError, match="unknown activation 'relu6'.*known:.*tanh"):
        MLP(2, [3], 1, activation="relu6")


def test_mlp_predict_uses_eval_mode_and_records_nothing():
    m = MLP(3, [50], 2, dropout=0.5, seed=0)
    X = np.ones((4, 3))
    out1, out2 = m.predict(X), m.predict(X)
    np.testing.assert_array_equal(out1, out2)  # no dropout in predict
    assert isinstance(out1, np.ndarray)
    assert m.training  # restored
    m.eval()
    with no_grad():
        np.testing.assert_array_equal(m(X).data, out1)


# ------------------------------------------------------------------ Dropout
def test_dropout_is_inverted_and_seeded():
    x = Value(np.ones((200, 500)))
    d = Dropout(0.3, seed=0)
    out = d(x)
    kept = out.data != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(out.data[kept], 1 / 0.7, rtol=1e-15)  # survivors scaled
    assert abs(out.data.mean() - 1.0) < 0.01  # the expectation is the input
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)  # gradient flows through kept units only
    np.testing.assert_array_equal(Dropout(0.3, seed=0)(x).data, out.data)  # same seed
    assert not np.array_equal(d(x).data, out.data)  # a new mask each call


def test_dropout_eval_is_identity_and_edge_probabilities():
    x = Value(np.arange(6.0))
    d = Dropout(0.5, seed=0).eval()
    assert d(x) is x
    assert Dropout(0.0)(x) is x
    np.testing.assert_array_equal(Dropout(1.0)(x).data, np.zeros(6))
    xf = Value(np.ones(1000, dtype=np.float32))
    assert Dropout(0.5, seed=1)(xf).dtype == np.float32
    with pytest.raises(ValueError, match=r"p must be a probability in \[0, 1\], got 1.5"):
        Dropout(1.5)


def test_a_list_of_values_reaches_the_model_as_micrograd_feeds_it():
    # micrograd's model([x1, x2]): the Values are stacked by a recorded op, so their
    # gradient is the one the stacked Value gets (it used to be cut: a.grad stayed None)
    import autograd_core as ag

    m = nn.MLP(2, [4], 3, seed=0)
    a, b = ag.Value(1.0), ag.Value(2.0)
    m([a, b]).sum().backward()
    x = ag.Value(np.array([1.0, 2.0]))
    m.zero_grad()
    m(x).sum().backward()
    assert a.grad == x.grad[0] and b.grad == x.grad[1]
    assert a.grad != 0.0
    # a list of numbers is data of the layer's dtype, as an array is
    m32 = nn.MLP(2, [4], 3, seed=0, dtype=np.float32)
    assert m32([1.0, 2.0]).dtype == np.float32
    assert m32([[1.0, 2.0], [3.0, 4.0]]).shape == (2, 3)
    # a Value beside a number: the number is data, the Value gets its gradient
    c = ag.Value(1.0)
    m.zero_grad()
    m([c, 2.0]).sum().backward()
    assert c.grad == a.grad
    # Values keep their own dtype, as a Value given directly does
    assert m32([ag.Value(1.0), ag.Value(2.0)]).dtype == np.float64
    with pytest.raises(TypeError, match=r"expected numeric input, got list: operand: cannot "
                                        r"make numeric data from str 'a'"):
        m(["a", "b"])


def test_mlp_without_n_out_says_so_and_shows_micrograds_spelling():
    with pytest.raises(TypeError, match=r"^MLP\(n_in, hidden, n_out\): n_out, the number of "
                       r"outputs, is missing\. If the last size is the output, as in micrograd: "
                       r"MLP\(2, \[16, 16\], 1\)$"):
        nn.MLP(2, [16, 16, 1])
    for hidden in ([8], [], 16):  # one size or none: no guess at which is the output
        with pytest.raises(TypeError, match=r"^MLP\(n_in, hidden, n_out\): n_out, the number "
                           r"of outputs, is missing$"):
            nn.MLP(4, hidden)


def test_none_and_complex_inputs_are_refused_naming_the_layer():
    # None became nan (shape ()), complex lost its imaginary part with a ComplexWarning
    cases = [
        (None, r"expected input data \(an array, a list of numbers or a Value\), got None$"),
        (1 + 2j, r"expected real numbers as input, got complex \(1\+2j\)$"),
        (np.array([1 + 2j, 2, 3]), r"expected real numbers as input, got ndarray of dtype "
                                   r"complex128$"),
        (np.array([None, 1.0, 2.0]), r"expected real numbers as input, got ndarray of dtype "
                                     r"object holding None$"),
        ([1j, 2, 3], r"expected numeric input, got list: .*cannot make numeric data from "
                     r"complex 1j"),
    ]
    layers = [(nn.Linear(3, 2, seed=0), r"Linear\(3→2\)"), (nn.Perceptron(3), r"Perceptron\(3\)"),
              (nn.Adaline(3), r"Adaline\(3\)"), (nn.MLP(3, [4], 2, seed=0), r"Linear\(3→4\)")]
    for layer, name in layers:
        for x, message in cases:
            with pytest.raises(TypeError, match=rf"^{name}: {message}"):
                layer(x)
    # numbers in any real dtype still work, converted to the layer's dtype
    lin32 = nn.Linear(3, 2, seed=0, dtype=np.float32)
    for x in ([1, 2, 3], np.array([1, 2, 3]), np.array([True, False, True]),
              np.array([1.0, 2.0, 3.0], dtype=object), np.array(["1", "2", "3"])):
        out = lin32(x)
        assert out.shape == (2,) and out.dtype == np.float32
