"""Synthetic scenes for captioning: one to three coloured shapes of two sizes on a small canvas,
each scene with the one caption that describes it ("a small red circle left of a large blue
square")."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

COLOURS = {
    "red": (0.9, 0.1, 0.1),
    "green": (0.1, 0.75, 0.1),
    "blue": (0.15, 0.3, 0.95),
    "yellow": (0.95, 0.85, 0.1),
}
SHAPES = ("circle", "square", "triangle")
SIZES = {"small": 0.075, "large": 0.135}  # radius as a share of the canvas side
PAD, START, END = "<pad>", "<start>", "<end>"
WORDS = (
    [PAD, START, END, "a", "and"]
    + list(SIZES)
    + list(COLOURS)
    + list(SHAPES)
    + ["left", "of", "above", "below"]
)
# Shapes are placed so that the caption is never ambiguous: their centres are this many pixels
# apart along x (the caption's order) and the larger of |dx|, |dy| beats the smaller by as much.
_MARGIN = 3.0
_PLACEMENT_TRIES = 2000


@dataclass(frozen=True)
class Vocabulary:
    """Word <-> index for the captions; index 0 pads, 1 starts, 2 ends a caption."""

    words: tuple[str, ...] = tuple(WORDS)

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, caption: str) -> list[int]:
        """Word indices of a caption (no start or end markers)."""
        index = {word: k for k, word in enumerate(self.words)}
        return [index[word] for word in caption.split()]

    def decode(self, indices) -> str:
        """The caption up to the first end marker, without markers or padding."""
        words = []
        for k in indices:
            word = self.words[int(k)]
            if word == END:
                break
            if word not in (PAD, START):
                words.append(word)
        return " ".join(words)


VOCABULARY = Vocabulary()


def describe(shapes: list[tuple[str, str, str, float, float]]) -> str:
    """The caption of a scene given as (size, colour, shape, x, y) tuples.

    Shapes are named from left to right; between two neighbours the relation is "left of" when
    they are further apart across than up and down, else "above" or "below" (the first of the two
    relative to the second).
    """
    ordered = sorted(shapes, key=lambda s: s[3])
    words = [f"a {ordered[0][0]} {ordered[0][1]} {ordered[0][2]}"]
    for before, after in itertools.pairwise(ordered):
        dx, dy = after[3] - before[3], after[4] - before[4]
        relation = "left of" if abs(dx) >= abs(dy) else ("above" if dy > 0 else "below")
        words.append(f"{relation} a {after[0]} {after[1]} {after[2]}")
    return " ".join(words)


def shape_scenes(
    n: int, size: int = 48, max_shapes: int = 3, seed: int | None = None
) -> tuple[np.ndarray, list[str]]:
    """Scenes of one to `max_shapes` shapes on a black canvas, and their captions.

    Each shape has a random size (small or large), colour, kind and place; shapes do not overlap
    and their places never make the caption ambiguous (see `describe`).

    Args:
        n: number of scenes.
        size: canvas side in pixels (32 to 64).
        max_shapes: the most shapes in one scene (each scene has 1..max_shapes, uniformly).
        seed: seed of everything random.

    Returns:
        images float32 (n, 3, size, size) in [0, 1] (RGB) and the n captions.
    """
    if not 32 <= size <= 64:
        raise ValueError(f"shape_scenes: size must be between 32 and 64, got {size}")
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, max_shapes + 1, n)
    sizes = rng.choice(list(SIZES), (n, max_shapes))
    colours = rng.choice(list(COLOURS), (n, max_shapes))
    kinds = rng.choice(SHAPES, (n, max_shapes))
    radii = np.vectorize(SIZES.get)(sizes) * size
    centres = _places(rng, counts, radii, size)  # (n, max_shapes, 2) as (x, y)
    images = np.zeros((n, size, size, 3), dtype=np.float32)
    # Each shape is drawn in a small box around its centre, then pasted onto its canvas.
    box = int(np.ceil(2 * max(SIZES.values()) * size)) + 2
    offsets = np.arange(box)
    for slot in range(max_shapes):
        scenes = np.flatnonzero(counts > slot)
        centre = centres[scenes, slot]  # (k, 2) as (x, y)
        corner = np.clip(np.floor(centre).astype(np.int64) - box // 2, 0, size - box)
        x = (corner[:, 0, None, None] + offsets[None, None, :] + 0.5) - centre[:, 0, None, None]
        y = (corner[:, 1, None, None] + offsets[None, :, None] + 0.5) - centre[:, 1, None, None]
        r = radii[scenes, slot, None, None]
        kind = kinds[scenes, slot, None, None]
        inside = np.where(
            kind == "circle",
            x**2 + y**2 <= r**2,
            np.where(
                kind == "square",
                (np.abs(x) <= 0.85 * r) & (np.abs(y) <= 0.85 * r),
                # Apex up: the width grows from 0 at the top to about 2r at the bottom.
                (y >= -r) & (y <= 0.8 * r) & (np.abs(x) <= (y + r) / 1.8),
            ),
        )  # (k, box, box)
        rgb = np.array([COLOURS[c] for c in colours[scenes, slot]], dtype=np.float32)
        index = (
            scenes[:, None, None],
            corner[:, 1, None, None] + offsets[None, :, None],
            corner[:, 0, None, None] + offsets[None, None, :],
        )
        images[index] = np.where(inside[..., None], rgb[:, None, None, :], images[index])
    captions = [
        describe(
            [
                (sizes[i, k], colours[i, k], kinds[i, k], centres[i, k, 0], centres[i, k, 1])
                for k in range(counts[i])
            ]
        )
        for i in range(n)
    ]
    return np.ascontiguousarray(images.transpose(0, 3, 1, 2)), captions


def _places(
    rng: np.random.Generator, counts: np.ndarray, radii: np.ndarray, size: int
) -> np.ndarray:
    """Centres (n, slots, 2) that keep shapes inside the canvas, apart, and unambiguous to
    describe; scenes are redrawn (vectorised) until every one qualifies."""
    n, slots = radii.shape
    centres = np.zeros((n, slots, 2))
    todo = np.arange(n)
    for _ in range(_PLACEMENT_TRIES):
        r = radii[todo]
        centres[todo] = (
            r[..., None] + 1 + rng.random((len(todo), slots, 2)) * (size - 2 * r[..., None] - 2)
        )
        ok = np.ones(len(todo), dtype=bool)
        for a in range(slots):
            for b in range(a + 1, slots):
                both = counts[todo] > b
                d = centres[todo, b] - centres[todo, a]
                dx, dy = np.abs(d[:, 0]), np.abs(d[:, 1])
                apart = np.maximum(dx, dy) >= r[:, a] + r[:, b] + 2
                clear = (dx >= _MARGIN) & (np.abs(dx - dy) >= _MARGIN)
                ok &= ~both | (apart & clear)
        todo = todo[~ok]
        if len(todo) == 0:
            return centres
    raise RuntimeError(f"shape_scenes: could not place the shapes of {len(todo)} scenes")
