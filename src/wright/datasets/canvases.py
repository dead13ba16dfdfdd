"""Segmentation canvases: one to three MNIST digits pasted at random places on a larger canvas, with
every stroke pixel labelled by its digit."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wright.datasets.mnist import MNIST

BACKGROUND = 10
NUM_CLASSES = 11
CLASS_NAMES = [str(digit) for digit in range(10)] + ["background"]
# MNIST digits sit in the central 20x20 of their 28x28 frame; these cores must not overlap.
_CORE = slice(4, 24)
_PLACEMENT_TRIES = 30


def digit_canvases(
    n: int,
    split: str = "train",
    size: int = 64,
    max_digits: int = 3,
    seed: int | Sequence[int] | None = None,
    threshold: float = 0.5,
    digits: slice | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Canvases with one to `max_digits` MNIST digits of `split` each, and their pixel labels.

    Digits are drawn at random from the split and pasted (brightest ink wins) at random places whose
    central 20x20 regions do not overlap. A pixel whose ink is above `threshold` is labelled with
    the digit it belongs to (0-9); every other pixel is background (class 10).

    Args:
        n: number of canvases.
        split: "train" or "test": which MNIST images the digits come from.
        size: canvas side in pixels (at least 40 so that three digits fit).
        max_digits: the most digits on one canvas (each canvas has 1..max_digits, uniformly).
        seed: seed (or sequence of seeds) for the choice of digits, their number and places.
        threshold: ink above this (in [0, 1]) is a stroke pixel.
        digits: which of the split's images to draw from (all of them by default), so that
            canvases of digits kept out of training can serve for validation.

    Returns:
        images float32 (n, 1, size, size) in [0, 1] and labels int64 (n, size, size) in 0..10.
    """
    if size < 40:
        raise ValueError(f"digit_canvases: size must be at least 40, got {size}")
    rng = np.random.default_rng(seed)
    mnist = MNIST(split)
    pool = digits or slice(None)
    ink_pool, target_pool = mnist.images[pool], mnist.targets[pool]
    images = np.zeros((n, size, size), dtype=np.float32)
    labels = np.full((n, size, size), BACKGROUND, dtype=np.int64)
    counts = rng.integers(1, max_digits + 1, n)
    placed = np.zeros((n, max_digits, 2), dtype=np.int64)  # top-left corners of placed digits
    span = size - 28 + 1
    offsets = np.arange(28)
    for slot in range(max_digits):
        canvases = np.flatnonzero(counts > slot)
        corners = _free_corners(rng, placed[canvases, :slot], span)
        placed[canvases, slot] = corners
        picks = rng.integers(0, len(target_pool), len(canvases))
        ink = ink_pool[picks].astype(np.float32) / 255.0  # (k, 28, 28)
        rows = corners[:, 0, None, None] + offsets[None, :, None]  # (k, 28, 1)
        cols = corners[:, 1, None, None] + offsets[None, None, :]  # (k, 1, 28)
        index = (canvases[:, None, None], rows, cols)
        below = images[index]
        stroke = (ink > threshold) & (ink >= below)
        labels[index] = np.where(stroke, target_pool[picks][:, None, None], labels[index])
        images[index] = np.maximum(below, ink)
    return images[:, None], labels


def _free_corners(rng: np.random.Generator, taken: np.ndarray, span: int) -> np.ndarray:
    """A random corner per canvas whose digit core misses the cores at `taken` (k, slots, 2); after
    a few tries the last draw is kept (a slight overlap is rare and harmless)."""
    corners = rng.integers(0, span, (len(taken), 2))
    core = _CORE.stop - _CORE.start
    for _ in range(_PLACEMENT_TRIES):
        if taken.shape[1] == 0:
            break
        gap = np.abs(corners[:, None, :] - taken).max(axis=2)  # Chebyshev distance of corners
        clash = (gap < core).any(axis=1)
        if not clash.any():
            break
        corners[clash] = rng.integers(0, span, (int(clash.sum()), 2))
    return corners
