"""An OpInfo-style harness: each op is written once against a library module (`lib` is wright or
torch), given sample inputs, and checked three ways: values and dtypes against PyTorch, gradients
against PyTorch, and gradients against finite differences in float64.

    SIN = OpInfo("sin", lambda lib, x: lib.sin(x), samples=unary_samples())

    @pytest.mark.parametrize("info, sample", cases([SIN, ...]))
    def test_matches_torch(info, sample):
        check_against_torch(info, sample)

Arrays in a sample's args become tensors in both libraries (same values and dtype); everything
else is passed as it is. Wrap an array in `Const(...)` to pass it as a tensor that never requires
grad (an index, a mask).

The comparison with PyTorch runs wright twice: on the CPU and on a second device, the strict
stand-in for a GPU unless WRIGHT_TEST_DEVICE names another ('cuda' on a GPU machine, 'none' for
the CPU alone). Every output must stay on the device its inputs were on. Ops that compute on the
host only (docs/gpu.md lists them) pass `devices=HOST_ONLY`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pytest

import wright

EXTRA_DEVICE = os.environ.get("WRIGHT_TEST_DEVICE", "strict")
DEVICES = ("cpu",) if EXTRA_DEVICE == "none" else ("cpu", EXTRA_DEVICE)
HOST_ONLY = ("cpu",)


@dataclass(frozen=True)
class Const:
    """An array passed as a tensor that does not take part in gradient checks (indices, masks)."""

    array: np.ndarray


@dataclass
class Sample:
    """One call of an op: positional args, keyword args, and a label for the test id."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    label: str = ""


@dataclass
class OpInfo:
    """An op written once against a library module: `op(lib, *args, **kwargs)`."""

    name: str
    op: Callable
    samples: Callable[[np.random.Generator], Iterable[Sample]]
    differentiable: bool = True
    rtol: float = 1e-5
    atol: float = 1e-6
    # Gradient checks need float inputs whose finite differences are meaningful (no kinks).
    gradcheck: bool = True


def cases(infos: Iterable[OpInfo], seed: int = 0) -> list:
    """pytest parameters (info, sample) for every sample of every op, with readable ids."""
    params = []
    for info in infos:
        rng = np.random.default_rng(seed)
        for number, sample in enumerate(info.samples(rng)):
            label = sample.label or str(number)
            params.append(pytest.param(info, sample, id=f"{info.name}-{label}"))
    return params


def _torch():
    return pytest.importorskip("torch")


def _to(lib, value, requires_grad: bool, device: str = "cpu"):
    if isinstance(value, Const):
        return _to(lib, value.array, False, device)
    if isinstance(value, np.ndarray):
        if lib is wright:
            tensor = wright.tensor(value, device=device)
        else:
            tensor = lib.tensor(np.array(value, order="C"))
        if requires_grad and value.dtype.kind == "f":
            tensor.requires_grad_(True)
        return tensor
    if isinstance(value, list | tuple) and any(isinstance(v, np.ndarray | Const) for v in value):
        return type(value)(_to(lib, v, requires_grad, device) for v in value)
    return value


def _call(info: OpInfo, lib, sample: Sample, requires_grad: bool = False, device: str = "cpu"):
    args = [_to(lib, a, requires_grad, device) for a in sample.args]
    kwargs = {k: _to(lib, v, requires_grad, device) for k, v in sample.kwargs.items()}
    if lib is not wright:
        return info.op(lib, *args, **kwargs), args, kwargs
    with wright.device(device):  # tensors the op makes itself land there too
        return info.op(lib, *args, **kwargs), args, kwargs


def _flat(result) -> list:
    if isinstance(result, tuple | list):
        return [leaf for item in result for leaf in _flat(item)]
    return [result]


def _dtype_name(dtype) -> str:
    return str(dtype).rsplit(".", 1)[-1]


def assert_same(ours, theirs, info: OpInfo, what: str = "output", device: str = "cpu") -> None:
    """Equal structure, shapes, dtypes and values (to the op's tolerance); our tensors on
    `device`."""
    torch = _torch()
    ours_flat, theirs_flat = _flat(ours), _flat(theirs)
    assert len(ours_flat) == len(theirs_flat), f"{info.name}: {what} structure differs"
    for index, (a, b) in enumerate(zip(ours_flat, theirs_flat)):
        label = f"{info.name}: {what} {index}"
        if isinstance(b, torch.Tensor):
            assert isinstance(a, wright.Tensor), f"{label}: expected a Tensor, got {type(a)}"
            assert tuple(a.shape) == tuple(b.shape), f"{label}: shape {a.shape} vs {b.shape}"
            assert _dtype_name(a.dtype) == _dtype_name(b.dtype), (
                f"{label}: dtype {a.dtype} vs {b.dtype}"
            )
            assert a.device.type == device, f"{label}: on {a.device}, expected {device}"
            expected = b.detach().numpy()
            found = a.numpy(force=True)
            np.testing.assert_allclose(
                found, expected, rtol=info.rtol, atol=info.atol, equal_nan=True, err_msg=label
            )
        else:
            assert type(a) is type(b) or (
                isinstance(a, int | float | bool) and isinstance(b, int | float | bool)
            ), f"{label}: {type(a)} vs {type(b)}"
            if isinstance(b, float):
                np.testing.assert_allclose(a, b, rtol=info.rtol, atol=info.atol, err_msg=label)
            else:
                assert a == b, f"{label}: {a!r} vs {b!r}"


def _float_outputs(result) -> list:
    return [t for t in _flat(result) if getattr(t, "is_floating_point", lambda: False)()]


def check_against_torch(info: OpInfo, sample: Sample, devices: tuple = DEVICES) -> None:
    """Forward values and dtypes, then (for differentiable ops) input gradients, vs PyTorch, on
    each of `devices` (the CPU and the second test device by default)."""
    torch = _torch()
    theirs, _, _ = _call(info, torch, sample)
    for device in devices:
        ours, _, _ = _call(info, wright, sample, device=device)
        assert_same(ours, theirs, info, device=device)
    if not info.differentiable:
        return
    theirs, their_args, their_kwargs = _call(info, torch, sample, requires_grad=True)
    their_outputs = [t for t in _float_outputs(theirs) if t.requires_grad]
    if not their_outputs:
        return
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal(tuple(t.shape)) for t in their_outputs]
    sum(
        (t * torch.tensor(w, dtype=t.dtype)).sum() for t, w in zip(their_outputs, weights)
    ).backward()
    theirs_in = _flat(their_args) + _flat(list(their_kwargs.values()))
    for device in devices:
        ours, our_args, our_kwargs = _call(info, wright, sample, True, device)
        our_outputs = [t for t in _float_outputs(ours) if t.requires_grad]
        sum(
            (t * wright.tensor(w, dtype=t.dtype, device=device)).sum()
            for t, w in zip(our_outputs, weights)
        ).backward()
        ours_in = _flat(our_args) + _flat(list(our_kwargs.values()))
        _check_gradients(info, ours_in, theirs_in, device)


def _check_gradients(info: OpInfo, ours_in: list, theirs_in: list, device: str) -> None:
    torch = _torch()
    for index, (a, b) in enumerate(zip(ours_in, theirs_in)):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            expected = None if b.grad is None else b.grad.numpy(force=True)
            found = None if a.grad is None else a.grad.numpy(force=True)
            if expected is None:
                assert found is None or not found.any(), f"{info.name}: input {index} grad"
                continue
            assert found is not None, f"{info.name}: input {index} got no gradient"
            assert a.grad.device.type == device, f"{info.name}: gradient on {a.grad.device}"
            np.testing.assert_allclose(
                found,
                expected,
                rtol=info.rtol * 10,
                atol=info.atol * 10,
                equal_nan=True,
                err_msg=f"{info.name}: gradient of input {index} on {device}",
            )


def check_gradcheck(info: OpInfo, sample: Sample) -> None:
    """Finite differences in float64 agree with wright's backward for every float input."""
    if not (info.differentiable and info.gradcheck):
        pytest.skip("not differentiable")
    args = [_to(wright, _as64(a), True) for a in sample.args]
    kwargs = {k: _to(wright, _as64(v), True) for k, v in sample.kwargs.items()}
    inputs = [a for a in _flat(args) if isinstance(a, wright.Tensor) and a.requires_grad]
    if not inputs:
        pytest.skip("no float input")

    with wright.no_grad():
        if not _float_outputs(info.op(wright, *args, **kwargs)):
            pytest.skip("no float output")

    def function(*tensors):
        replaced = iter(tensors)
        call_args = [_swap(a, replaced) for a in args]
        out = info.op(wright, *call_args, **kwargs)
        outputs = _float_outputs(out)
        return outputs[0] if len(outputs) == 1 else wright.cat([o.reshape(-1) for o in outputs])

    assert wright.autograd.gradcheck(function, inputs)


def _as64(value):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float64)
    if isinstance(value, list | tuple):
        return type(value)(_as64(v) for v in value)
    return value


def _swap(value, replaced):
    if isinstance(value, wright.Tensor) and value.requires_grad:
        return next(replaced)
    if isinstance(value, list | tuple) and any(isinstance(v, wright.Tensor) for v in value):
        return type(value)(_swap(v, replaced) for v in value)
    return value


def floats(rng: np.random.Generator, *shape, low=-2.0, high=2.0, dtype=np.float32) -> np.ndarray:
    """Uniform values as an array of `dtype` (float32 unless told)."""
    return np.asarray(rng.uniform(low, high, size=shape), dtype=dtype)


def unary_samples(low=-2.0, high=2.0):
    """Samples for an elementwise op of one tensor: 0-d, vector, matrix, 3-D, empty, float64 and
    non-contiguous inputs."""

    def samples(rng):
        yield Sample((floats(rng, low=low, high=high),), label="0d")
        yield Sample((floats(rng, 5, low=low, high=high),), label="1d")
        yield Sample((floats(rng, 3, 4, low=low, high=high),), label="2d")
        yield Sample((floats(rng, 2, 3, 4, low=low, high=high, dtype=np.float64),), label="3d64")
        yield Sample((floats(rng, 0, 3, low=low, high=high),), label="empty")
        yield Sample((floats(rng, 4, 3, low=low, high=high).T,), label="transposed")

    return samples


def _builtin_error(error: BaseException) -> type:
    # The first built-in exception class in the error's ancestry (torch's own errors, such as
    # its LinAlgError, derive from RuntimeError and friends).
    return next(c for c in type(error).__mro__ if c.__module__ == "builtins")


def check_same_error(call: Callable) -> None:
    """`call(lib)` raises in both wright and torch, with the same built-in exception type."""
    torch = _torch()
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(wright)
    expected = _builtin_error(theirs.value)
    assert isinstance(ours.value, expected), (
        f"wright raised {type(ours.value).__name__}: {ours.value}; torch raised "
        f"{type(theirs.value).__name__}: {theirs.value}"
    )
