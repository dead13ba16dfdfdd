"""Super-resolution: ESPCN (convolutions at low resolution, a sub-pixel PixelShuffle layer) makes
photographs three times larger, trained on patches of some of scikit-image's sample photographs and
measured on others it never saw.

Everything happens on the luminance (Y of YCbCr), as in the super-resolution literature; PSNR
leaves a 3-pixel border out. Needs scikit-image (`pip install 'wright[apps]'`).

Pictures: super_resolution.png (crops of bicubic, wright's ESPCN and the original side by side).
"""

from __future__ import annotations

import os
import zlib

import numpy as np

import wright
from wright import nn, optim
from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.data import DataLoader, TensorDataset
from wright.datasets.photos import TEST_PHOTOS, TRAIN_PHOTOS, downscale, luminance, photo, psnr
from wright.demos._cache import trained
from wright.demos._common import picture_path
from wright.models.espcn import ESPCN
from wright.nn import functional as F
from wright.nn.module import Module
from wright.train import fit

NAME = "super-resolution"
SUMMARY = "ESPCN x3 (sub-pixel convolution) on held-out photographs' luminance, vs bicubic"

SCALE = 3
PATCH = 16  # low-resolution side of a training patch (48 pixels at full resolution)
ANCHOR_GAIN_DB = 1.0
# (training patches, epochs, features): full run, quick run.
FULL = (40_000, 5, (64, 32))
QUICK = (600, 1, (16, 8))
BATCH = 32
MAX_LR = 3e-3
# ReLU between the convolutions: on validation photos it gained more over bicubic than the paper's tanh
# after the same training (docs/applications.md).
ACTIVATION = "relu"


def photo_pairs(names) -> list[tuple[np.ndarray, np.ndarray]]:
    """(high-resolution, low-resolution) luminance pairs of the named photographs."""
    return [downscale(luminance(photo(name)), SCALE) for name in names]


def training_patches(
    pairs: list[tuple[np.ndarray, np.ndarray]], count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Random aligned patches, with random flips and quarter turns: low (count, 1, P, P) and high
    (count, 1, 3P, 3P)."""
    lows, highs = [], []
    sources = rng.integers(0, len(pairs), count)
    for source, number in zip(*np.unique(sources, return_counts=True)):
        high, low = pairs[source]
        rows = rng.integers(0, low.shape[0] - PATCH + 1, number)
        cols = rng.integers(0, low.shape[1] - PATCH + 1, number)
        grid = np.arange(PATCH)
        lows.append(low[rows[:, None, None] + grid[:, None], cols[:, None, None] + grid])
        big = np.arange(SCALE * PATCH)
        highs.append(
            high[SCALE * rows[:, None, None] + big[:, None], SCALE * cols[:, None, None] + big]
        )
    low, high = np.concatenate(lows), np.concatenate(highs)
    # The same flip and turn for a patch and its high-resolution original (8 symmetries).
    turns, flips = rng.integers(0, 4, count), rng.random(count) < 0.5
    for k in range(4):
        chosen = turns == k
        low[chosen] = np.rot90(low[chosen], k, axes=(1, 2))
        high[chosen] = np.rot90(high[chosen], k, axes=(1, 2))
    low[flips], high[flips] = low[flips, :, ::-1], high[flips, :, ::-1]
    order = rng.permutation(count)
    return low[order, None].copy(), high[order, None].copy()


def upscale(model: Module | None, low: np.ndarray) -> np.ndarray:
    """A (H, W) low-resolution image made SCALE times larger by the model, or by bicubic
    interpolation when `model` is None."""
    with no_grad():
        x = as_tensor(low[None, None])
        if model is None:
            return F.interpolate(x, scale_factor=SCALE, mode="bicubic").array[0, 0]
        return model(x).array[0, 0]


def train_espcn(model: ESPCN, low: np.ndarray, high: np.ndarray, epochs: int, seed: int) -> dict:
    """Adam on a one-cycle schedule, mean squared error on patches; returns the loss per epoch."""
    loader = DataLoader(TensorDataset(low, high), batch_size=BATCH, shuffle=True, seed=seed)
    optimizer = optim.Adam(model.parameters(), lr=MAX_LR)
    schedule = optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=MAX_LR, epochs=epochs, steps_per_epoch=len(loader), pct_start=0.2
    )
    history = fit(
        model, nn.MSELoss(), optimizer, loader, epochs=epochs, metrics=(), scheduler=schedule
    )
    return {"loss": history["loss"]}


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Train (or load) ESPCN on the training photographs, then measure PSNR on the held-out ones.

    Returns:
        psnr_bicubic and psnr_espcn (means over the held-out photographs, dB), gain_db, the PSNR of
        each held-out photograph, train_patches, epochs, train_seconds.
    """
    patches, epochs, features = QUICK if quick else FULL
    wright.manual_seed(seed)

    def train(model: ESPCN) -> dict:
        low, high = training_patches(
            photo_pairs(TRAIN_PHOTOS), patches, np.random.default_rng(seed)
        )
        return train_espcn(model, low, high, epochs, seed)

    # The recipe is in the name (the rest of it as a checksum), so a changed recipe trains afresh
    # rather than loading a stale model.
    rest = zlib.crc32(repr((TRAIN_PHOTOS, PATCH, BATCH, MAX_LR, ACTIVATION)).encode())
    name = f"espcn-x{SCALE}-{features[0]}-{features[1]}-{patches}x{epochs}-{rest:08x}-s{seed}"
    model, record, origin = trained(
        name, lambda: ESPCN(SCALE, features=features, activation=ACTIVATION), train, quick
    )
    print(
        f"{model.summary_line()} ({model.num_parameters():,} weights), {patches:,} patches of "
        f"{', '.join(TRAIN_PHOTOS)} x {epochs} epochs: {origin}"
    )
    tests = TEST_PHOTOS[:2] if quick else TEST_PHOTOS
    results, pictures = {}, []
    for name, (high, low) in zip(tests, photo_pairs(tests)):
        bicubic, ours = upscale(None, low), upscale(model, low)
        results[f"psnr_bicubic_{name}"] = psnr(bicubic, high, shave=SCALE)
        results[f"psnr_espcn_{name}"] = psnr(ours, high, shave=SCALE)
        pictures.append((name, bicubic, ours, high))
        print(
            f"  {name:10s} {low.shape[1]}x{low.shape[0]} -> {high.shape[1]}x{high.shape[0]}: "
            f"bicubic {results[f'psnr_bicubic_{name}']:.2f} dB, "
            f"ESPCN {results[f'psnr_espcn_{name}']:.2f} dB"
        )
    mean_bicubic = float(np.mean([results[f"psnr_bicubic_{n}"] for n in tests]))
    mean_ours = float(np.mean([results[f"psnr_espcn_{n}"] for n in tests]))
    gain = mean_ours - mean_bicubic
    print(
        f"held-out photographs ({len(tests)}), x{SCALE}: bicubic {mean_bicubic:.2f} dB, ESPCN "
        f"{mean_ours:.2f} dB, gain {gain:+.2f} dB (anchor: >= +{ANCHOR_GAIN_DB:.1f} dB; SRCNN "
        "gained +2.0 dB on Set5)"
    )
    if path := picture_path(out_dir, "super_resolution.png"):
        from wright.viz.applications import image_crops

        image_crops(
            [_crop(p, size=96) for p in pictures[:2]],
            ["bicubic", "wright ESPCN", "original"],
            [name for name, *_ in pictures[:2]],
            title=f"x{SCALE} super-resolution on unseen photos: {gain:+.2f} dB over bicubic",
            path=path,
        )
    return {
        "psnr_bicubic": mean_bicubic,
        "psnr_espcn": mean_ours,
        "gain_db": gain,
        **results,
        "train_patches": patches,
        "epochs": epochs,
        "train_seconds": float(record["train_seconds"]),
        "final_train_loss": float(record["loss"][-1]),
    }


def _crop(images: tuple, size: int) -> list[np.ndarray]:
    """The same size x size window, where the original has most detail, from each image."""
    _, *versions = images
    original = versions[-1]
    # Variance of the original over a coarse grid of windows: show the busiest one.
    h, w = (original.shape[0] // size) * size, (original.shape[1] // size) * size
    blocks = original[:h, :w].reshape(h // size, size, w // size, size).var(axis=(1, 3))
    row, col = np.unravel_index(np.argmax(blocks), blocks.shape)
    window = (slice(row * size, (row + 1) * size), slice(col * size, (col + 1) * size))
    return [np.clip(v[window], 0, 1) for v in versions]
