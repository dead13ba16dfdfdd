"""Shared test setup: one BLAS thread, the datasets folder, and the same seed, grad mode and dtype
per test."""

import os
import sys
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

import wright
from wright import autograd

# Shared test helpers (opinfo.py) are imported by name from this folder.
sys.path.insert(0, str(Path(__file__).resolve().parent))

_SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if "WRIGHT_DATA" not in os.environ and _SHARED_DATA.is_dir():
    os.environ["WRIGHT_DATA"] = str(_SHARED_DATA)


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    """Tests multiply small matrices, where a second BLAS thread costs more than it saves on a busy
    machine."""
    with threadpool_limits(1):
        yield


@pytest.fixture(autouse=True)
def _clean_global_state():
    """Seed wright's generator and undo any change a test made to grad mode or the default dtype."""
    wright.manual_seed(0)
    dtype, grad_mode = wright.get_default_dtype(), autograd.is_grad_enabled()
    yield
    wright.set_default_dtype(dtype)
    autograd._set_mode(grad_mode)
