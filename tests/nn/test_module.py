"""Module: registration, names, modes, state dicts, printing, containers, errors naming the path."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import wright
from wright import nn


class Block(nn.Module):
    """A module with its own parameter, a buffer, a child and a container of children."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(np.ones(3, dtype=np.float32))
        self.register_buffer("count", wright.zeros(1))
        self.layers = nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), nn.Linear(8, 3))
        self.head = nn.Linear(3, 2, bias=False)
        self.not_registered = [nn.Linear(2, 2)]

    def forward(self, x):
        return self.head(self.layers(x) * self.scale)


def test_parameters_are_registered_with_dotted_names():
    names = [name for name, _ in Block().named_parameters()]
    assert names == [
        "scale",
        "layers.0.weight",
        "layers.0.bias",
        "layers.2.weight",
        "layers.2.bias",
        "head.weight",
    ]
    block = Block()
    assert [p.shape for p in block.parameters()] == [(3,), (8, 4), (8,), (3, 8), (3,), (2, 3)]
    assert block.num_parameters() == 3 + 32 + 8 + 24 + 3 + 6
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in block.parameters())


def test_children_and_modules():
    block = Block()
    assert [name for name, _ in block.named_children()] == ["layers", "head"]
    assert list(block.children()) == [block.layers, block.head]
    assert [name for name, _ in block.named_modules()] == [
        "",
        "layers",
        "layers.0",
        "layers.1",
        "layers.2",
        "head",
    ]
    assert len(list(block.modules())) == 6


def test_shared_parameter_listed_once():
    model = nn.Module()
    layer = nn.Linear(2, 2)
    model.first, model.second = layer, layer
    assert len(list(model.parameters())) == 2


def test_reassigning_and_deleting_unregisters():
    block = Block()
    block.head = None
    assert "head" not in dict(block.named_children())
    del block.layers
    assert [name for name, _ in block.named_parameters()] == ["scale"]
    block.extra = nn.Parameter(np.zeros(2, dtype=np.float32))
    block.extra = np.zeros(2)
    assert "extra" not in dict(block.named_parameters())


def test_attributes_need_super_init():
    class Forgetful(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"Forgetful.*super\(\).__init__\(\)"):
        Forgetful()


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Module has no forward"):
        nn.Module()(wright.zeros(1))


def test_train_eval_propagate():
    block = Block()
    assert all(m.training for m in block.modules())
    assert block.eval() is block
    assert not any(m.training for m in block.modules())
    block.layers.train()
    assert block.layers[0].training and not block.training and not block.head.training
    block.train()
    assert all(m.training for m in block.modules())


def test_zero_grad_and_requires_grad():
    block = Block()
    block(wright.randn(5, 4)).sum().backward()
    assert all(p.grad is not None for p in block.parameters())
    block.zero_grad()
    assert all(p.grad is None for p in block.parameters())
    block.requires_grad_(False)
    assert not any(p.requires_grad for p in block.parameters())
    assert not block(wright.randn(5, 4)).requires_grad


def test_apply_visits_children_then_self():
    visited = []
    Block().apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "Sigmoid", "Linear", "Sequential", "Linear", "Block"]


# ----- state dicts -----


def test_state_dict_has_parameters_and_buffers_sharing_memory():
    block = Block()
    state = block.state_dict()
    assert list(state) == [
        "scale",
        "layers.0.weight",
        "layers.0.bias",
        "layers.2.weight",
        "layers.2.bias",
        "head.weight",
        "count",
    ]
    state["scale"].array[0] = 5.0
    assert block.scale.array[0] == 5.0
    assert not state["scale"].requires_grad


def test_load_state_dict_copies_values_in_place():
    source, target = Block(), Block()
    weight = target.layers[0].weight
    target.load_state_dict(source.state_dict())
    assert target.layers[0].weight is weight
    for (name, a), (_, b) in zip(source.state_dict().items(), target.state_dict().items()):
        np.testing.assert_array_equal(a.array, b.array, err_msg=name)
    plain_arrays = {name: value.array * 0 for name, value in source.state_dict().items()}
    target.load_state_dict(plain_arrays)
    assert not target.layers[0].weight.array.any()


def test_load_state_dict_strict_names_missing_and_unexpected_keys():
    state = Block().state_dict()
    del state["head.weight"]
    state["head.bias"] = wright.zeros(2)
    with pytest.raises(KeyError) as error:
        Block().load_state_dict(state)
    assert "head.weight" in str(error.value) and "head.bias" in str(error.value)
    missing, unexpected = Block().load_state_dict(state, strict=False)
    assert missing == ["head.weight"] and unexpected == ["head.bias"]


def test_load_state_dict_shape_mismatch_names_key_and_both_shapes():
    state = Block().state_dict()
    state["layers.2.weight"] = wright.zeros(5, 8)
    with pytest.raises(ValueError) as error:
        Block().load_state_dict(state)
    message = str(error.value)
    assert "layers.2.weight" in message and "(3, 8)" in message and "(5, 8)" in message


# ----- printing -----


def test_repr_tree():
    expected = (
        "Block(\n"
        "  (layers): Sequential(\n"
        "    (0): Linear(in_features=4, out_features=8, bias=True)\n"
        "    (1): Sigmoid()\n"
        "    (2): Linear(in_features=8, out_features=3, bias=True)\n"
        "  )\n"
        "  (head): Linear(in_features=3, out_features=2, bias=False)\n"
        ")"
    )
    assert repr(Block()) == expected


# ----- containers -----


def test_sequential_indexing_slicing_iteration():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert model[0] is layers[0] and model[-1] is layers[2] and len(model) == 3
    assert list(model) == layers
    head = model[:2]
    assert isinstance(head, nn.Sequential) and list(head) == layers[:2]
    x = wright.randn(4, 2)
    np.testing.assert_array_equal(model(x).array, layers[2](head(x)).array)
    model.append(nn.Sigmoid())
    assert len(model) == 4 and [name for name, _ in model.named_children()] == ["0", "1", "2", "3"]


def test_sequential_from_ordered_dict():
    model = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("act", nn.Tanh())]))
    assert [name for name, _ in model.named_parameters()] == ["hidden.weight", "hidden.bias"]
    assert model(wright.zeros(1, 2)).shape == (1, 3)


def test_module_list_registers_its_modules():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList(nn.Linear(2, 2) for _ in range(3))

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    model = Stack()
    assert len(model.blocks) == 3 and model.blocks[1] is list(model.blocks)[1]
    assert [name for name, _ in model.named_parameters()][:2] == [
        "blocks.0.weight",
        "blocks.0.bias",
    ]
    model.blocks.append(nn.Linear(2, 2))
    assert len(list(model.parameters())) == 8


# ----- errors that name where they happened -----


class Network(nn.Module):
    """A layer stack whose last layer expects more features than the one before gives."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(8, 12), nn.Sigmoid(), nn.Linear(16, 10))

    def forward(self, x):
        return self.layers(x)


def test_wrong_input_shape_names_the_module_path():
    model = Network()
    with pytest.raises(ValueError) as error:
        model(wright.zeros(5, 8))
    message = str(error.value)
    assert "layers.2 (Linear 16->10)" in message and "(5, 12)" in message
    with pytest.raises(ValueError, match=r"layers\.0 \(Linear 8->12\) got input of shape \(5, 7\)"):
        model(wright.zeros(5, 7))


def test_path_survives_slicing_the_sequential():
    model = Network()
    tail = model.layers[1:]
    assert tail(wright.zeros(1, 16)).shape == (1, 10)
    del tail
    with pytest.raises(ValueError, match=r"layers\.2 \(Linear 16->10\)"):
        model(wright.zeros(5, 8))


def test_describe_and_path():
    model = Network()
    assert model.layers[2].path() == "layers.2"
    assert model.layers[2].describe() == "layers.2 (Linear 16->10)"
    assert model.path() == "" and model.describe() == "Network"
    with pytest.raises(ValueError, match=r"^Linear 3->2 got input of shape \(\)"):
        nn.Linear(3, 2)(wright.tensor(1.0))
