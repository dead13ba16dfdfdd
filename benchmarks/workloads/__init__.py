"""Benchmark workloads: one module per training job, built the same way in every framework.

A workload module has a docstring; constants BATCH_SIZE, STEPS (timed steps per run by default) and,
for the wright/torch time ratio it should reach, REQUIRED_RATIO and GOAL_RATIO; and the functions
`build_wright(seed)`, `build_torch(seed)` and optionally `build_numpy(seed)`. Each returns a
zero-argument `step()` that runs one full training step on the next minibatch and returns the loss.
Framework imports go inside the build functions, so a timing process loads only the one it times.
A workload that only runs forward passes sets TRAINS = False (its loss need not fall step to step).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

FRAMEWORKS = ("wright", "torch", "numpy")


def available() -> list[str]:
    """Names of all workloads (the modules in this folder), sorted."""
    folder = Path(__file__).parent
    return sorted(path.stem for path in folder.glob("*.py") if not path.stem.startswith("_"))


def load(name: str) -> ModuleType:
    """Import the workload module `name`, with an error that lists the known names."""
    if name not in available():
        raise ValueError(
            f"workloads.load: unknown workload {name!r}; available: {', '.join(available())}"
        )
    return importlib.import_module(f"{__name__}.{name}")


def builder(workload: ModuleType, framework: str):
    """The workload's `build_<framework>` function, or None when it does not define one."""
    if framework not in FRAMEWORKS:
        raise ValueError(
            f"workloads.builder: framework must be one of {FRAMEWORKS}, got {framework!r}"
        )
    return getattr(workload, f"build_{framework}", None)
