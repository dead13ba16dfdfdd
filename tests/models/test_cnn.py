"""The registered CNNs: their recipes, PyTorch-compatible parameters, a quick learning check and
(slow) the accuracy bars on MNIST and Fashion-MNIST."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

import wright
from wright import models, nn, optim

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.mark.parametrize("name", ["cnn", "cnn-long"])
def test_recipe_fields(name):
    spec = models.get(name)
    assert spec.loss == "cross-entropy" and spec.optimizer == "adam" and spec.lr == 1e-3
    assert spec.batch_size == 64 and spec.schedule == "cosine" and "image" in spec.tasks
    assert spec.epochs == (8 if name == "cnn" else 15)


def test_lenet_shapes_and_parameter_count():
    model = models.build("cnn")
    assert model(wright.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert model.num_parameters() == 431_080
    assert models.build("cnn", num_classes=4)(wright.zeros(2, 1, 28, 28)).shape == (2, 4)
    assert any(isinstance(m, nn.Dropout) for m in models.build("cnn-long"))


def test_state_dict_maps_one_to_one_onto_torch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    reference = tnn.Sequential(
        tnn.Conv2d(1, 20, 5),
        tnn.ReLU(),
        tnn.MaxPool2d(2),
        tnn.Conv2d(20, 50, 5),
        tnn.ReLU(),
        tnn.MaxPool2d(2),
        tnn.Flatten(),
        tnn.Linear(800, 500),
        tnn.ReLU(),
        tnn.Linear(500, 10),
    )
    model = models.build("cnn")
    ours = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert ours == {k: tuple(v.shape) for k, v in reference.state_dict().items()}
    model.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})
    x = np.random.default_rng(0).random((4, 1, 28, 28), dtype=np.float32)
    with torch.no_grad():
        expected = reference(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(wright.tensor(x)).array, expected, rtol=1e-4, atol=1e-5)


def test_wrong_image_size_names_the_layer():
    with pytest.raises(ValueError, match=r"^7 \(Linear 800->500\) got input of shape \(2, 1250\)"):
        models.build("cnn")(wright.zeros(2, 1, 32, 32))


def test_memorises_a_small_batch():
    rng = np.random.default_rng(0)
    images = wright.tensor(rng.random((64, 1, 28, 28), dtype=np.float32))
    labels = wright.tensor(rng.integers(0, 10, 64))
    model = models.build("cnn")
    optimizer = optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(40):
        loss = loss_fn(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]


def _train_recipe(name: str, dataset: str) -> tuple[float, float]:
    """Train model `name` with its registered recipe; return the final test accuracy and seconds."""
    from wright.data import DataLoader
    from wright.datasets import MNIST, FashionMNIST
    from wright.train import fit

    root = Path(os.environ.get("WRIGHT_DATA", SHARED_DATA))
    kind = MNIST if dataset == "mnist" else FashionMNIST
    try:
        train, test = kind("train", root=root), kind("test", root=root)
    except FileNotFoundError:
        pytest.skip(f"{dataset} files not found under {root}")
    spec = models.get(name)
    wright.manual_seed(0)
    model = models.build(name)
    optimizer = optim.Adam(model.parameters(), lr=spec.lr)
    started = time.perf_counter()
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=spec.epochs)
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optimizer,
        DataLoader(train, batch_size=spec.batch_size, shuffle=True, seed=0),
        epochs=spec.epochs,
        val_loader=DataLoader(test, batch_size=1000),
        scheduler=scheduler,
        verbose=0,
    )
    return history["val_accuracy"][-1], time.perf_counter() - started


@pytest.mark.slow
def test_cnn_reaches_99_percent_on_mnist():
    accuracy, _ = _train_recipe("cnn", "mnist")
    assert accuracy >= 0.99


@pytest.mark.slow
def test_cnn_reaches_91_percent_on_fashion_mnist():
    accuracy, _ = _train_recipe("cnn", "fashion-mnist")
    assert accuracy >= 0.91
