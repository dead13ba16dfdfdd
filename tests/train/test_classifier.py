"""Training registered image classifiers with their recipes: the validation split, checkpoints
that rebuild the model, and resuming."""

import numpy as np
import pytest

import wright
from wright import models
from wright.data import TensorDataset
from wright.datasets import MNIST
from wright.train import holdout, train_classifier


def test_holdout_keeps_the_last_twelfth_for_validation():
    train, val = holdout(MNIST("train"))
    assert (len(train), len(val)) == (55_000, 5_000)
    assert val.indices[0] == 55_000 and train.indices[-1] == 54_999
    small_train, small_val = holdout(TensorDataset(np.zeros((120, 2)), np.zeros(120)))
    assert (len(small_train), len(small_val)) == (110, 10)
    with pytest.raises(ValueError, match="too few"):
        holdout(TensorDataset(np.zeros((5, 2)), np.zeros(5)))


@pytest.fixture(scope="module")
def images():
    x, y = MNIST("train", limit=600).arrays()
    return TensorDataset(x[:500], y[:500]), TensorDataset(x[500:], y[500:])


def test_training_writes_a_checkpoint_that_rebuilds_the_model(images, tmp_path):
    path = tmp_path / "m.npz"
    model, history = train_classifier(
        "mlp",
        *images,
        epochs=2,
        lr=3e-3,
        seed=1,
        checkpoint=path,
        info={"dataset": "mnist"},
    )
    assert len(history) == 2 and history["val_accuracy"][-1] > 0.6 and not model.training
    checkpoint = models.load_checkpoint(path, "image")
    assert checkpoint.saved["dataset"] == "mnist" and checkpoint.saved["epoch"] == 2
    assert checkpoint.saved["recipe"] == {
        "loss": "cross-entropy",
        "optimizer": "adam",
        "lr": 3e-3,
        "momentum": 0.0,
        "batch_size": 128,
        "epochs": 2,
        "schedule": "cosine",
        "seed": 1,
    }
    np.testing.assert_array_equal(checkpoint.model[1].weight.array, model[1].weight.array)


def test_resuming_continues_to_the_total_number_of_epochs(images, tmp_path):
    path = tmp_path / "m.npz"
    whole, _ = train_classifier("mlp-30", *images, epochs=3, seed=2)
    train_classifier("mlp-30", *images, epochs=1, seed=2, checkpoint=path)
    resumed, history = train_classifier(
        "mlp-30", *images, epochs=3, checkpoint=path, resume=wright.load(path)
    )
    assert len(history) == 3
    np.testing.assert_array_equal(resumed[1].weight.array, whole[1].weight.array)


def test_the_recipe_can_be_changed_and_wrong_settings_are_refused(images):
    model, _ = train_classifier("mlp-30", *images, epochs=1, optimizer="sgd", momentum=0.5)
    assert model is not None
    with pytest.raises(ValueError, match="momentum applies to sgd and rmsprop, not adam"):
        train_classifier("mlp", *images, epochs=1, momentum=0.5)
