"""maximize_activation (the input a unit likes best) and ablate (knocking units out)."""

import numpy as np
import pytest

import wright
from wright import nn, optim
from wright.interpret import ablate, maximize_activation, record_activations


def test_a_neurons_favourite_input_in_a_box_follows_the_sign_of_its_weights():
    layer = nn.Linear(6, 3)
    best = maximize_activation(
        layer, [0, 1, 2], (6,), steps=100, lr=0.1, bounds=(-1.0, 1.0), seed=0
    ).array
    assert best.shape == (3, 6)
    weights = layer.weight.array
    clear = np.abs(weights) > 0.2 * np.abs(weights).max(axis=1, keepdims=True)
    np.testing.assert_array_equal(best[clear], np.sign(weights)[clear])
    reached = np.sum(best * weights, axis=1)
    np.testing.assert_allclose(reached, np.abs(weights).sum(axis=1), rtol=0.02)


def test_an_l2_penalty_makes_the_favourite_input_point_along_the_weights():
    layer = nn.Linear(5, 2)
    best = maximize_activation(
        layer, 1, (5,), steps=400, lr=0.02, bounds=None, l2=1.0, seed=0
    ).array[0]
    weights = layer.weight.array[1]
    cosine = best @ weights / (np.linalg.norm(best) * np.linalg.norm(weights))
    assert cosine > 0.99


def test_inner_layers_channels_and_positions():
    wright.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 2))
    channel = maximize_activation(net, [0, 1], (1, 6, 6), steps=20, layer=1, seed=0)
    assert channel.shape == (2, 1, 6, 6)
    centre = maximize_activation(
        net, (1, 2, 2), (1, 6, 6), steps=60, lr=0.1, layer="0", bounds=(-1, 1), seed=0
    ).array[0, 0]
    # The neuron at (2, 2) of a 3x3 convolution sees pixels 2..4: they copy its kernel's signs, the
    # rest of the image does not matter to it and stays where it started, near 0.
    np.testing.assert_array_equal(centre[2:5, 2:5], np.sign(net[0].weight.array[1, 0]))
    assert np.abs(centre[:2]).max() < 0.1
    before = record_activations(net, np.zeros((1, 1, 6, 6), np.float32), [1])["1"].array[0, 1, 2, 2]
    after = record_activations(net, centre[None, None], [1])["1"].array[0, 1, 2, 2]
    assert after > before


def test_maximize_activation_names_the_problem():
    net = nn.Sequential(nn.Linear(4, 3), nn.Sigmoid())
    with pytest.raises(
        IndexError, match=r"1 \(Sigmoid\) gives output of shape \(2, 3\), so unit 3 does not"
    ):
        maximize_activation(net, [0, 3], (4,), steps=1, layer=1)
    with pytest.raises(ValueError, match="unit must be an int"):
        maximize_activation(net, [], (4,), steps=1)
    with pytest.raises(KeyError, match="no layer 'hidden'"):
        maximize_activation(net, 0, (4,), steps=1, layer="hidden")


def test_ablate_zeroes_units_only_inside_the_block():
    net = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2))
    x = wright.randn(5, 3)
    before = net(x).array
    with ablate(net, 1, [0, 2]) as same:
        assert same is net
        hidden = record_activations(net, x, [1])["1"].array
        assert np.all(hidden[:, [0, 2]] == 0) and np.all(hidden[:, [1, 3]] > 0)
        weights, bias = net[2].weight.array, net[2].bias.array
        np.testing.assert_allclose(net(x).array, hidden @ weights.T + bias, rtol=1e-5)
    np.testing.assert_allclose(net(x).array, before)


def test_ablated_channels_and_nested_blocks():
    net = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU())
    x = wright.randn(2, 1, 5, 5)
    with ablate(net, 0, 1), ablate(net, "0", [2]):
        out = net(x).array
    assert np.all(out[:, 1:] == 0) and np.any(out[:, 0] > 0)


def test_training_with_a_unit_knocked_out_leaves_its_weights_alone():
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    incoming = net[0].weight.array[2].copy()
    opt = optim.SGD(net.parameters(), lr=0.5)
    x, y = wright.randn(16, 3), wright.randn(16, 1)
    with ablate(net, 1, 2):
        for _ in range(5):
            loss = nn.functional.mse_loss(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    np.testing.assert_array_equal(net[0].weight.array[2], incoming)


def test_ablate_names_the_problem():
    net = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid())
    with (
        pytest.raises(
            IndexError,
            match=r"\(1, 4\), so unit 4 does not exist \(units are counted along axis 1\)",
        ),
        ablate(net, 1, 4),
    ):
        net(wright.zeros(1, 3))
    with pytest.raises(ValueError, match="whole neurons or channels"), ablate(net, 1, [(0, 1)]):
        pass
