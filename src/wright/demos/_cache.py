"""Trained application models kept between runs: load the cached checkpoint, or train and cache.

Checkpoints live in `$WRIGHT_CACHE/checkpoints/` (default `~/.cache/wright/checkpoints/`) beside
the MNIST classifiers of the other demos. Quick runs always train a small model in memory and never
touch the cache; a checkpoint that no longer fits the architecture is ignored and replaced.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import wright
from wright.datasets.download import cache_dir
from wright.nn.module import Module


def checkpoint_path(name: str) -> Path:
    """Where the demos keep the trained model called `name`."""
    return cache_dir() / "checkpoints" / f"{name}.npz"


def trained(
    name: str,
    build: Callable[[], Module],
    train: Callable[[Module], dict],
    quick: bool,
) -> tuple[Module, dict, str]:
    """A trained model: from the cache when a full run saved one, else built and trained now.

    Args:
        name: the checkpoint's name (the file is `checkpoint_path(name)`).
        build: makes the untrained model (the same architecture the checkpoint was saved from).
        train: trains the model in place and returns what to remember about the training (numbers,
            lists of numbers, strings); `train_seconds` is added to it.
        quick: train without reading or writing the cache.

    Returns:
        (model in eval mode, the training record, where the model came from).
    """
    path = checkpoint_path(name)
    model = build()
    if not quick and path.is_file():
        try:
            saved = wright.load(path)
            model.load_state_dict(saved["model"])
            return model.eval(), saved["record"], f"loaded from {path}"
        except (ValueError, KeyError, TypeError, RuntimeError) as error:
            print(f"(ignoring the checkpoint {path}: {error})")
            model = build()
    started = time.perf_counter()
    record = dict(train(model))
    record["train_seconds"] = time.perf_counter() - started
    origin = f"trained in {record['train_seconds']:.0f} s"
    if not quick:
        wright.save({"model": model.state_dict(), "record": record}, path)
        origin += f", saved to {path}"
    return model.eval(), record, origin
