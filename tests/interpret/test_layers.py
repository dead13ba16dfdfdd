"""Finding layers by name, rewriting their outputs, and recording every layer's output."""

import numpy as np
import pytest

import wright
from wright import nn
from wright.interpret import find_layer, intercept, record_activations


def small_net() -> nn.Sequential:
    return nn.Sequential(nn.Linear(4, 3), nn.Sigmoid(), nn.Sequential(nn.Linear(3, 2), nn.Tanh()))


def test_find_layer_by_name_position_and_module():
    net = small_net()
    assert find_layer(net, "1") == ("1", net[1])
    assert find_layer(net, "2.0") == ("2.0", net[2][0])
    assert find_layer(net, -1) == ("2", net[2])
    assert find_layer(net, net[2][1]) == ("2.1", net[2][1])


def test_find_layer_errors_list_what_exists():
    net = small_net()
    with pytest.raises(
        KeyError, match=r"no layer 'conv'; its layers are: '0', '1', '2', '2.0', '2.1'"
    ):
        find_layer(net, "conv")
    with pytest.raises(IndexError, match="3 direct children"):
        find_layer(net, 3)
    with pytest.raises(ValueError, match="not a part of Sequential"):
        find_layer(net, nn.Linear(4, 3))


def test_intercept_rewrites_outputs_inside_the_block_only():
    net = small_net()
    x = wright.randn(5, 4)
    before = net(x).array
    with intercept(net[1], lambda out: out * 0):
        inside = net(x).array
    np.testing.assert_allclose(net(x).array, before)
    # Zero hidden values leave only the second layer's bias, squashed.
    np.testing.assert_allclose(
        inside, np.tanh(np.broadcast_to(net[2][0].bias.array, (5, 2))), rtol=1e-6
    )
    assert "forward" not in vars(net[1])


def test_intercepts_nest_and_unwind():
    layer = nn.Identity()
    x = wright.ones(2)
    with intercept(layer, lambda out: out + 1):
        with intercept(layer, lambda out: out * 10):
            assert layer(x).tolist() == [20.0, 20.0]
        assert layer(x).tolist() == [2.0, 2.0]
    assert layer(x).tolist() == [1.0, 1.0]


def test_record_activations_returns_each_childs_output_with_its_graph():
    net = small_net()
    x = wright.randn(5, 4, requires_grad=True)
    outputs = record_activations(net, x)
    assert list(outputs) == ["0", "1", "2"]
    assert [o.shape for o in outputs.values()] == [(5, 3), (5, 3), (5, 2)]
    np.testing.assert_allclose(outputs["1"].array, 1 / (1 + np.exp(-outputs["0"].array)), rtol=1e-6)
    outputs["1"].sum().backward()
    assert x.grad is not None and x.grad.shape == (5, 4)


def test_record_activations_of_chosen_nested_layers():
    net = small_net()
    outputs = record_activations(net, np.zeros((1, 4), np.float32), ["2.0", net[0]])
    assert list(outputs) == ["2.0", "0"]


def test_default_layers_need_a_model_with_children():
    with pytest.raises(ValueError, match="has no layers inside it"):
        record_activations(nn.Linear(2, 2), np.zeros((1, 2), np.float32))


def test_recording_uses_forward_hooks_and_removes_them():
    net = small_net()
    seen = []
    net[1].register_forward_hook(lambda m, args, out: seen.append("own hook"))
    outputs = record_activations(net, np.ones((2, 4), np.float32), [1, "2.1"])
    assert list(outputs) == ["1", "2.1"] and seen == ["own hook"]
    assert len(net[1]._forward_hooks) == 1 and not net[2][1]._forward_hooks
    assert "forward" not in vars(net[1])
    with intercept(net[1], lambda out: out * 0):
        assert not record_activations(net, np.ones((1, 4), np.float32), [1])["1"].array.any()
    assert len(net[1]._forward_hooks) == 1


def test_a_layer_used_twice_gives_its_last_output():
    shared = nn.Tanh()
    net = nn.Sequential(nn.Linear(2, 2), shared, nn.Linear(2, 2), shared)
    x = wright.randn(3, 2)
    np.testing.assert_array_equal(record_activations(net, x, [shared])["1"].array, net(x).array)
