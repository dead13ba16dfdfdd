"""The tea demo: random-jumping searches find the iced tea; descent from a warm cup does not."""

from wright.demos import tea


def test_tea_demo(tmp_path):
    results = tea.run(tmp_path, seed=0, quick=True)
    assert results["exhaustive_success"] == 1.0 and results["exhaustive_evaluations"] == 1001
    assert results["gradient_descent_success"] == 0.0 and results["newton_success"] == 0.0
    assert results["annealing_success"] >= 0.6 and results["genetic_success"] >= 0.6
    assert results["gradient_descent_evaluations"] < results["annealing_evaluations"] <= tea.BUDGET
    assert results["newton_evaluations"] < results["gradient_descent_evaluations"]
    assert results["gradient_descent_stepped_success"] == results["newton_stepped_success"] == 0.0
    assert results["annealing_stepped_success"] >= 0.6 and results["genetic_stepped_success"] >= 0.6
    if tea.picture_path(tmp_path, "x.png"):
        assert (tmp_path / "tea_curve.png").exists() and (tmp_path / "tea_success.png").exists()
