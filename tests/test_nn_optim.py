"""Optimisers against their update equations, Rosenbrock, state dicts, schedules, clipping."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd_core import Value
from nn import optim
from nn.layers import Linear
from nn.module import Parameter

# f(p) = 1/2 Σ a p^2 - b·p, gradient a p - b: a quadratic with different curvatures
A = np.array([1.0, 10.0, 0.1, 3.0])
B = np.array([1.0, -2.0, 0.5, 0.0])
P0 = np.array([2.0, -1.0, 3.0, 0.5])
STEPS = 6


def _grad(p):
    return A * p - B


def _run(make_opt, steps=STEPS):
    """Steps of the optimiser, the gradient computed by autodiff on the quadratic."""
    p = Parameter(P0.copy())
    opt = make_opt([p])
    path = []
    for _ in range(steps):
        opt.zero_grad()
        ((p * p * A) * 0.5 - p * B).sum().backward()
        opt.step()
        path.append(p.data.copy())
    return np.array(path)


def _by_hand(update, steps=STEPS):
    p, state, path = P0.copy(), {}, []
    for t in range(1, steps + 1):
        p = update(p, _grad(p), t, state)
        path.append(p.copy())
    return np.array(path)


def test_sgd_is_p_minus_lr_g():
    lr = 0.05
    expected = _by_hand(lambda p, g, t, s: p - lr * g)
    np.testing.assert_allclose(_run(lambda ps: optim.SGD(ps, lr=lr)), expected, rtol=1e-14)


def test_sgd_momentum_dampening_and_weight_decay():
    lr, mu, damp, wd = 0.05, 0.9, 0.1, 0.01

    def update(p, g, t, s):
        g = g + wd * p
        s["b"] = g.copy() if t == 1 else mu * s["b"] + (1 - damp) * g
        return p - lr * s["b"]

    got = _run(lambda ps: optim.SGD(ps, lr=lr, momentum=mu, dampening=damp, weight_decay=wd))
    np.testing.assert_allclose(got, _by_hand(update), rtol=1e-13)


def test_sgd_nesterov():
    lr, mu = 0.05, 0.9

    def update(p, g, t, s):
        s["b"] = g.copy() if t == 1 else mu * s["b"] + g
        return p - lr * (g + mu * s["b"])

    got = _run(lambda ps: optim.SGD(ps, lr=lr, momentum=mu, nesterov=True))
    np.testing.assert_allclose(got, _by_hand(update), rtol=1e-13)


def test_adagrad():
    lr, decay, eps, init = 0.3, 0.05, 1e-10, 0.1

    def update(p, g, t, s):
        s["sum"] = s.get("sum", np.full(4, init)) + g * g
        return p - lr / (1 + (t - 1) * decay) * g / (np.sqrt(s["sum"]) + eps)

    got = _run(lambda ps: optim.Adagrad(ps, lr=lr, lr_decay=decay, initial_accumulator_value=init))
    np.testing.assert_allclose(got, _by_hand(update), rtol=1e-13)


@pytest.mark.parametrize("momentum", [0.0, 0.8])
def test_rmsprop(momentum):
    lr, alpha, eps = 0.01, 0.9, 1e-8

    def update(p, g, t, s):
        s["sq"] = alpha * s.get("sq", 0.0) + (1 - alpha) * g * g
        step = g / (np.sqrt(s["sq"]) + eps)
        if momentum:
            s["b"] = momentum * s.get("b", 0.0) + step
            step = s["b"]
        return p - lr * step

    got = _run(lambda ps: optim.RMSprop(ps, lr=lr, alpha=alpha, eps=eps, momentum=momentum))
    np.testing.assert_allclose(got, _by_hand(update), rtol=1e-13)


def _adam_by_hand(lr, b1, b2, eps, wd, decoupled):
    def update(p, g, t, s):
        if decoupled:
            p = p * (1 - lr * wd)
        else:
            g = g + wd * p
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        m_hat = s["m"] / (1 - b1**t)
        v_hat = s["v"] / (1 - b2**t)
        return p - lr * m_hat / (np.sqrt(v_hat) + eps)

    return update


def test_adam():
    lr, betas, eps, wd = 0.1, (0.8, 0.95), 1e-8, 0.02
    got = _run(lambda ps: optim.Adam(ps, lr=lr, betas=betas, eps=eps, weight_decay=wd))
    expected = _by_hand(_adam_by_hand(lr, *betas, eps, wd, decoupled=False))
    # the library folds sqrt(1 - b2^t) into the denominator (PyTorch's form): equal up to
    # where eps sits, far below the tolerance
    np.testing.assert_allclose(got, expected, rtol=1e-7)


def test_adamw_decays_the_weights_not_the_gradient():
    lr, betas, eps, wd = 0.1, (0.9, 0.999), 1e-8, 0.1
    got = _run(lambda ps: optim.AdamW(ps, lr=lr, betas=betas, eps=eps, weight_decay=wd))
    expected = _by_hand(_adam_by_hand(lr, *betas, eps, wd, decoupled=True))
    np.testing.assert_allclose(got, expected, rtol=1e-7)
    coupled = _run(lambda ps: optim.Adam(ps, lr=lr, betas=betas, eps=eps, weight_decay=wd))
    assert np.abs(got - coupled).max() > 1e-3  # the two forms of weight decay differ


def _rosenbrock(make_opt, steps, schedule=None, every=100):
    """Minimise (1-x)^2 + 100 (y-x^2)^2 from (-1.5, 2); gradient by hand (cheap)."""
    p = Parameter(np.array([-1.5, 2.0]))
    opt = make_opt([p])
    sched = schedule(opt) if schedule else None
    for i in range(steps):
        x, y = p.data
        p.grad = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
        opt.step()
        if sched is not None and (i + 1) % every == 0:
            sched.step()
    return p.data


ALL = list(optim.optimizers)  # every registered optimiser: a new one gets the generic tests

ROSENBROCK = {
    "sgd+momentum": (lambda ps: optim.SGD(ps, lr=1e-3, momentum=0.9), 3000, None),
    "nesterov": (lambda ps: optim.SGD(ps, lr=1e-3, momentum=0.9, nesterov=True), 3000, None),
    "adagrad": (lambda ps: optim.Adagrad(ps, lr=1.0), 20000, None),
    "rmsprop+momentum+exp": (lambda ps: optim.RMSprop(ps, lr=1e-3, momentum=0.9), 5000,
                             lambda o: optim.ExponentialLR(o, 0.9)),
    "rmsprop+cosine": (lambda ps: optim.RMSprop(ps, lr=3e-3), 5000,
                       lambda o: optim.CosineAnnealingLR(o, 50)),
    "adam": (lambda ps: optim.Adam(ps, lr=0.02), 3000, None),
    "adamw": (lambda ps: optim.AdamW(ps, lr=0.02, weight_decay=1e-4), 3000, None),
}


@pytest.mark.parametrize("name", list(ROSENBROCK))
def test_converges_on_rosenbrock(name):
    make, steps, schedule = ROSENBROCK[name]
    np.testing.assert_allclose(_rosenbrock(make, steps, schedule), [1.0, 1.0], atol=1e-2)


def test_adam_on_rosenbrock_through_autodiff():
    p = Parameter(np.array([-1.5, 2.0]))
    opt = optim.Adam([p], lr=0.05)
    for _ in range(1500):
        opt.zero_grad()
        x, y = p[0], p[1]
        loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        loss.backward()
        opt.step()
    np.testing.assert_allclose(p.data, [1.0, 1.0], atol=1e-3)


@pytest.mark.parametrize("name", ALL)
def test_float32_parameters_and_state_stay_float32(name):
    lin = Linear(3, 2, seed=0, dtype=np.float32)
    opt = optim.get_optimizer(name, lin.parameters(), lr=0.01)
    for _ in range(2):
        opt.zero_grad()
        (lin(np.ones((4, 3))) ** 2).sum().backward()
        opt.step()
    for p in lin.parameters():
        assert p.data.dtype == np.float32
        for v in opt.state[p].values():
            if isinstance(v, np.ndarray):
                assert v.dtype == np.float32


def test_step_updates_in_place_and_skips_params_without_grad():
    a, b = Parameter(np.ones(3)), Parameter(np.ones(2))
    data_a = a.data
    opt = optim.SGD([a, b], lr=0.5)
    a.grad = np.full(3, 2.0)
    opt.step()
    assert a.data is data_a
    np.testing.assert_array_equal(a.data, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(b.data, [1.0, 1.0])


def test_zero_grad_none_or_zeros():
    p = Parameter(np.ones(3))
    opt = optim.SGD([p], lr=0.1)
    p.grad = np.ones(3)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad, np.zeros(3))
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize("name", ["momentum", "adagrad", "rmsprop", "adam"])
def test_state_dict_round_trip_continues_identically(name):
    def make():
        lin = Linear(3, 2, seed=0)
        return lin, optim.get_optimizer(name, lin.parameters(), lr=0.05)

    def train(lin, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            (lin(np.arange(6.0).reshape(2, 3)) ** 2).sum().backward()
            opt.step()

    lin1, opt1 = make()
    train(lin1, opt1, 3)
    sd = opt1.state_dict()
    lin2, opt2 = make()
    lin2.load_state_dict(lin1.state_dict())
    opt2.load_state_dict(sd)
    for arr in sd["state"][0].values():  # the state dict holds copies
        if isinstance(arr, np.ndarray):
            arr += 100.0
    train(lin1, opt1, 3)
    train(lin2, opt2, 3)
    for p1, p2 in zip(lin1.parameters(), lin2.parameters(), strict=True):
        np.testing.assert_array_equal(p1.data, p2.data)


def test_load_state_dict_errors():
    opt = optim.Adam(Linear(3, 2, seed=0).parameters())
    other = optim.Adam(Linear(3, 4, seed=0).parameters())
    for p in other._params():
        p.grad = np.ones_like(p.data)
    other.step()
    with pytest.raises(ValueError, match=r"state 'exp_avg' of parameter 0 has shape \(3, 4\), "
                                         r"the parameter has \(3, 2\)"):
        opt.load_state_dict(other.state_dict())
    assert opt.state == {}  # untouched
    with pytest.raises(ValueError, match="group 0 has 1 parameters in the state, 2 in the"):
        opt.load_state_dict(optim.Adam([Parameter(1.0)]).state_dict())
    with pytest.raises(ValueError, match="expected a dict with 'state' and 'param_groups'"):
        opt.load_state_dict({})


def test_param_groups_and_lr_property():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(2))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    a.grad, b.grad = np.ones(2), np.ones(2)
    opt.step()
    np.testing.assert_allclose(a.data, [0.9, 0.9])
    np.testing.assert_allclose(b.data, [0.0, 0.0])
    assert opt.lr == 0.1
    opt.lr = 0.5
    assert [g["lr"] for g in opt.param_groups] == [0.5, 0.5]
    with pytest.raises(ValueError, match=r"unknown options \['betas'\]"):
        optim.SGD([{"params": [a], "betas": (0.9, 0.9)}])


def test_bad_arguments_are_clear():
    lin = Linear(2, 2, seed=0)
    with pytest.raises(TypeError, match=r"got a Linear; pass its parameters: SGD\(model.param"):
        optim.SGD(lin, lr=0.1)
    with pytest.raises(ValueError, match="Adam: got an empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match="parameter 0 is a ndarray, not a Value"):
        optim.SGD([np.ones(2)])
    with pytest.raises(ValueError, match=r"SGD: lr must be in \[0.0, inf\], got -0.1"):
        optim.SGD(lin.parameters(), lr=-0.1)
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        optim.SGD(lin.parameters(), nesterov=True)
    with pytest.raises(ValueError, match=r"Adam: beta2 must be in \[0.0, 1.0\), got 1.0"):
        optim.Adam(lin.parameters(), betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="a parameter appears more than once"):
        p = Parameter(1.0)
        optim.SGD([p, p])


def test_get_optimizer_registry():
    ps = list(Linear(2, 2, seed=0).parameters())
    assert isinstance(optim.get_optimizer("ADAM", ps), optim.Adam)
    mom = optim.get_optimizer("momentum", ps, lr=0.2)
    assert isinstance(mom, optim.SGD) and mom.param_groups[0]["momentum"] == 0.9
    assert optim.get_optimizer("nesterov", ps).param_groups[0]["nesterov"] is True
    assert isinstance(optim.get_optimizer(optim.RMSprop, ps), optim.RMSprop)
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'; known: adagrad, adam, adamw, "
                                         "momentum, nesterov, rmsprop, sgd"):
        optim.get_optimizer("lbfgs", ps)


# ------------------------------------------------------------------ schedules
def _lrs(make_sched, epochs):
    opt = optim.SGD([Parameter(1.0)], lr=1.0)
    sched = make_sched(opt)
    out = [opt.lr]
    for _ in range(epochs):
        sched.step()
        out.append(sched.get_last_lr()[0])
    return out


def test_step_lr():
    got = _lrs(lambda o: optim.StepLR(o, step_size=2, gamma=0.5), 5)
    assert got == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


def test_exponential_lr():
    np.testing.assert_allclose(_lrs(lambda o: optim.ExponentialLR(o, 0.9), 3),
                               [1.0, 0.9, 0.81, 0.729], rtol=1e-15)


def test_cosine_annealing_lr():
    got = _lrs(lambda o: optim.CosineAnnealingLR(o, T_max=4, eta_min=0.1), 4)
    expected = [0.1 + 0.9 * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(5)]
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    assert got[0] == 1.0 and got[2] == pytest.approx(0.55) and got[4] == pytest.approx(0.1)


def test_scheduler_state_and_errors():
    opt = optim.SGD([Parameter(1.0)], lr=1.0)
    sched = optim.StepLR(opt, 1, 0.5)
    sched.step()
    sched.step()
    state = sched.state_dict()
    opt2 = optim.SGD([Parameter(1.0)], lr=1.0)
    sched2 = optim.StepLR(opt2, 1, 0.5)
    sched2.load_state_dict(state)
    assert opt2.lr == 0.25
    with pytest.raises(ValueError, match="step_size must be a positive int"):
        optim.StepLR(opt, 0)
    with pytest.raises(TypeError, match="expected an Optimizer"):
        optim.ExponentialLR([1.0], 0.5)
    with pytest.raises(ValueError, match="T_max must be a positive int"):
        optim.CosineAnnealingLR(opt, T_max=0)


# ------------------------------------------------------------------ clipping
def test_clip_grad_norm_scales_all_gradients_together():
    a, b, c = Parameter(np.zeros(2)), Parameter(np.zeros(1)), Parameter(np.zeros(3))
    a.grad, b.grad = np.array([3.0, 4.0]), np.array([12.0])
    total = optim.clip_grad_norm_([a, b, c], max_norm=6.5)
    assert total == pytest.approx(13.0)
    scale = 6.5 / (13.0 + 1e-6)
    np.testing.assert_allclose(a.grad, [3 * scale, 4 * scale], rtol=1e-15)
    np.testing.assert_allclose(b.grad, [12 * scale], rtol=1e-15)
    assert c.grad is None
    assert optim.clip_grad_norm_([a, b], max_norm=100.0) == pytest.approx(6.5, rel=1e-6)
    np.testing.assert_allclose(b.grad, [12 * scale], rtol=1e-15)  # below the cap: unchanged


def test_clip_grad_norm_inf_norm_and_nonfinite():
    a = Parameter(np.zeros(3))
    a.grad = np.array([1.0, -5.0, 2.0])
    assert optim.clip_grad_norm_(a, 1.0, norm_type=math.inf) == 5.0
    np.testing.assert_allclose(np.abs(a.grad).max(), 1.0, rtol=1e-6)
    a.grad = np.array([np.nan, 1.0, 1.0])
    with pytest.raises(FloatingPointError, match="total gradient norm is nan"):
        optim.clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    assert optim.clip_grad_norm_([Parameter(1.0)], 1.0) == 0.0  # no gradients at all


# ------------------------------------------------------------------ one parameter at a time
def test_sgd_step_allocates_one_parameter_sized_temporary_at_most():
    """``p -= lr * g``: the product is the only temporary (bench.memory's targets count it)."""
    import tracemalloc

    p = Parameter(np.ones((1000, 1000), dtype=np.float32))  # 4 MB
    p.grad = np.full((1000, 1000), 2.0, dtype=np.float32)
    opt = optim.SGD([p], lr=0.5)
    opt.step()
    tracemalloc.start()
    opt.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    np.testing.assert_array_equal(p.data[:2, :2], [[-1.0, -1.0], [-1.0, -1.0]])
    assert peak < 1.25 * p.data.nbytes


@pytest.mark.parametrize("name", ALL)
def test_a_group_updates_each_parameter_as_if_alone(name):
    """One group of four parameters against four groups of one: the same results and state,
    through a step where a parameter has no gradient and a state-dict reload."""
    rng = np.random.default_rng(1)
    shapes = [(5, 3), (3,), (3, 2), (2,)]
    init = [rng.normal(size=s) for s in shapes]
    together = [Parameter(a.copy()) for a in init]
    alone = [Parameter(a.copy()) for a in init]
    kw = {"lr": 0.05, "weight_decay": 0.01}
    opt_t = optim.get_optimizer(name, together, **kw)
    opt_a = optim.get_optimizer(name, [{"params": [p]} for p in alone], **kw)  # one per group

    def step(opt, params, grads):
        for p, g in zip(params, grads, strict=True):
            p.grad = None if g is None else g.copy()
        opt.step()

    for i in range(8):
        grads = [rng.normal(size=s) for s in shapes]
        if i == 3:  # a parameter without gradient is skipped
            grads[1] = None
        if i == 5:  # a reload: the state becomes copies
            opt_t.load_state_dict(opt_t.state_dict())
        step(opt_t, together, grads)
        step(opt_a, alone, grads)
        for pt, pa in zip(together, alone, strict=True):
            np.testing.assert_array_equal(pt.data, pa.data)
    sd_t, sd_a = opt_t.state_dict()["state"], opt_a.state_dict()["state"]
    assert sd_t[1]["step"] == 7 and sd_t[0]["step"] == 8
    for i in range(len(shapes)):
        assert sd_t[i].keys() == sd_a[i].keys()
        for k, v in sd_t[i].items():
            np.testing.assert_array_equal(v, sd_a[i][k])
            if isinstance(v, np.ndarray):
                assert v.shape == shapes[i]


def test_step_keeps_the_parameter_arrays():
    a, b = Parameter(np.ones((2, 2))), Parameter(np.zeros(2))
    arrays = (a.data, b.data)
    opt = optim.Adam([a, b], lr=0.1)
    for _ in range(3):
        a.grad, b.grad = np.ones((2, 2)), -np.ones(2)
        opt.step()
    assert a.data is arrays[0] and b.data is arrays[1]  # updated in place
    np.testing.assert_allclose(a.data, 1.0 - 0.3, rtol=1e-6)  # Adam moves by ~lr per step
    np.testing.assert_allclose(b.data, 0.3, rtol=1e-6)


def test_momentum_turned_on_later_starts_from_the_gradient():
    p = Parameter(np.ones(3))
    opt = optim.SGD([p], lr=0.1)
    grads = [np.arange(3.0), -np.ones(3), np.full(3, 2.0), np.array([1.0, 0.0, -1.0])]
    for i, g in enumerate(grads):
        if i == 2:
            opt.param_groups[0]["momentum"] = 0.9
        p.grad = g.copy()
        opt.step()
        if i == 2:
            np.testing.assert_array_equal(opt.state[p]["momentum_buffer"], grads[2])
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"], 0.9 * grads[2] + grads[3])
    expected = 1.0 - 0.1 * (grads[0] + grads[1] + grads[2] + 0.9 * grads[2] + grads[3])
    np.testing.assert_allclose(p.data, expected, rtol=1e-15)


def _ones_grads(*params):
    for p in params:
        p.grad = np.ones_like(p.data)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("change", ["reset state", "load empty state", "add a parameter",
                                    "remove a parameter"])
def test_changes_to_the_group_or_its_state_between_steps(name, change):
    """The state cleared, reloaded empty, a parameter added to or removed from a group: the
    result equals that of parameters in groups of their own."""

    def run(split):
        ps = [Parameter(np.full(3, 1.0)), Parameter(np.full(2, 2.0)), Parameter(np.full(4, 3.0))]
        groups = [{"params": [p]} for p in ps[:2]] if split else [{"params": ps[:2]}]
        opt = optim.get_optimizer(name, groups, lr=0.1)
        _ones_grads(*ps[:2])
        opt.step()
        live = ps[:2]
        if change == "reset state":
            opt.state.clear()
        elif change == "load empty state":
            # a checkpoint taken before the first step: no per-parameter state
            twins = [{"params": [Parameter(p.data.copy()) for p in g["params"]]}
                     for g in opt.param_groups]
            opt.load_state_dict(optim.get_optimizer(name, twins, lr=0.1).state_dict())
        elif change == "add a parameter":
            opt.param_groups[-1]["params"].append(ps[2])
            live = ps
        else:
            opt.param_groups[-1]["params"].pop()
            live = ps[:1]
        for _ in range(2):
            _ones_grads(*live)
            opt.step()
        return [p.data.copy() for p in ps]

    for together, alone in zip(run(False), run(True), strict=True):
        np.testing.assert_array_equal(together, alone)


def test_tied_parameters_each_get_their_update():
    """Two parameters viewing one array (tied weights) each get their update."""
    arr = np.zeros((2, 3))
    a, b = Parameter(arr), Parameter(arr.T)
    assert np.shares_memory(a.data, b.data)
    opt = optim.SGD([a, b], lr=1.0)
    _ones_grads(a, b)
    opt.step()
    np.testing.assert_array_equal(a.data, np.full((2, 3), -2.0))


@pytest.mark.parametrize("name", ["sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw"])
def test_zero_dimensional_parameters(name):
    """A 0-d parameter (a scalar weight) alone and in a group, as a (1,) one would move."""
    results = []
    for shape in ((), (1,)):
        p, q = Parameter(np.full(shape, 1.0)), Parameter(np.full(shape, 1.0))
        alone = optim.get_optimizer(name, [p], lr=0.1)
        grouped = optim.get_optimizer(name, [q, Parameter(np.ones(2))], lr=0.1)
        for _ in range(3):
            p.grad, q.grad = np.full(shape, 0.5), np.full(shape, 0.5)
            alone.step()
            grouped.step()
        assert p.data.shape == shape
        results.append((float(p.data.reshape(())), float(q.data.reshape(()))))
    assert results[0] == results[1]
    assert results[0][0] == results[0][1]



@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numpy_scalar_parameters(name, dtype):
    """A 0-d parameter whose data is a numpy scalar (``Parameter(1.0)``: the engine holds
    0-d data as ``np.float64``/``np.float32``, which cannot change in place) moves exactly as
    a (1,) one, alone and beside an array parameter, stays a scalar of its dtype, survives a
    state-dict round trip, and is marked modified."""
    kw = {"lr": 0.1, "weight_decay": 0.01}
    s, s2, one = Parameter(dtype(1.0)), Parameter(dtype(1.0)), Parameter(np.ones(1, dtype))
    assert type(s.data) is dtype
    alone = optim.get_optimizer(name, [s], **kw)
    grouped = optim.get_optimizer(name, [s2, Parameter(np.ones(2, dtype))], **kw)
    ref = optim.get_optimizer(name, [one], **kw)
    for i in range(4):
        if i == 2:
            alone.load_state_dict(alone.state_dict())
        stale = s * s
        for p, opt in ((s, alone), (s2, grouped), (one, ref)):
            opt.zero_grad()
            (3.0 * p * p - p).sum().backward()
            opt.step()
        assert type(s.data) is dtype and type(s2.data) is dtype
        assert s.data == s2.data == one.data[0]
        for v in alone.state[s].values():
            if isinstance(v, np.ndarray):
                assert v.shape == () and v.dtype == dtype
    assert s.data != 1.0
    with pytest.raises(RuntimeError, match="changed in place"):
        stale.backward()


def test_zero_grad_without_none_zeroes_a_scalar_parameters_gradient():
    # a number's gradient is a numpy scalar, which fill(0) cannot change in place
    w = Parameter(2.0)
    opt = optim.SGD([w], lr=0.1)
    for _ in range(2):
        opt.zero_grad(set_to_none=False)
        (w * w).backward()
    assert float(w.grad) == 4.0  # not 8.0: the first step's gradient was zeroed


def test_an_optimiser_refuses_an_op_output_as_a_parameter():
    # it was accepted, and step() then failed half-way (mark_modified of a non-leaf)
    w = Value(np.ones(3)) * 0.01
    with pytest.raises(ValueError, match=r"SGD: parameter 1 is the output of op 'mul', not a "
                                         r"leaf; an optimiser changes its parameters' data in "
                                         r"place"):
        optim.SGD([Value(np.zeros(3)), w], lr=0.1)


def test_get_optimizer_finds_a_registered_name_however_it_is_written(monkeypatch):
    # the name given was compared without '-' and '_', the registry's keys as written: a
    # key "adam_max" was listed as known and could not be reached
    from nn import optim
    from nn.module import Parameter

    monkeypatch.setitem(optim.optimizers, "adam_max", optim.Adam)
    p = [Parameter(np.zeros(2))]
    for name in ("adam_max", "Adam-Max", "adammax"):
        assert isinstance(optim.get_optimizer(name, p, lr=0.1), optim.Adam)
