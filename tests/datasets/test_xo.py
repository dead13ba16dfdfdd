"""The X/O images: the lecture's X and features, the +1/-1 convention, balance, variety, seeding."""

from __future__ import annotations

import numpy as np
import pytest

from wright import datasets
from wright.datasets.xo import CLASSES, LECTURE_FEATURES, LECTURE_X, draw_xo, xo_images


def test_lecture_x_is_two_diagonals_with_a_dark_border():
    assert LECTURE_X.shape == (9, 9) and LECTURE_X.dtype == np.float32
    assert set(np.unique(LECTURE_X)) == {-1.0, 1.0}
    assert LECTURE_X.sum() == 13 - 68  # 13 light pixels, 68 dark
    np.testing.assert_array_equal(LECTURE_X, LECTURE_X[:, ::-1])
    assert np.all(LECTURE_X[[0, -1]] == -1) and np.all(LECTURE_X[:, [0, -1]] == -1)


def test_features_are_pieces_of_the_x():
    down, small_x, up = LECTURE_FEATURES
    np.testing.assert_array_equal(down, LECTURE_X[1:4, 1:4])
    np.testing.assert_array_equal(small_x, LECTURE_X[3:6, 3:6])
    np.testing.assert_array_equal(up, LECTURE_X[1:4, 5:8])


def test_drawing_the_centred_x_reproduces_the_lecture():
    np.testing.assert_array_equal(draw_xo([0], [[4, 4]], [3], [0], [0.5])[0], LECTURE_X)
    ring = draw_xo([1], [[4, 4]], [3], [0], [0.5])[0]
    assert ring[4, 4] == -1 and ring[4, 1] == ring[1, 4] == 1


def test_shapes_dtypes_convention_and_balance():
    images, labels = datasets.xo_images(101, seed=0)
    assert images.shape == (101, 1, 9, 9) and images.dtype == np.float32
    assert labels.shape == (101,) and labels.dtype == np.int64
    assert set(np.unique(images)) == {-1.0, 1.0}
    assert abs(int(np.sum(labels == 0)) - int(np.sum(labels == 1))) <= 1
    assert len(CLASSES) == 2


def test_images_vary_and_stay_inside():
    images, labels = xo_images(400, seed=1)
    light = images == 1
    assert len({image.tobytes() for image in images}) > 300
    # every image draws something, and a shape never fills the whole border
    assert light.reshape(400, -1).sum(axis=1).min() >= 5
    assert not np.any(light[:, 0, 0, :].all(axis=1))
    # X strokes cross the centre region, an O leaves a dark hole there
    centre = light[:, 0, 3:6, 3:6].mean(axis=(1, 2))
    assert centre[labels == 0].mean() > 0.3 > centre[labels == 1].mean()


def test_seed_repeats_and_sizes_scale():
    first, _ = xo_images(8, seed=5)
    np.testing.assert_array_equal(xo_images(8, seed=5)[0], first)
    assert not np.array_equal(xo_images(8, seed=6)[0], first)
    assert xo_images(3, size=28, seed=0)[0].shape == (3, 1, 28, 28)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"xo_images: need n >= 0 and size >= 5, got n=3, size=4"):
        xo_images(3, size=4)
