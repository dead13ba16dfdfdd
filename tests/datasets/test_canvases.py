"""Digit canvases for segmentation: places, labels and splits."""

import numpy as np
import pytest

from wright.datasets.canvases import BACKGROUND, NUM_CLASSES, digit_canvases


def test_canvases_have_one_to_three_digits_labelled_by_their_strokes():
    images, labels = digit_canvases(200, "test", seed=0)
    assert images.shape == (200, 1, 64, 64) and images.dtype == np.float32
    assert labels.shape == (200, 64, 64) and labels.dtype == np.int64
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert set(np.unique(labels)) <= set(range(NUM_CLASSES))
    # A stroke pixel is exactly one brighter than the threshold.
    assert np.array_equal(labels != BACKGROUND, images[:, 0] > 0.5)
    digits = np.array([len(set(np.unique(lab)) - {BACKGROUND}) for lab in labels])
    assert digits.min() >= 1 and digits.max() <= 3


def test_canvases_are_seeded_and_splits_differ():
    a, la = digit_canvases(20, "train", seed=3)
    b, lb = digit_canvases(20, "train", seed=3)
    c, _ = digit_canvases(20, "test", seed=3)
    assert np.array_equal(a, b) and np.array_equal(la, lb)
    assert not np.array_equal(a, c)


def test_canvases_reject_a_canvas_too_small_for_three_digits():
    with pytest.raises(ValueError, match="at least 40"):
        digit_canvases(1, size=32)


def test_canvases_draw_only_from_the_chosen_digits():
    from wright.datasets.mnist import MNIST

    kept = MNIST("train").targets[:40]
    images, labels = digit_canvases(50, "train", seed=0, digits=slice(0, 40))
    assert set(np.unique(labels)) - {BACKGROUND} <= set(kept.tolist())
    # Seeds may be sequences (one per epoch of fresh canvases).
    again, _ = digit_canvases(50, "train", seed=[0, 1], digits=slice(0, 40))
    assert not np.array_equal(images, again)
