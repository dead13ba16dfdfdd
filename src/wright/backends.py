"""`wright.backends`: the flags PyTorch programs probe before choosing a device or a kernel.

Nothing here changes how wright computes; the flags exist so that such programs run unchanged.
"""

from __future__ import annotations

from types import SimpleNamespace

# `torch.backends.mps.is_available()` and friends: no such accelerators in wright.
mps = SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
cuda = SimpleNamespace(is_built=lambda: False, matmul=SimpleNamespace(allow_tf32=False))
cudnn = SimpleNamespace(
    enabled=False, benchmark=False, deterministic=True, allow_tf32=False, is_available=lambda: False
)
mkldnn = SimpleNamespace(enabled=False, is_available=lambda: False)
openmp = SimpleNamespace(is_available=lambda: False)
