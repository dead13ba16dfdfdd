"""Regenerate the README's picture gallery: run every lecture demo and keep one picture per demo.

Each demo runs through the command line (`python -m wright demo NAME --out DIR`) in a folder of its
own; its main picture (NAME.png, else the first PNG it wrote) is copied to OUT/NAME.png, each demo's
wall and CPU (user + system) seconds are printed as it finishes, and the Markdown for the README at
the end. With `--log DIR` every demo's printed output is kept in DIR/NAME.txt.

    python scripts/make_gallery.py                      # every demo at full size into docs/gallery/
    python scripts/make_gallery.py --quick --demos autoencoder features --out preview
    WRIGHT_CACHE=$(mktemp -d) python scripts/make_gallery.py --threads 1 --log logs  # time them
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import wright.demos

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "docs" / "gallery"


def main_picture(folder: Path, name: str) -> Path | None:
    """The picture that stands for a demo: NAME.png (or NAME with underscores), else the first PNG
    by name."""
    for candidate in (folder / f"{name}.png", folder / f"{name.replace('-', '_')}.png"):
        if candidate.is_file():
            return candidate
    pictures = sorted(folder.glob("*.png"))
    return pictures[0] if pictures else None


def children_cpu_seconds() -> float:
    """User + system CPU seconds of every finished child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_demo(
    name: str, folder: Path, seed: int, quick: bool, threads: int | None = None
) -> tuple[int, float, float, str]:
    """Run one demo through the CLI; return its exit code, wall and CPU seconds taken and its
    output."""
    command = [sys.executable, "-m", "wright"]
    if threads is not None:
        command += ["--threads", str(threads)]
    command += ["demo", name, "--out", str(folder), "--seed", str(seed)]
    if quick:
        command.append("--quick")
    started, cpu = time.perf_counter(), children_cpu_seconds()
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - started, children_cpu_seconds() - cpu
    return finished.returncode, wall, cpu, (finished.stdout + finished.stderr).strip()


def make_gallery(
    out: Path,
    names: list[str],
    seed: int = 0,
    quick: bool = False,
    threads: int | None = None,
    log: Path | None = None,
) -> dict[str, Path]:
    """Run the named demos and collect their main pictures into `out` (and their output into
    `log`/NAME.txt when given); returns {demo: picture}."""
    out.mkdir(parents=True, exist_ok=True)
    if log is not None:
        log.mkdir(parents=True, exist_ok=True)
    gallery: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="wright-gallery-") as scratch:
        for name in names:
            folder = Path(scratch) / name
            code, wall, cpu, output = run_demo(name, folder, seed, quick, threads)
            if log is not None:
                (log / f"{name}.txt").write_text(output + "\n")
            seconds = f"{wall:5.1f} s wall, {cpu:5.1f} s CPU"
            picture = main_picture(folder, name) if code == 0 else None
            if picture is None:
                reason = f"exit code {code}" if code else "it wrote no PNG"
                tail = "\n".join(output.splitlines()[-3:])
                print(f"{name:<14} FAILED ({reason}, {seconds})\n{tail}", file=sys.stderr)
                continue
            target = out / f"{name}.png"
            shutil.copyfile(picture, target)
            gallery[name] = target
            print(f"{name:<14} {seconds}  -> {target}", flush=True)
    return gallery


def markdown(gallery: dict[str, Path], relative_to: Path) -> str:
    """The gallery as Markdown image lines, with paths relative to the README's folder."""
    lines = []
    for name, picture in gallery.items():
        try:
            shown = picture.resolve().relative_to(relative_to.resolve())
        except ValueError:
            shown = picture
        lines.append(f"![{name}]({shown.as_posix()})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, build the gallery, print its Markdown; exit code 1 if any demo failed."""
    available = list(wright.demos.available())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"gallery folder (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--demos",
        nargs="+",
        choices=available,
        default=available,
        metavar="NAME",
        help="demos to run (default: all of them)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="the demos' small, fast versions")
    parser.add_argument("--threads", type=int, help="BLAS threads for each demo (wright --threads)")
    parser.add_argument("--log", type=Path, help="keep each demo's output in LOG/NAME.txt")
    args = parser.parse_args(argv)
    gallery = make_gallery(args.out, args.demos, args.seed, args.quick, args.threads, args.log)
    print("\n" + markdown(gallery, DEFAULT_OUT.parent.parent))
    return 0 if len(gallery) == len(args.demos) else 1


if __name__ == "__main__":
    sys.exit(main())
