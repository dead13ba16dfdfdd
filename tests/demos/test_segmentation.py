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


@pytest.mark.slow
def test_full_demo_reaches_the_mean_iou_anchor():
    results = segmentation.run(None, seed=0)
    assert results["test_canvases"] == 1000 and results["mean_iou"] >= 0.85
