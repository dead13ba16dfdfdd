"""Runs ported programs in this process, with real PyTorch or with wright serving `torch`, and
writes their losses as JSON: the subprocess half of test_ported.py.

    python harness.py torch|wright JOB_FOLDER [JOB_FOLDER ...]

A job folder holds job.json ({"program", "steps", "options"}) and data.npz (the arguments of the
program's make_data). A run writes FRAMEWORK.json there: {"losses", "evaluation", "seconds"}.
With torch, the model's initial state dict is written to weights.npz; with wright it is read from
there, so both runs start from the same weights. Both runs draw randn, rand, randint and dropout
masks from the same NumPy stream, so they see the same noise.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def share_random_streams(torch, seed: int) -> None:
    """Replace torch's random draws used by the programs with draws from one NumPy generator."""
    rng = np.random.default_rng(seed)

    def shape_of(size):
        return tuple(size[0]) if len(size) == 1 and isinstance(size[0], tuple | list) else size

    def wrap(array, dtype):
        return torch.from_numpy(array).to(dtype or torch.get_default_dtype())

    def randn(*size, dtype=None, **_):
        return wrap(rng.standard_normal(shape_of(size)), dtype)

    def rand(*size, dtype=None, **_):
        return wrap(rng.random(shape_of(size)), dtype)

    def randint(*bounds_and_size, size=None, dtype=None, **_):
        if size is None:
            *bounds, size = bounds_and_size
        else:
            bounds = list(bounds_and_size)
        low, high = (0, bounds[0]) if len(bounds) == 1 else bounds
        return torch.from_numpy(rng.integers(low, high, size)).to(dtype or torch.int64)

    def dropout(input, p=0.5, training=True, inplace=False):
        if not training or p == 0:
            return input
        keep = torch.from_numpy(rng.random(tuple(input.shape)) >= p).to(input.dtype)
        return input * keep / (1 - p)

    torch.randn = randn
    torch.rand = rand
    torch.randint = randint
    torch.randn_like = lambda t, dtype=None, **_: randn(*t.shape, dtype=dtype or t.dtype)
    torch.rand_like = lambda t, dtype=None, **_: rand(*t.shape, dtype=dtype or t.dtype)
    torch.nn.functional.dropout = dropout


def modules_of(model) -> list:
    return list(model) if isinstance(model, tuple | list) else [model]


def save_state(model, path: Path) -> None:
    arrays = {}
    for index, module in enumerate(modules_of(model)):
        for key, value in module.state_dict().items():
            arrays[f"{index}/{key}"] = value.detach().cpu().numpy()
    np.savez(path, **arrays)


def load_state(torch, model, path: Path) -> None:
    with np.load(path) as saved:
        for index, module in enumerate(modules_of(model)):
            prefix = f"{index}/"
            state = {
                key[len(prefix) :]: torch.from_numpy(saved[key])
                for key in saved.files
                if key.startswith(prefix)
            }
            module.load_state_dict(state)


def run(torch, framework: str, folder: Path) -> None:
    """Train the program of one job folder and write its results there."""
    job = json.loads((folder / "job.json").read_text())
    torch.manual_seed(0)
    program = importlib.import_module(job["program"])
    share_random_streams(torch, seed=1234)
    with np.load(folder / "data.npz") as saved:
        inputs = {
            key: str(saved[key]) if saved[key].dtype.kind == "U" else torch.from_numpy(saved[key])
            for key in saved.files
        }
    start = time.perf_counter()
    data = program.make_data(**inputs)
    model = program.build_model(data, **job["options"])
    if framework == "torch":
        save_state(model, folder / "weights.npz")
    else:
        load_state(torch, model, folder / "weights.npz")
    losses = program.train(model, data, job["steps"])
    evaluation = program.evaluate(model, data) if hasattr(program, "evaluate") else []
    seconds = time.perf_counter() - start
    result = {"losses": losses, "evaluation": evaluation, "seconds": seconds}
    (folder / f"{framework}.json").write_text(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("framework", choices=("torch", "wright"))
    parser.add_argument("jobs", type=Path, nargs="+", help="job folders")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    if args.framework == "wright":
        from wright import compat

        def report(kind, error, tb):
            traceback.print_exception(kind, error, tb)
            # The last line of stderr names what wright lacks, when that is why the run failed
            # (asked with the shim still installed, so PyTorch is not imported to confirm it).
            print(compat.missing_feature(error) or "not a missing feature", file=sys.stderr)

        sys.excepthook = report
        compat.install()
    import torch

    if args.framework == "torch":
        torch.set_num_threads(1)
    for folder in args.jobs:
        run(torch, args.framework, folder)


if __name__ == "__main__":
    main()
