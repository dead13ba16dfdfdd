"""Optimizers against torch.optim: trajectories in float32 and float64, state dicts in torch's
layout, parameter groups, hooks, closures, argument checks."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import wright
from wright import optim

torch = pytest.importorskip("torch")

STEPS = 20
SHAPES = [(3, 4), (4,), ()]
TOLERANCES = {np.float32: (1e-6, 1e-6), np.float64: (1e-12, 1e-12)}

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.1, "maximize": True}),
    ("SGD", {"lr": 0.1, "foreach": True}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "betas": (0.3, 0.6), "maximize": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adam", {"lr": 0.05, "fused": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "betas": (0.85, 0.95), "amsgrad": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.005, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    (
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
    ),
    ("Adagrad", {"lr": 0.1, "eps": 1e-6, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.5, "eps": 1e-4, "weight_decay": 0.1}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.05, "betas": (0.6, 0.9), "weight_decay": 0.1, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.1}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.05, "betas": (0.9, 0.9), "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
]
config_ids = [f"{name}-{settings}" for name, settings in CONFIGS]
NAMES = sorted({name for name, _ in CONFIGS})


def _initial_values(dtype=np.float64) -> list[np.ndarray]:
    return [
        np.asarray(np.random.default_rng(i).standard_normal(shape), dtype=dtype)
        for i, shape in enumerate(SHAPES)
    ]


def _gradient(values: np.ndarray, index: int, step: int) -> np.ndarray:
    """A pull towards a target that depends on the parameter, plus fixed noise."""
    noise = np.random.default_rng(1000 * step + index).standard_normal(values.shape)
    return np.asarray(2 * (values - 0.3 * index) + 0.3 * noise, dtype=values.dtype)


def _twins(dtype=np.float64):
    values = _initial_values(dtype)
    ours = [wright.tensor(v.copy(), requires_grad=True) for v in values]
    theirs = [torch.tensor(v.copy(), requires_grad=True) for v in values]
    return ours, theirs


def _step_ours(optimizer, params, step):
    for index, p in enumerate(params):
        p.grad = wright.tensor(_gradient(p.array, index, step))
    optimizer.step()


def _step_theirs(optimizer, params, step):
    for index, p in enumerate(params):
        p.grad = torch.from_numpy(_gradient(p.detach().numpy(), index, step))
    optimizer.step()


def _assert_close(ours, theirs, dtype, message=""):
    rtol, atol = TOLERANCES[dtype]
    for index, (p, t) in enumerate(zip(ours, theirs, strict=True)):
        assert p.dtype == dtype
        np.testing.assert_allclose(
            p.array, t.detach().numpy(), rtol=rtol, atol=atol, err_msg=f"{message} param {index}"
        )


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name, settings", CONFIGS, ids=config_ids)
def test_trajectory_matches_torch(name, settings, dtype):
    ours, theirs = _twins(dtype)
    our_optimizer = getattr(optim, name)(ours, **settings)
    their_optimizer = getattr(torch.optim, name)(theirs, **settings)
    for step in range(STEPS):
        _step_ours(our_optimizer, ours, step)
        _step_theirs(their_optimizer, theirs, step)
        _assert_close(ours, theirs, dtype, f"step {step}")


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "NAdam"])
def test_param_groups_have_their_own_hyperparameters(name):
    ours, theirs = _twins()
    extra = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}

    def groups(params):
        return [
            {"params": params[:1]},
            {"params": params[1:], "lr": 0.01, "weight_decay": 0.2},
        ]

    our_optimizer = getattr(optim, name)(groups(ours), lr=0.05, **extra)
    their_optimizer = getattr(torch.optim, name)(groups(theirs), lr=0.05, **extra)
    assert [g["lr"] for g in our_optimizer.param_groups] == [0.05, 0.01]
    for step in range(8):
        if step == 4:  # an lr changed by hand takes effect at the next step
            our_optimizer.param_groups[0]["lr"] = 0.2
            their_optimizer.param_groups[0]["lr"] = 0.2
        _step_ours(our_optimizer, ours, step)
        _step_theirs(their_optimizer, theirs, step)
        _assert_close(ours, theirs, np.float64, f"step {step}")


@pytest.mark.parametrize("name", NAMES)
def test_defaults_and_repr_match_torch(name):
    ours = getattr(optim, name)([wright.ones(2, requires_grad=True)])
    theirs = getattr(torch.optim, name)([torch.ones(2, requires_grad=True)])
    assert ours.defaults == theirs.defaults
    assert repr(ours) == repr(theirs)


def _plain(value):
    """A state-dict entry as plain Python/NumPy values, from either library."""
    if isinstance(value, wright.Tensor | torch.Tensor):
        array = value.numpy() if isinstance(value, wright.Tensor) else value.detach().numpy()
        return ("tensor", str(array.dtype), array.tolist())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    return value


@pytest.mark.parametrize("name, settings", CONFIGS, ids=config_ids)
def test_state_dict_layout_and_values_match_torch(name, settings):
    ours, theirs = _twins()
    our_optimizer = getattr(optim, name)(ours, **settings)
    their_optimizer = getattr(torch.optim, name)(theirs, **settings)
    ours[1].grad = None  # a parameter that never gets a gradient has no state (but Adagrad's)
    for step in range(3):
        for index, (p, t) in enumerate(zip(ours, theirs, strict=True)):
            if index != 1:
                p.grad = wright.tensor(_gradient(p.array, index, step))
                t.grad = torch.from_numpy(_gradient(t.detach().numpy(), index, step))
        our_optimizer.step()
        their_optimizer.step()
    our_state, their_state = our_optimizer.state_dict(), their_optimizer.state_dict()
    assert our_state["param_groups"] == their_state["param_groups"]
    assert our_state["state"].keys() == their_state["state"].keys()
    for key, values in their_state["state"].items():
        assert values.keys() == our_state["state"][key].keys()
        for buffer, value in values.items():
            np.testing.assert_allclose(
                np.asarray(_plain(our_state["state"][key][buffer])[2]),
                np.asarray(_plain(value)[2]),
                rtol=1e-12,
                err_msg=f"{key} {buffer}",
            )
            assert _plain(our_state["state"][key][buffer])[:2] == _plain(value)[:2]


def _to_wright(value):
    if isinstance(value, torch.Tensor):
        return wright.tensor(value.detach().numpy().copy())
    if isinstance(value, dict):
        return {k: _to_wright(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_to_wright(v) for v in value)
    return value


@pytest.mark.parametrize("name, settings", CONFIGS, ids=config_ids)
def test_a_torch_state_dict_loads_and_continues_identically(name, settings):
    """Load the same torch state dict into a wright and a torch optimizer, then step both."""
    _, trained = _twins()
    trainer = getattr(torch.optim, name)(trained, **settings)
    for step in range(5):
        _step_theirs(trainer, trained, step)
    saved = trainer.state_dict()
    ours = [wright.tensor(t.detach().numpy().copy(), requires_grad=True) for t in trained]
    theirs = [t.detach().clone().requires_grad_(True) for t in trained]
    our_optimizer = getattr(optim, name)(ours, lr=123.0)
    their_optimizer = getattr(torch.optim, name)(theirs, lr=123.0)
    our_optimizer.load_state_dict(_to_wright(saved))
    their_optimizer.load_state_dict(saved)
    assert our_optimizer.param_groups[0]["lr"] == their_optimizer.param_groups[0]["lr"]
    for step in range(5, 10):
        _step_ours(our_optimizer, ours, step)
        _step_theirs(their_optimizer, theirs, step)
        _assert_close(ours, theirs, np.float64, f"step {step}")


@pytest.mark.parametrize("name, settings", CONFIGS, ids=config_ids)
def test_state_dict_round_trip_through_a_file_continues_identically(name, settings, tmp_path):
    params = [wright.tensor(v, requires_grad=True) for v in _initial_values()]
    optimizer = getattr(optim, name)(params, **settings)
    for step in range(4):
        _step_ours(optimizer, params, step)
    wright.save(
        {"params": [p.array for p in params], "optimizer": optimizer.state_dict()},
        tmp_path / "checkpoint",
    )
    checkpoint = wright.load(tmp_path / "checkpoint")
    restored = [wright.tensor(v.copy(), requires_grad=True) for v in checkpoint["params"]]
    resumed = getattr(optim, name)(restored, lr=123.0)
    resumed.load_state_dict(checkpoint["optimizer"])
    for step in range(4, 8):
        _step_ours(optimizer, params, step)
        _step_ours(resumed, restored, step)
        for a, b in zip(params, restored, strict=True):
            # NAdam's mu_product is a float32 scalar that loading casts to the parameter's dtype
            # (as torch does), so it continues only nearly identically.
            tolerance = 1e-6 if name == "NAdam" else 0
            np.testing.assert_allclose(a.array, b.array, rtol=tolerance, err_msg=f"step {step}")


def test_load_state_dict_copies_and_casts_buffers():
    source = wright.ones(3, requires_grad=True)
    optimizer = optim.Adam([source], lr=0.1)
    source.grad = wright.ones(3)
    optimizer.step()
    target = wright.ones(3, dtype=wright.float64, requires_grad=True)
    other = optim.Adam([target], lr=0.1)
    saved = optimizer.state_dict()
    other.load_state_dict(saved)
    state = other.state[target]
    assert state["exp_avg"].dtype == wright.float64
    assert state["step"].dtype == wright.float32 and state["step"].item() == 1.0
    # The loaded buffers are the optimizer's own: stepping one optimizer leaves the other alone.
    before = saved["state"][0]["exp_avg_sq"].array.copy()
    target.grad = wright.ones(3, dtype=wright.float64)
    other.step()
    np.testing.assert_array_equal(saved["state"][0]["exp_avg_sq"].array, before)


def test_checkpoints_of_older_versions_still_load():
    """Older wright kept raw arrays and a plain int step count in the state."""
    param = wright.ones(3, requires_grad=True)
    optimizer = optim.Adam([param], lr=0.1)
    optimizer.load_state_dict(
        {
            "state": {0: {"step": 2, "exp_avg": np.full(3, 0.1), "exp_avg_sq": np.full(3, 0.01)}},
            "param_groups": [dict(optimizer.state_dict()["param_groups"][0])],
        }
    )
    assert isinstance(optimizer.state[param]["exp_avg"], wright.Tensor)
    param.grad = wright.ones(3)
    optimizer.step()
    assert optimizer.state[param]["step"].item() == 3.0


def test_load_state_dict_checks_groups():
    optimizer = optim.SGD([wright.ones(2, requires_grad=True)], lr=0.1)
    two = optim.SGD(
        [wright.ones(2, requires_grad=True), wright.ones(1, requires_grad=True)], lr=0.1
    )
    with pytest.raises(ValueError, match="group 0 of the state dict has 2 parameters"):
        optimizer.load_state_dict(two.state_dict())
    grouped = optim.SGD(
        [{"params": [wright.ones(2, requires_grad=True)]}, {"params": [wright.ones(1)]}], lr=0.1
    )
    with pytest.raises(ValueError, match="2 parameter groups"):
        optimizer.load_state_dict(grouped.state_dict())


def test_named_parameters_keep_their_names():
    ours_model = wright.nn.Linear(3, 2)
    theirs_model = torch.nn.Linear(3, 2)
    ours = optim.SGD(ours_model.named_parameters(), lr=0.1)
    theirs = torch.optim.SGD(theirs_model.named_parameters(), lr=0.1)
    assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]
    assert ours.param_groups[0]["param_names"] == ["weight", "bias"]
    with pytest.raises(ValueError, match="with names or all without"):
        ours.add_param_group({"params": [wright.ones(1, requires_grad=True)]})


def test_add_param_group_fills_in_defaults():
    optimizer = optim.Adam([wright.ones(2, requires_grad=True)], lr=0.1)
    optimizer.add_param_group({"params": wright.ones(3, requires_grad=True), "lr": 0.5})
    group = optimizer.param_groups[1]
    assert group["lr"] == 0.5 and group["betas"] == (0.9, 0.999) and len(group["params"]) == 1


def test_required_hyperparameter():
    class Custom(optim.Optimizer):
        def __init__(self, params, lr=optim.optimizer.required):
            super().__init__(params, {"lr": lr})

    assert Custom([wright.ones(1, requires_grad=True)], lr=0.1).param_groups[0]["lr"] == 0.1
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        Custom([wright.ones(1, requires_grad=True)])


_SHARED = wright.ones(2, requires_grad=True)


@pytest.mark.parametrize(
    "params, error, match",
    [
        (lambda: wright.ones(2, requires_grad=True), TypeError, "single Tensor"),
        (list, ValueError, "empty parameter list"),
        (lambda: [{"params": {wright.ones(2, requires_grad=True)}}], TypeError, "a set"),
        (lambda: [np.ones(2)], TypeError, "only optimize Tensors"),
        (lambda: [wright.ones(2, requires_grad=True) * 2], ValueError, "non-leaf"),
        (
            lambda: [{"params": [_SHARED]}, {"params": [_SHARED]}],
            ValueError,
            "more than one parameter group",
        ),
        (lambda: ["not a dict either"], TypeError, "only optimize Tensors"),
    ],
)
def test_bad_params(params, error, match):
    with pytest.raises(error, match=match):
        optim.SGD(params(), lr=0.1)


def test_tensors_that_do_not_require_grad_are_accepted():
    """As in torch: only leaves are required."""
    plain = wright.ones(2)
    optimizer = optim.SGD([plain], lr=0.5)
    plain.grad = wright.ones(2)
    optimizer.step()
    np.testing.assert_array_equal(plain.array, [0.5, 0.5])


def test_duplicate_parameters_warn():
    param = wright.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="more than once"):
        optim.SGD([param, param], lr=0.1)


@pytest.mark.parametrize(
    "name, settings",
    [
        ("SGD", {"lr": -1.0}),
        ("SGD", {"momentum": -0.5}),
        ("SGD", {"weight_decay": -0.1}),
        ("SGD", {"nesterov": True}),
        ("SGD", {"momentum": 0.9, "dampening": 0.1, "nesterov": True}),
        ("Adam", {"lr": -0.1}),
        ("Adam", {"eps": -1e-8}),
        ("Adam", {"betas": (1.0, 0.999)}),
        ("Adam", {"betas": (0.9, -0.1)}),
        ("Adam", {"weight_decay": -1.0}),
        ("AdamW", {"lr": -0.1}),
        ("RMSprop", {"alpha": -0.5}),
        ("RMSprop", {"momentum": -0.5}),
        ("RMSprop", {"eps": -1.0}),
        ("Adagrad", {"lr_decay": -1.0}),
        ("Adagrad", {"initial_accumulator_value": -1.0}),
        ("Adadelta", {"rho": 1.5}),
        ("Adadelta", {"eps": -1.0}),
        ("Adamax", {"betas": (0.9, 1.0)}),
        ("NAdam", {"momentum_decay": -1.0}),
        ("RAdam", {"betas": (-0.1, 0.9)}),
        ("LBFGS", {"lr": -1.0}),
    ],
)
def test_invalid_hyperparameters_raise_value_error_like_torch(name, settings):
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.ones(2, requires_grad=True)], **settings)
    with pytest.raises(ValueError, match=name):
        getattr(optim, name)([wright.ones(2, requires_grad=True)], **settings)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda ps: optim.SGD(ps, differentiable=True), "differentiable"),
        (lambda ps: optim.Adam(ps, capturable=True), "capturable"),
        (lambda ps: optim.Adam(ps, fused=True, foreach=True), "cannot be `True` together"),
        (lambda ps: optim.RMSprop(ps, differentiable=True), "differentiable"),
    ],
)
def test_flags_that_change_semantics_are_refused(make, match):
    with pytest.raises(RuntimeError, match=match):
        make([wright.ones(2, requires_grad=True)])


def test_step_bumps_the_version_so_stale_graphs_raise():
    weight = wright.ones(3, requires_grad=True)
    loss = (weight * weight).sum()
    optimizer = optim.SGD([weight], lr=0.1)
    weight.grad = wright.ones(3)
    version = weight._version
    optimizer.step()
    assert weight._version == version + 1
    with pytest.raises(RuntimeError):
        loss.backward()
    # Same in torch.
    twin = torch.ones(3, requires_grad=True)
    their_loss = (twin * twin).sum()
    twin.grad = torch.ones(3)
    torch.optim.SGD([twin], lr=0.1).step()
    with pytest.raises(RuntimeError):
        their_loss.backward()


@pytest.mark.parametrize("name", NAMES)
def test_parameters_without_gradients_are_left_alone(name):
    a, b = wright.ones(2, requires_grad=True), wright.ones(2, requires_grad=True)
    optimizer = getattr(optim, name)([a, b])
    a.grad = wright.ones(2)
    version = b._version
    optimizer.step()
    assert (b.array == 1).all() and b._version == version
    assert (a.array != 1).all()
    assert (b in optimizer.state) == (name == "Adagrad")  # Adagrad makes its state up front


def test_zero_grad():
    param = wright.ones(2, requires_grad=True)
    optimizer = optim.SGD([param], lr=0.1)
    param.grad = wright.ones(2)
    grad = param.grad
    optimizer.zero_grad(set_to_none=False)
    assert param.grad is grad and not param.grad.array.any()
    optimizer.zero_grad()
    assert param.grad is None


def test_step_returns_the_closure_loss_computed_with_grad_enabled():
    weight = wright.tensor([1.0, -2.0], requires_grad=True)
    optimizer = optim.SGD([weight], lr=0.1)

    def closure():
        optimizer.zero_grad()
        loss = (weight * weight).sum()
        loss.backward()
        return loss

    with wright.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == 5.0
    np.testing.assert_allclose(weight.array, [0.8, -1.6])


def test_step_hooks():
    calls = []
    param = wright.ones(2, requires_grad=True)
    param.grad = wright.ones(2)
    optimizer = optim.SGD([param], lr=0.1)
    pre = optimizer.register_step_pre_hook(lambda opt, args, kwargs: calls.append(("pre", args)))
    optimizer.register_step_post_hook(lambda opt, args, kwargs: calls.append(("post", opt)))
    optimizer.step()
    assert calls == [("pre", ()), ("post", optimizer)]
    pre.remove()
    optimizer.step()
    assert calls[-1] == ("post", optimizer) and len(calls) == 3


def test_pre_hook_can_replace_arguments_and_overrides_run_hooks_once():
    class Counting(optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    param = wright.ones(2, requires_grad=True)
    param.grad = wright.ones(2)
    optimizer = Counting([param], lr=0.1)
    seen = []
    optimizer.register_step_pre_hook(lambda opt, args, kwargs: ((lambda: 7.0,), {}))
    optimizer.register_step_post_hook(lambda opt, args, kwargs: seen.append(args))
    assert optimizer.step() == 7.0
    assert len(seen) == 1
    with pytest.raises(RuntimeError, match="pre-hook must return None or a tuple"):
        optimizer.register_step_pre_hook(lambda opt, args, kwargs: 3)
        optimizer.step()


@pytest.mark.parametrize("copy_optimizer", ["deepcopy", "pickle"])
def test_optimizers_deep_copy_and_pickle(copy_optimizer):
    params = [wright.tensor(v, requires_grad=True) for v in _initial_values()]
    optimizer = optim.Adam(params, lr=0.1)
    optimizer.register_step_post_hook(lambda opt, args, kwargs: None)
    _step_ours(optimizer, params, 0)
    if copy_optimizer == "deepcopy":
        twin = copy.deepcopy(optimizer)
    else:
        twin = pickle.loads(pickle.dumps(optimizer))
    twin_params = twin.param_groups[0]["params"]
    assert twin_params[0] is not params[0]
    np.testing.assert_array_equal(
        twin.state[twin_params[0]]["exp_avg"].array, optimizer.state[params[0]]["exp_avg"].array
    )
    _step_ours(optimizer, params, 1)
    _step_ours(twin, twin_params, 1)
    for a, b in zip(params, twin_params, strict=True):
        np.testing.assert_array_equal(a.array, b.array)


def test_training_a_model_reduces_the_loss():
    model = wright.nn.Linear(3, 1)
    x = wright.randn(32, 3)
    y = x @ wright.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    losses = []
    for _ in range(100):
        optimizer.zero_grad()
        loss = wright.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 1e-3 * losses[0]
