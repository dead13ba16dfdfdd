"""Where a demo writes its pictures: a folder when one is given and matplotlib is installed, else nothing."""

from __future__ import annotations

import os
from pathlib import Path

from wright.viz.figure import matplotlib_available


def picture_dir(out_dir: str | os.PathLike | None) -> Path | None:
    """The folder to save PNGs into (created), or None when no folder was given or matplotlib is missing."""
    if out_dir is None:
        return None
    if not matplotlib_available():
        print("matplotlib is not installed, so no pictures were drawn (pip install matplotlib)")
        return None
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
