"""Tests for curves, bars and plot_history."""

import numpy as np
import pytest

from wright.train import History
from wright.viz import bars, curves, figure_problems, new_figure, plot_history

pytest.importorskip("matplotlib")


def test_curves_on_given_axes_or_a_new_figure(tmp_path):
    figure = curves(
        {"train": [0.5, 0.8, 0.9], "test": ([1, 2, 3], [0.4, 0.6, 0.7])},
        ylabel="accuracy",
        title="accuracy",
        path=tmp_path / "curves.png",
    )
    assert figure_problems(figure) == []
    lines = figure.axes[0].lines
    assert [list(line.get_xdata()) for line in lines] == [[1, 2, 3], [1, 2, 3]]
    figure, axes = new_figure(1, 2)
    returned = curves({"loss": [1.0, 0.1]}, logy=True, ax=axes[0, 1], title="right panel")
    assert (
        returned is figure
        and axes[0, 1].get_yscale() == "log"
        and axes[0, 1].get_title() == "right panel"
    )


def test_a_single_point_gets_a_marker_and_whole_number_ticks():
    figure = curves({"loss": [0.5]}, title="one epoch")
    line = figure.axes[0].lines[0]
    assert line.get_marker() == "o"
    ticks = figure.axes[0].get_xticks()
    assert np.all(np.mod(ticks, 1) == 0)


def test_bars_are_grouped_labelled_and_keep_the_legend_off_them(tmp_path):
    figure = bars(
        {"wiggly": [1.0, 0.0, 0.35], "stepped": [1.0, 0.0, 0.6]},
        ["exhaustive", "descent", "annealing"],
        ylabel="share",
        title="searches",
        path=tmp_path / "bars.png",
    )
    ax = figure.axes[0]
    assert len(ax.patches) == 6
    assert [t.get_text() for t in ax.texts] == ["100%", "0%", "35%", "100%", "0%", "60%"]
    assert figure_problems(figure) == []
    with pytest.raises(ValueError, match="has 2 values for 3 categories"):
        bars({"a": [1, 2]}, ["x", "y", "z"])


def test_history_of_several_epochs(tmp_path):
    history = History()
    for epoch in range(4):
        history.append(
            {
                "loss": 1 / (epoch + 1),
                "accuracy": 0.8 + epoch / 50,
                "val_loss": 0.9 / (epoch + 1),
                "val_accuracy": 0.82 + epoch / 60,
                "lr": 0.1,
                "time": 1.0,
            }
        )
    figure = plot_history(history, tmp_path / "history.png")
    loss, accuracy = figure.axes
    assert loss.get_title() == "loss" and accuracy.get_ylabel() == "accuracy"
    assert [t.get_text() for t in loss.get_legend().get_texts()] == ["training", "validation"]
    assert figure.texts[0].get_text() == "training history"
    assert figure_problems(figure) == []


def test_history_of_one_epoch_with_a_test_result():
    records = {"loss": [0.31], "accuracy": [0.912], "val_loss": [0.28], "val_accuracy": [0.921]}
    figure = plot_history(records, test={"accuracy": 0.917}, title="one epoch")
    loss, accuracy = figure.axes
    assert list(accuracy.get_xticks()) == [1] and accuracy.get_ylim() == (0.0, 1.0)
    assert loss.get_ylim()[0] == 0.0
    labels = [t.get_text() for t in accuracy.get_legend().get_texts()]
    assert labels == ["training 0.912", "validation 0.921", "test (after training) 0.917"]
    assert figure_problems(figure) == []
