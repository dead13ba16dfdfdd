"""Inside the lectures' 784-16-16-10 MNIST network: first-layer weights as images, confident answers
to pure noise, and a network memorising shuffled labels."""

from __future__ import annotations

import os

import numpy as np

import wright
from wright import nn, optim
from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.data import DataLoader, TensorDataset
from wright.demos._common import picture_path
from wright.demos._mnist import mnist, trained_classifier
from wright.models.mlp import mlp
from wright.train import fit
from wright.viz.charts import curves
from wright.viz.figure import colour_bar, new_figure, save_figure
from wright.viz.network import weights_as_images

NAME = "mnist-inside"
SUMMARY = (
    "784-16-16-10 on MNIST: first-layer weights as images, confident answers to noise, "
    "shuffled labels"
)


def _outputs(net: nn.Module, images: np.ndarray) -> np.ndarray:
    with no_grad():
        return net(as_tensor(images)).array


def noise_answers(net: nn.Module, count: int, seed: int) -> dict:
    """Show the network images of uniform random noise and measure how sure its answers are.

    Returns:
        the noise images, the outputs, and the index of the one answered most confidently.
    """
    noise = np.random.default_rng(seed).random((count, 1, 28, 28), dtype=np.float32)
    outputs = _outputs(net, noise)
    return {
        "images": noise,
        "outputs": outputs,
        "most_confident": int(outputs.max(axis=1).argmax()),
    }


def shuffled_labels(train_count: int, epochs: int, seed: int) -> dict[str, dict[str, list]]:
    """Train the same network on MNIST twice: with the true labels, and with the labels randomly
    permuted.

    A 784-64-64-10 ReLU network (Adam) is used: big enough to memorise a few hundred random labels
    quickly.

    Returns:
        {"true labels": history, "shuffled labels": history}, each with per-epoch "accuracy"
        (training) and "val_accuracy" (test, true labels).
    """
    images, labels = mnist("train", train_count)
    test_images, test_labels = mnist("test", 2000)
    permuted = np.random.default_rng(seed).permutation(labels)
    histories = {}
    for name, targets in (("true labels", labels), ("shuffled labels", permuted)):
        wright.manual_seed(seed)
        net = mlp((784, 64, 64, 10), "relu")
        loader = DataLoader(TensorDataset(images, targets), batch_size=50, shuffle=True, seed=seed)
        history = fit(
            net,
            nn.CrossEntropyLoss(),
            optim.Adam(net.parameters(), lr=3e-3),
            loader,
            epochs=epochs,
            val_loader=DataLoader(TensorDataset(test_images, test_labels), batch_size=1000),
            verbose=0,
        )
        histories[name] = history.history
    return histories


def _first_epoch_reaching(values: list[float], level: float) -> int:
    reached = np.flatnonzero(np.asarray(values) >= level)
    return int(reached[0]) + 1 if reached.size else -1


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Look inside the trained lecture network and run the shuffled-labels experiment."""
    net, accuracy, origin = trained_classifier("mlp-lecture", quick, seed)
    print(
        f"784-16-16-10 sigmoid network ({origin}): {100 * accuracy:.1f}% of the test digits right"
    )

    test_images, test_labels = mnist("test", 1000)
    digit_confidence = float(np.median(_outputs(net, test_images).max(axis=1)))
    noise = noise_answers(net, 200 if quick else 1000, seed)
    top = noise["outputs"].max(axis=1)
    best = noise["most_confident"]
    answer = int(noise["outputs"][best].argmax())
    runner_up = float(np.sort(noise["outputs"][best])[-2])
    print(
        f"uniform random noise, {len(top)} images: the most confident answer is '{answer}' with "
        f"output {top[best]:.3f} (next best {runner_up:.3f}); median top output "
        f"{np.median(top):.3f} on noise vs {digit_confidence:.3f} on real digits"
    )

    train_count, epochs = (300, 15) if quick else (1000, 40)
    histories = shuffled_labels(train_count, epochs, seed)
    for name, history in histories.items():
        print(
            f"{name:>15}: training accuracy {100 * history['accuracy'][-1]:.1f}% after {epochs} "
            f"epochs (90% reached at epoch {_first_epoch_reaching(history['accuracy'], 0.9)}), "
            f"test accuracy {100 * history['val_accuracy'][-1]:.1f}%"
        )

    _draw(out_dir, net, noise, test_images, test_labels, histories)
    true, shuffled = histories["true labels"], histories["shuffled labels"]
    return {
        "test_accuracy": accuracy,
        "noise_top_output": float(top[best]),
        "noise_answer": answer,
        "noise_runner_up_output": runner_up,
        "noise_median_top_output": float(np.median(top)),
        "digits_median_top_output": digit_confidence,
        "true_train_accuracy": true["accuracy"][-1],
        "true_test_accuracy": true["val_accuracy"][-1],
        "shuffled_train_accuracy": shuffled["accuracy"][-1],
        "shuffled_test_accuracy": shuffled["val_accuracy"][-1],
        "true_epochs_to_90": _first_epoch_reaching(true["accuracy"], 0.9),
        "shuffled_epochs_to_90": _first_epoch_reaching(shuffled["accuracy"], 0.9),
    }


def _draw(out_dir, net, noise, test_images, test_labels, histories) -> None:
    path = picture_path(out_dir, "mnist-inside.png")
    if path is None:
        return
    weights_as_images(
        net,
        cols=8,
        title="first-layer weights of the 784-16-16-10 network, as 28x28 images",
        path=path,
    )
    figure, axes = new_figure(2, 2, size=(7.5, 5.2), layout="constrained")
    digit = test_images[:1]
    for row, (image, outputs, what) in enumerate(
        (
            (
                noise["images"][noise["most_confident"]],
                noise["outputs"][noise["most_confident"]],
                "noise",
            ),
            (digit[0], _outputs(net, digit)[0], f"a real {test_labels[0]}"),
        )
    ):
        picture = axes[row, 0].imshow(image[0], cmap="gray", vmin=0, vmax=1)
        axes[row, 0].set_xticks([])
        axes[row, 0].set_yticks([])
        axes[row, 0].set_title(what, fontsize=9)
        axes[row, 1].bar(range(10), outputs, color="#4a7ab5")
        axes[row, 1].set_xticks(range(10))
        axes[row, 1].set_ylim(0, 1)
        axes[row, 1].set_title(f"outputs: '{outputs.argmax()}' at {outputs.max():.2f}", fontsize=9)
    colour_bar(figure, picture, axes[:, 0].tolist(), "pixel value")
    figure.suptitle("the network's answers to noise and to a real digit")
    save_figure(figure, picture_path(out_dir, "mnist-inside_noise.png"))
    series = {}
    for name, history in histories.items():
        series[f"{name}: training"] = history["accuracy"]
        series[f"{name}: test"] = history["val_accuracy"]
    curves(
        series,
        xlabel="epoch",
        ylabel="accuracy",
        title="memorising shuffled labels",
        path=picture_path(out_dir, "mnist-inside_shuffled.png"),
    )
