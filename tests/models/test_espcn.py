"""ESPCN: sub-pixel upscaling, and the residual over bicubic."""

import numpy as np
import pytest

import wright
from wright import nn
from wright.models.espcn import ESPCN
from wright.nn import functional as F


def test_espcn_makes_images_scale_times_larger():
    for residual in (True, False):
        model = ESPCN(3, features=(8, 4), residual=residual)
        assert model(wright.rand(2, 1, 10, 12)).shape == (2, 1, 30, 36)


def test_a_silent_last_layer_leaves_bicubic_upscaling():
    model = ESPCN(2, features=(4, 4))
    with wright.no_grad():
        last = model.body[-1]
        last.weight.zero_()
        last.bias.zero_()
    x = wright.rand(1, 1, 8, 8)
    expected = F.interpolate(x, scale_factor=2, mode="bicubic").array
    np.testing.assert_allclose(model(x).array, expected, atol=1e-6)


def test_pixel_shuffle_places_channel_k_at_offset_k():
    model = ESPCN(2, features=(4, 4), residual=False)
    assert isinstance(model.shuffle, nn.PixelShuffle)
    assert "ESPCN x2" in model.summary_line() and "plain" in model.summary_line()


def test_activation_is_chosen_and_checked():
    model = ESPCN(3, features=(4, 4), activation="relu")
    assert isinstance(model.body[1], nn.ReLU) and isinstance(model.body[3], nn.ReLU)
    assert "(relu)" in model.summary_line()
    assert isinstance(ESPCN(3, features=(4, 4)).body[1], nn.Tanh)
    with pytest.raises(ValueError, match="ESPCN.*gelu"):
        ESPCN(3, activation="gelu")
