"""The M&M demo: grid search, the mean and gradient descent agree; absolute loss gives a median."""

import pytest

from wright.demos import _common, m_and_m


def test_m_and_m_demo(tmp_path):
    results = m_and_m.run(tmp_path, seed=0, quick=True)
    assert abs(results["exhaustive_squared"] - results["mean"]) <= m_and_m.GRID_STEP
    assert results["descent_guess"] == pytest.approx(results["mean"], abs=0.01)
    assert 0 < results["descent_steps"] < 100
    assert results["exhaustive_absolute"] == pytest.approx(results["median"], abs=1e-9)
    assert results["two_bag_squared"] == pytest.approx(55.0)
    assert (results["two_bag_absolute_low"], results["two_bag_absolute_high"]) == pytest.approx(
        (53.0, 57.0)
    )
    if m_and_m.picture_path(tmp_path, "x.png"):
        assert (tmp_path / "m_and_m_loss.png").exists()


def test_text_output_without_matplotlib(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(_common, "matplotlib_available", lambda: False)
    results = m_and_m.run(tmp_path, seed=1, quick=True)
    out = capsys.readouterr().out
    assert "the calculus answer, the mean" in out and "not installed" in out
    assert not list(tmp_path.iterdir())
    assert results["bags"] == 15
