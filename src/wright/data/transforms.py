"""Batch transforms for a dataset's `transform=` argument: whole batches, no loop over images."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from wright import backend


class RandomShift:
    """Move each image by a random whole number of pixels, up to `max_shift` each way on both
    axes, filling the uncovered border with `fill` (augmentation: a digit moved a little is the
    same digit).

    The batch is padded once, and every image's shifted crop is picked from a sliding-window view
    of it with one fancy index, so no Python code runs per image.

    Args:
        max_shift: largest shift in pixels, in each direction.
        fill: value of the pixels shifted in (0: MNIST's background).
        seed: seeds this transform's own generator; default: wright's global one
            (`wright.manual_seed`).

    Shape:
        (B, C, H, W) -> (B, C, H, W), the same dtype.

    Example:
        >>> from wright.datasets import MNIST
        >>> train = MNIST("train", transform=RandomShift(2, seed=0), limit=8)
        >>> images, labels = next(iter(wright.data.DataLoader(train, batch_size=4)))
        >>> images.shape
        wright.Size([4, 1, 28, 28])
    """

    def __init__(self, max_shift: int = 2, fill: float = 0.0, seed: int | None = None) -> None:
        if max_shift < 0:
            raise ValueError(f"RandomShift: max_shift must be >= 0, got {max_shift}")
        self.max_shift, self.fill = max_shift, fill
        self.rng = None if seed is None else np.random.default_rng(seed)

    def __call__(self, images: np.ndarray) -> np.ndarray:
        if images.ndim != 4:
            raise ValueError(
                f"RandomShift: expected a batch (B, C, H, W), got shape {images.shape}"
            )
        s = self.max_shift
        if s == 0:
            return images
        rng = self.rng or backend.generator()
        padded = np.pad(images, ((0, 0), (0, 0), (s, s), (s, s)), constant_values=self.fill)
        # (B, C, 2s+1, 2s+1, H, W): every crop of every image, without copying
        crops = sliding_window_view(padded, images.shape[2:], axis=(2, 3))
        rows, cols = rng.integers(0, 2 * s + 1, (2, len(images)))
        return crops[np.arange(len(images)), :, rows, cols]

    def __repr__(self) -> str:
        return f"RandomShift(max_shift={self.max_shift}, fill={self.fill})"
