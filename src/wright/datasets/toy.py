"""The lectures' small worlds as arrays: the four-pixel camera, the shawarma cook's schedules,
bags of M&Ms, the tea drinkers' suffering curve and two-class points in the plane."""

from __future__ import annotations

import itertools

import numpy as np

FOUR_PIXEL_CLASSES = ("solid", "vertical", "diagonal", "horizontal")

# One light-first image of each class; the class also holds its negative (every pixel flipped).
_FOUR_PIXEL_PATTERNS = np.array(
    [
        [[1, 1], [1, 1]],  # solid
        [[1, -1], [1, -1]],  # vertical: one light and one dark column
        [[1, -1], [-1, 1]],  # diagonal
        [[1, 1], [-1, -1]],  # horizontal: one light and one dark row
    ],
    dtype=np.float32,
)


def four_pixel(all_images: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The 2x2 black-and-white camera's images (+1 white, -1 black) and their classes.

    Eight images belong to the four classes (each pattern and its negative). The other eight of the
    16 possible binary images have three pixels of one colour and one of the other, which fit no
    class.

    Args:
        all_images: also return those eight, labelled -1.

    Returns:
        images (N, 2, 2) float32 and labels (N,) int64 indexing FOUR_PIXEL_CLASSES; N is 8 or 16.
    """
    labelled = np.concatenate([_FOUR_PIXEL_PATTERNS, -_FOUR_PIXEL_PATTERNS])
    labels = np.tile(np.arange(len(FOUR_PIXEL_CLASSES)), 2)
    if not all_images:
        return labelled, labels
    corners = list(itertools.product((-1.0, 1.0), repeat=4))
    images = np.array(corners, dtype=np.float32).reshape(-1, 2, 2)
    # Match each binary image with the labelled one it equals, if any.
    same = np.all(images[:, None] == labelled[None], axis=(2, 3))  # (16, 8)
    all_labels = np.where(same.any(axis=1), labels[same.argmax(axis=1)], -1)
    return images, all_labels.astype(np.int64)


def four_pixel_grey(
    n: int, seed: int | None = None, lowest_contrast: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """Grey versions of the four classes: each pixel keeps its side of grey at a random brightness.

    Args:
        n: number of images.
        seed: seed of the draws.
        lowest_contrast: smallest distance of a pixel from middle grey (0); the largest is 1.

    Returns:
        images (n, 2, 2) float32 in [-1, 1] and labels (n,) int64.
    """
    rng = np.random.default_rng(seed)
    base, labels = four_pixel()
    picks = rng.integers(len(base), size=n)
    contrast = rng.uniform(lowest_contrast, 1.0, size=(n, 2, 2)).astype(np.float32)
    return base[picks] * contrast, labels[picks]


SHAWARMA_INPUTS = ("works morning", "off morning", "works evening", "off evening")
SHAWARMA_SCHEDULES = np.array(
    [
        [1, 0, 0, 1],  # works in the morning, off in the evening
        [0, 1, 1, 0],  # off in the morning, works in the evening
    ],
    dtype=np.float32,
)


def shawarma_days(n_days: int, seed: int | None = None) -> np.ndarray:
    """What an observer across the street sees each day: which of SHAWARMA_INPUTS are active.

    Each day follows one of the cook's two SHAWARMA_SCHEDULES, chosen at random.

    Returns:
        (n_days, 4) float32 of zeros and ones.
    """
    rng = np.random.default_rng(seed)
    return SHAWARMA_SCHEDULES[rng.integers(len(SHAWARMA_SCHEDULES), size=n_days)]


def m_and_m_bags(n: int = 25, seed: int | None = 0) -> np.ndarray:
    """M&M counts of `n` bags: the first two bags hold 53 and 57, the rest scatter around 55.5.

    Returns:
        (n,) int64 counts.
    """
    rng = np.random.default_rng(seed)
    counts = np.rint(rng.normal(55.5, 2.5, size=n)).astype(np.int64)
    counts[:2] = (53, 57)[:n]
    return counts


TEA_TEMPERATURES = (0.0, 100.0)
TEA_ICED = 5.0
TEA_HOT = 62.0


def tea_suffering(temperature, wiggle: float = 0.25, rating_step: float = 0.0) -> np.ndarray:
    """How much tea drinkers suffer at each temperature (Celsius, 0 to 100); lower is better.

    The curve has a hot-tea valley around TEA_HOT, a deeper and narrower iced-tea valley around
    TEA_ICED, a flat lukewarm stretch between them, and pain rising steeply above 75. `wiggle` adds
    a ripple of period 4 degrees (the noisy buses), whose small dips trap a marble rolling down the
    valley walls; a positive `rating_step` rounds the suffering to steps of that size, as ratings on
    a 1-to-10 scale would.

    Args:
        temperature: any array (or number) of temperatures.
        wiggle: height of the ripple.
        rating_step: size of the rating steps; 0 keeps the curve continuous.

    Returns:
        float64 array of the temperature's shape.
    """
    t = np.asarray(temperature, dtype=np.float64)
    suffering = (
        10.0
        - 6.0 * np.exp(-(((t - TEA_HOT) / 12.0) ** 2))
        - 9.0 * np.exp(-(((t - TEA_ICED) / 4.0) ** 2))
        + 0.02 * np.maximum(t - 75.0, 0.0) ** 2
        + wiggle * np.sin(2 * np.pi * t / 4.0)
    )
    if rating_step > 0:
        suffering = rating_step * np.round(suffering / rating_step)
    return suffering


# The two-dimensional worlds of the playground's boundaries page: points in [-1, 1]^2, two classes.
PLANE_DATASETS = ("circle", "xor", "blobs", "spiral", "islands")


def _circle(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    # Class 1 inside radius 0.5, class 0 in a ring from 0.7 to 1, uniform in angle.
    inside = rng.random(n) < 0.5
    radius = np.where(inside, 0.5 * np.sqrt(rng.random(n)), rng.uniform(0.7, 1.0, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    return radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1), inside


def _xor(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    # Uniform in the square with a small gap along the axes, class 1 where the signs agree.
    points = rng.uniform(0.05, 1.0, (n, 2)) * rng.choice((-1.0, 1.0), (n, 2))
    return points, points[:, 0] * points[:, 1] > 0


def _blobs(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.random(n) < 0.5
    centres = np.where(labels[:, None], 0.45, -0.45)
    return centres + rng.normal(0, 0.18, (n, 2)), labels


def _spiral(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    # Two interleaved arms, each turning 1.75 times around the origin as the radius grows to 1.
    labels = rng.random(n) < 0.5
    t = rng.random(n)
    angle = 1.75 * 2 * np.pi * t + np.pi * labels
    return t[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1), labels


def _islands(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    # Lecture a's random multilayer perceptron: 2 inputs, tanh layers of 11 and 9, one tanh output
    # cut at zero, weights drawn at random; redrawn until each class covers 30% to 70% of the plane.
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 32), np.linspace(-1, 1, 32)), -1).reshape(-1, 2)
    points = rng.uniform(-1.0, 1.0, (n, 2))
    while True:
        layers = [
            (rng.normal(0, 1.5 / np.sqrt(fan_in), (fan_in, fan_out)), rng.normal(0, 0.5, fan_out))
            for fan_in, fan_out in ((2, 11), (11, 9), (9, 1))
        ]
        if 0.3 <= _positive(grid, layers).mean() <= 0.7:
            return points, _positive(points, layers)


def _positive(x: np.ndarray, layers: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    for weights, bias in layers:
        x = np.tanh(x @ weights + bias)
    return x[:, 0] > 0


_PLANE_MAKERS = {
    "circle": _circle,
    "xor": _xor,
    "blobs": _blobs,
    "spiral": _spiral,
    "islands": _islands,
}


def plane_points(
    name: str, n: int, noise: float = 0.0, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two classes of points in the plane: circle, xor, blobs, spiral or islands.

    circle: a disc inside a ring; xor: the quadrants, class 1 where both coordinates share a sign;
    blobs: two Gaussian clouds; spiral: two interleaved arms; islands: the regions a random
    2-11-9-1 tanh network carves out (the lecture's picture of what a network can draw).

    Args:
        name: one of PLANE_DATASETS.
        n: number of points.
        noise: standard deviation of Gaussian noise added to every coordinate (the points mostly
            lie in [-1, 1] before it).
        seed: seed of the draws.

    Returns:
        points (n, 2) float32 and labels (n,) int64 of 0s and 1s.
    """
    if name not in _PLANE_MAKERS:
        raise ValueError(f"plane_points: unknown dataset {name!r}; choose from {PLANE_DATASETS}")
    if n < 0 or noise < 0:
        raise ValueError(f"plane_points: expected n >= 0 and noise >= 0, got {n} and {noise}")
    rng = np.random.default_rng(seed)
    points, labels = _PLANE_MAKERS[name](rng, n)
    points = points + rng.normal(0.0, noise, points.shape) if noise else points
    return points.astype(np.float32), labels.astype(np.int64)
