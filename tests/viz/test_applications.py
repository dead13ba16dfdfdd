"""Pictures for the application demos."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from wright.viz.applications import (
    captioned_images,
    class_colours,
    game_summary,
    image_crops,
    segmentation_examples,
    validation_curves,
)


def test_class_colours_draw_the_background_black():
    colours = class_colours(11, background=10)
    assert colours.shape == (11, 3) and (colours[10] == 0).all()
    assert len({tuple(c) for c in colours}) == 11


def test_every_picture_is_written(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, (2, 8, 8))
    segmentation_examples(
        rng.random((2, 8, 8)), labels, labels, ["a", "b", "background"], path=tmp_path / "s.png"
    )
    image_crops([[rng.random((4, 4))] * 3], ["x", "y", "z"], ["row"], path=tmp_path / "c.png")
    captioned_images(
        rng.random((3, 8, 8, 3)), ["a b", "c", "d"], ["a b", "x", "d"], path=tmp_path / "t.png"
    )
    curves = {"g": (np.arange(1, 101), rng.random(100)), "h": (np.arange(1, 11), rng.random(10))}
    frames = [rng.random((6, 6)) for _ in range(4)]
    game_summary(curves, {"g": 0.5}, frames, ["left"] * 4, path=tmp_path / "g.png")
    validation_curves({"a": ([1, 2], [2.0, 1.5])}, "steps", 1.55, path=tmp_path / "v.png")
    assert all((tmp_path / f"{name}.png").stat().st_size > 0 for name in "sctgv")
