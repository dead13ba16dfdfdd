"""Dataset test fixtures: where the shared data lives, a clean environment, fake IDX files."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from wright.datasets.idx import write_idx

SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The datasets folder: $WRIGHT_DATA, else ../shared/data beside the repository."""
    env = os.environ.get("WRIGHT_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture
def clean_env(monkeypatch, tmp_path) -> Path:
    """No $WRIGHT_DATA or $WRIGHT_MIRROR, and an empty download cache; returns the cache folder."""
    monkeypatch.delenv("WRIGHT_DATA", raising=False)
    monkeypatch.delenv("WRIGHT_MIRROR", raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("WRIGHT_CACHE", str(cache))
    return cache


@pytest.fixture
def write_fake_split():
    """A function writing a tiny MNIST-like split into a folder: `count` images of `fill`."""

    def write(
        folder: Path,
        count: int,
        split: str = "test",
        fill: int = 0,
        labels: np.ndarray | None = None,
        side: int = 28,
    ) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        images_name, labels_name = SPLIT_FILES[split]
        write_idx(folder / images_name, np.full((count, side, side), fill, np.uint8))
        if labels is None:
            labels = np.arange(count) % 10
        write_idx(folder / labels_name, np.asarray(labels, np.uint8))
        return folder

    return write
