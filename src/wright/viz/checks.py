"""Automatic checks of a drawn figure: a title, no text over other text, a colour scale or key for
every image, and legends clear of the data they describe."""

from __future__ import annotations

import itertools

import numpy as np

# Two texts whose boxes share less than this many pixels each way only touch at an edge.
_OVERLAP_PIXELS = 1.5


def _content_axes(figure) -> list:
    """The panels that show something: visible axes that are not colour bars."""
    return [
        ax
        for ax in figure.axes
        if ax.get_visible()
        and getattr(ax, "_colorbar", None) is None
        and (ax.axison or ax.images or ax.collections or ax.lines or ax.patches or ax.texts)
    ]


def _panel_name(figure, ax) -> str:
    title = ax.get_title() or (ax.get_ylabel() or "").replace("\n", " ")
    return f"panel {figure.axes.index(ax)}" + (f" ({title!r})" if title else "")


def _shown_tick_labels(axis) -> list:
    """The tick labels an axis draws: those of ticks inside its view (the rest are kept, unseen)."""
    low, high = sorted(axis.get_view_interval())
    slack = 1e-9 * max(abs(low), abs(high), 1.0)
    return [
        label
        for tick in axis.get_major_ticks()
        if low - slack <= tick.get_loc() <= high + slack
        for label in (tick.label1, tick.label2)
    ]


def _texts(figure) -> list:
    """Every visible, non-empty text artist of the figure, its axes, legends and colour bars."""
    texts = list(figure.texts)
    for legend in figure.legends:
        texts += [*legend.get_texts(), legend.get_title()]
    for ax in figure.axes:
        if not ax.get_visible():
            continue
        texts += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        axes_of_ax = [ax.xaxis, ax.yaxis] + ([ax.zaxis] if hasattr(ax, "zaxis") else [])
        if ax.axison:
            for axis in axes_of_ax:
                texts += [axis.label, *_shown_tick_labels(axis)]
        legend = ax.get_legend()
        if legend is not None:
            texts += [*legend.get_texts(), legend.get_title()]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _overlap(a, b) -> bool:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > _OVERLAP_PIXELS and height > _OVERLAP_PIXELS


def _same_scale(image, mappable) -> bool:
    return mappable is image or (
        mappable.get_cmap().name == image.get_cmap().name
        and np.isclose(mappable.norm.vmin, image.norm.vmin)
        and np.isclose(mappable.norm.vmax, image.norm.vmax)
    )


def _data_boxes(ax) -> list:
    """Display-space boxes of an axes' bars and data points (lines and scatter points)."""
    from matplotlib.transforms import Bbox

    boxes = [patch.get_window_extent() for c in ax.containers for patch in c.patches]
    boxes = [b for b in boxes if b.width > 0 and b.height > 0]
    points = []
    for line in ax.lines:
        if line.get_visible() and line.get_transform() == ax.transData:
            points.append(ax.transData.transform(np.asarray(line.get_xydata(), dtype=float)))
    for collection in ax.collections:
        offsets = np.asarray(collection.get_offsets(), dtype=float)
        if offsets.size and collection.get_offset_transform() == ax.transData:
            points.append(ax.transData.transform(offsets))
    for xy in points:
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        boxes += [Bbox.from_extents(x - 1, y - 1, x + 1, y + 1) for x, y in xy]
    return boxes


def figure_problems(figure) -> list[str]:
    """What is wrong with a figure, as sentences (an empty list when nothing is).

    The figure is drawn first, so every size and position is final. Checked:

    - a title: a figure title (suptitle), or a title on every panel;
    - no text overlaps another (titles, labels, tick labels, legends, annotations);
    - every image panel (imshow, pcolormesh) has a colour bar with its colour scale, or a legend
      (a key) for pictures whose colours are categories;
    - no legend inside a panel covers that panel's bars or data points.

    Args:
        figure: a matplotlib Figure.

    Returns:
        one sentence per problem found.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import QuadMesh

    # A figure closed after saving keeps only a bare canvas; drawing needs a real one.
    canvas = figure.canvas if hasattr(figure.canvas, "get_renderer") else FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    problems = []
    panels = _content_axes(figure)
    suptitle = figure._suptitle is not None and figure._suptitle.get_text().strip()
    untitled = [ax for ax in panels if not ax.get_title().strip()]
    if not suptitle and (untitled or not panels):
        names = ", ".join(_panel_name(figure, ax) for ax in untitled) or "the figure"
        problems.append(f"no title: give the figure a suptitle or a title to {names}")

    texts = _texts(figure)
    boxes = [t.get_window_extent(renderer) for t in texts]
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        if _overlap(a, b):
            problems.append(f"text {texts[i].get_text()!r} overlaps text {texts[j].get_text()!r}")

    scales = [
        ax._colorbar.mappable for ax in figure.axes if getattr(ax, "_colorbar", None) is not None
    ]
    has_figure_key = bool(figure.legends)
    for ax in panels:
        images = list(ax.images) + [c for c in ax.collections if isinstance(c, QuadMesh)]
        for image in images:
            keyed = has_figure_key or ax.get_legend() is not None
            rgb = np.ndim(image.get_array()) == 3
            if keyed or (not rgb and any(_same_scale(image, m) for m in scales)):
                continue
            problems.append(
                f"{_panel_name(figure, ax)} shows an image without a colour bar or a key"
            )

    for ax in panels:
        legend = ax.get_legend()
        if legend is None or not legend.get_visible() or hasattr(ax, "zaxis"):
            continue
        frame = legend.get_window_extent(renderer)
        if any(_overlap(frame, box) for box in _data_boxes(ax)):
            problems.append(f"the legend of {_panel_name(figure, ax)} covers its data")
    return problems
