"""`wright.cuda`: PyTorch's GPU probe. wright computes on the CPU, so no GPU is ever available."""

from __future__ import annotations


def is_available() -> bool:
    """False: wright has no GPU backend yet."""
    return False


def device_count() -> int:
    """0: no GPUs are visible to wright."""
    return 0


def manual_seed(seed: int) -> None:
    """Accepted and ignored (there is no GPU generator to seed)."""


manual_seed_all = manual_seed


def synchronize(device=None) -> None:
    """Nothing to wait for: every op has finished when it returns."""
