"""`wright.backends`: the flags PyTorch programs probe before choosing a device or a kernel.

Nothing here changes how wright computes; the flags exist so that such programs run unchanged.
"""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

# `torch.backends.mps.is_available()` and friends: no such accelerators in wright.
mps = SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
# CUDA comes from CuPy, when it is installed (`pip install wright[cuda]`).
cuda = SimpleNamespace(
    is_built=lambda: importlib.util.find_spec("cupy") is not None,
    matmul=SimpleNamespace(allow_tf32=False),
)
cudnn = SimpleNamespace(
    enabled=False, benchmark=False, deterministic=True, allow_tf32=False, is_available=lambda: False
)
mkldnn = SimpleNamespace(enabled=False, is_available=lambda: False)
openmp = SimpleNamespace(is_available=lambda: False)
