"""Train the MNIST MLP recipes in PyTorch exactly as `wright train mnist` does, to compare accuracy.

    python benchmarks/accuracy_torch.py --model mlp-lecture --seeds 0 1 2

Same data (the IDX files wright ships; training on the first 55,000 images, as `wright train`
holds out the last 5,000 for validation), same architecture and initialisation scheme (Glorot for
sigmoid layers, He for ReLU, zero biases), same loss, optimizer, learning rate, batch size, epochs
and schedule. Prints the final test accuracy per seed and the mean.
"""

from __future__ import annotations

import argparse
import itertools
import statistics

import numpy as np
import torch

import wright.models
from wright.datasets import MNIST
from wright.train.classifier import VALIDATION_FRACTION


def build(sizes: tuple[int, ...], hidden: str, output: str | None) -> torch.nn.Sequential:
    activations = {"sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU}
    layers: list[torch.nn.Module] = [torch.nn.Flatten()]
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        layer = torch.nn.Linear(fan_in, fan_out)
        act = output if i == len(sizes) - 2 else hidden
        if act == "relu":
            torch.nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
        else:
            torch.nn.init.xavier_uniform_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
        layers.append(layer)
        if act is not None:
            layers.append(activations[act]())
    return torch.nn.Sequential(*layers)


ARCHITECTURES = {
    "mlp-lecture": ((784, 16, 16, 10), "sigmoid", "sigmoid"),
    "mlp-30": ((784, 30, 10), "sigmoid", "sigmoid"),
    "mlp": ((784, 256, 256, 10), "relu", None),
}


def train(name: str, seed: int) -> float:
    spec = wright.models.get(name)
    torch.manual_seed(seed)
    x_train, y_train = (torch.from_numpy(a) for a in MNIST("train").arrays())
    kept = len(x_train) - round(len(x_train) * VALIDATION_FRACTION)
    x_train, y_train = x_train[:kept], y_train[:kept]
    x_test, y_test = (torch.from_numpy(a) for a in MNIST("test").arrays())
    model = build(*ARCHITECTURES[name])
    if spec.optimizer == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=spec.lr)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=spec.lr)
    scheduler = (
        torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, spec.epochs)
        if spec.schedule
        else None
    )
    eye = torch.eye(10)
    rng = np.random.default_rng(seed)
    for _ in range(spec.epochs):
        order = torch.from_numpy(rng.permutation(len(x_train)))
        for start in range(0, len(order), spec.batch_size):
            batch = order[start : start + spec.batch_size]
            out = model(x_train[batch])
            if spec.loss == "quadratic":
                loss = 0.5 * ((out - eye[y_train[batch]]) ** 2).sum() / len(batch)
            else:
                loss = torch.nn.functional.cross_entropy(out, y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if scheduler is not None:
            scheduler.step()
    with torch.no_grad():
        return (model(x_test).argmax(1) == y_test).float().mean().item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(ARCHITECTURES), default="mlp-lecture")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    results = []
    for seed in args.seeds:
        results.append(train(args.model, seed))
        print(f"torch {args.model} seed {seed}: test accuracy {100 * results[-1]:.2f}%", flush=True)
    print(
        f"torch {args.model} mean over {len(results)} seeds: {100 * statistics.mean(results):.2f}%"
    )


if __name__ == "__main__":
    main()
