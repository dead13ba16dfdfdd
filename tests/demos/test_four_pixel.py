"""The four-pixel demo: the hand-wired net reads the lecture's example; a trained one learns it."""

import pytest

from wright import demos
from wright.demos import four_pixel


def test_four_pixel_demo(tmp_path):
    results = four_pixel.run(tmp_path, seed=0, quick=True)
    assert results["hand_wired_accuracy"] == 1.0
    assert results["horizontal_output"] == pytest.approx(0.958, abs=0.005)  # tanh(2 tanh(2))
    assert results["ambiguous_spread"] == pytest.approx(0.0, abs=1e-6)
    assert results["trained_accuracy"] == 1.0
    assert results["trained_grey_accuracy"] >= 0.95
    if four_pixel.picture_path(tmp_path, "x.png"):
        for name in ("classes", "hand_wired", "hand_wired_fields", "trained", "trained_fields"):
            assert (tmp_path / f"four_pixel_{name}.png").exists()


def test_hand_wired_network_traces_the_lecture_example(capsys):
    values = four_pixel.layer_values(
        four_pixel.hand_wired_network(), four_pixel.DARK_OVER_LIGHT[None]
    )
    first, second, relu, outputs = (v[0] for v in values[1:])
    assert first == pytest.approx([0, 0, -0.964, -0.964], abs=1e-3)
    assert second[:3] == pytest.approx([0, 0, 0], abs=1e-6) and second[3] < -0.95
    assert list(relu > 0) == [False] * 7 + [True]
    assert outputs.argmax() == 3


def test_demo_is_listed():
    assert demos.get("four-pixel") is four_pixel
    assert four_pixel.SUMMARY
