"""Containers: Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict register what
they hold and behave as their PyTorch namesakes (names, order, reprs, errors)."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import wright
from wright import nn


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def keys(module) -> list[str]:
    return list(module.state_dict())


def layers(lib) -> list:
    return [lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Linear(3, 1), lib.nn.Tanh()]


# ----- Sequential -----


def test_sequential_indexing_slicing_and_iteration():
    parts = layers(wright)
    model = nn.Sequential(*parts)
    assert model[0] is parts[0] and model[-1] is parts[3] and len(model) == 4
    assert list(model) == parts
    head = model[:2]
    assert isinstance(head, nn.Sequential) and list(head) == parts[:2]
    x = wright.randn(4, 2)
    np.testing.assert_array_equal(model(x).array, model[2:](head(x)).array)
    with pytest.raises(IndexError, match="index 4 is out of range"):
        model[4]
    with pytest.raises(IndexError):
        model[-5]


def test_sequential_editing_matches_torch(torch):
    def edited(lib):
        model = lib.nn.Sequential(*layers(lib))
        model.append(lib.nn.Sigmoid())
        model.insert(1, lib.nn.Identity())
        model.insert(-1, lib.nn.Softmax(dim=-1))
        model.extend([lib.nn.Linear(1, 2)])
        model[0] = lib.nn.Linear(2, 3)
        del model[2]
        del model[-2:]
        popped = model.pop(1)
        return model, popped

    (ours, ours_popped), (theirs, theirs_popped) = edited(wright), edited(torch)
    assert repr(ours) == repr(theirs) and repr(ours_popped) == repr(theirs_popped)
    assert keys(ours) == keys(theirs)
    assert [name for name, _ in ours.named_children()] == ["0", "1", "2", "3"]
    assert ours[2].path() == "2"  # renumbered


def test_sequential_sum_product_slice_names_and_ordered_dict(torch):
    for lib in (wright, torch):
        a = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Tanh())
        b = lib.nn.Sequential(lib.nn.ReLU())
        assert len(a + b) == 3 and len(a * 2) == 4 and len(2 * a) == 4
        assert (a * 2)[2] is a[0]
        c = lib.nn.Sequential(lib.nn.Tanh())
        c += b
        c *= 2
        assert len(c) == 4 and c[1] is b[0]
        with pytest.raises(ValueError, match="supports only objects of Sequential"):
            a + [lib.nn.Tanh()]
        with pytest.raises(ValueError, match="Non-positive multiplication factor"):
            a * 0
        with pytest.raises(TypeError):
            a * 1.5
        named = lib.nn.Sequential(
            OrderedDict([("hidden", lib.nn.Linear(2, 3)), ("act", lib.nn.Tanh())])
        )
        assert keys(named) == ["hidden.weight", "hidden.bias"]
        assert named.act is named[1]
        tail = lib.nn.Sequential(*layers(lib))[1:3]
        assert [name for name, _ in tail.named_children()] == ["1", "2"]
    assert repr(nn.Sequential(*layers(wright))[1:]) == repr(torch.nn.Sequential(*layers(torch))[1:])
    assert nn.Sequential({"only": nn.Tanh()}).only is not None  # a plain dict keeps its order


# ----- ModuleList -----


def test_module_list_matches_torch(torch):
    def built(lib):
        blocks = lib.nn.ModuleList(lib.nn.Linear(2, 2) for _ in range(3))
        blocks.append(lib.nn.Tanh())
        blocks.extend([lib.nn.ReLU(), lib.nn.ReLU()])
        blocks.insert(1, lib.nn.Sigmoid())
        blocks[0] = lib.nn.Linear(2, 4)
        del blocks[2]
        blocks += [lib.nn.Identity()]
        joined = blocks + lib.nn.ModuleList([lib.nn.Tanh()])
        return blocks, joined, blocks[1:3], blocks.pop(-1)

    ours, theirs = built(wright), built(torch)
    for a, b in zip(ours, theirs):
        assert repr(a) == repr(b)
    assert keys(ours[0]) == keys(theirs[0])
    assert isinstance(ours[2], nn.ModuleList) and len(ours[1]) == len(theirs[1])
    assert "(4-5): 2 x ReLU()" in repr(ours[0])  # runs of equal modules are shown once


def test_module_list_registers_its_modules_and_checks_indices():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList(nn.Linear(2, 2) for _ in range(3))

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    model = Stack()
    assert model.blocks[-1] is list(model.blocks)[2]
    assert [name for name, _ in model.named_parameters()][:2] == [
        "blocks.0.weight",
        "blocks.0.bias",
    ]
    model.blocks.append(nn.Linear(2, 2))
    assert len(list(model.parameters())) == 8 and model(wright.zeros(1, 2)).shape == (1, 2)
    with pytest.raises(IndexError):
        model.blocks[4]
    with pytest.raises(TypeError, match="iterable"):
        model.blocks.extend(3)
    assert not any(name.isdigit() for name in dir(model.blocks))


# ----- ModuleDict -----


def test_module_dict_mapping_api(torch):
    for lib in (wright, torch):
        heads = lib.nn.ModuleDict({"b": lib.nn.Linear(4, 2), "a": lib.nn.Linear(4, 3)})
        assert list(heads) == ["b", "a"] and list(heads.keys()) == ["b", "a"]
        assert "a" in heads and "z" not in heads and len(heads) == 2
        heads["c"] = lib.nn.Tanh()
        heads.update([("d", lib.nn.ReLU())])
        heads.update(lib.nn.ModuleDict({"e": lib.nn.Sigmoid()}))
        assert [k for k, _ in heads.items()] == ["b", "a", "c", "d", "e"]
        assert next(iter(heads.values())) is heads["b"]
        assert isinstance(heads.pop("c"), lib.nn.Tanh) and "c" not in heads
        del heads["d"]
        assert keys(heads) == ["b.weight", "b.bias", "a.weight", "a.bias"]
        with pytest.raises(ValueError, match="has length 1; 2 is required"):
            heads.update([("x",)])
        with pytest.raises(TypeError, match="should be called with an iterable"):
            heads.update(5)
        heads.clear()
        assert len(heads) == 0 and keys(heads) == []
    assert repr(nn.ModuleDict({"t": nn.Tanh()})) == repr(
        torch.nn.ModuleDict({"t": torch.nn.Tanh()})
    )


# ----- ParameterList and ParameterDict -----


def test_parameter_list_converts_tensors_and_registers(torch):
    for lib in (wright, torch):
        values = lib.nn.ParameterList([lib.ones(3), lib.nn.Parameter(lib.zeros(2, 2))])
        values.append(lib.ones(1))
        values.extend([lib.zeros(4)])
        values += [lib.ones(2)]
        assert len(values) == 5 and all(isinstance(p, lib.nn.Parameter) for p in values)
        assert [name for name, _ in values.named_parameters()] == ["0", "1", "2", "3", "4"]
        values[0] = lib.zeros(5)
        assert values[0].shape == (5,) and isinstance(values[0], lib.nn.Parameter)
        assert values[-1].shape == (2,) and len(values[1:3]) == 2
        with pytest.raises(IndexError):
            values[5]
        with pytest.raises(TypeError, match="iterable"):
            values.extend(lib.ones(2))
        with pytest.raises(RuntimeError, match="should not be called"):
            values()
    ours = nn.ParameterList([wright.ones(3), wright.zeros(2, 2)])
    theirs = torch.nn.ParameterList([torch.ones(3), torch.zeros(2, 2)])
    assert repr(ours).replace("wright", "torch") == repr(theirs)


def test_parameter_dict_converts_tensors_sorts_plain_dicts_and_merges(torch):
    for lib in (wright, torch):
        table = lib.nn.ParameterDict({"b": lib.ones(2), "a": lib.zeros(3)})
        assert list(table) == ["a", "b"]  # a plain dict is added in sorted order
        table.update(OrderedDict([("z", lib.ones(1)), ("c", lib.ones(1))]))
        assert list(table.keys()) == ["a", "b", "z", "c"]
        assert isinstance(table["a"], lib.nn.Parameter) and "a" in table
        assert [name for name, _ in table.named_parameters()] == ["a", "b", "z", "c"]
        assert table.get("nothing") is None and table.get("a") is table["a"]
        assert table.setdefault("d", lib.ones(4)).shape == (4,)
        assert table.popitem()[0] == "d" and table.pop("z").shape == (1,)
        merged = table | lib.nn.ParameterDict({"y": lib.ones(1)})
        assert list(merged) == ["a", "b", "c", "y"] and merged["a"] is table["a"]
        table |= {"x": lib.ones(1)}
        assert list(reversed(table)) == ["x", "c", "b", "a"]
        assert list(table.fromkeys(["p", "q"])) == ["p", "q"]
        del table["a"]
        assert "a" not in table and len(table) == 3
        table.clear()
        assert len(table) == 0 and list(table.named_parameters()) == []
        with pytest.raises(TypeError, match="not a string"):
            lib.nn.ParameterDict()[1] = lib.ones(1)
    ours = nn.ParameterDict({"w": wright.ones(2, 3)})
    theirs = torch.nn.ParameterDict({"w": torch.ones(2, 3)})
    assert repr(ours).replace("wright", "torch") == repr(theirs)


def test_containers_inside_a_model_train_together():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = nn.ParameterList([wright.ones(2) for _ in range(2)])
            self.heads = nn.ModuleDict({"out": nn.Linear(2, 1)})

        def forward(self, x):
            for scale in self.scales:
                x = x * scale
            return self.heads["out"](x)

    model = Model()
    model(wright.randn(3, 2)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    assert list(model.state_dict()) == [
        "scales.0",
        "scales.1",
        "heads.out.weight",
        "heads.out.bias",
    ]
