"""default_collate, default_convert and collate against torch.utils.data: types, dtypes, values
and structure of the batches, and the errors."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import wright
from wright.data import default_collate, default_convert
from wright.data.collate import collate, default_collate_fn_map

torch = pytest.importorskip("torch")
from torch.utils.data import default_collate as torch_collate
from torch.utils.data import default_convert as torch_convert

Point = namedtuple("Point", ["x", "y"])


def _describe(value):
    """A library-neutral description of a batch: kinds, dtypes, shapes and values."""
    if isinstance(value, wright.Tensor | torch.Tensor):
        array = value.numpy() if isinstance(value, wright.Tensor) else value.detach().numpy()
        return ("tensor", str(array.dtype), array.shape, array.tolist())
    if isinstance(value, dict):
        return ("dict", {k: _describe(v) for k, v in value.items()})
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return (type(value).__name__, [_describe(v) for v in value])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_describe(v) for v in value])
    if isinstance(value, np.ndarray):
        return ("ndarray", str(value.dtype), value.tolist())
    return (type(value).__name__, value)


BATCHES = [
    ("arrays and ints", lambda lib: [(np.ones(2, np.float32), 1), (np.zeros(2, np.float32), 3)]),
    ("python floats", lambda lib: [0.5, 1.5]),
    ("bools", lambda lib: [True, False]),
    ("numpy float64 scalars", lambda lib: [np.float64(1.0), np.float64(2.5)]),
    ("numpy int32 scalars", lambda lib: [np.int32(1), np.int32(2)]),
    ("numpy bools", lambda lib: [np.bool_(True), np.bool_(False)]),
    ("0-d arrays", lambda lib: [np.array(1.5), np.array(2.5)]),
    ("int16 arrays", lambda lib: [np.arange(3, dtype=np.int16), np.arange(3, dtype=np.int16)]),
    ("dicts", lambda lib: [{"a": 1, "b": np.ones(2)}, {"a": 2, "b": np.zeros(2)}]),
    ("namedtuples", lambda lib: [Point(1, 2.0), Point(3, 4.0)]),
    ("lists", lambda lib: [["a", 1], ["b", 2]]),
    ("strings", lambda lib: ["a", "b"]),
    ("bytes", lambda lib: [b"x", b"y"]),
    ("nested", lambda lib: [((1, 2.0), "s"), ((3, 4.0), "t")]),
    ("tensors", lambda lib: [lib.ones(2, 3), lib.zeros(2, 3)]),
    ("int tensors", lambda lib: [lib.tensor([1, 2]), lib.tensor([3, 4])]),
    (
        "tensor pairs",
        lambda lib: [(lib.tensor(1.5), lib.tensor(1)), (lib.tensor(2.5), lib.tensor(0))],
    ),
]


@pytest.mark.parametrize("make", [make for _, make in BATCHES], ids=[n for n, _ in BATCHES])
def test_default_collate_like_torch(make):
    assert _describe(default_collate(make(wright))) == _describe(torch_collate(make(torch)))


def test_default_collate_keeps_the_graph():
    a, b = wright.ones(2, requires_grad=True), wright.ones(2, requires_grad=True)
    stacked = default_collate([a, b])
    (stacked * wright.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert a.grad.tolist() == [1.0, 2.0] and b.grad.tolist() == [3.0, 4.0]


@pytest.mark.parametrize(
    "batch, error, match",
    [
        ([object(), object()], TypeError, "batch must contain tensors"),
        ([np.array(["a"]), np.array(["b"])], TypeError, "batch must contain tensors"),
        ([(1, 2), (1, 2, 3)], RuntimeError, "equal size"),
        (
            [np.zeros(2), np.zeros(3)],
            RuntimeError,
            r"equal size.*\[2\] at entry 0 and \[3\] at entry 1",
        ),
    ],
)
def test_default_collate_errors_like_torch(batch, error, match):
    with pytest.raises(error):
        torch_collate(batch)
    with pytest.raises(error, match=match):
        default_collate(batch)


CONVERTED = [
    ("tuple", lambda: (np.zeros(2), 1)),
    ("numpy scalar", lambda: np.float32(1.5)),
    ("dict", lambda: {"a": np.arange(3), "b": "text"}),
    ("namedtuple", lambda: Point(np.ones(1), 2)),
    ("string array", lambda: np.array(["a", "b"])),
    ("list of arrays", lambda: [np.ones(2, np.int32), np.zeros(1)]),
    ("string", lambda: "abc"),
    ("numpy string", lambda: np.str_("abc")),
]


@pytest.mark.parametrize("make", [make for _, make in CONVERTED], ids=[n for n, _ in CONVERTED])
def test_default_convert_like_torch(make):
    assert _describe(default_convert(make())) == _describe(torch_convert(make()))


def test_default_convert_wraps_arrays_without_copy():
    array = np.arange(4.0)
    assert np.shares_memory(default_convert(array).array, array)


def test_collate_with_a_custom_map():
    class Box:
        def __init__(self, value) -> None:
            self.value = value

    def boxes(batch, *, collate_fn_map=None):
        return sum(box.value for box in batch)

    table = {**default_collate_fn_map, Box: boxes}
    batch = collate([(Box(1), 2.0), (Box(5), 3.0)], collate_fn_map=table)
    assert batch[0] == 6 and batch[1].tolist() == [2.0, 3.0]
    with pytest.raises(TypeError, match="found"):
        default_collate([Box(1)])
