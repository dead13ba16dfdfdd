"""Shared test setup: every test starts from the same seed, grad mode and default dtype."""

import pytest

import wright
from wright import autograd, backend


@pytest.fixture(autouse=True)
def _clean_global_state():
    """Seed wright's generator and undo any change a test made to grad mode or the default dtype."""
    wright.manual_seed(0)
    dtype, grad_mode = backend.get_default_dtype(), autograd.is_grad_enabled()
    yield
    backend.set_default_dtype(dtype)
    autograd._grad_enabled = grad_mode
