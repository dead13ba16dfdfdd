"""Pictures for the application demos: segmentations, image crops side by side, captioned scenes,
game frames and learning curves."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from wright.viz.figure import colour_bar, new_figure, pyplot, save_figure


def class_colours(num_classes: int, background: int | None = None) -> np.ndarray:
    """One RGB colour per class (tab10, then tab20's light shades); the background class black."""
    from matplotlib import colormaps

    tab = np.concatenate([colormaps["tab10"].colors, colormaps["tab20"].colors[1::2]])
    colours = np.array(tab[:num_classes], dtype=np.float64)
    if background is not None:
        colours[background] = 0.0
    return colours


def segmentation_examples(
    images: np.ndarray,
    truths: np.ndarray,
    predictions: np.ndarray,
    class_names: Sequence[str],
    title: str = "",
    path: str | os.PathLike | None = None,
):
    """Rows of (input, truth, prediction) with each pixel coloured by its class.

    Args:
        images: (N, H, W) grey inputs in [0, 1].
        truths, predictions: (N, H, W) class indices.
        class_names: names by class; a class called "background" is drawn black.

    Returns:
        the matplotlib figure (closed when saved to `path`).
    """
    background = list(class_names).index("background") if "background" in class_names else None
    colours = class_colours(len(class_names), background)
    figure, axes = new_figure(3, len(images), size=(1.7 * len(images), 5.6))
    for column, (image, truth, predicted) in enumerate(zip(images, truths, predictions)):
        for row, (picture, label) in enumerate(
            [(image, "input"), (colours[truth], "truth"), (colours[predicted], "prediction")]
        ):
            ax = axes[row, column]
            ax.imshow(picture, cmap="gray" if row == 0 else None, vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if column == 0:
                ax.set_ylabel(label)
    handles = [_patch(colours[k], name) for k, name in enumerate(class_names) if k != background]
    figure.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7, frameon=False)
    figure.suptitle(title, fontsize=9)
    figure.tight_layout(rect=(0, 0.05, 1, 1))
    return save_figure(figure, path)


def _patch(colour, label: str):
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, label=label)


def image_crops(
    rows: Sequence[Sequence[np.ndarray]],
    column_titles: Sequence[str],
    row_titles: Sequence[str] = (),
    title: str = "",
    path: str | os.PathLike | None = None,
):
    """Grey images side by side, one row per example (e.g. bicubic, network, original).

    Args:
        rows: per row, the (H, W) images in [0, 1], one per column.
        column_titles: a title above each column.
        row_titles: a label left of each row.

    Returns:
        the matplotlib figure (closed when saved to `path`).
    """
    cols = len(column_titles)
    figure, axes = new_figure(
        len(rows), cols, size=(2.6 * cols + 0.8, 2.7 * len(rows)), layout="constrained"
    )
    axes = np.asarray(axes).reshape(len(rows), cols)
    for r, images in enumerate(rows):
        for c, image in enumerate(images):
            ax = axes[r, c]
            shown = ax.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(column_titles[c], fontsize=9)
            if c == 0 and r < len(row_titles):
                ax.set_ylabel(row_titles[r])
    colour_bar(figure, shown, axes.ravel().tolist(), "brightness")
    figure.suptitle(title, fontsize=9)
    return save_figure(figure, path)


def captioned_images(
    images: np.ndarray,
    captions: Sequence[str],
    truths: Sequence[str] = (),
    title: str = "",
    path: str | os.PathLike | None = None,
    columns: int = 4,
    key: dict[str, Sequence[float]] | None = None,
):
    """Images with the caption written for each; a caption that differs from its truth is drawn in
    red with the truth under it.

    Args:
        images: (N, H, W, 3) RGB in [0, 1].
        captions: the written captions.
        truths: the true captions, if known.
        key: the colours the images use, by name (drawn as a key under the images).

    Returns:
        the matplotlib figure (closed when saved to `path`).
    """
    import textwrap

    rows = -(-len(images) // columns)
    figure, axes = new_figure(rows, columns, size=(3.0 * columns, 4.0 * rows), layout="constrained")
    axes = np.asarray(axes).reshape(-1)
    for k, ax in enumerate(axes):
        ax.axis("off")
        if k >= len(images):
            continue
        ax.imshow(images[k], interpolation="nearest")
        right = k >= len(truths) or captions[k] == truths[k]
        text = textwrap.fill(captions[k], 30)
        if not right:
            text += "\n(truth: " + textwrap.fill(truths[k], 30) + ")"
        ax.set_title(text, fontsize=7, color="black" if right else "tab:red")
    if key:
        handles = [_patch(colour, name) for name, colour in key.items()]
        figure.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8)
    figure.suptitle(title, fontsize=10)
    return save_figure(figure, path)


def game_summary(
    curves: dict[str, tuple[np.ndarray, np.ndarray]],
    lines: dict[str, float],
    frames: Sequence[np.ndarray],
    actions: Sequence[str],
    title: str = "",
    path: str | os.PathLike | None = None,
):
    """Learning curves (episode return against training step, with a running mean and a target
    line per game) above a strip of game frames labelled with the action chosen on each.

    Args:
        curves: per game, (step at which each episode ended, its return).
        lines: per game, a horizontal line to draw (e.g. the solved threshold).
        frames: (H, W) screens in [0, 1], in playing order.
        actions: the action taken on each frame.

    Returns:
        the matplotlib figure (closed when saved to `path`).
    """
    plt = pyplot()
    games = list(curves)
    # Wide enough for every frame of the strip to be legible, laid out without overlaps.
    figure = plt.figure(
        figsize=(max(4.6 * len(games), 0.75 * len(frames)), 6.0), layout="constrained"
    )
    grid = figure.add_gridspec(2, max(len(frames), 1), height_ratios=(3, 1))
    per_plot = max(len(frames), 1) // len(games)
    for g, game in enumerate(games):
        ax = figure.add_subplot(grid[0, g * per_plot : (g + 1) * per_plot])
        ends, returns = curves[game]
        ax.plot(ends, returns, ".", markersize=1.5, alpha=0.3, color="tab:blue")
        window = max(len(returns) // 50, 1)
        if len(returns) >= window:
            smooth = np.convolve(returns, np.ones(window) / window, mode="valid")
            ax.plot(ends[window - 1 :], smooth, color="tab:blue", label=f"mean of {window}")
        if game in lines:
            ax.axhline(lines[game], color="tab:red", linestyle="--", linewidth=1, label="target")
        ax.set_xlabel("training step")
        ax.set_ylabel("episode return (exploring)")
        ax.set_title(game, fontsize=9)
        # Under the x label: episode returns fill the whole panel, so no corner of it is free.
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    strip = []
    for k, (frame, action) in enumerate(zip(frames, actions)):
        ax = figure.add_subplot(grid[1, k])
        strip.append(ax)
        shown = ax.imshow(frame, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(action, fontsize=7)
    if strip:
        colour_bar(figure, shown, strip, "brightness")
    figure.suptitle(title, fontsize=10)
    return save_figure(figure, path)


def validation_curves(
    curves: dict[str, tuple[Sequence[float], Sequence[float]]],
    xlabel: str,
    line: float | None = None,
    title: str = "",
    path: str | os.PathLike | None = None,
):
    """Validation loss curves of several models on one plot, with an optional target line.

    Args:
        curves: per model, (x values, validation losses).
        xlabel: what x counts (e.g. "characters read in training").
        line: a horizontal target to draw.

    Returns:
        the matplotlib figure (closed when saved to `path`).
    """
    figure, ax = new_figure(size=(6.4, 3.8))
    for name, (x, y) in curves.items():
        ax.plot(x, y, marker="o", markersize=3, label=f"{name}: {y[-1]:.3f}")
    if line is not None:
        ax.axhline(line, color="tab:red", linestyle="--", linewidth=1, label=f"target {line}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("validation loss (nats per character)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    figure.tight_layout()
    return save_figure(figure, path)
