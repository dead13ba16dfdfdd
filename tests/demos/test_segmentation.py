"""The segmentation demo: a U-Net labels the pixels of digit canvases."""

import numpy as np
import pytest

from wright.demos import segmentation


def test_segmentation_demo_runs_quickly_and_finds_the_strokes(tmp_path):
    results = segmentation.run(tmp_path, seed=0, quick=True)
    assert results["test_canvases"] == 200 and results["train_canvases"] == 1024
    # Background is most of every canvas; telling ink from background is learned first.
    assert results["pixel_accuracy"] > 0.9 and results["iou_background"] > 0.9
    assert 0.0 <= results["mean_iou"] <= 1.0
    if segmentation.picture_path(tmp_path, "x.png"):
        assert (tmp_path / "segmentation.png").exists()


def test_scores_from_a_confusion_matrix():
    matrix = np.zeros((11, 11), dtype=np.int64)
    matrix[10, 10], matrix[3, 3], matrix[3, 5] = 90, 6, 2  # rows truth, columns prediction
    accuracy, iou = segmentation.scores_from_confusion(matrix)
    assert accuracy == pytest.approx(96 / 98)
    assert iou[3] == pytest.approx(6 / 8) and iou[5] == 0.0 and iou[10] == 1.0
    assert np.isnan(iou[0])


def test_fresh_canvases_are_new_every_epoch():
    loader = segmentation.FreshCanvases(3 * segmentation.BATCH, seed=0, digits=slice(0, 500))
    assert len(loader) == 3
    first, second = list(loader), list(loader)
    assert len(first) == 3 and first[0][0].shape == (segmentation.BATCH, 1, 64, 64)
    assert not np.array_equal(first[0][0], second[0][0])


def test_a_background_shift_moves_pixels_to_or_from_background():
    class Scores(segmentation.Module):
        """Digit 3 everywhere, one point above the background."""

        def forward(self, x):
            scores = np.zeros((len(x), 11, *x.shape[2:]), np.float32)
            scores[:, 3], scores[:, 10] = 1.0, 0.0
            return segmentation.as_tensor(scores)

    images = np.zeros((2, 1, 4, 4), np.float32)
    labels = np.full((2, 4, 4), 10)
    matrices = segmentation.confusions(Scores(), images, labels, (0.0, 2.0))
    assert matrices.shape == (2, 11, 11)
    assert matrices[0, 10, 3] == 32 and matrices[1, 10, 10] == 32


@pytest.mark.slow
def test_full_demo_reaches_the_mean_iou_anchor():
    results = segmentation.run(None, seed=0)
    assert results["test_canvases"] == 1000 and results["mean_iou"] >= 0.85
