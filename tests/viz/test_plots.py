"""Tests for function_surface, decision_regions, region_labels and image_grid."""

import numpy as np
import pytest

from wright import nn
from wright.viz import decision_regions, function_surface, image_grid, region_labels
from wright.viz.plots import as_array_function

pytest.importorskip("matplotlib")


def three_bands(points):
    """Three outputs; the largest is output 0 left of -1/3, output 1 in the middle, output 2 on the
    right."""
    x = points[:, 0]
    return np.stack([-3 * x - 1, 1 - np.abs(3 * x), 3 * x - 1], axis=1)


def test_region_labels_take_the_largest_output_or_cut_one_output_at_the_threshold():
    axes, labels = region_labels(three_bands, (-1, 1), resolution=9)
    np.testing.assert_allclose(axes[0], np.linspace(-1, 1, 9))
    np.testing.assert_array_equal(labels, [0, 0, 0, 1, 1, 1, 2, 2, 2])
    _, cut = region_labels(lambda p: p[:, 0] - 0.5, (-1, 1), resolution=5, threshold=0.0)
    np.testing.assert_array_equal(cut, [0, 0, 0, 0, 1])


def test_region_labels_on_a_plane_put_the_second_input_on_rows():
    _, labels = region_labels(lambda p: p[:, 1:2], ((-1, 1), (-1, 1)), resolution=4)
    assert labels.shape == (4, 4)
    np.testing.assert_array_equal(labels[:, 0], [0, 0, 1, 1])
    np.testing.assert_array_equal(labels[0], [0, 0, 0, 0])


def test_models_become_array_functions():
    layer = nn.Linear(2, 3)
    outputs = as_array_function(layer)(np.zeros((5, 2)))
    assert isinstance(outputs, np.ndarray) and outputs.shape == (5, 3)
    np.testing.assert_allclose(outputs, np.broadcast_to(layer.bias.array, (5, 3)))
    with pytest.raises(TypeError, match="expected a Module or a function"):
        as_array_function(42)


def test_function_surface_draws_curves_and_surfaces(tmp_path):
    curve = function_surface(three_bands, (-1, 1), path=tmp_path / "curves.png", title="three")
    assert len(curve.axes[0].lines) == 3
    net = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 1))
    surface = function_surface(
        net, ((-1, 1), (-2, 2)), resolution=12, path=tmp_path / "surface.png"
    )
    assert surface.axes[0].name == "3d"
    assert (tmp_path / "curves.png").stat().st_size > 1000
    assert (tmp_path / "surface.png").stat().st_size > 1000


def test_function_surface_refuses_several_outputs_on_a_plane():
    with pytest.raises(ValueError, match="one output per point, got 3"):
        function_surface(lambda p: np.zeros((len(p), 3)), ((-1, 1), (-1, 1)))
    with pytest.raises(ValueError, match="bounds must be"):
        function_surface(three_bands, ((0, 1), (0, 1), (0, 1)))


def test_decision_regions_in_one_and_two_dimensions(tmp_path):
    one = decision_regions(
        three_bands, (-1, 1), resolution=50, class_names=["a", "b", "c"], path=tmp_path / "one.png"
    )
    assert [line.get_label() for line in one.axes[0].lines] == ["a", "b", "c"]
    points = np.random.default_rng(0).uniform(-1, 1, (20, 2))
    two = decision_regions(
        lambda p: np.stack([p[:, 0], p[:, 1]], 1),
        points=points,
        labels=(points[:, 1] > points[:, 0]).astype(int),
        resolution=30,
        path=tmp_path / "two.png",
    )
    assert two.axes[0].images
    assert (tmp_path / "one.png").exists() and (tmp_path / "two.png").exists()


@pytest.mark.parametrize("shape", [(5, 3, 3), (5, 1, 3, 3), (5, 3, 3, 3), (1, 4, 4)])
def test_image_grid_accepts_grey_channel_and_colour_images(shape, tmp_path):
    images = np.random.default_rng(0).uniform(size=shape)
    figure = image_grid(
        images, labels=[str(i) for i in range(shape[0])], cols=3, path=tmp_path / "grid.png"
    )
    drawn = [ax for ax in figure.axes if ax.images]
    assert len(drawn) == shape[0]
    assert drawn[-1].get_title() == str(shape[0] - 1)


def test_image_grid_explains_bad_shapes():
    with pytest.raises(ValueError, match=r"image_grid: expected images of shape .* got \(3, 3\)"):
        image_grid(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="got no images"):
        image_grid(np.zeros((0, 3, 3)))
