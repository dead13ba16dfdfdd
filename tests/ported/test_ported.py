"""Ported PyTorch programs train identically on PyTorch and on wright.

Each program in this folder is ordinary PyTorch code (it imports torch and nothing from wright).
`harness.py` runs each twice in fresh interpreters: once with real PyTorch (one interpreter for all
programs), which also writes the model's initial weights, and once under `wright.compat`, which
loads those weights. Both runs get the same data batches and draw their noise (randn, randint,
dropout masks) from the same NumPy stream, so their per-step losses and final evaluations must
agree: to rtol 1e-4 in float32 after 3-8 steps (float64 L-BFGS: 1e-8). They agree to about 2e-7
(float32) and 1e-12 (float64). A program that needs a feature wright lacks gets
`pytest.mark.xfail(reason="needs <feature>", strict=True)` until the feature lands.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Callable
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


@functools.cache
def _digits() -> datasets.MNIST:
    return datasets.MNIST(split="train", limit=128)


def mnist(count: int) -> dict[str, np.ndarray]:
    return {"images": _digits().images[:count], "labels": _digits().targets[:count]}


def fashion(count: int) -> dict[str, np.ndarray]:
    try:
        clothes = datasets.FashionMNIST(split="train", limit=count)
    except FileNotFoundError:  # Fashion-MNIST is not shipped; the program only needs 28x28 images
        return mnist(count)
    return {"images": clothes.images, "labels": clothes.targets}


def small_digits(count: int) -> dict[str, np.ndarray]:
    """MNIST shrunk to 14x14 by 2x2 averages and padded to 16x16, in [0, 1]."""
    images = _digits().images[:count].astype(np.float32) / 255
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
    data: Callable[[], dict] = dict
    steps: int = 5
    options: dict = field(default_factory=dict)
    rtol: float = 1e-4
    atol: float = 1e-6


def text() -> dict[str, str]:
    return {"text": TEXT}


def images(count: int) -> Callable[[], dict]:
    return lambda: {"images": mnist(count)["images"]}


PORTS = [
    Port("mnist_cnn", lambda: mnist(96), steps=6),
    Port("word_language_model", text, options={"dropout": 0.0}),
    Port("vae", images(64)),
    Port("dcgan", lambda: small_digits(64), steps=4),
    Port("char_transformer", text),
    Port("super_resolution", images(32)),
    Port("fast_neural_style", images(8), steps=4),
    Port("regression_lbfgs", steps=3, rtol=1e-8),
    Port("gru_classifier", lambda: wave_classes(48), steps=6),
    Port("quickstart", lambda: fashion(128), steps=4),
    Port("transformer_lm", text, options={"dropout": 0.0}),
    Port("checkpoint_resume", lambda: mnist(64), steps=2),
]


def run_harness(framework: str, folders: list[Path]) -> None:
    """Run jobs in a fresh interpreter; fail with its stderr if it fails."""
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    command = [sys.executable, str(HERE / "harness.py"), framework, *map(str, folders)]
    done = subprocess.run(
        command, check=False, env=env, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        pytest.fail(f"{framework} run failed:\n{done.stderr[-3000:]}")


@pytest.fixture(scope="session")
def pytorch_runs(request, tmp_path_factory) -> Path:
    """The PyTorch runs of every selected program, in one interpreter (PyTorch takes seconds to
    import); a folder per program with its data, initial weights and torch.json."""
    pytest.importorskip("torch")
    root = tmp_path_factory.mktemp("ported")
    params = (
        getattr(getattr(item, "callspec", None), "params", {}) for item in request.session.items
    )
    selected = {p["port"].name for p in params if isinstance(p.get("port"), Port)}
    folders = []
    for port in PORTS:
        if port.name in selected:
            folder = root / port.name
            folder.mkdir()
            job = {"program": port.name, "steps": port.steps, "options": port.options}
            (folder / "job.json").write_text(json.dumps(job))
            np.savez(folder / "data.npz", **port.data())
            folders.append(folder)
    run_harness("torch", folders)
    return root


@pytest.mark.parametrize("port", PORTS, ids=[port.name for port in PORTS])
def test_trains_like_pytorch(port: Port, pytorch_runs: Path):
    folder = pytorch_runs / port.name
    run_harness("wright", [folder])
    expected = json.loads((folder / "torch.json").read_text())
    got = json.loads((folder / "wright.json").read_text())
    assert len(got["losses"]) == len(expected["losses"]) > 0
    np.testing.assert_allclose(got["losses"], expected["losses"], rtol=port.rtol, atol=port.atol)
    np.testing.assert_allclose(
        got["evaluation"], expected["evaluation"], rtol=port.rtol, atol=port.atol
    )


def wright_torch(*args: str) -> subprocess.CompletedProcess:
    """`python -m wright torch ARGS...` in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "wright", "torch", *args]
    return subprocess.run(
        command, check=False, env=env, capture_output=True, text=True, timeout=120
    )


def test_wright_torch_runs_a_ported_program_unchanged():
    done = wright_torch(str(HERE / "gru_classifier.py"), "--steps", "2")
    assert done.returncode == 0, done.stderr
    losses, accuracy = done.stdout.splitlines()[-2:]
    assert len(json.loads(losses)) == 2 and 0 <= json.loads(accuracy)[0] <= 1


def test_wright_torch_names_a_missing_feature_in_one_line(tmp_path):
    script = tmp_path / "mixed_precision.py"
    script.write_text(
        "import torch\nfrom torch import nn\n\nmodel = nn.Linear(4, 2)\n"
        "scaler = torch.cuda.amp.GradScaler()\n"
    )
    done = wright_torch(str(script))
    assert done.returncode == 1
    assert done.stderr == (
        "wright torch: the script uses torch.cuda.amp (line 5 of mixed_precision.py), which "
        "wright will not have: wright computes in float32 on the CPU; remove autocast and "
        "GradScaler\n"
    )
