"""The draw-a-digit page's models: the lectures' 784-16-16-10 network and the CNN, trained on MNIST
(loaded from the demos' checkpoint cache, or trained once in a background process), answering
drawings, noise and adversarial nudges."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import wright
from wright import models, nn
from wright.data import DataLoader, TensorDataset
from wright.demos import _mnist
from wright.demos.adversarial import PGD_STEPS, predict, smallest_epsilon
from wright.interpret import pgd, record_activations
from wright.playground.settings import ListOf, Number
from wright.playground.wire import image_bytes, rounded, symmetric_bytes
from wright.train import evaluate

MODELS = ("mlp-lecture", "cnn")
SIDE = 28
PIXELS = ListOf(Number(0.0, 1.0), SIDE * SIDE, SIDE * SIDE)
# Small budgets for tests and quick looks: (training images, epochs), tested on 1,000 images.
QUICK = {"mlp-lecture": (10_000, 2), "cnn": (1_000, 1)}
_INK = 0.1  # a pixel at least this bright counts as drawn
_BOX = 20  # MNIST fits each digit into a 20x20 box before centring it in 28x28


def _interpolation(size_in: int, size_out: int) -> np.ndarray:
    """(size_out, size_in) weights that resample a row linearly, pixel centres to pixel centres."""
    position = np.clip((np.arange(size_out) + 0.5) * size_in / size_out - 0.5, 0, size_in - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, size_in - 1)
    weights = np.zeros((size_out, size_in))
    np.add.at(weights, (np.arange(size_out), low), 1 - (position - low))
    np.add.at(weights, (np.arange(size_out), high), position - low)
    return weights


def mnist_like(image: np.ndarray) -> np.ndarray:
    """A drawing prepared as MNIST's digits were: the inked part scaled to fit a 20x20 box (keeping
    its proportions), then moved so its centre of mass sits at the middle of the 28x28 image.

    Args:
        image: (28, 28) brightness in [0, 1].

    Returns:
        (28, 28) float32 in [0, 1]; all zeros if nothing is drawn.
    """
    rows = np.flatnonzero(image.max(axis=1) >= _INK)
    cols = np.flatnonzero(image.max(axis=0) >= _INK)
    out = np.zeros((SIDE, SIDE), np.float32)
    if not rows.size:
        return out
    crop = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float64)
    scale = _BOX / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    box = _interpolation(crop.shape[0], height) @ crop @ _interpolation(crop.shape[1], width).T
    box = np.clip(box, 0, 1)
    mass = box.sum()
    centre = [
        (np.arange(n) * box.sum(axis=1 - axis)).sum() / mass for axis, n in enumerate(box.shape)
    ]
    top, left = (
        int(np.clip(round((SIDE - 1) / 2 - c), 0, SIDE - n)) for c, n in zip(centre, box.shape)
    )
    out[top : top + height, left : left + width] = box
    return out


def prepare_in_child(name: str, quick: bool, path: str) -> None:
    """Load or train `name` and save it with its accuracy and origin to `path` (run in a child
    process, so that training never shares the server's process-wide grad mode)."""
    # Background work: one BLAS thread and a lower priority leave the live pages their share.
    if hasattr(os, "nice"):
        os.nice(10)
    threadpool_limits(1)
    if quick:
        count, epochs = QUICK[name]
        model, _ = _mnist.train_classifier(name, *_mnist.mnist("train", count), epochs)
        loader = DataLoader(TensorDataset(*_mnist.mnist("test", 1000)), batch_size=500)
        accuracy = evaluate(model, _mnist.loss_for(name), loader)["accuracy"]
        origin = f"trained on {count:,} images for {epochs} epoch(s)"
    else:
        model, accuracy, origin = _mnist.trained_classifier(name, quick=False)
    wright.save({"model": model.state_dict(), "accuracy": accuracy, "origin": origin}, path)


def load_prepared(name: str, path: str) -> tuple[nn.Module, float, str]:
    """The model `prepare_in_child` saved, in eval mode, with its accuracy and origin."""
    saved = wright.load(path)
    model = models.build(name)
    model.load_state_dict(saved["model"])
    return model.eval(), float(saved["accuracy"]), str(saved["origin"])


class DigitModels:
    """The trained MNIST classifiers; `prepare` makes them ready one after the other.

    Args:
        quick: train small models (QUICK budgets) instead of using the demos' checkpoint cache,
            where a missing model is trained once with the full budget and saved.
    """

    def __init__(self, quick: bool = False) -> None:
        self.quick = quick
        self.models: dict[str, nn.Module] = {}
        self.details: dict[str, dict] = {name: {"state": "waiting"} for name in MODELS}
        self.done = asyncio.Event()
        self._children: list[multiprocessing.process.BaseProcess] = []

    async def prepare(self, work: Callable[..., Awaitable]) -> None:
        """Load or train each model in a child process, then load it here with `work` (which
        runs a function where the server runs all its wright code)."""
        context = multiprocessing.get_context("spawn")
        with tempfile.TemporaryDirectory(prefix="wright-playground-") as folder:
            for name in MODELS:
                started = time.monotonic()
                self.details[name] = {"state": "preparing", "since": time.time()}
                path = str(Path(folder) / f"{name}.npz")
                child = context.Process(
                    target=prepare_in_child, args=(name, self.quick, path), daemon=True
                )
                self._children.append(child)
                child.start()
                await asyncio.to_thread(child.join)
                try:
                    if child.exitcode != 0:
                        raise RuntimeError(f"preparing it stopped with exit code {child.exitcode}")
                    model, accuracy, origin = await work(load_prepared, name, path)
                except (OSError, RuntimeError, ValueError, KeyError, TypeError) as error:
                    # Shown on the page; the server goes on without this model.
                    self.details[name] = {"state": "failed", "error": str(error)}
                    continue
                self.models[name] = model
                self.details[name] = {
                    "state": "ready",
                    "accuracy": accuracy,
                    "origin": origin,
                    "seconds": round(time.monotonic() - started, 1),
                }
        self.done.set()

    def stop(self) -> None:
        """End any child process still preparing a model."""
        for child in self._children:
            if child.is_alive():
                child.terminate()

    def status(self) -> dict:
        """Each model's state (waiting, preparing, ready, failed) with its accuracy or error."""
        return {name: dict(details) for name, details in self.details.items()}

    def first_layer(self) -> dict | None:
        """The 784-16-16-10 network's first-layer weights as 16 images (bytes and scale each)."""
        model = self.models.get("mlp-lecture")
        if model is None:
            return None
        weights = next(m for m in model if isinstance(m, nn.Linear)).weight.array  # (16, 784)
        images = [symmetric_bytes(row) for row in weights]
        return {"images": [text for text, _ in images], "scales": [s for _, s in images]}

    def answer(self, image: np.ndarray) -> dict:
        """What each ready model makes of `image` ((28, 28) in [0, 1]): the MLP's hidden layers and
        ten outputs, the CNN's ten probabilities, and both answers."""
        x = wright.as_tensor(image.reshape(1, 1, SIDE, SIDE).astype(np.float32))
        result: dict = {"input": image_bytes(image, 0.0, 1.0)}
        if (mlp := self.models.get("mlp-lecture")) is not None:
            squashes = [n for n, m in mlp.named_children() if isinstance(m, nn.Sigmoid)]
            with wright.no_grad():
                values = record_activations(mlp, x, squashes)
            hidden1, hidden2, outputs = (values[n].array[0] for n in squashes)
            result["mlp"] = {
                "hidden": [rounded(hidden1), rounded(hidden2)],
                "outputs": rounded(outputs),
                "answer": int(outputs.argmax()),
            }
        if (cnn := self.models.get("cnn")) is not None:
            with wright.no_grad():
                probabilities = wright.softmax(cnn(x), dim=1).array[0]
            result["cnn"] = {
                "outputs": rounded(probabilities),
                "answer": int(probabilities.argmax()),
            }
        return result

    def nudge(self, image: np.ndarray, name: str) -> tuple[np.ndarray, float, int, int]:
        """The smallest PGD nudge (every pixel moved by at most epsilon) that changes `name`'s
        answer.

        Returns:
            (nudged image, epsilon, answer before, answer after); epsilon is NaN and the answer
            unchanged if no epsilon up to 0.5 flips it.
        """
        model = self.models[name]
        x = image.reshape(1, 1, SIDE, SIDE).astype(np.float32)
        before = predict(model, x)

        def attack(eps: float) -> np.ndarray:
            return pgd(model, x, before, eps, step=eps / 4, steps=PGD_STEPS).array

        epsilon, nudged = smallest_epsilon(attack, model, before)
        after = predict(model, nudged)
        return nudged.reshape(SIDE, SIDE), epsilon, int(before[0]), int(after[0])
