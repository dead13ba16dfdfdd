"""Tensor basics: creation and dtypes, printing, conversion, comparisons, in-place, errors."""

from __future__ import annotations

import numpy as np
import pytest

import wright

# ----- creation and dtypes -----


@pytest.mark.parametrize(
    "data, dtype",
    [
        ([1.0, 2.0], np.float32),
        (3.5, np.float32),
        ([1, 2, 3], np.int64),
        (7, np.int64),
        ([True, False], np.bool_),
        (np.array([1.0, 2.0]), np.float64),
        (np.float64(2.0), np.float64),
        (np.array([1, 2], dtype=np.int32), np.int32),
        (np.array([1.0], dtype=np.float32), np.float32),
        (np.array([1, 2], dtype=np.uint8), np.uint8),
    ],
)
def test_tensor_dtype_rules(data, dtype):
    assert wright.tensor(data).dtype == dtype


def test_tensor_explicit_dtype_and_copying():
    assert wright.tensor([1, 2], dtype=wright.float64).dtype == np.float64
    source = np.array([1.0, 2.0])
    copied = wright.tensor(wright.as_tensor(source))
    assert copied.dtype == np.float64
    wrapped = wright.as_tensor(source)
    assert wrapped.array is source
    shared = wright.from_numpy(source)
    source[0] = 9.0
    assert shared.array[0] == 9.0 and wrapped.array[0] == 9.0


def test_default_dtype_can_be_float64():
    wright.set_default_dtype(wright.float64)
    assert wright.tensor([1.0]).dtype == np.float64
    assert wright.zeros(2).dtype == np.float64
    assert wright.randn(2).dtype == np.float64
    with pytest.raises(TypeError, match="float16"):
        wright.set_default_dtype(np.float16)


@pytest.mark.parametrize(
    "make, shape, dtype",
    [
        (lambda: wright.zeros(2, 3), (2, 3), np.float32),
        (lambda: wright.zeros((2, 3)), (2, 3), np.float32),
        (lambda: wright.ones(4, dtype=wright.int64), (4,), np.int64),
        (lambda: wright.full((2, 2), 7.0), (2, 2), np.float32),
        (lambda: wright.eye(3), (3, 3), np.float32),
        (lambda: wright.eye(2, 4), (2, 4), np.float32),
        (lambda: wright.arange(5), (5,), np.int64),
        (lambda: wright.arange(1, 7, 2), (3,), np.int64),
        (lambda: wright.arange(0.0, 1.0, 0.25), (4,), np.float32),
        (lambda: wright.linspace(0, 1, 5), (5,), np.float32),
        (lambda: wright.randn(3, 2), (3, 2), np.float32),
        (lambda: wright.rand((2, 5)), (2, 5), np.float32),
        (lambda: wright.randint(0, 10, (4, 2)), (4, 2), np.int64),
        (lambda: wright.zeros_like(wright.ones(2, 3, dtype=wright.float64)), (2, 3), np.float64),
        (lambda: wright.ones_like(wright.zeros(3), dtype=wright.float64), (3,), np.float64),
    ],
)
def test_creation_functions(make, shape, dtype):
    t = make()
    assert t.shape == shape and t.dtype == dtype and not t.requires_grad


def test_creation_values():
    np.testing.assert_array_equal(wright.arange(1, 7, 2).array, [1, 3, 5])
    np.testing.assert_allclose(wright.linspace(0, 1, 5).array, [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_array_equal(wright.eye(2).array, [[1, 0], [0, 1]])
    np.testing.assert_array_equal(wright.full((2,), 7.0).array, [7, 7])
    assert wright.zeros(2, requires_grad=True).requires_grad
    r = wright.rand(1000).array
    assert r.min() >= 0 and r.max() < 1
    i = wright.randint(3, 6, (1000,)).array
    assert set(np.unique(i)) == {3, 4, 5}


def test_manual_seed_makes_draws_repeatable():
    wright.manual_seed(123)
    first = wright.randn(5).array.copy()
    wright.manual_seed(123)
    np.testing.assert_array_equal(wright.randn(5).array, first)
    generator = np.random.default_rng(5)
    np.testing.assert_array_equal(
        wright.rand(3, generator=generator).array,
        np.random.default_rng(5).random(3, dtype=np.float32),
    )


# ----- printing and conversion -----


def test_repr():
    assert repr(wright.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(wright.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(wright.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(wright.tensor(np.array([0.5]))) == "tensor([0.5000], dtype=wright.float64)"
    assert repr(wright.tensor(np.array([1], dtype=np.int32))) == "tensor([1], dtype=wright.int32)"
    assert repr(wright.nn.Parameter(np.zeros(2, dtype=np.float32))).startswith(
        "Parameter containing:\ntensor("
    )


def test_item_tolist_numpy():
    t = wright.tensor([[1.5, 2.0], [3.0, 4.0]])
    assert wright.tensor([2.5]).item() == 2.5 and isinstance(wright.tensor(3).item(), int)
    assert t.tolist() == [[1.5, 2.0], [3.0, 4.0]]
    assert t.numpy() is t.array
    with pytest.raises(RuntimeError, match="4 elements"):
        t.item()
    assert float(wright.tensor(2.5)) == 2.5 and int(wright.tensor(3)) == 3
    assert np.asarray(t).shape == (2, 2)
    assert np.asarray(t, dtype=np.float64).dtype == np.float64


def test_shape_properties():
    t = wright.zeros(2, 3, 4)
    assert t.shape == t.size() == (2, 3, 4)
    assert t.size(1) == 3 and t.numel() == 24 and t.dim() == t.ndim == 3 and len(t) == 2
    assert t.device == "cpu"
    assert wright.zeros(2, 5).T.shape == (5, 2)
    assert [row.shape for row in wright.zeros(3, 2)] == [(2,)] * 3


def test_comparisons_give_bool_tensors_without_graph():
    a = wright.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = wright.tensor([3.0, 2.0, 1.0])
    results = {
        "lt": (a < b, [True, False, False]),
        "le": (a <= b, [True, True, False]),
        "gt": (a > b, [False, False, True]),
        "ge": (a >= 2.0, [False, True, True]),
        "eq": (a == b, [False, True, False]),
        "ne": (a != 2.0, [True, False, True]),
    }
    for name, (result, expected) in results.items():
        assert result.dtype == np.bool_, name
        assert not result.requires_grad, name
        np.testing.assert_array_equal(result.array, expected, err_msg=name)


def test_argmax_argmin():
    t = wright.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    assert t.argmax().item() == 3 and t.argmin().item() == 4
    np.testing.assert_array_equal(t.argmax(axis=1).array, [1, 0])
    np.testing.assert_array_equal(t.argmin(dim=0, keepdim=True).array, [[0, 1, 0]])
    np.testing.assert_array_equal(wright.argmax(t, axis=0).array, [1, 0, 1])


# ----- dtype conversion -----


def test_dtype_conversions():
    t = wright.tensor([1.7, -2.2])
    assert t.double().dtype == np.float64 and t.double().float().dtype == np.float32
    np.testing.assert_array_equal(t.long().array, [1, -2])
    assert t.long().dtype == np.int64 and t.int().dtype == np.int32 and t.bool().dtype == np.bool_
    assert t.to(wright.float64).dtype == np.float64 and t.to("cpu") is t
    assert t.float() is t


def test_gradient_flows_through_float_casts():
    x = wright.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.array, [2.0, 4.0])
    z = wright.tensor(np.array([3.0]), requires_grad=True)
    (z.float() * 2.0).sum().backward()
    assert z.grad.dtype == np.float64 and z.grad.item() == 2.0


def test_integer_casts_leave_the_graph():
    x = wright.tensor([1.5], requires_grad=True)
    assert not x.long().requires_grad


# ----- in place and copies -----


def test_in_place_helpers():
    t = wright.ones(3)
    assert t.zero_() is t and t.array.sum() == 0
    t.fill_(2.5)
    np.testing.assert_array_equal(t.array, [2.5] * 3)
    t.copy_(wright.tensor([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(t.array, [1, 2, 3])
    t.copy_(np.array([4.0, 5.0, 6.0]))
    np.testing.assert_array_equal(t.array, [4, 5, 6])


def test_clone_keeps_the_graph_and_copies_values():
    x = wright.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    (c * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 3.0])
    plain = wright.tensor([1.0])
    copy = plain.clone()
    copy.array[0] = 5.0
    assert plain.item() == 1.0


# ----- errors -----


@pytest.mark.parametrize(
    "a_shape, b_shape", [((3, 4), (5, 2)), ((4,), (3,)), ((2, 3, 4), (3, 4)), ((3,), (2, 5))]
)
def test_matmul_mismatch_names_both_shapes(a_shape, b_shape):
    a, b = wright.zeros(a_shape), wright.zeros(b_shape)
    with pytest.raises(RuntimeError) as error:
        a @ b
    assert str(list(a_shape)) in str(error.value) and str(list(b_shape)) in str(error.value)


def test_matmul_needs_at_least_one_dimension():
    with pytest.raises(RuntimeError, match=r"\[\] and \[3\]"):
        wright.tensor(2.0) @ wright.zeros(3)


def test_matmul_with_arrays_on_either_side():
    m = wright.tensor(np.eye(2) * 2.0)
    np.testing.assert_array_equal((m @ np.ones(2)).array, [2.0, 2.0])
    np.testing.assert_array_equal((np.ones(2) @ m).array, [2.0, 2.0])


def test_axis_and_dim_conflict():
    with pytest.raises(TypeError, match="axis=0.*dim=1"):
        wright.zeros(2, 3).sum(axis=0, dim=1)


def test_join_errors_name_the_shapes():
    with pytest.raises(RuntimeError, match=r"\[2, 3\].*\[2, 4\]"):
        wright.cat([wright.zeros(2, 3), wright.zeros(2, 4)], dim=0)
    with pytest.raises(RuntimeError, match=r"equal size"):
        wright.stack([wright.zeros(2), wright.zeros(3)])


def test_mixed_expressions_with_numbers_and_arrays():
    x = wright.tensor([1.0, 2.0])
    assert isinstance(np.ones(2) + x, wright.Tensor)
    assert (x * 2).dtype == np.float32
    np.testing.assert_array_equal((1 - x).array, [0.0, -1.0])
    np.testing.assert_allclose((2**x).array, [2.0, 4.0])


@pytest.mark.parametrize(
    "values",
    [
        [1.5, 2.25],
        [1.0, 2.0],
        [1e-5, 1.0],
        [1e9, 2.0],
        [float("nan"), 1.5, float("inf"), -float("inf")],
        [[1.5, -2.25], [100.125, 3.0]],
        3.14159,
        [[1, 2], [3, 4]],
        [True, False],
    ],
)
def test_tensors_print_as_in_torch(values):
    torch = pytest.importorskip("torch")
    assert repr(wright.tensor(values)) == repr(torch.tensor(values))
