"""Shape scenes and their captions."""

import numpy as np
import pytest

from wright.datasets.shapes import COLOURS, VOCABULARY, describe, shape_scenes


def test_scenes_are_rgb_and_every_caption_uses_the_vocabulary():
    images, captions = shape_scenes(300, 48, seed=0)
    assert images.shape == (300, 3, 48, 48) and images.dtype == np.float32
    assert len(captions) == 300
    for caption in captions:
        assert VOCABULARY.decode(VOCABULARY.encode(caption)) == caption
        assert 1 <= caption.count(" a ") + 1 <= 3
    # Each colour named in a caption is on the canvas.
    for image, caption in zip(images[:50], captions[:50]):
        for name, rgb in COLOURS.items():
            present = np.isclose(image.transpose(1, 2, 0), rgb, atol=1e-6).all(axis=2).any()
            assert present == (name in caption.split())


def test_captions_name_shapes_left_to_right_with_their_relation():
    shapes = [("large", "blue", "square", 30.0, 10.0), ("small", "red", "circle", 10.0, 12.0)]
    assert describe(shapes) == "a small red circle left of a large blue square"
    shapes = [("small", "red", "circle", 10.0, 5.0), ("small", "green", "triangle", 14.0, 40.0)]
    assert describe(shapes) == "a small red circle above a small green triangle"
    shapes = [("small", "red", "circle", 10.0, 40.0), ("small", "green", "triangle", 14.0, 5.0)]
    assert describe(shapes) == "a small red circle below a small green triangle"


def test_scenes_are_seeded_and_sizes_checked():
    a, ca = shape_scenes(10, 32, seed=1)
    b, cb = shape_scenes(10, 32, seed=1)
    assert np.array_equal(a, b) and ca == cb
    with pytest.raises(ValueError, match="between 32 and 64"):
        shape_scenes(1, 16)


def test_decode_stops_at_the_end_marker():
    words = VOCABULARY.words
    indices = [words.index("<start>"), *VOCABULARY.encode("a small red circle"), 2, 5, 5]
    assert VOCABULARY.decode(indices) == "a small red circle"
