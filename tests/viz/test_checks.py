"""figure_problems finds what a reader would trip over: no title, text over text, images without a
colour scale, legends over the data."""

import numpy as np
import pytest

from wright.viz import figure_problems, new_figure
from wright.viz.figure import colour_bar

pytest.importorskip("matplotlib")


def test_a_clean_figure_has_no_problems():
    figure, ax = new_figure()
    image = ax.imshow(np.eye(3))
    colour_bar(figure, image, ax, "value")
    ax.set_title("identity")
    assert figure_problems(figure) == []


def test_each_kind_of_problem_is_named():
    figure, axes = new_figure(1, 2)
    left, right = np.ravel(axes)
    left.imshow(np.eye(3))
    left.text(0, 0, "here")
    left.text(0, 0, "there")
    right.bar([0, 1], [1.0, 1.0], label="tall bars")
    right.legend(loc="center")
    problems = figure_problems(figure)
    assert any(p.startswith("no title") for p in problems)
    assert "text 'here' overlaps text 'there'" in problems
    assert "panel 0 shows an image without a colour bar or a key" in problems
    assert "the legend of panel 1 covers its data" in problems


def test_a_colour_bar_of_the_same_scale_serves_every_panel_and_a_legend_is_a_key():
    figure, axes = new_figure(1, 3, layout="constrained")
    first, second, third = np.ravel(axes)
    shown = first.imshow(np.eye(3), vmin=0, vmax=1)
    second.imshow(np.ones((3, 3)), vmin=0, vmax=1)
    third.imshow(np.zeros((3, 3, 3)))  # categories as colours: a legend explains them
    third.scatter([], [], label="class 0")
    third.legend(loc="upper left", bbox_to_anchor=(1, 1))
    colour_bar(figure, shown, first, "value")
    figure.suptitle("three panels")
    assert figure_problems(figure) == []
