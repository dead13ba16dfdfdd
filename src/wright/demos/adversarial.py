"""Adversarial examples on MNIST: the smallest change per pixel (epsilon) that makes the lectures'
MLP and a CNN misread nine in ten of the test digits they had right, by one gradient sign step
(FGSM) and by many (PGD)."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.demos._common import picture_path
from wright.demos._mnist import mnist, trained_classifier
from wright.interpret import fgsm, pgd
from wright.nn.module import Module
from wright.viz.inside import adversarial_examples

NAME = "adversarial"
SUMMARY = (
    "FGSM and PGD on the MNIST MLP and CNN: the smallest epsilon that flips 90% of correct digits"
)

MODELS = ("mlp-lecture", "cnn")
TARGET = 0.9  # the share of correctly classified digits an attack must flip
EPSILONS = np.round(np.arange(1, 101) * 0.005, 3)  # 0.005 .. 0.5, in pixel values of [0, 1]
PGD_STEPS = 10
# How many test digits to attack (full run, quick run): the CNN costs far more per gradient.
ATTACKED = {"mlp-lecture": (500, 200), "cnn": (200, 60)}

Attack = Callable[[float], np.ndarray]


def predict(model: Module, images: np.ndarray) -> np.ndarray:
    """The class the model picks for each image."""
    with no_grad():
        return model(as_tensor(images)).array.argmax(axis=1)


def smallest_epsilon(attack: Attack, model: Module, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Binary search over EPSILONS for the smallest epsilon whose attack flips at least TARGET of
    the images.

    The search assumes that a larger epsilon never flips fewer images (true in practice for these
    attacks).

    Args:
        attack: epsilon -> attacked images.
        model: the classifier attacked.
        labels: the images' (correctly predicted) classes.

    Returns:
        (epsilon, the attacked images at that epsilon); (nan, images at the largest epsilon) if even
        the largest one falls short.
    """

    def flipped(index: int) -> tuple[bool, np.ndarray]:
        attacked = attack(float(EPSILONS[index]))
        return float(np.mean(predict(model, attacked) != labels)) >= TARGET, attacked

    enough, best = flipped(len(EPSILONS) - 1)
    if not enough:
        return float("nan"), best
    low, high = -1, len(EPSILONS) - 1  # flipped(high) holds, flipped(low) is taken not to
    while high - low > 1:
        middle = (low + high) // 2
        enough, attacked = flipped(middle)
        if enough:
            high, best = middle, attacked
        else:
            low = middle
    return float(EPSILONS[high]), best


def attack_model(name: str, quick: bool, seed: int) -> dict:
    """Train or load `name`, attack the test digits it gets right, and measure both attacks."""
    model, accuracy, origin = trained_classifier(name, quick, seed)
    images, labels = mnist("test", ATTACKED[name][1 if quick else 0])
    correct = predict(model, images) == labels
    images, labels = images[correct], labels[correct]
    print(
        f"{name} ({origin}): {100 * accuracy:.1f}% test accuracy; attacking the {len(labels)} of "
        f"the first {len(correct)} test digits it gets right"
    )
    attacks: dict[str, Attack] = {
        "fgsm": lambda eps: fgsm(model, images, labels, eps).array,
        "pgd": lambda eps: pgd(model, images, labels, eps, step=eps / 4, steps=PGD_STEPS).array,
    }
    result = {"model": model, "test_accuracy": accuracy, "images": images, "labels": labels}
    for attack_name, attack in attacks.items():
        eps, attacked = smallest_epsilon(attack, model, labels)
        new = predict(model, attacked)
        fooled = new != labels
        counts = np.bincount(new[fooled], minlength=10)
        pairs = np.bincount(labels[fooled] * 10 + new[fooled], minlength=100).reshape(10, 10)
        top_pairs = np.argsort(pairs, axis=None)[::-1][:3]
        print(
            f"  {attack_name.upper():4s}: epsilon {eps:.3f} flips {100 * fooled.mean():.0f}% "
            f"(pixels move by at most {eps:.3f} of the 0..1 range); most often to "
            f"'{counts.argmax()}'; commonest flips: "
            + ", ".join(f"{i // 10}->{i % 10} ({pairs.flat[i]})" for i in top_pairs)
        )
        result[attack_name] = {
            "epsilon": eps,
            "flip_rate": float(fooled.mean()),
            "flip_to": int(counts.argmax()),
            "attacked": attacked,
            "new_labels": new,
        }
    return result


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Attack each model with FGSM and PGD; print and return the epsilons found."""
    measured: dict[str, float] = {}
    for name in MODELS:
        result = attack_model(name, quick, seed)
        measured[f"{name}_test_accuracy"] = result["test_accuracy"]
        for attack_name in ("fgsm", "pgd"):
            for key in ("epsilon", "flip_rate", "flip_to"):
                measured[f"{name}_{attack_name}_{key}"] = result[attack_name][key]
        _draw(out_dir, name, result)
    return measured


def _draw(out_dir, name: str, result: dict) -> None:
    path = picture_path(
        out_dir, "adversarial.png" if name == MODELS[0] else f"adversarial_{name}.png"
    )
    if path is None:
        return
    shown = slice(0, 8)
    fgsm_eps, pgd_eps = result["fgsm"]["epsilon"], result["pgd"]["epsilon"]
    adversarial_examples(
        result["images"][shown],
        {
            f"FGSM {fgsm_eps:.3f}": result["fgsm"]["attacked"][shown],
            f"PGD {pgd_eps:.3f}": result["pgd"]["attacked"][shown],
        },
        result["labels"][shown],
        {
            f"FGSM {fgsm_eps:.3f}": result["fgsm"]["new_labels"][shown],
            f"PGD {pgd_eps:.3f}": result["pgd"]["new_labels"][shown],
        },
        path=path,
        title=f"{name}: the smallest change per pixel (epsilon) that flips 90% of digits, "
        "one gradient-sign step (FGSM) or ten (PGD)",
    )
