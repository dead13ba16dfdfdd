"""scikit-image's sample photographs as luminance, downscaling and PSNR."""

import numpy as np
import pytest

pytest.importorskip("skimage")

from wright.datasets.photos import TEST_PHOTOS, TRAIN_PHOTOS, downscale, luminance, photo, psnr


def test_train_and_test_photographs_do_not_overlap():
    assert not set(TRAIN_PHOTOS) & set(TEST_PHOTOS)
    assert "cat" not in TRAIN_PHOTOS + TEST_PHOTOS  # the same photo as chelsea


def test_luminance_follows_bt601():
    image = photo("coffee")
    y = luminance(image)
    assert y.shape == image.shape[:2] and y.dtype == np.float32
    assert y.min() >= 16 / 255 - 1e-6 and y.max() <= 235 / 255 + 1e-6
    grey = photo("camera")
    assert np.array_equal(luminance(grey), grey)


def test_downscale_crops_to_a_multiple_of_the_scale():
    high, low = downscale(luminance(photo("chelsea")), 3)
    assert high.shape == (300, 450) and low.shape == (100, 150)
    # A flat image stays flat.
    _, flat = downscale(np.full((30, 30), 0.25, np.float32), 3)
    np.testing.assert_allclose(flat, 0.25, atol=1e-6)


def test_psnr():
    truth = np.zeros((10, 10))
    assert psnr(truth + 0.1, truth) == pytest.approx(20.0)
    noisy = truth.copy()
    noisy[0] = 1.0
    assert psnr(noisy, truth, shave=1) == np.inf
