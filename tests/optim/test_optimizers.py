"""SGD, Adam, AdamW, RMSprop: trajectories against torch.optim, state dicts, argument checks."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright import optim

STEPS = 20
SHAPES = [(3, 4), (4,)]
TARGETS = [np.random.default_rng(10 + i).standard_normal(shape) for i, shape in enumerate(SHAPES)]
NOISE = [
    [np.random.default_rng(100 * step + i).standard_normal(shape) for i, shape in enumerate(SHAPES)]
    for step in range(2 * STEPS)
]

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01, "nesterov": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "betas": (0.85, 0.95)}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.005, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
]
config_ids = [f"{name}-{settings}" for name, settings in CONFIGS]


def _initial_values() -> list[np.ndarray]:
    return [np.random.default_rng(i).standard_normal(shape) for i, shape in enumerate(SHAPES)]


def _gradient(param_values: np.ndarray, index: int, step: int) -> np.ndarray:
    """A gradient that depends on the parameter (a pull towards a target) plus fixed noise."""
    return 2 * (param_values - TARGETS[index]) + 0.3 * NOISE[step][index]


def _run(optimizer, params, first_step, steps):
    trajectory = []
    for step in range(first_step, first_step + steps):
        optimizer.zero_grad()
        for index, p in enumerate(params):
            p.grad = wright.tensor(_gradient(p.array, index, step))
        optimizer.step()
        trajectory.append([p.array.copy() for p in params])
    return trajectory


@pytest.mark.parametrize("name, settings", CONFIGS, ids=config_ids)
def test_trajectory_matches_torch(name, settings):
    torch = pytest.importorskip("torch")
    params = [wright.tensor(v, requires_grad=True) for v in _initial_values()]
    twins = [torch.tensor(v, requires_grad=True) for v in _initial_values()]
    ours = getattr(optim, name)(params, **settings)
    theirs = getattr(torch.optim, name)(twins, **settings)
    for step, values in enumerate(_run(ours, params, 0, STEPS)):
        theirs.zero_grad()
        for index, t in enumerate(twins):
            t.grad = torch.from_numpy(_gradient(t.detach().numpy(), index, step))
        theirs.step()
        for index, (value, t) in enumerate(zip(values, twins)):
            np.testing.assert_allclose(
                value,
                t.detach().numpy(),
                rtol=1e-10,
                atol=1e-12,
                err_msg=f"step {step}, parameter {index}",
            )


@pytest.mark.parametrize("name, settings", CONFIGS, ids=config_ids)
def test_state_dict_round_trip_continues_identically(name, settings, tmp_path):
    params = [wright.tensor(v, requires_grad=True) for v in _initial_values()]
    optimizer = getattr(optim, name)(params, **settings)
    _run(optimizer, params, 0, STEPS // 2)
    wright.save(
        {"params": [p.array for p in params], "optimizer": optimizer.state_dict()},
        tmp_path / "ckpt",
    )

    checkpoint = wright.load(tmp_path / "ckpt")
    restored = [wright.tensor(v.copy(), requires_grad=True) for v in checkpoint["params"]]
    resumed = getattr(optim, name)(restored, lr=123.0)
    resumed.load_state_dict(checkpoint["optimizer"])
    assert resumed.param_groups[0]["lr"] == settings["lr"]

    original_path = _run(optimizer, params, STEPS // 2, STEPS // 2)
    resumed_path = _run(resumed, restored, STEPS // 2, STEPS // 2)
    for step, (a, b) in enumerate(zip(original_path, resumed_path)):
        for value, other in zip(a, b):
            np.testing.assert_array_equal(value, other, err_msg=f"step {step}")


def test_param_groups_have_their_own_hyperparameters():
    torch = pytest.importorskip("torch")
    values = _initial_values()
    params = [wright.tensor(v, requires_grad=True) for v in values]
    twins = [torch.tensor(v, requires_grad=True) for v in values]
    ours = optim.SGD(
        [{"params": params[:1]}, {"params": params[1:], "lr": 0.01}], lr=0.1, momentum=0.9
    )
    theirs = torch.optim.SGD(
        [{"params": twins[:1]}, {"params": twins[1:], "lr": 0.01}], lr=0.1, momentum=0.9
    )
    assert [g["lr"] for g in ours.param_groups] == [0.1, 0.01]
    for step, step_values in enumerate(_run(ours, params, 0, 5)):
        for index, t in enumerate(twins):
            t.grad = torch.from_numpy(_gradient(t.detach().numpy(), index, step))
        theirs.step()
        for value, t in zip(step_values, twins):
            np.testing.assert_allclose(value, t.detach().numpy(), rtol=1e-12)


def test_parameters_without_gradients_are_left_alone():
    a, b = wright.ones(2, requires_grad=True), wright.ones(2, requires_grad=True)
    optimizer = optim.Adam([a, b], lr=0.1)
    a.grad = wright.ones(2)
    optimizer.step()
    assert (b.array == 1).all() and (a.array < 1).all()
    assert b not in optimizer.state


def test_zero_grad():
    p = wright.ones(2, requires_grad=True)
    optimizer = optim.SGD([p], lr=0.1)
    p.grad = wright.ones(2)
    optimizer.zero_grad(set_to_none=False)
    assert p.grad is not None and not p.grad.array.any()
    optimizer.zero_grad()
    assert p.grad is None


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


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: optim.SGD(p, lr=-1.0), "lr"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "nesterov"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "betas"),
        (lambda p: optim.AdamW(p, lr=-0.1), "lr"),
        (lambda p: optim.RMSprop(p, alpha=1.5), "alpha"),
        (lambda p: optim.SGD([], lr=0.1), "empty"),
        (lambda p: optim.SGD([wright.ones(2)], lr=0.1), "require grad"),
    ],
)
def test_invalid_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make([wright.ones(2, requires_grad=True)])


def test_load_state_dict_checks_groups():
    optimizer = optim.SGD([wright.ones(2, requires_grad=True)], lr=0.1)
    other = optim.SGD(
        [wright.ones(2, requires_grad=True), wright.ones(1, requires_grad=True)], lr=0.1
    )
    with pytest.raises(ValueError, match="groups do not match"):
        optimizer.load_state_dict(other.state_dict())


def test_repr_lists_hyperparameters():
    text = repr(optim.SGD([wright.ones(1, requires_grad=True)], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (") and "lr: 0.1" in text and "momentum: 0.9" in text
