"""What a CNN sees: the X/O network's feature maps layer by layer for the lecture's X, and the
inputs that excite its units most, found by gradient ascent on the input."""

from __future__ import annotations

import os

import numpy as np

from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.datasets.xo import CLASSES, LECTURE_X
from wright.demos._common import picture_path
from wright.demos.xo import LECTURE_O, train_small_cnn
from wright.interpret import maximize_activation, record_activations
from wright.viz.inside import feature_maps, preferred_inputs

NAME = "features"
SUMMARY = (
    "the X/O CNN's feature maps layer by layer, and the inputs its units like best "
    "(gradient ascent)"
)

BOUNDS = (-1.0, 1.0)  # pixels: +1 light, -1 dark
FEATURE_LAYER = 1  # the ReLU after the convolution: one map per learned feature
OUTPUT_L2 = 0.5  # the cost on pixel values when looking for an output unit's favourite input


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two images (1: the same pattern, -1: its negative)."""
    a, b = a.ravel(), b.ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Train the X/O CNN, look at its layers for the lecture's X, and find its units' favourite
    inputs."""
    model, measured = train_small_cnn(seed, quick)
    model.eval()
    print(
        f"X/O CNN trained from random weights: {100 * measured['test_accuracy']:.1f}% right on "
        f"{measured['test_images']} held-out images"
    )
    x = LECTURE_X[None, None]  # (1, 1, 9, 9)
    with no_grad():
        layers = record_activations(model, x)
    print("the lecture's X going through, layer by layer:")
    for (name, output), module in zip(layers.items(), model):
        print(
            f"  {name}: {module.summary_line():<12} -> {tuple(output.shape)!s:<14} "
            f"largest value {float(output.array.max()):.2f}"
        )
    scores = next(reversed(layers.values()))
    x_probability = float(scores.softmax(axis=1).array[0, 0])
    print(f"  softmax: X {x_probability:.3f}, O {1 - x_probability:.3f}")

    steps = 100 if quick else 300
    # The output units add up pooled features from everywhere, so without a cost on pixels every
    # pixel is pushed to an extreme and the favourite looks like noise; the L2 cost lets pixels
    # the vote does not need fade back to grey.
    best_for_class = maximize_activation(
        model, [0, 1], (1, 9, 9), steps=steps, lr=0.05, bounds=BOUNDS, l2=OUTPUT_L2, seed=seed
    ).array
    kernels = model[0].weight.array[:, 0]  # (features, 3, 3)
    centre = layers[str(FEATURE_LAYER)].shape[-1] // 2
    best_for_feature = maximize_activation(
        model,
        [(k, centre, centre) for k in range(len(kernels))],
        (1, 9, 9),
        steps=steps,
        lr=0.05,
        layer=FEATURE_LAYER,
        bounds=BOUNDS,
        seed=seed,
    ).array
    # The neuron at the centre of a feature map sees the 3x3 patch of pixels under it.
    patches = best_for_feature[:, 0, centre : centre + 3, centre : centre + 3]
    kernel_match = [cosine(patch, kernel) for patch, kernel in zip(patches, kernels)]
    print(
        "inputs that excite the neuron at the centre of each feature map most: the 3x3 patch it "
        "sees copies the sign of its learned feature (cosine "
        + ", ".join(f"{c:.2f}" for c in kernel_match)
        + ")"
    )
    with no_grad():
        confidence = model(as_tensor(best_for_class)).softmax(axis=1).array[[0, 1], [0, 1]]
    similarity = {
        f"{CLASSES[k]}_unit_vs_{CLASSES[t]}": cosine(best_for_class[k], template)
        for k in range(2)
        for t, template in enumerate((LECTURE_X, LECTURE_O))
    }
    print(
        "inputs that excite each output unit most (gradient ascent on the input, "
        "pixels kept in [-1, 1]):"
    )
    for k, name in enumerate(CLASSES):
        print(
            f"  unit {name}: the network says {name} with probability {confidence[k]:.3f}; cosine "
            f"similarity with the lecture's X {similarity[f'{name}_unit_vs_X']:+.2f}, with its O "
            f"{similarity[f'{name}_unit_vs_O']:+.2f}"
        )

    if path := picture_path(out_dir, "features.png"):
        feature_maps(
            model,
            x,
            output_labels=[f"{name} score" for name in CLASSES],
            title="the lecture's X through the X/O CNN, layer by layer",
            path=path,
        )
    if path := picture_path(out_dir, "features_preferred.png"):
        titles = [f"output {name}" for name in CLASSES] + [
            f"feature {i}, centre" for i in range(len(kernels))
        ]
        preferred_inputs(
            np.concatenate([best_for_class, best_for_feature]),
            titles,
            value_range=BOUNDS,
            value_label="pixel (+1 light)",
            title="inputs the units like best (outputs: with a cost on extreme pixels, "
            f"{OUTPUT_L2:g} x L2)",
            path=path,
        )
    return {
        "test_accuracy": measured["test_accuracy"],
        "lecture_x_probability": x_probability,
        "x_unit_confidence": float(confidence[0]),
        "o_unit_confidence": float(confidence[1]),
        **{f"cosine_{key}": value for key, value in similarity.items()},
        "feature_kernel_match": min(kernel_match),
    }
