"""Runnable demonstrations of the lectures' systems; each module here is one demo.

A demo module defines `NAME` (the CLI name), `SUMMARY` (one line for `wright demo --list`) and
`run(out_dir, seed=0, quick=False) -> dict`, which prints what it measures, writes its PNG pictures
into out_dir when it is given and matplotlib is installed, and returns the measured numbers.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def available() -> dict[str, ModuleType]:
    """Every demo module by its CLI name."""
    demos = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "run") and hasattr(module, "NAME"):
            demos[module.NAME] = module
    return dict(sorted(demos.items()))


def get(name: str) -> ModuleType:
    """The demo called `name`; an unknown name raises KeyError listing the valid ones."""
    demos = available()
    if name not in demos:
        raise KeyError(f"unknown demo {name!r}; choose from: {', '.join(demos)}")
    return demos[name]
