"""Learning-rate schedules against torch.optim.lr_scheduler over long runs (lrs and cycled
momentum), resuming from state dicts, chaining, warnings and argument checks."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import wright
from wright import optim
from wright.optim import lr_scheduler

torch = pytest.importorskip("torch")

STEPS = 60


class Halving:
    """A callable object (its attributes are saved in state dicts, unlike a function's)."""

    def __init__(self) -> None:
        self.rate = 0.5

    def __call__(self, epoch: int) -> float:
        return self.rate ** (epoch // 10)


def _optimizer(lib, kind="SGD"):
    groups = [
        {"params": [lib.ones(1, requires_grad=True)]},
        {"params": [lib.ones(1, requires_grad=True)], "lr": 0.02},
    ]
    if kind == "SGD":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    return lib.optim.Adam(groups, lr=0.1)


SCHEDULES = [
    ("LambdaLR", {"lr_lambda": lambda epoch: 0.95**epoch}),
    ("LambdaLR", {"lr_lambda": [lambda epoch: 1 / (epoch + 1), lambda epoch: 0.9**epoch]}),
    ("MultiplicativeLR", {"lr_lambda": lambda epoch: 0.97}),
    ("StepLR", {"step_size": 7, "gamma": 0.5}),
    ("StepLR", {"step_size": 1, "gamma": 0.9}),
    ("MultiStepLR", {"milestones": [5, 20, 20, 45], "gamma": 0.3}),
    ("ConstantLR", {"factor": 0.25, "total_iters": 8}),
    ("LinearLR", {"start_factor": 0.1, "total_iters": 12}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 30}),
    ("ExponentialLR", {"gamma": 0.93}),
    ("PolynomialLR", {"total_iters": 40, "power": 2.0}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 25, "eta_min": 0.01}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2, "eta_min": 0.001}),
    ("CosineAnnealingWarmRestarts", {"T_0": 7}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": STEPS}),
    ("OneCycleLR", {"max_lr": [0.5, 0.2], "epochs": 6, "steps_per_epoch": 10, "pct_start": 0.25}),
    ("OneCycleLR", {"max_lr": 0.3, "total_steps": STEPS, "anneal_strategy": "linear"}),
    ("OneCycleLR", {"max_lr": 0.3, "total_steps": STEPS, "three_phase": True}),
    ("OneCycleLR", {"max_lr": 0.3, "total_steps": STEPS, "cycle_momentum": False}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 7}),
    ("CyclicLR", {"base_lr": [0.01, 0.001], "max_lr": 0.1, "step_size_up": 5, "step_size_down": 9}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 6, "mode": "triangular2"}),
    (
        "CyclicLR",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 6, "mode": "exp_range", "gamma": 0.97},
    ),
    (
        "CyclicLR",
        {
            "base_lr": 0.01,
            "max_lr": 0.1,
            "step_size_up": 4,
            "scale_fn": Halving(),
            "scale_mode": "iterations",
        },
    ),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "cycle_momentum": False}),
]
schedule_ids = [f"{name}-{i}" for i, (name, _) in enumerate(SCHEDULES)]


def _hyperparameters(optimizer):
    """Each group's lr and momentum (or beta1), as the next optimizer step would use them."""
    values = []
    for group in optimizer.param_groups:
        momentum = group["betas"][0] if "betas" in group else group["momentum"]
        values.append([float(group["lr"]), float(momentum)])
    return values


def _trace(optimizer, scheduler, steps=STEPS):
    trace = []
    for _ in range(steps):
        trace.append(_hyperparameters(optimizer))
        optimizer.step()
        scheduler.step()
    return trace


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
@pytest.mark.parametrize("name, settings", SCHEDULES, ids=schedule_ids)
def test_learning_rates_match_torch(name, settings, kind):
    if name == "OneCycleLR":
        steps = settings.get("total_steps", 60)
    else:
        steps = STEPS
    ours = _optimizer(wright, kind)
    theirs = _optimizer(torch, kind)
    our_scheduler = getattr(lr_scheduler, name)(ours, **settings)
    their_scheduler = getattr(torch.optim.lr_scheduler, name)(theirs, **settings)
    our_trace = _trace(ours, our_scheduler, steps)
    their_trace = _trace(theirs, their_scheduler, steps)
    np.testing.assert_allclose(our_trace, their_trace, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        our_scheduler.get_last_lr(), their_scheduler.get_last_lr(), rtol=1e-12
    )
    assert our_scheduler.last_epoch == their_scheduler.last_epoch


@pytest.mark.parametrize(
    "name, settings",
    [
        ("StepLR", {"step_size": 3, "gamma": 0.5}),
        ("MultiStepLR", {"milestones": [2, 5, 5], "gamma": 0.5}),
        ("ConstantLR", {"factor": 0.5, "total_iters": 4}),
        ("LinearLR", {"start_factor": 0.2, "total_iters": 6}),
        ("ExponentialLR", {"gamma": 0.8}),
        ("PolynomialLR", {"total_iters": 6, "power": 0.5}),
        ("CosineAnnealingLR", {"T_max": 6}),
        ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2}),
    ],
)
def test_step_with_an_epoch_uses_the_closed_form_like_torch(name, settings):
    ours, theirs = _optimizer(wright), _optimizer(torch)
    our_scheduler = getattr(lr_scheduler, name)(ours, **settings)
    their_scheduler = getattr(torch.optim.lr_scheduler, name)(theirs, **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [1, 2, 7, 3.5 if name == "CosineAnnealingWarmRestarts" else 3, 0, 10]:
            ours.step()
            theirs.step()
            our_scheduler.step(epoch)
            their_scheduler.step(epoch)
            np.testing.assert_allclose(
                _hyperparameters(ours), _hyperparameters(theirs), rtol=1e-12, atol=1e-15
            )


def test_warm_restarts_with_fractional_epochs_per_batch():
    ours, theirs = _optimizer(wright), _optimizer(torch)
    our_scheduler = lr_scheduler.CosineAnnealingWarmRestarts(ours, T_0=2, T_mult=3)
    their_scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs, T_0=2, T_mult=3)
    for epoch in range(10):
        for batch in range(4):
            our_scheduler.step(epoch + batch / 4)
            their_scheduler.step(epoch + batch / 4)
            np.testing.assert_allclose(
                our_scheduler.get_last_lr(), their_scheduler.get_last_lr(), rtol=1e-12
            )


COMBINATIONS = [
    (
        "SequentialLR",
        lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(
            opt,
            [
                lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5),
                lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
            ],
            milestones=[5],
        ),
    ),
    (
        "SequentialLR-3",
        lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(
            opt,
            [
                lib.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=3),
                lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10),
                lib.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5),
            ],
            milestones=[4, 20],
        ),
    ),
    (
        "ChainedScheduler",
        lambda lib, opt: lib.optim.lr_scheduler.ChainedScheduler(
            [
                lib.optim.lr_scheduler.ConstantLR(opt, factor=0.1, total_iters=4),
                lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.95),
                lib.optim.lr_scheduler.MultiStepLR(opt, milestones=[10, 30]),
            ]
        ),
    ),
    (
        "two schedules stepped by hand",
        lambda lib, opt: _Both(
            lib.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5),
            lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=8),
        ),
    ),
]


class _Both:
    def __init__(self, *schedulers) -> None:
        self.schedulers = schedulers

    def step(self) -> None:
        for scheduler in self.schedulers:
            scheduler.step()


@pytest.mark.parametrize("name, make", COMBINATIONS, ids=[name for name, _ in COMBINATIONS])
def test_combined_schedules_match_torch(name, make):
    ours, theirs = _optimizer(wright), _optimizer(torch)
    our_scheduler, their_scheduler = make(wright, ours), make(torch, theirs)
    np.testing.assert_allclose(
        _trace(ours, our_scheduler, 40), _trace(theirs, their_scheduler, 40), rtol=1e-12
    )


PLATEAU_SETTINGS = [
    {},
    {"mode": "max", "factor": 0.5, "patience": 2},
    {"threshold_mode": "abs", "threshold": 0.05, "patience": 1, "cooldown": 2},
    {"mode": "max", "threshold_mode": "abs", "patience": 0, "min_lr": [0.01, 0.005]},
    {"factor": 0.5, "patience": 1, "min_lr": 0.015, "eps": 1e-3},
]


@pytest.mark.parametrize("settings", PLATEAU_SETTINGS, ids=[str(s) for s in PLATEAU_SETTINGS])
def test_reduce_on_plateau_matches_torch(settings):
    ours, theirs = _optimizer(wright), _optimizer(torch)
    our_scheduler = lr_scheduler.ReduceLROnPlateau(ours, **settings)
    their_scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **settings)
    metrics = 1.0 + 0.3 * np.sin(np.arange(STEPS) / 3) + np.linspace(0, -0.5, STEPS)
    for value in metrics:
        our_scheduler.step(value)
        their_scheduler.step(value)
        assert our_scheduler.get_last_lr() == their_scheduler.get_last_lr()
        assert our_scheduler.num_bad_epochs == their_scheduler.num_bad_epochs
        assert our_scheduler.best == their_scheduler.best
    our_scheduler.step(wright.tensor(0.25))  # a one-element tensor works as the metric
    assert our_scheduler.last_epoch == STEPS + 1


RESUMED = [
    lambda opt: lr_scheduler.StepLR(opt, step_size=3, gamma=0.5),
    lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[4, 9, 9], gamma=0.5),
    lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=7, eta_min=0.001),
    lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2),
    lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=30),
    lambda opt: lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=4, scale_fn=Halving()),
    lambda opt: lr_scheduler.LambdaLR(opt, Halving()),
    lambda opt: lr_scheduler.SequentialLR(
        opt,
        [lr_scheduler.LinearLR(opt, 0.5, total_iters=4), lr_scheduler.ExponentialLR(opt, 0.9)],
        milestones=[4],
    ),
]


@pytest.mark.parametrize("make", RESUMED, ids=range(len(RESUMED)))
def test_resuming_from_state_dicts_through_a_file_continues_identically(make, tmp_path):
    optimizer = _optimizer(wright)
    scheduler = make(optimizer)
    _trace(optimizer, scheduler, 11)
    wright.save(
        {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()},
        tmp_path / "checkpoint",
    )
    checkpoint = wright.load(tmp_path / "checkpoint")
    resumed_optimizer = _optimizer(wright)
    resumed = make(resumed_optimizer)
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    resumed.load_state_dict(checkpoint["scheduler"])
    assert resumed.get_last_lr() == scheduler.get_last_lr()
    np.testing.assert_array_equal(
        _trace(optimizer, scheduler, 15), _trace(resumed_optimizer, resumed, 15)
    )


def test_resume_with_last_epoch():
    """Resuming by last_epoch (as torch does) picks the closed form up where it was."""
    ours, theirs = _optimizer(wright), _optimizer(torch)
    for optimizer in (ours, theirs):
        for group in optimizer.param_groups:
            group["initial_lr"] = group["lr"]
    our_scheduler = lr_scheduler.CosineAnnealingLR(ours, T_max=10, last_epoch=4)
    their_scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(theirs, T_max=10, last_epoch=4)
    np.testing.assert_allclose(_trace(ours, our_scheduler, 12), _trace(theirs, their_scheduler, 12))
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(_optimizer(wright), step_size=2, last_epoch=3)


def test_get_last_lr_and_lr_changed_by_hand():
    optimizer = _optimizer(wright)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    for _ in range(5):
        optimizer.step()
        scheduler.step()
    assert scheduler.get_last_lr() == pytest.approx([0.025, 0.005])
    # Schedules are chainable: an lr set by hand carries on from its new value.
    optimizer.param_groups[0]["lr"] = 1.0
    optimizer.step()
    scheduler.step()
    assert scheduler.get_last_lr() == pytest.approx([0.5, 0.0025])


def test_warnings_like_torch():
    optimizer = _optimizer(wright)
    scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        scheduler.get_lr()
    with pytest.warns(UserWarning, match="deprecated"):
        scheduler.step(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizer = _optimizer(wright)
        scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
        optimizer.step()
        scheduler.step()


def test_one_cycle_refuses_steps_past_the_end():
    optimizer = _optimizer(wright)
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=5)
    for _ in range(5):  # as in torch, the step to last_epoch == total_steps is still allowed
        optimizer.step()
        scheduler.step()
    with pytest.raises(ValueError, match="total_steps=5"):
        scheduler.step()


def test_one_cycle_peaks_at_max_lr_and_ends_low():
    optimizer = _optimizer(wright)
    rates = [
        r[0][0]
        for r in _trace(
            optimizer, lr_scheduler.OneCycleLR(optimizer, max_lr=0.4, total_steps=50), 49
        )
    ]
    assert max(rates) == pytest.approx(0.4)
    assert rates[0] == pytest.approx(0.4 / 25) and rates[-1] > 0.4 / 25 / 1e4
    assert math.isclose(min(rates), rates[-1])


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda opt: lr_scheduler.StepLR("not an optimizer", 3), TypeError, "not an Optimizer"),
        (lambda opt: lr_scheduler.ConstantLR(opt, factor=1.5), ValueError, "factor"),
        (lambda opt: lr_scheduler.LinearLR(opt, start_factor=0), ValueError, "start_factor"),
        (lambda opt: lr_scheduler.LinearLR(opt, end_factor=2), ValueError, "end_factor"),
        (lambda opt: lr_scheduler.LambdaLR(opt, [lambda e: 1]), ValueError, "2 lr_lambdas"),
        (lambda opt: lr_scheduler.MultiplicativeLR(opt, 0.9), TypeError, "function"),
        (lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.1), ValueError, "total_steps"),
        (lambda opt: lr_scheduler.OneCycleLR(opt, 0.1, total_steps=0), ValueError, "positive"),
        (lambda opt: lr_scheduler.OneCycleLR(opt, 0.1, 9, pct_start=2.0), ValueError, "pct_start"),
        (
            lambda opt: lr_scheduler.OneCycleLR(opt, 0.1, 9, anneal_strategy="step"),
            ValueError,
            "anneal_strategy",
        ),
        (lambda opt: lr_scheduler.OneCycleLR(opt, [0.1], 9), ValueError, "one value per"),
        (lambda opt: lr_scheduler.CyclicLR(opt, 0.1, 1, mode="sine"), ValueError, "mode"),
        (lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0), ValueError, "T_0"),
        (
            lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, 2, T_mult=0),
            ValueError,
            "T_mult",
        ),
        (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, factor=1.0), ValueError, "factor"),
        (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, mode="avg"), ValueError, "mode"),
        (
            lambda opt: lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="x"),
            ValueError,
            "threshold",
        ),
        (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1]), ValueError, "min_lrs"),
        (lambda opt: lr_scheduler.SequentialLR(opt, [], []), ValueError, "at least one"),
        (
            lambda opt: lr_scheduler.SequentialLR(opt, [lr_scheduler.StepLR(opt, 2)], [3]),
            ValueError,
            "one milestone fewer",
        ),
        (
            lambda opt: lr_scheduler.ChainedScheduler(
                [lr_scheduler.StepLR(opt, 2), lr_scheduler.ReduceLROnPlateau(opt)]
            ),
            ValueError,
            "ReduceLROnPlateau",
        ),
        (
            lambda opt: lr_scheduler.SequentialLR(
                opt, [lr_scheduler.StepLR(_optimizer(wright), 2)], []
            ),
            ValueError,
            "same optimizer",
        ),
    ],
)
def test_argument_errors(make, error, match):
    with pytest.raises(error, match=match):
        make(_optimizer(wright))


def test_cycle_momentum_needs_momentum():
    optimizer = optim.Adagrad([wright.ones(1, requires_grad=True)])
    with pytest.raises(ValueError, match="momentum or betas"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
    lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10, cycle_momentum=False)
