"""Ported PyTorch programs train identically on PyTorch and on wright.

Each program in this folder is ordinary PyTorch code (it imports torch and nothing from wright).
For each, `harness.py` runs it twice in fresh subprocesses: once with real PyTorch, which also
writes the model's initial weights, and once under `wright.compat`, which loads those weights. Both
runs get the same data batches and draw their noise (randn, randint, dropout masks) from the same
NumPy stream, so their per-step losses and final evaluations must agree: to rtol 1e-4 in float32
after a handful of steps unless a program says otherwise (float64 L-BFGS: 1e-6).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

import wright
from wright import datasets

HERE = Path(__file__).resolve().parent
SRC = Path(wright.__file__).resolve().parents[1]

TEXT = """\
the river ran past the mill and the mill turned all day
the miller sang to the river and the river sang back
in the evening the wheel stood still and the water rested
in the morning the wheel turned again and the miller sang
the children of the village came down to the river to watch
they counted the turns of the wheel and the songs of the miller
one day the river ran dry and the wheel stood still all day
the miller waited by the river and sang to the empty bed
then the rain came back and the river ran past the mill again
and the wheel turned and the miller sang and the children counted
"""


def mnist(count: int) -> dict[str, np.ndarray]:
    digits = datasets.MNIST(split="train", limit=count)
    return {"images": digits.images, "labels": digits.targets}


def fashion(count: int) -> dict[str, np.ndarray]:
    try:
        clothes = datasets.FashionMNIST(split="train", limit=count)
    except FileNotFoundError:  # Fashion-MNIST is not shipped; the program only needs 28x28 images
        return mnist(count)
    return {"images": clothes.images, "labels": clothes.targets}


def small_digits(count: int) -> dict[str, np.ndarray]:
    """MNIST shrunk to 14x14 by 2x2 averages and padded to 16x16, in [0, 1]."""
    images = datasets.MNIST(split="train", limit=count).images.astype(np.float32) / 255
    small = images.reshape(count, 14, 2, 14, 2).mean(axis=(2, 4))
    return {"images": np.pad(small, ((0, 0), (1, 1), (1, 1)))}


def wave_classes(count: int) -> dict[str, np.ndarray]:
    """Noisy two-channel waves whose frequency (three kinds) is the class."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, count)
    t = np.linspace(0, 2 * np.pi, 12)
    phase = rng.uniform(0, 2 * np.pi, (count, 1))
    wave = np.sin((labels[:, None] + 1) * t + phase)
    sequences = np.stack([wave, np.cos(wave)], axis=-1) + 0.1 * rng.standard_normal((count, 12, 2))
    return {"sequences": sequences.astype(np.float32), "labels": labels.astype(np.int64)}


@dataclass
class Port:
    """A ported program: its data, how many steps to train, and how closely the runs agree."""

    name: str
    data: dict = field(default_factory=dict)
    steps: int = 5
    options: dict = field(default_factory=dict)
    rtol: float = 1e-4
    atol: float = 1e-6
    missing: str | None = None  # the wright feature it still lacks (an expected failure)


PORTS = [
    Port("mnist_cnn", mnist(96), steps=6),
    Port("word_language_model", {"text": TEXT}, options={"dropout": 0.0}),
    Port("vae", {"images": mnist(64)["images"]}),
    Port("dcgan", small_digits(64), steps=4),
    Port("char_transformer", {"text": TEXT}),
    Port("super_resolution", {"images": mnist(32)["images"]}),
    Port("fast_neural_style", {"images": mnist(8)["images"]}, steps=4),
    Port("regression_lbfgs", steps=3, rtol=1e-6),
    Port("gru_classifier", wave_classes(48), steps=6),
    Port("quickstart", fashion(128), steps=4),
]


def run_harness(port: Port, framework: str, folder: Path) -> dict:
    """One run of a program in a fresh interpreter; its losses, evaluation and seconds."""
    out = folder / f"{framework}.json"
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    command = [
        sys.executable,
        str(HERE / "harness.py"),
        port.name,
        framework,
        str(folder / "data.npz"),
        str(folder / "weights.npz"),
        str(out),
        "--steps",
        str(port.steps),
        "--options",
        json.dumps(port.options),
    ]
    done = subprocess.run(
        command, check=False, env=env, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        pytest.fail(f"{port.name} on {framework} failed:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text())


def _params() -> list:
    params = []
    for port in PORTS:
        marks = [pytest.mark.xfail(reason=f"needs {port.missing}", strict=True)] * bool(
            port.missing
        )
        params.append(pytest.param(port, id=port.name, marks=marks))
    return params


@pytest.mark.parametrize("port", _params())
def test_trains_like_pytorch(port: Port, tmp_path: Path):
    pytest.importorskip("torch")
    np.savez(tmp_path / "data.npz", **port.data)
    expected = run_harness(port, "torch", tmp_path)
    got = run_harness(port, "wright", tmp_path)
    assert len(got["losses"]) == len(expected["losses"]) > 0
    np.testing.assert_allclose(got["losses"], expected["losses"], rtol=port.rtol, atol=port.atol)
    np.testing.assert_allclose(
        got["evaluation"], expected["evaluation"], rtol=port.rtol, atol=port.atol
    )
