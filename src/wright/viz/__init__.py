"""Pictures of what networks do and learn, drawn with matplotlib (install the `viz` extra).

matplotlib is imported only when a figure is drawn, so the rest of wright works without it.
"""

from wright.viz.figure import matplotlib_available, new_figure, save_figure
from wright.viz.history import plot_history
from wright.viz.network import draw_network, layer_values, receptive_field_images, receptive_fields, weights_as_images
from wright.viz.plots import decision_regions, function_surface, image_grid, region_labels

__all__ = [
    "matplotlib_available", "new_figure", "save_figure", "plot_history", "draw_network", "layer_values",
    "receptive_fields", "receptive_field_images", "weights_as_images", "function_surface", "decision_regions",
    "region_labels", "image_grid",
]
