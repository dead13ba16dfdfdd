"""The X/O demo in quick mode: the lecture's hand-worked numbers, a learned CNN that generalises."""

from __future__ import annotations

import pytest

from wright import demos


def test_xo_demo_reproduces_the_lecture_and_learns(tmp_path, capsys):
    demo = demos.get("xo")
    results = demo.run(tmp_path, seed=0, quick=True)
    printed = capsys.readouterr().out
    # The first feature on the lecture's X: 7/9 in a corner, 5/9 at the crossing, 1 on the diagonal.
    assert results["map_top_left"] == pytest.approx(7 / 9)
    assert results["map_centre"] == pytest.approx(5 / 9)
    assert " 0.77 -0.11  0.11  0.33  0.55 -0.11  0.33" in printed
    # the first pooled row: 1, 0.33, 0.55, then a window off the edge
    assert " 1.00  0.33  0.55  0.33" in printed
    assert results["x_vote_for_x"] > results["x_vote_for_o"]
    assert results["hand_made_accuracy"] > 0.9
    assert results["test_accuracy"] >= 0.99
    assert results["test_images"] >= 500
    assert len(results["feature_similarity"]) == 3
    pictures = sorted(path.name for path in tmp_path.glob("*.png"))
    if pictures:  # matplotlib is optional
        assert pictures == ["xo_examples.png", "xo_features.png", "xo_lecture_maps.png"]
