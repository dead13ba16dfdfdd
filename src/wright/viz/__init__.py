"""Pictures of what networks do and learn, drawn with matplotlib (install the `viz` extra).

matplotlib is imported only when a figure is drawn, so the rest of wright works without it.
"""

from wright.viz.charts import bars, curves, plot_history
from wright.viz.checks import figure_problems
from wright.viz.figure import matplotlib_available, new_figure, save_figure
from wright.viz.inside import adversarial_examples, feature_maps, preferred_inputs
from wright.viz.network import (
    draw_network,
    layer_values,
    receptive_field_images,
    receptive_fields,
    weights_as_images,
)
from wright.viz.plots import decision_regions, function_surface, image_grid, region_labels

__all__ = [
    "adversarial_examples",
    "bars",
    "curves",
    "decision_regions",
    "draw_network",
    "feature_maps",
    "figure_problems",
    "function_surface",
    "image_grid",
    "layer_values",
    "matplotlib_available",
    "new_figure",
    "plot_history",
    "preferred_inputs",
    "receptive_field_images",
    "receptive_fields",
    "region_labels",
    "save_figure",
    "weights_as_images",
]
