"""Regenerate the README's picture gallery: run every lecture demo and keep one picture per demo.

Each demo runs through the command line (`python -m wright demo NAME --out DIR`) in a folder of its
own; its main picture (NAME.png, else the first PNG it wrote) is copied to OUT/NAME.png, and the
Markdown for the README is printed at the end.

    python scripts/make_gallery.py                      # every demo at full size into docs/gallery/
    python scripts/make_gallery.py --quick --demos autoencoder features --out preview
"""

from __future__ import annotations

import argparse
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


def run_demo(name: str, folder: Path, seed: int, quick: bool) -> tuple[int, float, str]:
    """Run one demo through the CLI; return its exit code, seconds taken and the tail of its
    output."""
    command = [
        sys.executable,
        "-m",
        "wright",
        "demo",
        name,
        "--out",
        str(folder),
        "--seed",
        str(seed),
    ]
    if quick:
        command.append("--quick")
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    output = (finished.stdout + finished.stderr).strip().splitlines()
    return finished.returncode, time.perf_counter() - started, "\n".join(output[-3:])


def make_gallery(
    out: Path, names: list[str], seed: int = 0, quick: bool = False
) -> dict[str, Path]:
    """Run the named demos and collect their main pictures into `out`; returns {demo: picture}."""
    out.mkdir(parents=True, exist_ok=True)
    gallery: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="wright-gallery-") as scratch:
        for name in names:
            folder = Path(scratch) / name
            code, seconds, tail = run_demo(name, folder, seed, quick)
            picture = main_picture(folder, name) if code == 0 else None
            if picture is None:
                reason = f"exit code {code}" if code else "it wrote no PNG"
                print(f"{name:<14} FAILED ({reason}, {seconds:.1f} s)\n{tail}", file=sys.stderr)
                continue
            target = out / f"{name}.png"
            shutil.copyfile(picture, target)
            gallery[name] = target
            print(f"{name:<14} {seconds:5.1f} s  -> {target}")
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
    args = parser.parse_args(argv)
    gallery = make_gallery(args.out, args.demos, args.seed, args.quick)
    print("\n" + markdown(gallery, DEFAULT_OUT.parent.parent))
    return 0 if len(gallery) == len(args.demos) else 1


if __name__ == "__main__":
    sys.exit(main())
