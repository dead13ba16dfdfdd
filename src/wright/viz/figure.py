"""The one place that imports matplotlib: figure creation without a display, and saving PNGs."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path


def matplotlib_available() -> bool:
    """Whether matplotlib is installed (pictures are skipped, with a note, when it is not)."""
    return importlib.util.find_spec("matplotlib") is not None


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend; a clear error when matplotlib is missing."""
    if not matplotlib_available():
        raise ImportError(
            "wright.viz needs matplotlib: pip install 'wright[viz]' (or pip install matplotlib)"
        )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def new_figure(rows: int = 1, cols: int = 1, size: tuple[float, float] | None = None, **kwargs):
    """A new (figure, axes) pair; `size` defaults to 4 x 3.2 inches per panel."""
    plt = pyplot()
    size = size or (4.0 * cols, 3.2 * rows)
    return plt.subplots(rows, cols, figsize=size, squeeze=rows * cols == 1, **kwargs)


def colour_bar(figure, image, axes, label: str | None = None):
    """A colour bar for `image` beside `axes` (one panel, or several sharing the colour scale),
    labelled with what the colours mean; returns the matplotlib Colorbar."""
    bar = figure.colorbar(image, ax=axes, shrink=0.9, fraction=0.05, pad=0.03)
    bar.ax.tick_params(labelsize=7)
    if label:
        bar.set_label(label, fontsize=8)
    return bar


def save_figure(figure, path: str | os.PathLike | None, dpi: int = 110):
    """Write the figure as PNG (creating the folder) when a path is given, close it, and return
    it."""
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=dpi, bbox_inches="tight")
        pyplot().close(figure)
    return figure
