"""fit/evaluate: learning a small problem, callbacks, non-finite losses, memory across epochs."""

import json
import math

import numpy as np
import pytest

import wright
from wright import nn, optim
from wright.data import DataLoader, TensorDataset
from wright.train import Callback, EarlyStopping, ModelCheckpoint, NonFiniteLossError, evaluate, fit


def blobs(n=400, seed=0):
    """Three Gaussian clusters in 2-D, an easy classification task."""
    rng = np.random.default_rng(seed)
    centres = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]], dtype=np.float32)
    labels = rng.integers(0, 3, n)
    points = centres[labels] + 0.4 * rng.standard_normal((n, 2)).astype(np.float32)
    return points, labels.astype(np.int64)


def small_model():
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))


def sgd_fit(model, loader, lr=0.1, optimizer=None, **options):
    """fit with cross-entropy and, unless an optimizer is given, plain SGD; silent unless told."""
    options.setdefault("verbose", 0)
    optimizer = optimizer or optim.SGD(model.parameters(), lr=lr)
    return fit(model, nn.CrossEntropyLoss(), optimizer, loader, **options)


@pytest.fixture
def loaders():
    x, y = blobs()
    train = DataLoader(TensorDataset(x[:300], y[:300]), batch_size=32, shuffle=True, seed=0)
    val = DataLoader(TensorDataset(x[300:], y[300:]), batch_size=100)
    return train, val


def test_fit_learns_and_records_history(loaders):
    wright.manual_seed(0)
    model = small_model()
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optim.Adam(model.parameters(), lr=0.05),
        loaders[0],
        epochs=5,
        val_loader=loaders[1],
        verbose=0,
    )
    assert len(history) == 5
    assert history["val_accuracy"][-1] >= 0.97
    assert history["loss"][-1] < history["loss"][0]
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"}
    json.loads(history.to_json())


def test_fit_is_reproducible_with_seeds(loaders):
    results = []
    for _ in range(2):
        wright.manual_seed(3)
        model = small_model()
        x, y = blobs()
        loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, seed=1)
        results.append(
            fit(
                model,
                nn.CrossEntropyLoss(),
                optim.SGD(model.parameters(), lr=0.1),
                loader,
                epochs=2,
                verbose=0,
            )["loss"]
        )
    assert results[0] == results[1]


def test_evaluate_restores_mode_and_reports_metrics(loaders):
    model = small_model().train()
    results = evaluate(model, nn.CrossEntropyLoss(), loaders[1], metrics=("accuracy",))
    assert model.training
    assert set(results) == {"loss", "accuracy"}


def test_nonfinite_loss_raises_naming_epoch_and_step_and_keeps_checkpoint(loaders, tmp_path):
    wright.manual_seed(0)
    model = small_model()
    path = tmp_path / "best.npz"
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    sgd_fit(
        model,
        loaders[0],
        optimizer=optimizer,
        epochs=1,
        val_loader=loaders[1],
        callbacks=[ModelCheckpoint(path)],
    )
    saved = path.read_bytes()
    good = {k: v.array.copy() for k, v in model.state_dict().items()}

    def poisoned(outputs, targets):
        return nn.functional.cross_entropy(outputs, targets) * math.inf

    with pytest.raises(NonFiniteLossError, match=r"epoch 1, step 1"):
        fit(
            model,
            poisoned,
            optimizer,
            loaders[0],
            epochs=2,
            verbose=0,
            callbacks=[ModelCheckpoint(path)],
        )
    assert path.read_bytes() == saved
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value.array, good[name])


def test_nonfinite_skip_and_continue(loaders):
    model = small_model()
    calls = {"n": 0}

    def sometimes_nan(outputs, targets):
        calls["n"] += 1
        loss = nn.functional.cross_entropy(outputs, targets)
        return loss * math.nan if calls["n"] % 3 == 0 else loss

    history = fit(
        model,
        sometimes_nan,
        optim.SGD(model.parameters(), lr=0.1),
        loaders[0],
        epochs=1,
        verbose=0,
        on_nonfinite="skip",
    )
    assert math.isfinite(history["loss"][-1])
    with pytest.warns(RuntimeWarning):
        fit(
            model,
            sometimes_nan,
            optim.SGD(model.parameters(), lr=0.0),
            loaders[0],
            epochs=1,
            verbose=0,
            on_nonfinite="continue",
        )
    with pytest.raises(ValueError, match="on_nonfinite"):
        fit(
            model,
            sometimes_nan,
            optim.SGD(model.parameters(), lr=0.1),
            loaders[0],
            on_nonfinite="ignore",
        )


def test_early_stopping_stops_when_nothing_improves(loaders):
    wright.manual_seed(0)
    model = small_model()
    stopper = EarlyStopping(monitor="val_loss", patience=2)
    # With a learning rate of zero the validation loss never improves after the first epoch.
    history = sgd_fit(
        model, loaders[0], lr=0.0, epochs=20, val_loader=loaders[1], callbacks=[stopper]
    )
    assert len(history) == 3 == stopper.stopped_epoch


def test_early_stopping_restores_best_weights(loaders):
    wright.manual_seed(0)
    model = small_model()
    snapshots = []

    class Snapshot(Callback):
        def on_epoch_end(self, epoch, logs):
            snapshots.append((logs["val_accuracy"], model[0].weight.array.copy()))

    stopper = EarlyStopping(monitor="val_accuracy", patience=1, restore_best_weights=True)
    sgd_fit(
        model, loaders[0], lr=0.5, epochs=30, val_loader=loaders[1], callbacks=[Snapshot(), stopper]
    )
    best_accuracy, best_weights = max(snapshots, key=lambda s: s[0])
    assert stopper.best == best_accuracy
    np.testing.assert_array_equal(model[0].weight.array, best_weights)


def test_early_stopping_needs_its_metric(loaders):
    model = small_model()
    with pytest.raises(KeyError, match="val_loss"):
        sgd_fit(model, loaders[0], epochs=2, callbacks=[EarlyStopping()])


def test_checkpoint_holds_model_optimizer_and_extra(loaders, tmp_path):
    model = small_model()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    path = tmp_path / "ckpt.npz"
    sgd_fit(
        model,
        loaders[0],
        optimizer=optimizer,
        epochs=2,
        val_loader=loaders[1],
        callbacks=[ModelCheckpoint(path, monitor="val_accuracy", extra={"model_name": "blobs"})],
    )
    saved = wright.load(path)
    assert saved["model_name"] == "blobs"
    fresh = small_model()
    fresh.load_state_dict(saved["model"])
    optim.Adam(fresh.parameters()).load_state_dict(saved["optimizer"])


def test_scheduler_steps_per_epoch_and_onecycle_per_batch(loaders):
    model = small_model()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    history = sgd_fit(model, loaders[0], optimizer=optimizer, epochs=3, scheduler=scheduler)
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025])
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    one_cycle = optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.1, total_steps=len(loaders[0]) * 2
    )
    sgd_fit(model, loaders[0], optimizer=optimizer, epochs=2, scheduler=one_cycle)
    assert one_cycle.last_epoch == len(loaders[0]) * 2
    assert optim.lr_scheduler.CyclicLR.per_batch and not getattr(
        optim.lr_scheduler.StepLR, "per_batch", False
    )


def test_reduce_lr_on_plateau_watches_the_validation_loss(loaders):
    model = small_model()
    optimizer = optim.SGD(model.parameters(), lr=0.0)  # lr 0: the losses never improve
    plateau = optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, factor=0.5)
    seen = []
    original_step = plateau.step
    plateau.step = lambda metric: (seen.append(metric), original_step(metric))
    history = sgd_fit(
        model, loaders[0], optimizer=optimizer, epochs=2, val_loader=loaders[1], scheduler=plateau
    )
    assert seen == pytest.approx(history["val_loss"])
    history = sgd_fit(model, loaders[0], optimizer=optimizer, epochs=1, scheduler=plateau)
    assert seen[-1] == pytest.approx(history["loss"][-1])


def test_progress_lines_when_not_a_terminal(loaders, capsys):
    model = small_model()
    sgd_fit(model, loaders[0], epochs=2, val_loader=loaders[1], verbose=1)
    err = capsys.readouterr().err
    assert (
        "epoch 1/2" in err and "epoch 2/2" in err and "val_accuracy" in err and "samples/s" in err
    )


def test_callback_events_order(loaders):
    events = []

    class Recorder(Callback):
        def on_train_begin(self, state):
            super().on_train_begin(state)
            events.append("train_begin")

        def on_epoch_begin(self, epoch):
            events.append(f"epoch_begin {epoch}")

        def on_epoch_end(self, epoch, logs):
            events.append(f"epoch_end {epoch}")

        def on_train_end(self, logs):
            events.append("train_end")

    model = small_model()
    sgd_fit(model, loaders[0], epochs=2, callbacks=[Recorder()])
    assert events == [
        "train_begin",
        "epoch_begin 1",
        "epoch_end 1",
        "epoch_begin 2",
        "epoch_end 2",
        "train_end",
    ]


def test_memory_does_not_grow_across_epochs():
    psutil = pytest.importorskip("psutil")
    process = psutil.Process()
    rng = np.random.default_rng(0)
    x = rng.random((2000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 2000)
    wright.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 64), nn.Sigmoid(), nn.Linear(64, 10), nn.Sigmoid())
    rss = []

    class Measure(Callback):
        def on_epoch_end(self, epoch, logs):
            rss.append(process.memory_info().rss)

    fit(
        model,
        nn.QuadraticCost(10),
        optim.SGD(model.parameters(), lr=1.0),
        DataLoader(TensorDataset(x, y), batch_size=10, shuffle=True, seed=0),
        epochs=5,
        verbose=0,
        callbacks=[Measure()],
    )
    assert rss[4] <= rss[0] * 1.05


# ----- budgets, endless streams, schedules, resuming, empty data -----


def endless(x, y, batch=25):
    """An endless stream of batches (no len), as a generator of a data source gives."""
    rng = np.random.default_rng(0)
    while True:
        at = rng.integers(0, len(x), batch)
        yield x[at], y[at]


def test_step_budget_ends_mid_epoch_and_is_recorded(loaders):
    model = small_model()
    steps = Callback()
    history = sgd_fit(model, loaders[0], epochs=10, steps=13, callbacks=[steps])
    # 10 batches per epoch: the second epoch stops after 3 of them, and is still recorded.
    assert steps.state.step == 13 and len(history) == 2


def test_time_budget_stops_after_the_step_that_crosses_it(loaders):
    steps = Callback()
    history = sgd_fit(small_model(), loaders[0], epochs=None, time_limit=1e-9, callbacks=[steps])
    assert steps.state.step == 1 and len(history) == 1
    with pytest.raises(ValueError, match="give epochs, steps or time_limit"):
        sgd_fit(small_model(), loaders[0], epochs=None)


def test_endless_stream_cut_into_epochs(loaders):
    x, y = blobs()
    history = sgd_fit(
        small_model(),
        endless(x, y),
        epochs=None,
        steps=20,
        steps_per_epoch=8,
        val_loader=loaders[1],
        verbose=2,
    )
    assert len(history) == 3 and "val_loss" in history


def test_steps_per_epoch_keeps_one_iterator_across_epochs():
    seen = []

    class Numbers:
        def __iter__(self):
            for i in range(5):
                seen.append(i)
                yield np.full((1, 2), i, np.float32), np.array([i % 3])

    sgd_fit(small_model(), Numbers(), epochs=4, steps_per_epoch=3)
    assert seen == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]


def test_a_scheduler_steps_per_batch_when_its_attribute_says_so(loaders):
    class Counting:
        per_batch = True

        def __init__(self):
            self.steps = 0

        def step(self):
            self.steps += 1

    model = small_model()
    counting = Counting()
    sgd_fit(model, loaders[0], epochs=2, scheduler=counting)
    assert counting.steps == 2 * len(loaders[0])
    counting.per_batch = False
    sgd_fit(model, loaders[0], epochs=2, scheduler=counting)
    assert counting.steps == 2 * len(loaders[0]) + 2


def test_gradient_clipping(loaders):
    norms = []

    class Record(Callback):
        def on_batch_end(self, step, logs):
            grads = [p.grad.array for p in self.state.model.parameters()]
            norms.append(np.sqrt(sum(float((g**2).sum()) for g in grads)))

    sgd_fit(small_model(), loaders[0], lr=0.0, clip_grad_norm=0.01, callbacks=[Record()])
    assert max(norms) == pytest.approx(0.01, rel=1e-3)


def adam_run(loaders, path, epochs, callbacks=(), resume=None):
    wright.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Dropout(0.3), nn.Tanh(), nn.Linear(16, 3))
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    x, y = blobs()
    shuffling = np.random.default_rng(5)
    train = DataLoader(TensorDataset(x[:300], y[:300]), 32, shuffle=True, generator=shuffling)
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optimizer,
        train,
        epochs=epochs,
        val_loader=loaders[1],
        callbacks=[ModelCheckpoint(path, save_best_only=False), *callbacks],
        scheduler=optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs),
        verbose=0,
        generators={"shuffling": shuffling},
        resume=resume,
    )
    return model, history


def test_an_interrupted_run_resumed_ends_exactly_like_an_uninterrupted_one(loaders, tmp_path):
    whole, whole_history = adam_run(loaders, tmp_path / "whole.npz", epochs=4)

    class Interrupt(Callback):
        def on_epoch_end(self, epoch, logs):
            if epoch == 2:
                raise KeyboardInterrupt

    path = tmp_path / "cut.npz"
    with pytest.raises(KeyboardInterrupt):
        adam_run(loaders, path, epochs=4, callbacks=[Interrupt()])
    assert wright.load(path)["epoch"] == 2
    resumed, history = adam_run(loaders, path, epochs=4, resume=wright.load(path))
    for (name, mine), theirs in zip(whole.state_dict().items(), resumed.state_dict().values()):
        np.testing.assert_array_equal(mine.array, theirs.array, err_msg=name)
    for key in ("loss", "val_loss", "val_accuracy", "lr"):
        assert history[key] == whole_history[key]
    finished = wright.load(path)
    assert finished["epoch"] == 4 and finished["scheduler"]["last_epoch"] == 4


def test_resuming_a_finished_run_trains_no_more(loaders, tmp_path):
    _, history = adam_run(loaders, tmp_path / "c.npz", epochs=2)
    _, again = adam_run(
        loaders, tmp_path / "c.npz", epochs=2, resume=wright.load(tmp_path / "c.npz")
    )
    assert again.history == history.history


def test_resume_needs_a_full_checkpoint(loaders):
    with pytest.raises(ValueError, match="cannot resume from a checkpoint without .*rng"):
        sgd_fit(small_model(), loaders[0], resume={"model": {}, "optimizer": {}, "epoch": 1})


def test_checkpoint_skips_blown_up_and_nonfinite_epochs(loaders, tmp_path, capsys):
    model = small_model()
    path = tmp_path / "c.npz"
    checkpoint = ModelCheckpoint(path, save_best_only=False, blowup=10)
    losses = iter([1.0, 0.5, 30.0, math.nan, 0.6])

    class FakeValidation(Callback):
        def on_epoch_end(self, epoch, logs):
            logs["val_loss"] = next(losses)
            self.state.history.history["val_loss"] = self.state.history.history.get(
                "val_loss", []
            ) + [logs["val_loss"]]

    saved = []

    class Saved(Callback):
        def on_epoch_end(self, epoch, logs):
            saved.append(checkpoint.saved_epoch)

    sgd_fit(model, loaders[0], epochs=5, callbacks=[FakeValidation(), checkpoint, Saved()])
    assert saved == [1, 2, 2, 2, 5]
    err = capsys.readouterr().err
    assert "not saving epoch 3 (val_loss 30 is more than 10x the best 0.5)" in err
    assert "not saving epoch 4 (val_loss is nan)" in err


def test_best_only_checkpoint_remembers_a_resumed_runs_best(tmp_path):
    checkpoint = ModelCheckpoint(tmp_path / "best.npz")
    state = wright.train.FitState(small_model(), None, 3, None)
    state.history.history["val_loss"] = [0.5, 0.1]
    checkpoint.on_train_begin(state)
    assert checkpoint.best == 0.1


def test_empty_training_data_is_an_error_and_empty_validation_is_nan(loaders):
    empty = DataLoader(TensorDataset(np.zeros((0, 2), np.float32), np.zeros(0, np.int64)))
    assert list(empty) == []
    with pytest.raises(ValueError, match="the training data gave no batches in epoch 1"):
        sgd_fit(small_model(), empty)
    results = evaluate(small_model(), nn.CrossEntropyLoss(), empty)
    assert math.isnan(results["loss"]) and math.isnan(results["accuracy"])
    loss = nn.functional.cross_entropy(wright.zeros(0, 3), wright.zeros(0, dtype=wright.int64))
    assert math.isnan(float(loss.array))
