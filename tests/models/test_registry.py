"""The model table: recipes resolved by name in one place, and checkpoints that rebuild models or
say exactly why they cannot."""

import math

import numpy as np
import pytest

import wright
from wright import models, nn, optim


def test_every_registered_spec_resolves_its_recipe():
    for name in models.available():
        spec = models.get(name)
        model = models.build(name)
        assert isinstance(spec.make_loss(), nn.Module)
        optimizer = spec.make_optimizer(model.parameters())
        assert optimizer.param_groups[0]["lr"] == spec.lr
        scheduler = spec.make_scheduler(optimizer, epochs=3)
        assert (scheduler is None) == (spec.schedule is None)


def test_losses_by_name():
    assert isinstance(models.make_loss("quadratic", 10), nn.QuadraticCost)
    assert isinstance(models.make_loss("cross-entropy"), nn.CrossEntropyLoss)
    with pytest.raises(ValueError, match="unknown loss 'hinge'; choose from: cross-entropy"):
        models.make_loss("hinge")


@pytest.mark.parametrize(
    "name, kind", [("sgd", optim.SGD), ("adam", optim.Adam), ("adamw", optim.AdamW)]
)
def test_optimizers_by_name(name, kind):
    params = models.build("mlp-30").parameters()
    optimizer = models.make_optimizer(name, params, lr=0.5)
    assert type(optimizer) is kind and optimizer.param_groups[0]["lr"] == 0.5


def test_momentum_is_refused_where_the_rule_has_none():
    model = models.build("mlp-30")
    assert models.make_optimizer("rmsprop", model.parameters(), 0.1, momentum=0.9)
    assert models.make_optimizer("sgd", model.parameters(), 0.1, momentum=0.9)
    with pytest.raises(ValueError, match="momentum applies to sgd and rmsprop, not adam"):
        models.make_optimizer("adam", model.parameters(), 0.1, momentum=0.9)
    with pytest.raises(ValueError, match="unknown optimizer 'newton'"):
        models.make_optimizer("newton", model.parameters(), 0.1)


def test_specs_with_unknown_names_are_refused_when_made():
    with pytest.raises(ValueError, match="unknown loss 'cross_entropy'"):
        models.ModelSpec("x", "x", nn.Linear, loss="cross_entropy")
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        models.ModelSpec("x", "x", nn.Linear, optimizer="lbfgs")
    with pytest.raises(ValueError, match="unknown schedule 'step'"):
        models.ModelSpec("x", "x", nn.Linear, schedule="step")


def test_checkpoint_round_trip(tmp_path):
    model = models.build("cnn", num_classes=7)
    models.save_checkpoint(tmp_path / "c.npz", model, "cnn", {"num_classes": 7}, dataset="mnist")
    checkpoint = models.load_checkpoint(tmp_path / "c.npz", task="image")
    assert checkpoint.spec.name == "cnn" and checkpoint.saved["dataset"] == "mnist"
    assert checkpoint.saved["config"] == {"num_classes": 7} and not checkpoint.model.training
    for (name, mine), theirs in zip(
        model.state_dict().items(), checkpoint.model.state_dict().values()
    ):
        np.testing.assert_array_equal(mine.array, theirs.array, err_msg=name)


def tampered(tmp_path, **changes):
    model = models.build("mlp-30")
    saved = {**models.checkpoint_info("mlp-30"), "model": model.state_dict(), **changes}
    wright.save(saved, tmp_path / "t.npz")
    return tmp_path / "t.npz"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"model_name": "resnet"}, "names model 'resnet', which this wright does not know"),
        ({"config": {"num_classes": 10, "depth": 3}}, r"config keys \['depth'\] do not fit"),
        ({"config": [1, 2]}, "its config is a list"),
        ({"config": {"num_classes": 7}}, "weights do not fit a mlp-30 built with config"),
        ({"model": {"1.weight": np.zeros((30, 784), np.float32)}}, "weights do not fit"),
        ({"model": "weights"}, "its weights are not a state dict"),
    ],
)
def test_tampered_checkpoints_say_what_is_wrong(tmp_path, changes, message):
    path = tampered(tmp_path, **changes)
    with pytest.raises(models.CheckpointError, match=message) as info:
        models.load_checkpoint(path)
    assert str(path) in str(info.value)


def test_nan_weights_are_refused(tmp_path):
    weights = models.build("mlp-30").state_dict()
    weights["1.weight"].array[0, 0] = math.nan
    with pytest.raises(models.CheckpointError, match=r"NaN or infinite values \(in '1.weight'\)"):
        models.load_checkpoint(tampered(tmp_path, model=weights))


def test_files_that_are_not_checkpoints(tmp_path):
    wright.save({"weights": 1}, tmp_path / "other.npz")
    with pytest.raises(models.CheckpointError, match="not a checkpoint written by wright train"):
        models.load_checkpoint(tmp_path / "other.npz")
    with pytest.raises(FileNotFoundError):
        models.load_checkpoint(tmp_path / "missing.npz")
    with pytest.raises(models.CheckpointError, match="not a model for text data"):
        models.load_checkpoint(tampered(tmp_path), task="text")


def test_checkpoints_without_config_rebuild_the_default_model(tmp_path):
    model = models.build("mlp-lecture")
    wright.save({"model_name": "mlp-lecture", "model": model.state_dict()}, tmp_path / "old.npz")
    assert models.load_checkpoint(tmp_path / "old.npz").spec.name == "mlp-lecture"
