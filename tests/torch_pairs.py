"""Layer tests against PyTorch: the same module built in both libraries with the same weights, run
forward and backward on the same inputs, and every output and gradient compared.

    ours, theirs = same_module(lambda lib, dtype: lib.nn.LayerNorm(8, dtype=dtype))
    assert_close(run(ours, wright, inputs), run(theirs, torch, inputs))
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import wright


def _torch():
    return pytest.importorskip("torch")


def same_module(build: Callable, scale: float = 0.5, seed: int = 0):
    """(wright module, torch module) from `build(lib, dtype)` in float64, with torch's parameters
    drawn from N(0, scale^2) and loaded into wright's through its state dict."""
    torch = _torch()
    theirs = build(torch, torch.float64)
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for param in theirs.parameters():
            param.copy_(torch.tensor(rng.standard_normal(tuple(param.shape)) * scale))
    ours = build(wright, wright.float64)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def run(module, lib, arrays: dict, kwargs: dict | None = None, aliases: dict | None = None):
    """Call `module(*inputs, **kwargs)` with the float arrays as tensors that require grad (arrays
    in kwargs become tensors that do not), then backward a fixed random weighting of every output.

    Args:
        arrays: positional inputs by name, in order.
        aliases: {name: other name} to pass the very same tensor twice (self-attention).

    Returns:
        (outputs, input gradients by name, parameter gradients by name), all NumPy arrays or None.
    """
    inputs = {name: lib.tensor(a, requires_grad=a.dtype.kind == "f") for name, a in arrays.items()}
    for name, other in (aliases or {}).items():
        inputs[name] = inputs[other]
    kwargs = {
        k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in (kwargs or {}).items()
    }
    result = module(*inputs.values(), **kwargs)
    outputs = list(result) if isinstance(result, tuple) else [result]
    rng = np.random.default_rng(1)
    present = [t for t in outputs if t is not None and t.requires_grad]
    sum((t * lib.tensor(rng.standard_normal(tuple(t.shape)))).sum() for t in present).backward()

    def plain(t):
        return None if t is None else np.array(t.detach().numpy())

    return (
        [plain(t) for t in outputs],
        {name: plain(t.grad) for name, t in inputs.items()},
        {name: plain(p.grad) for name, p in module.named_parameters()},
    )


def assert_close(ours, theirs, what: str = "", rtol: float = 1e-9, atol: float = 1e-10) -> None:
    """Nested outputs of `run` agree: same structure and names, shapes and values (NaN = NaN); a
    gradient torch does not give must be absent or zero."""
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs), what
        for key in theirs:
            assert_close(ours[key], theirs[key], f"{what} {key}", rtol, atol)
    elif isinstance(theirs, list | tuple):
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_close(a, b, f"{what} {i}", rtol, atol)
    elif theirs is None:
        assert ours is None or not np.any(ours), what
    else:
        assert ours is not None and ours.shape == theirs.shape, what
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
