"""Semantic segmentation: a small U-Net labels every pixel of a canvas of MNIST digits with the digit
it belongs to, or background.

Training canvases are built from MNIST's training digits, the held-out canvases from its test
digits. Measured: pixel accuracy and mean intersection-over-union over the 11 classes.

Pictures: segmentation.png (input, truth, prediction, coloured by class).
"""

from __future__ import annotations

import os

import numpy as np

import wright
from wright import nn, optim
from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.data import DataLoader, TensorDataset
from wright.datasets.canvases import BACKGROUND, CLASS_NAMES, NUM_CLASSES, digit_canvases
from wright.demos._cache import trained
from wright.demos._common import picture_path
from wright.models.unet import UNet
from wright.nn.module import Module
from wright.train import fit

NAME = "segmentation"
SUMMARY = "a U-Net labels each pixel of 64x64 canvases of MNIST digits with its digit (11 classes)"

ANCHOR_MEAN_IOU = 0.85
# (training canvases, epochs, U-Net width, held-out canvases): full run, quick run.
FULL = (6000, 6, 16, 1000)
QUICK = (1024, 2, 8, 200)
BATCH = 16
MAX_LR = 5e-3
# Nineteen pixels in twenty are background. Weighting it less keeps the loss on which digit a stroke
# is (unweighted, 5 and 9 were still mistaken for 3 and 4 after 6 epochs), but too light a weight
# paints the strokes wider than they are (at 0.2, background pixels labelled as a digit outnumbered
# missed stroke pixels 9 to 1), and IoU counts those pixels as errors.
BACKGROUND_WEIGHT = 0.5


def confusion(
    model: Module, images: np.ndarray, labels: np.ndarray, batch: int = 100
) -> np.ndarray:
    """The (classes, classes) confusion matrix of the model's pixel labels: rows truth, columns
    prediction."""
    counts = np.zeros(NUM_CLASSES * NUM_CLASSES, dtype=np.int64)
    with no_grad():
        for start in range(0, len(images), batch):
            scores = model(as_tensor(images[start : start + batch])).array  # (B, 11, H, W)
            truth = labels[start : start + batch]
            counts += np.bincount(
                (truth * NUM_CLASSES + scores.argmax(axis=1)).ravel(),
                minlength=NUM_CLASSES * NUM_CLASSES,
            )
    return counts.reshape(NUM_CLASSES, NUM_CLASSES)


def scores_from_confusion(matrix: np.ndarray) -> tuple[float, np.ndarray]:
    """Pixel accuracy and each class's intersection over union (NaN for a class never present)."""
    hits = np.diag(matrix).astype(np.float64)
    union = matrix.sum(axis=0) + matrix.sum(axis=1) - hits
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(union > 0, hits / union, np.nan)
    return float(hits.sum() / matrix.sum()), iou


def train_unet(model: UNet, images: np.ndarray, labels: np.ndarray, epochs: int, seed: int) -> dict:
    """Adam on a one-cycle learning rate schedule, per-pixel cross-entropy; returns the history."""
    loader = DataLoader(TensorDataset(images, labels), batch_size=BATCH, shuffle=True, seed=seed)
    optimizer = optim.Adam(model.parameters(), lr=MAX_LR)
    schedule = optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=MAX_LR, epochs=epochs, steps_per_epoch=len(loader), pct_start=0.1
    )
    weight = np.ones(NUM_CLASSES, dtype=np.float32)
    weight[BACKGROUND] = BACKGROUND_WEIGHT
    loss = nn.CrossEntropyLoss(weight=as_tensor(weight))
    history = fit(model, loss, optimizer, loader, epochs=epochs, scheduler=schedule)
    return {"loss": history["loss"], "pixel_accuracy": history["accuracy"]}


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Train (or load) the U-Net, then score it on held-out canvases of unseen digits.

    Returns:
        pixel_accuracy, mean_iou, the IoU of each class (iou_0 .. iou_9, iou_background),
        test_canvases, train_canvases, epochs, train_seconds.
    """
    count, epochs, width, tests = QUICK if quick else FULL
    wright.manual_seed(seed)

    def train(model: UNet) -> dict:
        images, labels = digit_canvases(count, "train", seed=seed)
        return train_unet(model, images, labels, epochs, seed)

    # The recipe is in the name, so a changed recipe trains afresh rather than loading a stale model.
    name = f"unet-canvases-w{width}-{count}x{epochs}-s{seed}"
    model, record, origin = trained(name, lambda: UNet(width=width), train, quick)
    print(
        f"{model.summary_line()} ({model.num_parameters():,} weights), {count:,} training canvases "
        f"x {epochs} epochs: {origin}"
    )
    test_images, test_labels = digit_canvases(tests, "test", seed=10_000 + seed)
    pixel_accuracy, iou = scores_from_confusion(confusion(model, test_images, test_labels))
    mean_iou = float(np.nanmean(iou))
    print(
        f"held-out canvases of test digits ({tests:,}): pixel accuracy {100 * pixel_accuracy:.2f}%, "
        f"mean IoU {mean_iou:.3f} (anchor: >= {ANCHOR_MEAN_IOU})"
    )
    print("  IoU per class: " + ", ".join(f"{n} {v:.2f}" for n, v in zip(CLASS_NAMES, iou)))

    if path := picture_path(out_dir, "segmentation.png"):
        from wright.viz.applications import segmentation_examples

        shown = slice(0, 6)
        with no_grad():
            predicted = model(as_tensor(test_images[shown])).array.argmax(axis=1)
        segmentation_examples(
            test_images[shown, 0],
            test_labels[shown],
            predicted,
            CLASS_NAMES,
            title=f"U-Net on unseen digits: mean IoU {mean_iou:.3f}, "
            f"pixel accuracy {100 * pixel_accuracy:.1f}%",
            path=path,
        )
    results = {
        "pixel_accuracy": pixel_accuracy,
        "mean_iou": mean_iou,
        **{f"iou_{name}": float(value) for name, value in zip(CLASS_NAMES, iou)},
        "test_canvases": tests,
        "train_canvases": count,
        "epochs": epochs,
        "train_seconds": float(record["train_seconds"]),
        "final_train_loss": float(record["loss"][-1]),
    }
    return results
