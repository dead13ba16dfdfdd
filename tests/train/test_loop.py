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
