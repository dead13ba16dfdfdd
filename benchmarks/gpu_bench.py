"""wright on a GPU (through CuPy) against PyTorch on the same GPU: LeNet, the 3x3-conv MNIST CNN, a
wide MLP and a character LSTM at batch sizes that fill a GPU, and one epoch of the MNIST CNN recipe.

    python benchmarks/gpu_bench.py                        # every workload on cuda, one table
    python benchmarks/gpu_bench.py lenet --steps 20 --markdown
    python benchmarks/gpu_bench.py --epoch                # the cnn recipe: one MNIST epoch, GPU vs CPU

Both sides start from the same weights and see the same batches, which live on the GPU from the
start (no host-to-device copy per step). Each side runs warm-up steps first (CuPy compiles every new
kernel on its first call), then the timed steps between two device synchronizations; the table shows
milliseconds per step and wright's time over torch's (below 1: wright is faster).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from workload_kit import mlp_weights
from workloads.lenet_train import lenet_with_weights
from workloads.lstm_train import EMBEDDING, HIDDEN, VOCAB, char_model
from workloads.mnist_cnn_train import cnn_with_weights

SEQ_LEN = 64
WIDE_SIZES = (784, 2048, 2048, 10)
# name -> (what it is, batch size, timed steps)
WORKLOADS = {
    "lenet": ("LeNet 5x5 convs, SGD momentum", 256, 50),
    "cnn3x3": ("3x3-conv MNIST CNN with dropout, SGD momentum", 256, 50),
    "mlp-wide": ("MLP 784-2048-2048-10 ReLU, Adam", 1024, 100),
    "char-lstm": (f"char LSTM {EMBEDDING}-{HIDDEN}, {SEQ_LEN} steps, Adam", 256, 20),
}
FRAMEWORKS = ("wright", "torch")


def _library(framework: str):
    if framework == "wright":
        import wright

        return wright
    import torch

    return torch


def _model(lib, workload: str, seed: int):
    if workload == "lenet":
        return lenet_with_weights(lib.nn, seed)
    if workload == "cnn3x3":
        return cnn_with_weights(lib.nn, seed)
    if workload == "char-lstm":
        return char_model(lib.nn, seed)
    layers = [lib.nn.Flatten()]
    for weight, bias in mlp_weights(WIDE_SIZES, seed):
        linear = lib.nn.Linear(weight.shape[1], weight.shape[0])
        with lib.no_grad():
            linear.weight.copy_(lib.tensor(weight))
            linear.bias.copy_(lib.tensor(bias))
        layers += [linear, lib.nn.ReLU()]
    return lib.nn.Sequential(*layers[:-1])


def _batches(lib, workload: str, batch: int, device, seed: int, count: int = 8) -> list:
    """`count` (inputs, targets) batches made on the host from the seed, then moved to the
    device once."""
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(count):
        if workload == "char-lstm":
            tokens = rng.integers(0, VOCAB, (SEQ_LEN + 1, batch))
            inputs, targets = tokens[:-1], tokens[1:].reshape(-1)
        else:
            inputs = rng.random((batch, 1, 28, 28), dtype=np.float32)
            targets = rng.integers(0, 10, batch)
        found.append((lib.tensor(inputs, device=device), lib.tensor(targets, device=device)))
    return found


def build_step(framework: str, workload: str, batch: int, device: str, seed: int = 0) -> Callable:
    """A zero-argument training step (forward, loss, backward, update) on `device`; it returns
    the loss tensor without waiting for it."""
    lib = _library(framework)
    model = _model(lib, workload, seed).to(device)
    if workload in ("lenet", "cnn3x3"):
        optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    batches = _batches(lib, workload, batch, device, seed)
    position = [0]

    def step():
        inputs, targets = batches[position[0] % len(batches)]
        position[0] += 1
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss

    return step


def _synchronize(framework: str) -> None:
    lib = _library(framework)
    if lib.cuda.is_available():
        lib.cuda.synchronize()


def time_step(framework: str, step: Callable, steps: int, warmup: int) -> tuple[float, float]:
    """(seconds per step, last loss) over `steps` steps after `warmup` untimed ones."""
    for _ in range(warmup):
        step()
    _synchronize(framework)
    start = time.perf_counter()
    for _ in range(steps):
        loss = step()
    _synchronize(framework)
    return (time.perf_counter() - start) / steps, float(loss.detach())


def bench(
    workloads: list[str], device: str, steps: int | None, warmup: int, batch: int | None = None
) -> list[dict]:
    """One row per workload: ms per step on each side and wright's time over torch's (at each
    workload's own batch size unless `batch` is given)."""
    rows = []
    for name in workloads:
        summary, default_batch, default_steps = WORKLOADS[name]
        row = {"workload": name, "what": summary, "batch": batch or default_batch}
        for framework in FRAMEWORKS:
            # PyTorch has no strict device: in a dry run its side runs on the CPU.
            where = "cpu" if framework == "torch" and device == "strict" else device
            step = build_step(framework, name, row["batch"], where)
            seconds, loss = time_step(framework, step, steps or default_steps, warmup)
            row[f"{framework}_ms"], row[f"{framework}_loss"] = seconds * 1e3, loss
        row["ratio"] = row["wright_ms"] / row["torch_ms"]
        print(
            f"  {name}: wright {row['wright_ms']:.2f} ms, torch {row['torch_ms']:.2f} ms, "
            f"ratio {row['ratio']:.2f}",
            flush=True,
        )
        rows.append(row)
    return rows


def table(rows: list[dict], device_name: str, markdown: bool) -> str:
    """The results as one table (GitHub markdown, or aligned text)."""
    header = ["workload", "batch", "wright ms/step", "torch ms/step", "wright/torch", "within 2x"]
    lines = [
        [
            r["workload"],
            str(r["batch"]),
            f"{r['wright_ms']:.2f}",
            f"{r['torch_ms']:.2f}",
            f"{r['ratio']:.2f}",
            "yes" if r["ratio"] <= 2 else "no",
        ]
        for r in rows
    ]
    title = f"wright vs PyTorch on {device_name}"
    if markdown:
        out = [title, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(line) + " |" for line in lines]
        return "\n".join(out)
    widths = [max(len(x) for x in column) for column in zip(header, *lines)]
    out = [title] + [
        "  ".join(x.ljust(w) for x, w in zip(line, widths)) for line in [header, *lines]
    ]
    return "\n".join(out)


def epoch(device: str, cpu_steps: int, threads: int, limit: int | None = None) -> dict:
    """One epoch of the `cnn` recipe (LeNet, Adam, batch 64) on MNIST's 60,000 training images
    (the first `limit`, when given) on `device`, its test accuracy, and the same step timed on the
    CPU with `threads` threads, scaled to the epoch."""
    from threadpoolctl import threadpool_limits

    import wright

    spec = wright.models.get("cnn")
    train = wright.datasets.MNIST("train", limit=limit)
    test = wright.datasets.MNIST("test", limit=limit)

    def images(data):
        return (data.images.reshape(-1, 1, 28, 28) / np.float32(255)).astype(np.float32)

    x, y = wright.tensor(images(train), device=device), wright.tensor(train.targets, device=device)
    wright.manual_seed(0)
    model = spec.builder().to(device)
    optimizer = wright.optim.Adam(model.parameters(), lr=spec.lr)
    order = wright.randperm(len(train.targets), device=device)
    loss_fn = wright.nn.CrossEntropyLoss()

    def step(index):
        optimizer.zero_grad()
        loss = loss_fn(model(x[index]), y[index])
        loss.backward()
        optimizer.step()
        return loss

    starts = range(0, len(train.targets), spec.batch_size)
    step(order[: spec.batch_size])  # warm-up: compiles the kernels
    _synchronize("wright")
    start = time.perf_counter()
    for first in starts:
        step(order[first : first + spec.batch_size])
    _synchronize("wright")
    seconds = time.perf_counter() - start
    with wright.no_grad():
        model.eval()
        scores = model(wright.tensor(images(test), device=device))
        accuracy = float(
            (scores.argmax(1) == wright.tensor(test.targets, device=device)).float().mean()
        )
    # The same steps on the CPU, a few of them, scaled to an epoch.
    cpu_model = spec.builder()
    cpu_optimizer = wright.optim.Adam(cpu_model.parameters(), lr=spec.lr)
    cpu_x, cpu_y = (
        wright.tensor(images(train)[: cpu_steps * spec.batch_size]),
        wright.tensor(train.targets[: cpu_steps * spec.batch_size]),
    )
    with threadpool_limits(threads):
        start = time.perf_counter()
        for first in range(0, cpu_steps * spec.batch_size, spec.batch_size):
            cpu_optimizer.zero_grad()
            part = slice(first, first + spec.batch_size)
            loss_fn(cpu_model(cpu_x[part]), cpu_y[part]).backward()
            cpu_optimizer.step()
        cpu_epoch = (time.perf_counter() - start) / cpu_steps * len(starts)
    return {
        "seconds": seconds,
        "accuracy": accuracy,
        "cpu_seconds": cpu_epoch,
        "steps": len(starts),
    }


def main() -> None:
    """Parse the command line, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", choices=[[], *WORKLOADS], default=[])
    parser.add_argument("--device", default="cuda", help="where both sides run (default cuda)")
    parser.add_argument("--steps", type=int, help="timed steps (default: each workload's own)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first (default 5)")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    parser.add_argument("--epoch", action="store_true", help="one epoch of the cnn recipe")
    parser.add_argument("--cpu-steps", type=int, default=30, help="CPU steps timed for --epoch")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for --epoch")
    parser.add_argument("--batch", type=int, help="one batch size for every workload")
    parser.add_argument("--limit", type=int, help="--epoch on the first N images only")
    args = parser.parse_args()
    if args.device == "strict":  # a dry run on the CPU with the tests' stand-in for a GPU
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        import strict  # noqa: F401 (registers the device)
    lib = _library("wright")
    device_name = lib.cuda.get_device_name() if args.device.startswith("cuda") else args.device
    if args.epoch:
        found = epoch(args.device, args.cpu_steps, args.threads, args.limit)
        print(
            f"cnn recipe, one MNIST epoch ({found['steps']} steps of 64) on {device_name}: "
            f"{found['seconds']:.1f} s, test accuracy {found['accuracy']:.4f}; on "
            f"{args.threads} CPU threads about {found['cpu_seconds']:.0f} s "
            f"({found['cpu_seconds'] / found['seconds']:.1f}x the GPU time)"
        )
        return
    rows = bench(
        args.workloads or list(WORKLOADS), args.device, args.steps, args.warmup, args.batch
    )
    print(table(rows, device_name, args.markdown))


if __name__ == "__main__":
    main()
