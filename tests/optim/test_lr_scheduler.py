"""Learning-rate schedules against torch.optim.lr_scheduler over whole runs; resuming; limits."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright import optim
from wright.optim import lr_scheduler

SCHEDULES = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}, 20),
    ("StepLR", {"step_size": 1, "gamma": 0.9}, 10),
    ("ExponentialLR", {"gamma": 0.9}, 25),
    ("CosineAnnealingLR", {"T_max": 10}, 10),
    ("CosineAnnealingLR", {"T_max": 15, "eta_min": 0.01}, 15),
    ("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.01}, 30),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 30}, 30),
    (
        "OneCycleLR",
        {
            "max_lr": 0.5,
            "total_steps": 40,
            "pct_start": 0.25,
            "div_factor": 10.0,
            "final_div_factor": 100.0,
        },
        40,
    ),
    (
        "OneCycleLR",
        {"max_lr": 0.3, "epochs": 4, "steps_per_epoch": 7, "anneal_strategy": "linear"},
        28,
    ),
]
schedule_ids = [f"{name}-{settings}" for name, settings, _ in SCHEDULES]


def _lrs(optimizer, scheduler, steps):
    """The lr each optimizer step runs with, stepping the schedule after each one."""
    rates = []
    for step in range(steps):
        rates.append([group["lr"] for group in optimizer.param_groups])
        optimizer.step()
        if step < steps - 1:
            scheduler.step()
    return rates


def _wright_optimizer():
    return optim.SGD(
        [
            {"params": [wright.ones(1, requires_grad=True)]},
            {"params": [wright.ones(1, requires_grad=True)], "lr": 0.02},
        ],
        lr=0.1,
    )


@pytest.mark.parametrize("name, settings, steps", SCHEDULES, ids=schedule_ids)
def test_learning_rates_match_torch(name, settings, steps):
    torch = pytest.importorskip("torch")
    ours = _wright_optimizer()
    theirs = torch.optim.SGD(
        [
            {"params": [torch.ones(1, requires_grad=True)]},
            {"params": [torch.ones(1, requires_grad=True)], "lr": 0.02},
        ],
        lr=0.1,
    )
    torch_settings = dict(settings, cycle_momentum=False) if name == "OneCycleLR" else settings
    our_rates = _lrs(ours, getattr(lr_scheduler, name)(ours, **settings), steps)
    their_rates = _lrs(
        theirs, getattr(torch.optim.lr_scheduler, name)(theirs, **torch_settings), steps
    )
    np.testing.assert_allclose(our_rates, their_rates, rtol=1e-12, atol=1e-15)


def test_get_last_lr_and_resume_from_state_dict():
    optimizer = _wright_optimizer()
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    for _ in range(5):
        scheduler.step()
    assert scheduler.get_last_lr() == pytest.approx([0.025, 0.005])
    state = scheduler.state_dict()

    resumed_optimizer = _wright_optimizer()
    resumed = lr_scheduler.StepLR(resumed_optimizer, step_size=2, gamma=0.5)
    resumed.load_state_dict(state)
    assert resumed.get_last_lr() == scheduler.get_last_lr()
    scheduler.step()
    resumed.step()
    assert resumed.get_last_lr() == scheduler.get_last_lr() == pytest.approx([0.0125, 0.0025])


def test_one_cycle_refuses_steps_past_the_end():
    optimizer = _wright_optimizer()
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=5)
    for _ in range(5):
        scheduler.step()
    with pytest.raises(ValueError, match="total_steps=5"):
        scheduler.step()


def test_one_cycle_argument_errors():
    with pytest.raises(ValueError, match="total_steps"):
        lr_scheduler.OneCycleLR(_wright_optimizer(), max_lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy"):
        lr_scheduler.OneCycleLR(
            _wright_optimizer(), max_lr=0.1, total_steps=10, anneal_strategy="step"
        )


def test_one_cycle_peaks_at_max_lr_and_ends_low():
    optimizer = _wright_optimizer()
    rates = [
        r[0]
        for r in _lrs(optimizer, lr_scheduler.OneCycleLR(optimizer, max_lr=0.4, total_steps=50), 50)
    ]
    assert max(rates) == pytest.approx(0.4)
    assert rates[0] == pytest.approx(0.4 / 25) and rates[-1] == pytest.approx(0.4 / 25 / 1e4)
