"""Charts of numbers: named curves (training histories among them) and grouped bars."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from wright.viz.figure import new_figure, save_figure

Series = Sequence[float] | tuple[Sequence[float], Sequence[float]]
# Keys of a training history that are bookkeeping, not measurements.
_NOT_METRICS = ("epoch", "lr", "time", "samples_per_s")


def _xy(values: Series) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(values, tuple) and len(values) == 2 and np.ndim(values[0]) == 1:
        return np.asarray(values[0]), np.asarray(values[1])
    return np.arange(1, len(values) + 1), np.asarray(values)


def _legend_outside(ax) -> None:
    """A legend right of the panel, where it can never cover the data."""
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def curves(
    series: Mapping[str, Series],
    xlabel: str = "epoch",
    ylabel: str = "",
    logy: bool = False,
    marker: str | None = None,
    ax=None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
):
    """Several named curves on one set of axes, e.g. training and test accuracy against the epoch.

    The legend sits right of the axes, clear of the curves; whole-number x values (epochs, steps)
    get whole-number ticks.

    Args:
        series: {label: y values} (x = 1, 2, ...) or {label: (x values, y values)}.
        xlabel: the x axis' label.
        ylabel: the y axis' label.
        logy: a logarithmic y axis (errors that fall by orders of magnitude).
        marker: a marker for every point (e.g. "o"); curves of a single point always get one.
        ax: axes to draw on (to build a figure of several panels); a new figure by default.
        title: title of the axes.
        path: where to save the figure as PNG.

    Returns:
        the matplotlib Figure.
    """
    from matplotlib.ticker import MaxNLocator

    figure, ax = (ax.figure, ax) if ax is not None else new_figure(size=(5.6, 3.4))
    xs = []
    for label, values in series.items():
        x, y = _xy(values)
        xs.append(x)
        ax.plot(x, y, label=label, marker=marker or ("o" if len(x) == 1 else None))
    every_x = np.unique(np.concatenate(xs)) if xs else np.empty(0)
    if every_x.size and np.all(np.mod(every_x, 1) == 0):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if every_x.size == 1:
            # A lone point: one tick at it, not a tiny range of fractions around it.
            ax.set_xlim(every_x[0] - 0.5, every_x[0] + 0.5)
            ax.set_xticks(every_x)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if len(series) > 1 or any(series):
        _legend_outside(ax)
    if title:
        ax.set_title(title, fontsize=10)
    return save_figure(figure, path)


def bars(
    values: Mapping[str, Sequence[float]],
    categories: Sequence[str],
    ylabel: str = "",
    ylim: tuple[float, float] | None = None,
    value_format: str | None = "{:.0%}",
    colors: Sequence[str] | None = None,
    ax=None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
):
    """Grouped bars: one group per category, one bar per named series, each labelled with its value.

    A single series gets no legend (its name is the axis' business); several get a legend right of
    the axes, clear of the bars.

    Args:
        values: {series name: one value per category}.
        categories: the names under the groups.
        ylabel: the y axis' label.
        ylim: the y axis' range; by default from 0 to a little above the tallest bar.
        value_format: format of the number written on each bar; None writes none.
        colors: one colour per bar of a single series (e.g. to set a baseline apart); by default
            one colour per series.
        ax: axes to draw on; a new figure by default.
        title: title of the axes.
        path: where to save the figure as PNG.

    Returns:
        the matplotlib Figure.
    """
    for name, row in values.items():
        if len(row) != len(categories):
            raise ValueError(
                f"bars: series {name!r} has {len(row)} values for {len(categories)} categories"
            )
    figure, ax = (
        (ax.figure, ax) if ax is not None else new_figure(size=(1.2 * len(categories) + 3.0, 3.6))
    )
    positions = np.arange(len(categories))
    width = 0.8 / max(len(values), 1)
    for k, (name, row) in enumerate(values.items()):
        offset = (k - (len(values) - 1) / 2) * width
        colour = {"color": list(colors)} if colors is not None and len(values) == 1 else {}
        drawn = ax.bar(positions + offset, row, width, label=name, **colour)
        if value_format:
            ax.bar_label(drawn, [value_format.format(v) for v in row], fontsize=7, padding=2)
    ax.set_xticks(positions, list(categories), fontsize=8)
    top = max((float(np.max(row)) for row in values.values() if len(row)), default=1.0)
    ax.set_ylim(*(ylim or (0.0, 1.15 * top if top > 0 else 1.0)))
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    if len(values) > 1:
        _legend_outside(ax)
    if title:
        ax.set_title(title, fontsize=10)
    return save_figure(figure, path)


def plot_history(
    history,
    path: str | os.PathLike | None = None,
    title: str | None = None,
    test: Mapping[str, float] | None = None,
):
    """Plot every metric of a training History (or its dict) against the epoch: training and
    validation curves together, one panel per metric.

    Test results, measured once after training, are drawn as a single labelled marker at the last
    epoch (from `test`, or from `test_<metric>` entries of the history). A run of one epoch shows
    its values in the legend and an axis that starts at zero, rather than a tiny range around a
    single point.

    Args:
        history: a `wright.train.History`, or its dict of per-epoch lists.
        path: where to save the figure as PNG.
        title: the figure's title (default "training history").
        test: {metric: value} measured on the test split after training.

    Returns:
        the matplotlib Figure.
    """
    records = history.history if hasattr(history, "history") else dict(history)
    names = [
        k
        for k in records
        if not k.startswith(("val_", "test_")) and k not in _NOT_METRICS and len(records[k])
    ]
    tests = {k[len("test_") :]: v for k, v in records.items() if k.startswith("test_")}
    tests = {k: float(np.ravel(v)[-1]) for k, v in tests.items() if np.size(v)}
    tests.update(test or {})
    figure, axes = new_figure(1, len(names) or 1, size=(5.2 * max(len(names), 1), 3.4))
    axes = np.ravel(axes)
    for ax, name in zip(axes, names):
        epochs = len(records[name])
        series = {"training": records[name]}
        if records.get(f"val_{name}"):
            series["validation"] = records[f"val_{name}"]
        if name in tests:
            series["test (after training)"] = ([epochs], [tests[name]])
        if epochs == 1:
            # One point per curve: its value goes into the legend, the axis starts at zero.
            series = {
                f"{label} {values[-1][-1] if isinstance(values, tuple) else values[-1]:.4g}": values
                for label, values in series.items()
            }
        curves(
            series,
            xlabel="epoch",
            ylabel=name,
            marker="o" if epochs < 30 else None,
            ax=ax,
            title=name,
        )
        if name in tests:
            ax.lines[-1].set(marker="*", markersize=12, color="black")
            _legend_outside(ax)
        if epochs == 1:
            high = max(float(np.max(line.get_ydata())) for line in ax.lines)
            ax.set_ylim(0.0, 1.0 if "accuracy" in name and high <= 1 else 1.25 * high or 1.0)
    figure.suptitle(title or "training history")
    figure.tight_layout()
    return save_figure(figure, path)
