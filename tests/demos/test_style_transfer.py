"""The style-transfer demo: Gram matching with random filters."""

import pytest

pytest.importorskip("skimage")

from wright.demos import style_transfer


def test_style_transfer_demo_lowers_the_style_loss_tenfold(tmp_path):
    results = style_transfer.run(tmp_path, seed=0, quick=True)
    assert results["content_before"] == 0.0
    assert results["style_fall"] >= 10
    assert results["texture_style_after"] < results["texture_style_before"] / 10
    if style_transfer.picture_path(tmp_path, "x.png"):
        assert (tmp_path / "style_transfer.png").exists()


def test_images_are_square_crops_in_range():
    image = style_transfer.load_image("coffee", 32)
    assert image.shape == (1, 1, 32, 32) and 0 <= image.min() and image.max() <= 1


@pytest.mark.slow
def test_full_demo():
    results = style_transfer.run(None, seed=0)
    assert results["style_fall"] >= 10 and results["content_after"] < results["content_before"] + 1
