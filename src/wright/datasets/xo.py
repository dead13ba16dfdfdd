"""The lectures' X-or-O world: small black-and-white images (+1 light, -1 dark) of an X or an O,
shifted, scaled, slightly rotated, thicker or thinner; and the lecture's 9x9 X with its features."""

from __future__ import annotations

import numpy as np

CLASSES = ("X", "O")

# The lecture's 9x9 X: two light diagonals crossing in the middle, a dark border one pixel wide.
LECTURE_X = np.full((9, 9), -1.0, dtype=np.float32)
LECTURE_X[np.arange(1, 8), np.arange(1, 8)] = 1.0
LECTURE_X[np.arange(1, 8), np.arange(7, 0, -1)] = 1.0

# Its three 3x3 features: the diagonal leaning down left to right, the small x where the arms cross,
# and the diagonal leaning up.
LECTURE_FEATURES = np.array(
    [
        [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]],
        [[1, -1, 1], [-1, 1, -1], [1, -1, 1]],
        [[-1, -1, 1], [-1, 1, -1], [1, -1, -1]],
    ],
    dtype=np.float32,
)
FEATURE_NAMES = ("diagonal \\", "small x", "diagonal /")


def draw_xo(labels, centers, radii, angles, widths, size: int = 9) -> np.ndarray:
    """Draw one X (label 0) or O (label 1) per row of parameters, all at once.

    A pixel is light (+1) when its centre lies within `width` of the shape's strokes: for an X the
    two diagonals through the centre, each arm reaching `radius` along both axes; for an O the
    circle of that radius. Everything else is dark (-1).

    Args:
        labels: (n,) 0 for X, 1 for O.
        centers: (n, 2) row and column of the centre, in pixels.
        radii: (n,) or (n, 2) half the shape's height and width (two values stretch it).
        angles: (n,) rotation in radians, counter-clockwise.
        widths: (n,) half the stroke thickness, in pixels.
        size: image height and width.

    Returns:
        (n, size, size) float32 images.

    Example:
        >>> np.array_equal(draw_xo([0], [[4, 4]], [3], [0], [0.5])[0], LECTURE_X)
        True
    """
    labels = np.asarray(labels)[:, None, None]
    centers = np.asarray(centers, dtype=np.float64)
    radii = np.asarray(radii, dtype=np.float64).reshape(len(labels), -1)
    radii = np.broadcast_to(radii, (len(labels), 2))
    angles = np.asarray(angles, dtype=np.float64)[:, None, None]
    widths = np.asarray(widths, dtype=np.float64)[:, None, None]
    rows, cols = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    # (n, size, size) offsets of every pixel from each shape's centre
    down, across = rows - centers[:, 0, None, None], cols - centers[:, 1, None, None]
    cos, sin = np.cos(angles), np.sin(angles)
    # Rotate the pixel grid the other way, then squeeze it to the unit shape and back to a common
    # radius, so that stroke widths stay in pixels while the shape stretches.
    radius = radii.mean(axis=1)[:, None, None]
    u = (cos * across - sin * down) / radii[:, 1, None, None] * radius
    v = (sin * across + cos * down) / radii[:, 0, None, None] * radius
    to_diagonals = np.minimum(np.abs(u - v), np.abs(u + v)) / np.sqrt(2.0)
    on_x = (to_diagonals <= widths) & (np.maximum(np.abs(u), np.abs(v)) <= radius + widths / 2)
    on_o = np.abs(np.hypot(u, v) - radius) <= widths
    return np.where(np.where(labels == 0, on_x, on_o), 1.0, -1.0).astype(np.float32)


def xo_images(n: int, size: int = 9, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """n X and O images (half of each, in random order) with the variations the lecture lists.

    Each shape is shifted up to a ninth of the image from the centre (staying inside), scaled to a
    radius of 0.3-0.42 of the image (each axis stretched by up to 15%), rotated by up to 12 degrees
    either way, and drawn with strokes 0.8-1.6 pixels thick (at size 9; all of it scales with
    `size`).

    Args:
        n: number of images.
        size: image height and width (the lecture's are 9).
        seed: seed of the random variations (None: fresh entropy).

    Returns:
        images (n, 1, size, size) float32 in the lecture's +1 (light) / -1 (dark) convention, and
        labels (n,) int64 indexing CLASSES (0 = X, 1 = O).
    """
    if n < 0 or size < 5:
        raise ValueError(f"xo_images: need n >= 0 and size >= 5, got n={n}, size={size}")
    rng = np.random.default_rng(seed)
    unit = size / 9.0
    labels = rng.permutation(np.arange(n) % 2).astype(np.int64)
    radius = rng.uniform(0.3, 0.42, n) * size
    radii = radius[:, None] * rng.uniform(0.85, 1.15, (n, 2))
    # Keep the whole shape inside the image: shift at most what the margin allows.
    margin = np.maximum((size - 1) / 2 - radii.max(axis=1) - 0.5, 0.0)
    shift = rng.uniform(-1.0, 1.0, (n, 2)) * np.minimum(margin, unit)[:, None]
    angles = np.deg2rad(rng.uniform(-12.0, 12.0, n))
    widths = rng.uniform(0.4, 0.8, n) * unit
    images = draw_xo(labels, (size - 1) / 2 + shift, radii, angles, widths, size)
    return images[:, None], labels
