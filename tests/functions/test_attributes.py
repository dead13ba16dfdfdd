"""Tensor attributes and small methods against PyTorch: strides and storage offsets, layout,
byte sizes, predicates, promotion queries, the complex interface of real tensors, resize_, set_,
apply_/map_, and post-accumulate-grad hooks."""

import numpy as np
import pytest

import wright
from opinfo import check_same_error

torch = pytest.importorskip("torch")

VIEWS = {
    "contiguous": lambda lib: lib.arange(24.0).reshape(2, 3, 4),
    "permuted-sliced": lambda lib: lib.arange(24.0).reshape(2, 3, 4).permute(2, 0, 1)[1:, ::2],
    "transposed": lambda lib: lib.arange(6.0).reshape(2, 3).t(),
    "select": lambda lib: lib.arange(24.0).reshape(2, 3, 4)[1, :, 2],
    "0d": lambda lib: lib.tensor(3.0),
    "expanded": lambda lib: lib.ones(3, 1).expand(3, 4),
}


@pytest.mark.parametrize("make", VIEWS.values(), ids=VIEWS.keys())
def test_layout_matches_torch(make):
    ours, theirs = make(wright), make(torch)
    assert ours.stride() == theirs.stride()
    assert ours.storage_offset() == theirs.storage_offset()
    for dim in range(-ours.ndim, ours.ndim):
        assert ours.stride(dim) == theirs.stride(dim)
    assert ours.nbytes == theirs.nbytes and ours.itemsize == theirs.itemsize
    assert ours.is_cpu and ours.get_device() == theirs.get_device() == -1
    assert repr(ours.layout) == "wright.strided" and ours.layout is wright.strided


DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool"]


@pytest.mark.parametrize("name", DTYPES)
def test_dtype_predicates_match_torch(name):
    ours = wright.zeros(2, dtype=getattr(wright, name))
    theirs = torch.zeros(2, dtype=getattr(torch, name))
    assert ours.is_signed() == theirs.is_signed() == wright.is_signed(ours)
    assert wright.is_complex(ours) == torch.is_complex(theirs)
    for other in DTYPES:
        assert wright.can_cast(ours.dtype, getattr(wright, other)) == torch.can_cast(
            theirs.dtype, getattr(torch, other)
        ), (name, other)
        for operand in (2, 2.5, True):
            ours_type = wright.result_type(ours, operand)
            assert str(ours_type)[7:] == str(torch.result_type(theirs, operand))[6:]
        their_other = torch.zeros(2, dtype=getattr(torch, other))
        ours_type = wright.result_type(ours, wright.zeros(2, dtype=getattr(wright, other)))
        assert str(ours_type)[7:] == str(torch.result_type(theirs, their_other))[6:]


def test_predicates_match_torch():
    for lib in (wright, torch):
        x = lib.tensor([[1.0, 2.0]])
        assert lib.is_nonzero(lib.tensor([0.5])) and not lib.tensor(0).is_nonzero()
        assert x.is_same_size(lib.zeros(1, 2)) and not lib.is_same_size(x, lib.zeros(2))
        assert not x.is_inference() and not x.is_conj() and not x.is_neg()
        assert not x.is_shared()
    x = wright.ones(2)
    assert x.pin_memory() is x and x.share_memory_() is x and not x.is_pinned()
    assert wright.typename(wright.ones(2)) == "wright.FloatTensor"
    assert wright.typename(wright.ones(2, dtype=wright.int64)) == "wright.LongTensor"
    assert wright.typename(3) == torch.typename(3) == "int"
    assert wright.typename(wright.nn.Linear) == "wright.nn.linear.Linear"


def test_complex_interface_of_real_tensors():
    for lib in (wright, torch):
        x = lib.arange(6.0).reshape(2, 3)
        assert lib.conj(x) is x or lib is torch
        for same in (x.conj(), x.resolve_conj(), x.resolve_neg(), x.conj_physical(), x.real):
            np.testing.assert_array_equal(same.numpy(), x.numpy())
        np.testing.assert_array_equal(x.H.numpy(), x.numpy().T)
        np.testing.assert_array_equal(x.mH.numpy(), x.numpy().T)
        np.testing.assert_array_equal(x.adjoint().numpy(), x.numpy().T)


ERRORS = {
    "imag": lambda lib: lib.ones(2).imag,
    "H-3d": lambda lib: lib.ones(2, 2, 2).H,
    "mH-1d": lambda lib: lib.ones(2).mH,
    "adjoint-1d": lambda lib: lib.ones(2).adjoint(),
    "is_nonzero-many": lambda lib: lib.ones(2).is_nonzero(),
    "is_nonzero-empty": lambda lib: lib.ones(0).is_nonzero(),
    "stride-bad-dim": lambda lib: lib.ones(2).stride(1),
    "resize_-grad": lambda lib: lib.ones(2, requires_grad=True).resize_(3),
    "apply_-grad": lambda lib: lib.ones(2, requires_grad=True).apply_(abs),
    "hook-no-grad": lambda lib: lib.ones(2).register_post_accumulate_grad_hook(print),
    "hook-non-leaf": lambda lib: (
        lib.ones(2, requires_grad=True) * 2
    ).register_post_accumulate_grad_hook(print),
}


@pytest.mark.parametrize("call", ERRORS.values(), ids=ERRORS.keys())
def test_errors_match_torch(call):
    check_same_error(call)


def test_resize_and_set_match_torch():
    results = []
    for lib in (wright, torch):
        x = lib.arange(6.0)
        x.resize_(2, 2)
        first = x.clone()
        x.resize_as_(lib.zeros(5))
        grown = x[:4].clone()
        y = lib.zeros(3)
        y.set_(x)
        y[0] = 42
        results.append((first.numpy(), grown.numpy(), x[0].item(), tuple(y.shape)))
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


def test_apply_and_map_match_torch():
    results = []
    for lib in (wright, torch):
        x = lib.tensor([1.0, -2.0, 3.0])
        x.apply_(lambda v: v * v + 1)
        x.map_(lib.tensor([10.0]), lambda a, b: a - b)
        results.append(x.numpy())
    np.testing.assert_array_equal(*results)


def test_post_accumulate_grad_hook_runs_after_accumulation():
    calls = {}
    for lib in (wright, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        handle = a.register_post_accumulate_grad_hook(
            lambda t, seen=seen: seen.append(t.grad.clone())
        )
        (a * 3).sum().backward()
        (a * a).sum().backward()
        handle.remove()
        (a * 5).sum().backward()
        calls[lib.__name__] = [s.tolist() for s in seen]
    assert calls["wright"] == calls["torch"] == [[3.0, 3.0], [5.0, 7.0]]
