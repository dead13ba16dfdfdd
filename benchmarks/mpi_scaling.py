"""Data-parallel scaling on one machine: samples/s of the LeNet and 3x3-conv CNN training steps at
1 process x 1 thread, 1 process x 2 threads and 2 processes x 1 thread (DistributedDataParallel
over MPI), and MPI all-reduce latency and bandwidth from 1 KB to 64 MB.

Usage:
    python benchmarks/mpi_scaling.py                       # both parts, 3 alternating passes
    python benchmarks/mpi_scaling.py scaling --passes 5 --json scaling.json
    python benchmarks/mpi_scaling.py allreduce --json allreduce.json
    python benchmarks/mpi_scaling.py project --json all.json   # a saved run's tables again

Each configuration runs in fresh processes (`mpiexec -n 2` for two), with the BLAS thread count
set in the environment. A training run takes warm-up steps, then five chunks of timed steps, and
reports the median chunk; passes alternate the order of the configurations, so a busy spell on a
shared machine does not land on one of them only. Every number is printed with the 1-minute load
average seen before and after it. With 2 processes each takes the workload's batch (64), so a step
trains 128 samples; the "strong" row splits one batch of 64 into two of 32.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SOURCES = HERE.parent / "src"
WORKLOADS = ("lenet_train", "mnist_cnn_train")
# (label, processes, threads, per-rank batch (None: the workload's), DDP options)
CONFIGURATIONS = (
    ("1 process x 1 thread", 1, 1, None, {}),
    ("1 process x 2 threads", 1, 2, None, {}),
    ("2 processes x 1 thread", 2, 1, None, {}),
    ("2 processes x 1 thread, no overlap", 2, 1, None, {"overlap": False}),
    ("2 processes x 1 thread, 1 MB buckets", 2, 1, None, {"bucket_cap_mb": 1}),
    ("2 processes x 1 thread, strong (2 x 32)", 2, 1, 32, {}),
)
ALLREDUCE_BYTES = tuple(1024 * 4**i for i in range(9))  # 1 KB .. 64 MB


def mpiexec() -> str:
    """mpiexec beside this Python (the `mpich` package), else the first on PATH."""
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else "mpiexec"


def load_average() -> float:
    """The 1-minute load average."""
    return round(os.getloadavg()[0], 2)


def _model(workload: str, nn, seed: int):
    """The workload's model and (batch size, learning rate, momentum)."""
    from workloads import load

    module = load(workload)
    build = module.lenet_with_weights if workload == "lenet_train" else module.cnn_with_weights
    return build(nn, seed), (module.BATCH_SIZE, module.LEARNING_RATE, module.MOMENTUM)


# ----- the worker: one configuration, one process of it -----
def train_worker(workload: str, batch: int | None, steps: int, options: dict) -> None:
    """Time training steps of `workload` (under DDP when launched by mpiexec); rank 0 prints a
    JSON line with the seconds per step."""
    sys.path[:0] = [str(SOURCES), str(HERE)]
    from workload_kit import minibatch_stream

    import wright
    import wright.distributed as dist
    from wright import nn, optim

    distributed = dist.launched_world_size() > 1
    if distributed:
        dist.init_process_group("mpi")
    rank = dist.get_rank() if distributed else 0
    model, (batch_size, lr, momentum) = _model(workload, nn, seed=0)
    batch = batch or batch_size
    if distributed:
        model = nn.parallel.DistributedDataParallel(model, **options)
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    loss_fn = nn.CrossEntropyLoss()
    batches = minibatch_stream(rank, batch)

    def step() -> None:
        images, labels = next(batches)
        optimizer.zero_grad()
        loss_fn(model(wright.as_tensor(images)), wright.as_tensor(labels)).backward()
        optimizer.step()

    for _ in range(max(3, steps // 10)):
        step()
    chunks, cpu = [], []
    for _ in range(5):
        if distributed:
            dist.barrier()
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(steps // 5):
            step()
        chunks.append((time.perf_counter() - started) / (steps // 5))
        cpu.append((time.process_time() - cpu_started) / (steps // 5))
    if rank == 0:
        world = dist.get_world_size() if distributed else 1
        result = {
            "seconds_per_step": statistics.median(chunks),
            # CPU time: what a step costs an idle core, whatever else the machine is running.
            "cpu_seconds_per_step": statistics.median(cpu),
            "samples": batch * world,
        }
        print(json.dumps(result))


def allreduce_worker(repeats_seconds: float) -> None:
    """Time wright's all_reduce (and mpi4py's bare Allreduce) of float32 arrays of 1 KB .. 64 MB;
    rank 0 prints one JSON line per size."""
    sys.path[:0] = [str(SOURCES)]
    import wright.distributed as dist
    from wright.distributed.collectives import allreduce_array

    dist.init_process_group("mpi")
    group = dist.group.default_group()
    MPI = group.MPI
    world = group.size()
    for size in ALLREDUCE_BYTES:
        array = np.ones(size // 4, dtype=np.float32)
        timings = {}
        for name, call in (
            ("wright", lambda a=array: allreduce_array(a)),
            ("mpi4py", lambda a=array: group.comm.Allreduce(MPI.IN_PLACE, a, MPI.SUM)),
        ):
            for _ in range(3):
                call()
            group.comm.Barrier()
            started = time.perf_counter()
            call()
            once = max(time.perf_counter() - started, 1e-6)
            # The same repeat count on every rank (rank 0's estimate), or the collectives would
            # not pair up.
            repeats = group.comm.bcast(int(np.clip(repeats_seconds / once / 5, 3, 2000)), 0)
            medians = []
            for _ in range(5):
                group.comm.Barrier()
                started = time.perf_counter()
                for _ in range(repeats):
                    call()
                medians.append((time.perf_counter() - started) / repeats)
            timings[name] = statistics.median(medians)
        if group.rank() == 0:
            seconds = timings["wright"]
            algorithm = size / seconds / 1e9
            print(
                json.dumps(
                    {
                        "bytes": size,
                        "seconds": seconds,
                        "mpi4py_seconds": timings["mpi4py"],
                        "algorithm_GBps": algorithm,
                        # What a ring all-reduce moves per rank: 2 (K - 1) / K of the message.
                        "bus_GBps": algorithm * 2 * (world - 1) / world,
                    }
                ),
                flush=True,
            )


# ----- the driver -----
def _launch(processes: int, threads: int, arguments: list[str], timeout: float) -> list[dict]:
    environment = {
        **os.environ,
        "OMP_NUM_THREADS": str(threads),
        "OPENBLAS_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
    }
    command = [sys.executable, __file__, *arguments]
    if processes > 1:
        command = [mpiexec(), "-n", str(processes), *command]
    done = subprocess.run(
        command, capture_output=True, text=True, env=environment, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def scaling(passes: int, steps: int) -> list[dict]:
    """Every workload in every configuration, `passes` alternating passes; one record per run."""
    runs = []
    for number in range(passes):
        order = CONFIGURATIONS if number % 2 == 0 else CONFIGURATIONS[::-1]
        for workload in WORKLOADS:
            for label, processes, threads, batch, options in order:
                before = load_average()
                arguments = ["train-worker", workload, "--steps", str(steps)]
                arguments += ["--options", json.dumps(options)]
                if batch:
                    arguments += ["--batch", str(batch)]
                (result,) = _launch(processes, threads, arguments, timeout=900)
                record = {
                    "workload": workload,
                    "configuration": label,
                    "pass": number,
                    "samples_per_s": result["samples"] / result["seconds_per_step"],
                    **result,
                    "load_before": before,
                    "load_after": load_average(),
                }
                runs.append(record)
                print(
                    f"pass {number}  {workload:<16} {label:<42} "
                    f"{record['samples_per_s']:8.1f} samples/s  load {before} -> "
                    f"{record['load_after']}",
                    file=sys.stderr,
                    flush=True,
                )
    return runs


def scaling_table(runs: list[dict]) -> str:
    """Median samples/s per workload and configuration, the speed-up over 1 process x 1 thread,
    the samples trained per second of CPU time (all processes' and threads'), and the loads seen,
    as a Markdown table."""
    header = (
        "| workload | configuration | samples/s (median, min-max) | vs 1x1 | samples per CPU-s |"
    )
    lines = [header + " load (min-max) |", "|---|---|---|---|---|---|"]
    for workload in WORKLOADS:
        medians = {}
        for label, processes, *_ in CONFIGURATIONS:
            found = [r for r in runs if r["workload"] == workload and r["configuration"] == label]
            if not found:
                continue
            rates = [r["samples_per_s"] for r in found]
            loads = [r[key] for r in found for key in ("load_before", "load_after")]
            # Rank 0's CPU time stands for every rank's: they run the same steps in lock-step.
            per_cpu = [
                r["samples"] / (r["cpu_seconds_per_step"] * processes)
                for r in found
                if "cpu_seconds_per_step" in r
            ]
            medians[label] = statistics.median(rates)
            base = medians.get(CONFIGURATIONS[0][0])
            ratio = f"{medians[label] / base:.2f}x" if base else "-"
            cpu = f"{statistics.median(per_cpu):.1f}" if per_cpu else "-"
            lines.append(
                f"| {workload} | {label} | {medians[label]:.1f} ({min(rates):.1f}-"
                f"{max(rates):.1f}) | {ratio} | {cpu} | {min(loads):.1f}-{max(loads):.1f} |"
            )
    return "\n".join(lines)


def allreduce(seconds: float) -> list[dict]:
    """All-reduce timings on 2 processes, with the load before and after."""
    before = load_average()
    results = _launch(2, 1, ["allreduce-worker", "--seconds", str(seconds)], timeout=900)
    after = load_average()
    for result in results:
        result.update(load_before=before, load_after=after)
    return results


def allreduce_table(results: list[dict]) -> str:
    """All-reduce latency and bandwidth as a Markdown table."""
    lines = [
        "| message | wright all_reduce | bare mpi4py | algorithm bandwidth | bus bandwidth |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        size = r["bytes"]
        name = f"{size // 2**20} MB" if size >= 2**20 else f"{size // 1024} KB"
        lines.append(
            f"| {name} | {r['seconds'] * 1e6:,.1f} us | {r['mpi4py_seconds'] * 1e6:,.1f} us | "
            f"{r['algorithm_GBps']:.2f} GB/s | {r['bus_GBps']:.2f} GB/s |"
        )
    if results:
        lines.append(
            f"\nload average {results[0]['load_before']} before, {results[0]['load_after']} after"
        )
    return "\n".join(lines)


# ----- projection to many machines -----
# Networks for the projection: bandwidth in bytes/s and the latency of one message between two
# machines through MPI (typical figures: TCP over 10 Gb/s Ethernet; RDMA over 100 Gb/s
# InfiniBand or RoCE).
NETWORKS = {"10 Gb/s": (10e9 / 8, 25e-6), "100 Gb/s": (100e9 / 8, 3e-6)}
MACHINES = (8, 64, 512)


def gradient_bytes(workload: str) -> int:
    """Bytes of float32 gradient one step of `workload` all-reduces."""
    sys.path[:0] = [str(SOURCES), str(HERE)]
    from wright import nn

    model, _ = _model(workload, nn, seed=0)
    return 4 * sum(p.array.size for p in model.parameters())


def ring_seconds(size: int, machines: int, bandwidth: float, latency: float, overhead: float):
    """One ring all-reduce of `size` bytes: 2 (K - 1) steps, each a message of size / K, moving
    2 (K - 1) / K of the bytes through every machine's link, plus a fixed software cost."""
    steps = 2 * (machines - 1)
    return steps * latency + steps / machines * size / bandwidth + overhead


def projection(runs: list[dict], reductions: list[dict]) -> list[dict]:
    """Scaling efficiency, compute / (compute + all-reduce), for 8, 64 and 512 machines of one
    process each, with the measured CPU time per step of 1 process x 1 thread (what the step
    takes on an idle core) and the measured fixed cost of one wright all_reduce (its 1 KB time on
    this machine), the all-reduce not overlapped."""
    overhead = min(r["seconds"] for r in reductions)
    rows = []
    for workload in WORKLOADS:
        steps = [
            r.get("cpu_seconds_per_step", r["seconds_per_step"])
            for r in runs
            if r["workload"] == workload and r["configuration"] == CONFIGURATIONS[0][0]
        ]
        if not steps:
            continue
        compute = statistics.median(steps)
        size = gradient_bytes(workload)
        for network, (bandwidth, latency) in NETWORKS.items():
            for machines in MACHINES:
                communicate = ring_seconds(size, machines, bandwidth, latency, overhead)
                rows.append(
                    {
                        "workload": workload,
                        "gradient_MB": size / 1e6,
                        "compute_ms": compute * 1e3,
                        "network": network,
                        "machines": machines,
                        "allreduce_ms": communicate * 1e3,
                        "efficiency": compute / (compute + communicate),
                    }
                )
    return rows


def projection_table(rows: list[dict]) -> str:
    """The projection as a Markdown table."""
    lines = [
        "| workload (gradient) | network | machines | all-reduce per step | efficiency |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['workload']} ({r['gradient_MB']:.2f} MB, step {r['compute_ms']:.0f} ms) | "
            f"{r['network']} | {r['machines']} | {r['allreduce_ms']:.2f} ms | "
            f"{100 * r['efficiency']:.0f}% |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")
    for name in ("scaling", "allreduce", "all", "project"):
        command = commands.add_parser(name)
        command.add_argument("--passes", type=int, default=3)
        command.add_argument("--steps", type=int, default=30, help="timed steps per run")
        command.add_argument("--seconds", type=float, default=0.3, help="per all-reduce size")
        command.add_argument("--json", help="write every run's numbers here (project: read)")
    worker = commands.add_parser("train-worker")
    worker.add_argument("workload", choices=WORKLOADS)
    worker.add_argument("--batch", type=int)
    worker.add_argument("--steps", type=int, default=30)
    worker.add_argument("--options", default="{}")
    reducer = commands.add_parser("allreduce-worker")
    reducer.add_argument("--seconds", type=float, default=0.3)
    args = parser.parse_args()
    command = args.command or "all"
    if command == "train-worker":
        train_worker(args.workload, args.batch, args.steps, json.loads(args.options))
        return
    if command == "allreduce-worker":
        allreduce_worker(args.seconds)
        return
    if command == "project":
        measured = json.loads(Path(args.json).read_text())
        print(scaling_table(measured["scaling"]) + "\n")
        print(allreduce_table(measured["allreduce"]) + "\n")
        print(projection_table(projection(measured["scaling"], measured["allreduce"])))
        return
    passes = getattr(args, "passes", 3)
    report: dict = {"load_at_start": load_average(), "cpus": os.cpu_count()}
    if command in ("scaling", "all"):
        report["scaling"] = scaling(passes, getattr(args, "steps", 30))
        print(scaling_table(report["scaling"]) + "\n")
    if command in ("allreduce", "all"):
        report["allreduce"] = allreduce(getattr(args, "seconds", 0.3))
        print(allreduce_table(report["allreduce"]) + "\n")
    if command == "all":
        report["projection"] = projection(report["scaling"], report["allreduce"])
        print(projection_table(report["projection"]))
    if getattr(args, "json", None):
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
