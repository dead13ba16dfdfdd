"""The neuron-shapes demo: linear stays straight, squashing bends, ReLU has corners."""

import numpy as np
import pytest

from wright.demos import neuron_shapes


def test_neuron_shapes_demo(tmp_path):
    results = neuron_shapes.run(tmp_path, seed=0, quick=True)
    assert results["linear_deviation"] < 1e-4
    assert results["logistic_logit_deviation"] < 1e-3
    for family in ("linear_1", "linear_deep", "logistic_1", "tanh_1"):
        assert results[f"turning_points_{family}"] == 0
    for family in ("tanh_100", "tanh_11_9", "relu_11_9"):
        assert results[f"turning_points_{family}"] > 0.5
    assert results["kink_share_relu_11_9"] > 0.9
    assert results["kink_share_tanh_11_9"] < 0.5
    assert results["tanh_max_abs"] <= 1.0
    assert results["parameters_tanh_100"] == 301 and results["parameters_tanh_11_9"] == 140
    assert results["regions_two_inputs_3_outputs"] > results["regions_two_inputs_cut"] >= 1
    if neuron_shapes.picture_path(tmp_path, "x.png"):
        for name in ("curves", "surfaces", "regions"):
            assert (tmp_path / f"neuron_shapes_{name}.png").exists()


@pytest.mark.parametrize(
    "labels, regions",
    [
        (np.array([0, 0, 1, 1, 0]), 3),
        (np.array([[0, 0, 1], [1, 0, 1], [1, 1, 1]]), 2),
        (np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]), 9),
        (np.zeros((4, 5), int), 1),
        (np.array([[0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0], [2, 0, 0, 0]]), 3),
    ],
)
def test_count_regions(labels, regions):
    assert neuron_shapes.count_regions(labels) == regions


def test_a_winding_region_is_still_one_region():
    labels = np.zeros((9, 9), int)
    labels[1, 1:8] = labels[1:8, 7] = labels[7, 1:8] = labels[3:8, 1] = labels[3, 1:6] = labels[
        3:6, 5
    ] = 1
    assert (
        neuron_shapes.count_regions(labels) == 2
    )  # the spiral arm and the corridor of zeros around it
    labels[2, 6] = 1  # closing the corridor cuts off the zeros inside the spiral
    assert neuron_shapes.count_regions(labels) == 3


def test_shape_measures():
    xs = np.linspace(-1, 1, 201)
    assert neuron_shapes.turning_points(np.sin(3 * np.pi * xs)) == 6
    assert neuron_shapes.kink_share(np.abs(xs)) > 0.99
    assert neuron_shapes.kink_share(xs**2) < 0.1
    points = np.column_stack([xs, xs**3])
    assert neuron_shapes.plane_deviation(2 * xs - points[:, 1], points) < 1e-12
