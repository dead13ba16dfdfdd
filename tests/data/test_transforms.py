"""RandomShift: whole-pixel shifts within the limit, the fill value, seeding, and dataset use."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright.data.transforms import RandomShift


def test_each_image_moves_by_at_most_the_limit_and_keeps_its_pixels():
    images = np.zeros((50, 1, 12, 12), np.float32)
    images[:, 0, 5, 6] = 1.0
    shifted = RandomShift(2, seed=0)(images)
    assert shifted.shape == images.shape and shifted.dtype == np.float32
    where = np.argwhere(shifted[:, 0] == 1.0)
    assert len(where) == 50
    assert np.all(np.abs(where[:, 1] - 5) <= 2) and np.all(np.abs(where[:, 2] - 6) <= 2)
    assert len({(r, c) for _, r, c in where}) > 10  # the shifts differ between images


def test_uncovered_border_gets_the_fill_value():
    shifted = RandomShift(1, fill=-1.0, seed=1)(np.ones((20, 2, 4, 4), np.float32))
    assert set(np.unique(shifted)) <= {-1.0, 1.0}
    assert np.all((shifted == -1).any(axis=(1, 2, 3)) | (shifted == 1).all(axis=(1, 2, 3)))


def test_seeding():
    images = np.random.default_rng(0).random((8, 1, 6, 6)).astype(np.float32)
    np.testing.assert_array_equal(RandomShift(2, seed=3)(images), RandomShift(2, seed=3)(images))
    wright.manual_seed(4)
    first = RandomShift(2)(images)
    wright.manual_seed(4)
    np.testing.assert_array_equal(RandomShift(2)(images), first)
    assert RandomShift(0)(images) is images


def test_bad_input():
    with pytest.raises(ValueError, match=r"RandomShift: max_shift must be >= 0"):
        RandomShift(-1)
    with pytest.raises(ValueError, match=r"expected a batch \(B, C, H, W\), got shape \(6, 6\)"):
        RandomShift(1)(np.zeros((6, 6)))


def test_works_as_a_dataset_transform():
    datasets = pytest.importorskip("wright.datasets")
    try:
        train = datasets.MNIST("train", transform=RandomShift(2, seed=0), limit=32)
    except FileNotFoundError:
        pytest.skip("MNIST files not found")
    images, labels = train.__getitems__(np.arange(32))
    plain, _ = datasets.MNIST("train", limit=32).__getitems__(np.arange(32))
    assert images.shape == plain.shape == (32, 1, 28, 28) and labels.shape == (32,)
    np.testing.assert_allclose(images.sum(axis=(1, 2, 3)), plain.sum(axis=(1, 2, 3)), rtol=1e-5)
