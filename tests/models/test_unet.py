"""The U-Net: shapes, the pixel-block variant, and that every pixel's score can learn."""

import numpy as np
import pytest

import wright
from wright import models
from wright.models.unet import UNet


@pytest.mark.parametrize("patch, depth", [(1, 2), (2, 3), (4, 1)])
def test_unet_scores_every_pixel(patch, depth):
    model = UNet(1, 11, width=4, depth=depth, patch=patch)
    scores = model(wright.randn(2, 1, 32, 32))
    assert scores.shape == (2, 11, 32, 32)
    assert "UNet width 4" in model.summary_line()


def test_unet_gradients_reach_every_parameter():
    model = UNet(3, 5, width=4, depth=2, patch=2)
    model(wright.randn(2, 3, 16, 16)).sum().backward()
    assert all(p.grad is not None and np.isfinite(p.grad.array).all() for p in model.parameters())


def test_unet_is_registered_as_a_segmentation_model():
    spec = models.get("unet")
    assert spec.tasks == ("segmentation",) and "unet" not in models.available("image")
    assert isinstance(models.build("unet", width=4), UNet)
