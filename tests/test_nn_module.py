"""Module: registration, names, modes, state dicts, repr; and that nn/ knows no derivative."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import numpy as np
import pytest

from autograd_core import Value, no_grad
from nn.activations import ReLU, Tanh
from nn.layers import MLP, Dropout, Linear, Perceptron
from nn.module import Module, ModuleList, Parameter, Sequential


class Block(Module):
    def __init__(self):
        super().__init__()
        self.scale = Parameter(np.array(2.0))
        self.inner = Linear(3, 2, seed=0)
        self.act = Tanh()
        self.note = "not registered"
        self.const = Value(np.ones(2), requires_grad=False)  # a Value, not a Parameter

    def forward(self, x):
        return self.act(self.inner(x)) * self.scale


class Net(Module):
    def __init__(self):
        super().__init__()
        self.first = Block()
        self.heads = [Linear(2, 1, seed=1), Linear(2, 1, seed=2)]  # a list registers too
        self.drop = Dropout(0.5, seed=0)

    def forward(self, x):
        h = self.drop(self.first(x))
        return self.heads[0](h) + self.heads[1](h)


def test_parameter_is_a_value_that_requires_grad():
    p = Parameter([1.0, 2.0])
    assert isinstance(p, Value) and p.requires_grad
    assert p.dtype == np.float64
    assert Parameter(np.zeros(2, np.float32)).dtype == np.float32
    assert repr(p).startswith("Parameter([1., 2.]")
    assert isinstance(p * 2, Value)


def test_named_parameters_are_dotted_in_assignment_order():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "first.scale", "first.inner.weight", "first.inner.bias",
        "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias",
    ]
    assert isinstance(net.heads, ModuleList) and len(net.heads) == 2
    assert [p for p in net.parameters()] == [p for _, p in net.named_parameters()]
    assert net.num_parameters() == 1 + 6 + 2 + 2 * (2 + 1)
    assert [n for n, _ in net.named_modules()] == [
        "", "first", "first.inner", "first.act", "heads", "heads.0", "heads.1", "drop"]
    assert list(net.children()) == [net.first, net.heads, net.drop]


def test_reassignment_and_deletion_update_registration():
    blk = Block()
    blk.scale = None
    assert "scale" not in dict(blk.named_parameters())
    blk.inner = Linear(3, 4, seed=0)
    assert dict(blk.named_parameters())["inner.weight"].shape == (3, 4)
    del blk.inner
    assert [n for n, _ in blk.named_parameters()] == []
    blk.register_parameter("w", Parameter(np.ones(3)))
    blk.add_module("extra", Linear(1, 1, seed=0))
    assert [n for n, _ in blk.named_parameters()] == ["w", "extra.weight", "extra.bias"]
    with pytest.raises(TypeError, match="expected a Parameter"):
        blk.register_parameter("bad", np.ones(2))


def test_shared_parameter_is_listed_once():
    a = Linear(2, 2, seed=0)
    seq = Sequential(a, ReLU(), a)
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]


def test_assigning_before_init_is_a_clear_error():
    class Broken(Module):
        def __init__(self):
            self.w = Parameter(1.0)
            super().__init__()

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first in Broken"):
        Broken()


def test_zero_grad_sets_none():
    net = Net()
    net(np.ones((4, 3))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_train_eval_are_recursive():
    net = Net()
    assert net.training and net.drop.training and net.heads[1].training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    x = np.ones((2, 3))
    net.eval()
    np.testing.assert_array_equal(net(x).data, net(x).data)  # dropout off


def test_train_refuses_a_mode_that_is_not_a_bool():
    net = Net().eval()
    # bool("eval") is True: model.train("eval") used to switch training on
    with pytest.raises(TypeError, match=r"^train\(mode\): mode must be True or False, got "
                                        r"'eval'; use model.eval\(\)$"):
        net.train("eval")
    for mode in (1, None, 0.0):
        with pytest.raises(TypeError, match=rf"^train\(mode\): mode must be True or False, "
                                            rf"got {mode!r}$"):
            net.train(mode)
    assert not any(m.training for m in net.modules())  # left as it was
    assert net.train(np.bool_(True)) is net and all(m.training for m in net.modules())
    assert not net.train(False).training


def test_call_opens_the_layer_scope_and_forward_is_required():
    blk = Block()
    out = blk(np.ones((1, 3)))
    assert out.scope == ("Block",)
    assert out.parents[0].scope == ("Block", "Tanh")
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        Module()(1)


def test_state_dict_is_a_snapshot_and_round_trips():
    net = Net()
    sd = net.state_dict()
    assert list(sd) == [n for n, _ in net.named_parameters()]
    before = sd["first.inner.weight"].copy()
    net.first.inner.weight.data += 1.0  # an optimiser updating in place
    np.testing.assert_array_equal(sd["first.inner.weight"], before)
    other = Net()
    other.first.inner.weight.data[:] = 7.0
    weight_array = other.first.inner.weight.data
    result = other.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert [n for n, _ in other.named_parameters()] == list(sd)
    for n, p in other.named_parameters():
        np.testing.assert_array_equal(p.data, sd[n])
    assert other.first.inner.weight.data is weight_array  # filled in place


def _snapshot(m):
    return {n: p.data.copy() for n, p in m.named_parameters()}


def _assert_untouched(m, snap):
    for n, p in m.named_parameters():
        np.testing.assert_array_equal(p.data, snap[n])


def test_load_state_dict_errors_name_the_key_and_leave_the_module_untouched():
    net = Net()
    snap = _snapshot(net)
    good = Net().state_dict()
    # the wrong entry comes last, so a loader that wrote as it checked would have changed
    # the earlier parameters
    bad_shape = dict(good)
    bad_shape["heads.1.bias"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"shape mismatch for 'heads.1.bias': the model has "
                                         r"\(1,\), the state dict has \(3,\)"):
        net.load_state_dict(bad_shape)
    _assert_untouched(net, snap)
    bad_dtype = dict(good)
    bad_dtype["heads.1.bias"] = good["heads.1.bias"].astype(np.float32)
    with pytest.raises(TypeError, match="dtype mismatch for 'heads.1.bias'.*float64.*float32"):
        net.load_state_dict(bad_dtype)
    missing = {k: v for k, v in good.items() if k != "heads.1.weight"}
    with pytest.raises(KeyError, match=r"missing keys \['heads.1.weight'\]"):
        net.load_state_dict(missing)
    extra = dict(good, **{"heads.2.weight": np.zeros((2, 1))})
    with pytest.raises(KeyError, match=r"unexpected keys \['heads.2.weight'\]"):
        net.load_state_dict(extra)
    with pytest.raises(TypeError, match="'first.scale' is a list"):
        net.load_state_dict(dict(good, **{"first.scale": [1.0]}))
    with pytest.raises(TypeError, match="expected a mapping"):
        net.load_state_dict([("first.scale", np.array(1.0))])
    _assert_untouched(net, snap)


def test_load_state_dict_non_strict_reports_skipped_keys():
    net = Net()
    partial = {"first.scale": np.array(5.0), "nope": np.zeros(1)}
    result = net.load_state_dict(partial, strict=False)
    assert net.first.scale.data == 5.0
    assert result.unexpected_keys == ["nope"]
    assert "first.inner.weight" in result.missing_keys and len(result.missing_keys) == 6


def test_repr_reads_like_pytorch():
    m = MLP(2, [16], 1, activation="tanh", dropout=0.1, seed=0)
    assert repr(m) == (
        "MLP(\n"
        "  (0): Linear(in_features=2, out_features=16, bias=True)\n"
        "  (1): Tanh()\n"
        "  (2): Dropout(p=0.1)\n"
        "  (3): Linear(in_features=16, out_features=1, bias=True)\n"
        ")"
    )
    assert repr(Net()).splitlines()[:4] == [
        "Net(",
        "  (first): Block(",
        "    (inner): Linear(in_features=3, out_features=2, bias=True)",
        "    (act): Tanh()",
    ]
    assert repr(Linear(2, 3, dtype=np.float32)).endswith("bias=True, dtype=float32)")


def test_sequential_and_module_list():
    seq = Sequential(Linear(2, 3, seed=0), ReLU(), Linear(3, 1, seed=1))
    x = np.ones((4, 2))
    np.testing.assert_array_equal(seq(x).data, seq[2](seq[1](seq[0](x))).data)
    assert len(seq) == 3 and isinstance(seq[1], ReLU)
    head = seq[:2]
    assert isinstance(head, Sequential) and head[0] is seq[0]
    assert Sequential([ReLU(), Tanh()])[1].__class__ is Tanh
    ml = ModuleList().append(ReLU())
    assert isinstance(ml[0:1], ModuleList) and len(ml) == 1
    with pytest.raises(TypeError, match="item 1 is a function, not a Module"):
        Sequential(ReLU(), lambda v: v)


# ------------------------------------------------------------------ the rule
NN_DIR = Path(__file__).resolve().parents[1] / "nn"


def _code_lines(path: Path):
    """Source lines with comments and strings (docstrings) blanked out."""
    src = path.read_text()
    out = src.splitlines()
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type in (tokenize.COMMENT, tokenize.STRING):
            (r0, c0), (r1, c1) = tok.start, tok.end
            for r in range(r0, r1 + 1):
                line = out[r - 1]
                a = c0 if r == r0 else 0
                b = c1 if r == r1 else len(line)
                out[r - 1] = line[:a] + " " * (b - a) + line[b:]
    return out


GRAD_ASSIGN = re.compile(r"\.grad\s*(\[[^\]]*\])?\s*([-+*/@]?=)(?!=)|setattr\([^)]*['\"]grad['\"]")


def test_grad_pattern_catches_what_it_should():
    hits = ["p.grad = g", "p.grad += g", "p.grad[...] = 0", "x.grad *= 2", "setattr(p, 'grad', g)"]
    misses = ["p.grad == g", "g = p.grad", "if p.grad is None:", "p.zero_grad()"]
    assert all(GRAD_ASSIGN.search(s) for s in hits)
    assert not any(GRAD_ASSIGN.search(s) for s in misses)


def test_nn_never_assigns_grad_outside_the_optimisers():
    files = sorted(NN_DIR.glob("*.py"))
    assert len(files) >= 8
    offenders = [
        f"{f.name}:{i}: {line.strip()}"
        for f in files
        if f.name != "optim.py"
        for i, line in enumerate(_code_lines(f), 1)
        if GRAD_ASSIGN.search(line)
    ]
    assert offenders == [], "nn/ must not write gradients:\n" + "\n".join(offenders)


def test_nn_writes_no_backward_formula():
    # no vjp/backward definitions or engine internals in nn/: derivatives live in autograd_core
    pattern = re.compile(r"def\s+\w*(backward|vjp|jvp)\w*\s*\(|\._op\b|\._parents\b|_emit\(")
    offenders = [
        f"{f.name}:{i}: {line.strip()}"
        for f in sorted(NN_DIR.glob("*.py"))
        for i, line in enumerate(_code_lines(f), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_parameters_are_labelled_by_their_path_for_graph_drawings():
    from nn import MLP, Linear, Module

    m = MLP(2, [3], 1, seed=0)
    # the names state_dict and the CLI use, so text and drawings tell the layers apart
    assert [p.label for p in m.parameters()] == [n for n, _ in m.named_parameters()]
    assert [p.label for p in m.parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]

    class Net(Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = MLP(2, [3], 1, seed=0)
            self.head = Linear(1, 1)
            self.head.bias.label = "b_out"  # a label the user chose stays

    assert [p.label for p in Net().parameters()] == [
        "body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias", "head.weight", "b_out"]


class _ScalarAndVector(Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = Parameter(np.zeros(2))
        self.w = Parameter(2.0)  # a number: its data is a numpy scalar


def test_a_scalar_parameter_loads_its_own_state_dict_and_new_values():
    m = _ScalarAndVector()
    m.load_state_dict(m.state_dict())
    m.load_state_dict({"a": np.ones(2), "w": np.array(5.0)})
    np.testing.assert_array_equal(m.a.data, [1.0, 1.0])
    assert float(m.w.data) == 5.0 and m.w.data.dtype == np.float64
    with pytest.raises(ValueError, match="shape mismatch for 'w'"):
        m.load_state_dict({"a": np.full(2, 7.0), "w": np.ones(2)})
    np.testing.assert_array_equal(m.a.data, [1.0, 1.0])  # untouched on the error


def test_assigning_a_non_parameter_to_a_parameter_name_is_refused():
    lin = Linear(3, 2, seed=0)
    w = lin.weight
    for value, kind in [(np.zeros((3, 2)), "ndarray"), (lin.weight * 0.5, "Value"),
                        (Linear(3, 2, seed=1), "Linear"), (2.0, "float")]:
        with pytest.raises(TypeError, match=(
            rf"^cannot assign {kind} to parameter 'weight' of Linear \(a Parameter or None "
            r"expected\); to change its numbers use `with no_grad\(\): layer.weight -= \.\.\.` "
            r"or `layer.weight.data\[\.\.\.\] = \.\.\.`$"
        )):
            lin.weight = value
    assert lin.weight is w and [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    with pytest.raises(TypeError, match=r"^cannot assign Value to parameter 'bias' of "
                                        r"Perceptron \(a Parameter"):
        Perceptron(2).bias = Value(0.5)
    # a Parameter made from a number holds a numpy scalar: no .data[...] to suggest
    blk = Module()
    blk.t = Parameter(0.5)
    with pytest.raises(TypeError, match=r"parameter 't' of Module .* use "
                                        r"`with no_grad\(\): layer.t -= \.\.\.`$"):
        blk.t = 0.25
    # a new Parameter keeps the name's place (state_dict order, nn.save); None unregisters
    new = Parameter(np.ones((3, 2)))
    lin.weight = new
    assert lin.weight is new and list(lin.state_dict()) == ["weight", "bias"]
    lin.weight = w
    assert list(lin.state_dict()) == ["weight", "bias"] and w.label == "weight"
    lin.bias = None
    assert list(lin.state_dict()) == ["weight"]
    np.testing.assert_array_equal(lin(np.ones((1, 3))).data, np.ones((1, 3)) @ w.data)
    lin.bias = np.zeros(2)  # no longer a parameter's name: any attribute goes
    assert list(lin.state_dict()) == ["weight"]
    # other names take anything, as before
    lin.note = np.zeros(2)
    del lin.weight
    lin.weight = np.zeros((3, 2))
    assert list(lin.state_dict()) == []


def test_model_predict_puts_back_every_submodules_own_mode():
    # found beside nn.predict's: MLP.predict restored only the top module's flag
    m = MLP(3, [4], 2, dropout=0.5, seed=0)
    m.train()
    m[2].eval()
    out = m.predict(np.ones((5, 3)))
    assert out.shape == (5, 2)
    assert m.training is True and m[2].training is False


class MicrogradNeuron(Module):
    """micrograd's Neuron, ported: its weights in a plain list."""

    def __init__(self, nin):
        super().__init__()
        self.w = [Parameter(v) for v in np.linspace(-0.5, 0.5, nin)]
        self.b = Parameter(0.0)

    def forward(self, x):
        return sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b).tanh()


def test_a_list_of_parameters_is_registered_as_micrograds_neuron_keeps_them(tmp_path):
    # a plain list used to be ignored: parameters() held only b, and training moved only b
    import nn
    from nn.module import ParameterList

    n = MicrogradNeuron(3)
    assert isinstance(n.w, ParameterList) and len(n.w) == 3 and n.w[1].item() == 0.0
    assert [name for name, _ in n.named_parameters()] == ["b", "w.0", "w.1", "w.2"]
    assert [p.label for p in n.w] == ["w.0", "w.1", "w.2"]
    out = n([1.0, 2.0, 3.0])
    out.backward()
    assert all(p.grad is not None for p in n.parameters())
    assert "(w): ParameterList(3 Parameters, each of shape ())" in repr(n)
    nn.save(n, tmp_path / "neuron.npz")
    m = MicrogradNeuron(3)
    with no_grad():
        for p in m.parameters():
            p *= 0
    nn.load(m, tmp_path / "neuron.npz")
    assert [p.item() for p in m.parameters()] == [p.item() for p in n.parameters()]
    with pytest.raises(TypeError, match=r"ParameterList: item 0 is a Value, not a Parameter"):
        ParameterList([Value(1.0)])
    n.extra = [Value(1.0)]  # a list of other things is left as it is
    assert isinstance(n.extra, list)


def test_a_parameter_list_reads_as_the_list_it_was():
    """From a review: micrograd's Neuron.parameters() is ``self.w + [self.b]``, which
    failed on the ParameterList, as did extend, item assignment and array(self.w)."""
    from autograd_core import array
    from nn.module import ParameterList

    n = MicrogradNeuron(3)
    assert n.w + [n.b] == [*n.w._items, n.b] and [n.b] + n.w == [n.b, *n.w._items]
    assert isinstance(n.w + [n.b], list) and n.w[1:] == n.w._items[1:]
    stacked = array(n.w)
    assert stacked.shape == (3,) and stacked.op == "stack"
    stacked.sum().backward()
    assert [p.grad for p in n.w] == [1.0, 1.0, 1.0]
    new = Parameter(7.0)
    n.w[-1] = new
    n.w.extend([Parameter(8.0)])
    assert [name for name, _ in n.named_parameters()] == ["b", "w.0", "w.1", "w.2", "w.3"]
    assert n.w[2] is new and len(n.w) == 4 and new in n.w
    with pytest.raises(IndexError, match=r"ParameterList: index 4 is out of range for 4 "
                                         r"Parameters \(append\(\) adds one\)"):
        n.w[4] = new
    with pytest.raises(TypeError, match=r"assign one item at a time, by an int index, not a "
                                        r"slice"):
        n.w[0:1] = [new]
    w = n.w
    w += [Parameter(9.0)]  # a local name stays the ParameterList, registered
    assert w is n.w and len(n.w) == 5 and n.w[4].item() == 9.0
    with pytest.raises(TypeError, match=r"ParameterList: item 1 is a float, not a Parameter"):
        ParameterList([Parameter(1.0), 2.0])


def test_a_list_of_parameters_already_registered_stays_a_list():
    # kept for reference: wrapping it would add a module and change the saved architecture
    lin = Linear(2, 3)
    lin.kept = list(lin.parameters())
    assert type(lin.kept) is list and [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
