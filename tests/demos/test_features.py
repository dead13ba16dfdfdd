"""The features demo in quick mode: the X/O CNN's layers and the inputs its units like best."""

from wright import demos


def test_features_quick(tmp_path, capsys):
    results = demos.get("features").run(tmp_path, seed=0, quick=True)
    printed = capsys.readouterr().out
    assert results["test_accuracy"] > 0.95
    assert results["lecture_x_probability"] > 0.9
    assert results["x_unit_confidence"] > 0.99 and results["o_unit_confidence"] > 0.99
    assert results["feature_kernel_match"] > 0.6
    assert results["cosine_X_unit_vs_X"] > results["cosine_X_unit_vs_O"]
    assert results["cosine_O_unit_vs_O"] > results["cosine_O_unit_vs_X"]
    assert "MaxPool2d" in printed
    pictures = sorted(path.name for path in tmp_path.glob("*.png"))
    if pictures:
        assert pictures == ["features.png", "features_preferred.png"]
