"""Semantic segmentation: a small U-Net labels every pixel of a canvas of MNIST digits with the digit
it belongs to, or background.

Training canvases are built from MNIST's training digits (new ones every epoch), validation canvases
from 5,000 training digits kept out of training, the held-out canvases from its test digits.
Measured: pixel accuracy and mean intersection-over-union over the 11 classes.

Pictures: segmentation.png (input, truth, prediction, coloured by class).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

import wright
from wright import nn, optim
from wright.autograd import no_grad
from wright.creation import as_tensor
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
# The last 5,000 training digits are kept out of training; canvases of them choose, after training,
# a shift of the background score (positive: thinner strokes), since the light weight above leaves
# where a stroke ends slightly off. Test digits are never used to choose anything.
VALIDATION_DIGITS = 5000
BACKGROUND_SHIFTS = (-0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.25)


def confusions(
    model: Module,
    images: np.ndarray,
    labels: np.ndarray,
    background_shifts: Sequence[float] = (0.0,),
    batch: int = 100,
) -> np.ndarray:
    """The (classes, classes) confusion matrix of the model's pixel labels (rows truth, columns
    prediction), one for each shift added to the background score: (shifts, classes, classes)."""
    cells = NUM_CLASSES * NUM_CLASSES
    counts = np.zeros((len(background_shifts), cells), dtype=np.int64)
    with no_grad():
        for start in range(0, len(images), batch):
            scores = model(as_tensor(images[start : start + batch])).array  # (B, 11, H, W)
            truth = labels[start : start + batch] * NUM_CLASSES
            background = scores[:, BACKGROUND].copy()
            for row, shift in enumerate(background_shifts):
                scores[:, BACKGROUND] = background + shift
                counts[row] += np.bincount((truth + scores.argmax(axis=1)).ravel(), minlength=cells)
    return counts.reshape(len(background_shifts), NUM_CLASSES, NUM_CLASSES)


def scores_from_confusion(matrix: np.ndarray) -> tuple[float, np.ndarray]:
    """Pixel accuracy and each class's intersection over union (NaN for a class never present)."""
    hits = np.diag(matrix).astype(np.float64)
    union = matrix.sum(axis=0) + matrix.sum(axis=1) - hits
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(union > 0, hits / union, np.nan)
    return float(hits.sum() / matrix.sum()), iou


class FreshCanvases:
    """Batches of training canvases, `count` new ones every epoch: the same compute as going over
    one set again, with more variety of digits and places than a fixed set of canvases has.

    Args:
        count: canvases per epoch (a multiple of BATCH uses them all).
        seed: epoch e draws its canvases with the seed (seed, e).
        digits: which training digits to draw from (all by default).
    """

    def __init__(self, count: int, seed: int, digits: slice | None = None) -> None:
        self.count, self.seed, self.digits, self.epoch = count, seed, digits, 0

    def __len__(self) -> int:
        return self.count // BATCH

    def __iter__(self):
        images, labels = digit_canvases(
            self.count, "train", seed=[self.seed, self.epoch], digits=self.digits
        )
        self.epoch += 1
        for start in range(0, len(self) * BATCH, BATCH):
            yield images[start : start + BATCH], labels[start : start + BATCH]


def train_unet(model: UNet, loader: FreshCanvases, epochs: int) -> dict:
    """Adam on a one-cycle learning rate schedule, per-pixel cross-entropy; returns the history."""
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
        background_shift and validation_mean_iou (the shift chosen on validation canvases and their
        mean IoU with it), test_canvases, train_canvases, epochs, train_seconds.
    """
    count, epochs, width, tests = QUICK if quick else FULL
    wright.manual_seed(seed)

    def train(model: UNet) -> dict:
        record = train_unet(
            model, FreshCanvases(count, seed, digits=slice(0, -VALIDATION_DIGITS)), epochs
        )
        images, labels = digit_canvases(
            tests, "train", seed=20_000 + seed, digits=slice(-VALIDATION_DIGITS, None)
        )
        model.eval()
        matrices = confusions(model, images, labels, BACKGROUND_SHIFTS)
        ious = [float(np.nanmean(scores_from_confusion(m)[1])) for m in matrices]
        best = int(np.argmax(ious))
        return {**record, "background_shift": BACKGROUND_SHIFTS[best], "validation_mean_iou": ious}

    # The recipe is in the name, so a changed recipe trains afresh rather than loading a stale model.
    name = f"unet-canvases-w{width}-{count}x{epochs}-fresh-s{seed}"
    model, record, origin = trained(name, lambda: UNet(width=width), train, quick)
    print(
        f"{model.summary_line()} ({model.num_parameters():,} weights), {count:,} training canvases "
        f"x {epochs} epochs: {origin}"
    )
    shift, validation = record["background_shift"], record["validation_mean_iou"]
    print(
        f"background score shift chosen on {tests:,} canvases of held-out training digits: "
        f"{shift:+.2f} (their mean IoU {max(validation):.3f}; "
        f"{validation[BACKGROUND_SHIFTS.index(0.0)]:.3f} unshifted)"
    )
    test_images, test_labels = digit_canvases(tests, "test", seed=10_000 + seed)
    matrix = confusions(model, test_images, test_labels, (shift,))[0]
    pixel_accuracy, iou = scores_from_confusion(matrix)
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
            scores = model(as_tensor(test_images[shown])).array
            scores[:, BACKGROUND] += shift
            predicted = scores.argmax(axis=1)
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
        "background_shift": float(shift),
        "validation_mean_iou": float(max(validation)),
        "test_canvases": tests,
        "train_canvases": count,
        "epochs": epochs,
        "train_seconds": float(record["train_seconds"]),
        "final_train_loss": float(record["loss"][-1]),
    }
    return results
