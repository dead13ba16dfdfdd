"""dtypes and PyTorch's type promotion, checked against torch on every pairing."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wright
from wright import dtypes

torch = pytest.importorskip("torch")

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def both(name):
    return getattr(wright, name), getattr(torch, name)


def test_dtype_objects_look_and_compare_like_torchs():
    assert repr(wright.float32) == "wright.float32" and str(wright.long) == "wright.int64"
    assert wright.float is wright.float32 and wright.double is wright.float64
    assert (
        wright.long is wright.int64 and wright.int is wright.int32 and wright.half is wright.float16
    )
    assert wright.float32 == np.float32 and wright.float32 == np.dtype("float32")
    assert {wright.float32: 1}[wright.zeros(1).dtype] == 1
    assert wright.float32.is_floating_point and not wright.int64.is_floating_point
    assert wright.int8.is_signed and not wright.uint8.is_signed and wright.float64.itemsize == 8
    assert np.zeros(2, dtype=wright.int16).dtype == np.int16
    assert wright.get_default_dtype() is wright.float32


@pytest.mark.parametrize("a, b", list(itertools.product(NAMES, NAMES)))
def test_promote_types_matches_torch(a, b):
    ours = wright.promote_types(both(a)[0], both(b)[0])
    assert str(ours).split(".")[1] == str(torch.promote_types(both(a)[1], both(b)[1])).split(".")[1]


OPERATIONS = {
    "add": lambda x, y: x + y,
    "mul": lambda x, y: x * y,
    "sub": lambda x, y: x - y,
    "div": lambda x, y: x / y,
    "maximum": lambda x, y: x.maximum(y) if hasattr(x, "maximum") else None,
    "eq": lambda x, y: x == y,
    "where": lambda x, y: None,
}


def make(lib, name, dims):
    dtype = getattr(lib, name)
    values = [[1, 0, 2], [3, 1, 2]] if dims == 2 else ([1, 2, 3] if dims == 1 else 2)
    if name == "bool":
        values = np.asarray(values) > 1
    return lib.tensor(np.asarray(values)).to(dtype)


@settings(max_examples=120, deadline=None)
@given(
    a=st.sampled_from(NAMES),
    b=st.sampled_from(NAMES),
    a_dims=st.sampled_from([0, 1, 2]),
    b_dims=st.sampled_from([0, 1, 2]),
    op=st.sampled_from(["add", "mul", "div", "eq"]),
)
def test_binary_results_have_torchs_dtype(a, b, a_dims, b_dims, op):
    if "bool" in (a, b) and op in ("sub",):
        return
    fn = OPERATIONS[op]
    expected = fn(make(torch, a, a_dims), make(torch, b, b_dims))
    found = fn(make(wright, a, a_dims), make(wright, b, b_dims))
    assert str(found.dtype).split(".")[1] == str(expected.dtype).split(".")[1]
    np.testing.assert_allclose(
        found.numpy().astype(np.float64), expected.numpy().astype(np.float64), rtol=1e-3
    )


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("number", [True, 3, 2.5])
@pytest.mark.parametrize("op", ["add", "mul", "div"])
def test_python_numbers_are_weak(name, number, op):
    fn = OPERATIONS[op]
    expected = fn(make(torch, name, 1), number)
    found = fn(make(wright, name, 1), number)
    assert str(found.dtype).split(".")[1] == str(expected.dtype).split(".")[1]
    reversed_expected = fn(number, make(torch, name, 1))
    reversed_found = fn(number, make(wright, name, 1))
    assert str(reversed_found.dtype).split(".")[1] == str(reversed_expected.dtype).split(".")[1]


@pytest.mark.parametrize(
    "make_tensor",
    [
        lambda lib: lib.tensor(3),
        lambda lib: lib.tensor(3.0),
        lambda lib: lib.tensor(True),
        lambda lib: lib.tensor([1, 2.5]),
        lambda lib: lib.tensor(np.arange(3, dtype=np.int32)),
        lambda lib: lib.tensor(np.arange(3.0)),
        lambda lib: lib.full((2,), 4),
        lambda lib: lib.full((2,), 4.0),
        lambda lib: lib.full((2,), False),
        lambda lib: lib.arange(5),
        lambda lib: lib.arange(0, 1, 0.25),
        lambda lib: lib.arange(5, dtype=lib.float64),
        lambda lib: lib.zeros(2, dtype=lib.long),
        lambda lib: lib.ones(2, 2),
        lambda lib: lib.randint(0, 10, (3,)),
        lambda lib: lib.randint(10, (3,)),
        lambda lib: lib.randperm(4),
        lambda lib: lib.linspace(0, 1, 5),
        lambda lib: lib.eye(3),
        lambda lib: lib.empty(2, 3),
        lambda lib: lib.zeros_like(lib.tensor([1, 2])),
        lambda lib: lib.rand_like(lib.zeros(2, dtype=lib.float64)),
        lambda lib: lib.tensor([1, 2]).new_zeros(3),
        lambda lib: lib.tensor([1.0]).new_tensor([1, 2]),
        lambda lib: lib.tensor([1.0]).new_full((2,), 3),
        lambda lib: lib.tensor([1, 2]) / 2,
        lambda lib: lib.tensor([1, 2]) // 2,
        lambda lib: lib.tensor([1, 2]).exp(),
        lambda lib: lib.tensor([True, False]).sum(),
        lambda lib: lib.tensor(np.array([1, 2], dtype=np.uint8)).sum(),
        lambda lib: lib.tensor([1, 2], dtype=lib.int32) ** 2,
        lambda lib: lib.tensor([1, 2]) ** 0.5,
        lambda lib: lib.tensor([1.0, 2.0]).argmax(),
        lambda lib: lib.tensor([1.0, 2.0]) > 1,
        lambda lib: lib.Tensor([1, 2]),
        lambda lib: lib.Tensor(2, 3),
    ],
)
def test_factories_and_ops_give_torchs_dtype_and_shape(make_tensor):
    found, expected = make_tensor(wright), make_tensor(torch)
    assert str(found.dtype).split(".")[1] == str(expected.dtype).split(".")[1]
    assert tuple(found.shape) == tuple(expected.shape)


def test_conversions():
    x = wright.tensor([1.5, -2.5])
    assert x.long().tolist() == [1, -2] and x.int().dtype == wright.int32
    assert x.double().dtype == wright.float64 and x.half().dtype == wright.float16
    assert x.bool().tolist() == [True, True] and x.to(wright.int64).dtype == wright.int64
    assert x.to("cpu") is x and x.to(torch_like_device()) is x and x.cpu() is x
    assert x.to(wright.zeros(1, dtype=wright.float64)).dtype == wright.float64
    assert x.to("cpu", wright.float64).dtype == wright.float64
    assert x.to(dtype=wright.float64, copy=True).dtype == wright.float64
    assert x.type() == "wright.FloatTensor" and x.type(wright.int64).dtype == wright.int64
    assert x.type_as(wright.tensor([1])).dtype == wright.int64
    with pytest.raises(RuntimeError, match="cuda"):
        x.cuda()
    with pytest.raises(RuntimeError, match="cuda"):
        wright.zeros(2, device="cuda")


def torch_like_device():
    return wright.device("cpu")


def test_devices():
    assert wright.device("cpu") == "cpu" and str(wright.device("cpu")) == "cpu"
    assert repr(wright.device("cpu")) == "device(type='cpu')"
    assert wright.zeros(1).device == wright.device("cpu") and wright.zeros(1).device.type == "cpu"
    assert not wright.cuda.is_available() and wright.cuda.device_count() == 0
    assert not wright.backends.mps.is_available()


def test_gradients_flow_through_float_casts_only():
    x = wright.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * 3).sum().backward()
    assert x.grad.dtype == wright.float32 and x.grad.tolist() == [3.0, 3.0]
    assert not x.long().requires_grad


def test_result_type_tiers():
    f32, i64 = np.zeros(2, np.float32), np.zeros(2, np.int64)
    assert dtypes.result_type(f32, np.zeros((), np.float64)) == np.float32
    assert dtypes.result_type(i64, np.zeros((), np.float64)) == np.float64
    assert dtypes.result_type(i64, 2.5) == np.float32
    assert dtypes.result_type(np.zeros(2, bool), 1) == np.int64


def test_default_dtype_float64_changes_python_floats():
    wright.set_default_dtype(wright.float64)
    assert (wright.tensor([1, 2]) * 2.5).dtype == wright.float64
    assert wright.arange(0, 1, 0.5).dtype == wright.float64


def test_numbers_outside_an_integer_type_wrap_around_as_in_torch():
    for lib in (wright, torch):
        x = lib.tensor(np.array([1, 2, 250], dtype=np.uint8))
        assert (x & -1).tolist() == [1, 2, 250]
        assert (x + 300).tolist() == [45, 46, 38] and (x * -1).tolist() == [255, 254, 6]
