"""The super-resolution demo: ESPCN against bicubic on unseen photographs."""

import numpy as np
import pytest

pytest.importorskip("skimage")

from wright.demos import super_resolution


def test_super_resolution_demo_runs_quickly(tmp_path):
    results = super_resolution.run(tmp_path, seed=0, quick=True)
    assert results["train_patches"] == 600
    assert 20 < results["psnr_bicubic"] < 40 and np.isfinite(results["psnr_espcn"])
    if super_resolution.picture_path(tmp_path, "x.png"):
        assert (tmp_path / "super_resolution.png").exists()


def test_training_patches_are_aligned_with_their_originals():
    pairs = super_resolution.photo_pairs(["coins"])
    low, high = super_resolution.training_patches(pairs, 20, np.random.default_rng(0))
    p = super_resolution.PATCH
    assert low.shape == (20, 1, p, p) and high.shape == (20, 1, 3 * p, 3 * p)
    # Each low-resolution patch is close to its original averaged over 3x3 blocks.
    blocks = high.reshape(20, 1, p, 3, p, 3).mean(axis=(3, 5))
    assert np.abs(blocks - low).mean() < 0.03


@pytest.mark.slow
def test_full_demo_beats_bicubic_by_a_decibel():
    assert super_resolution.run(None, seed=0)["gain_db"] >= 1.0
