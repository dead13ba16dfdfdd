"""Fit sin(x) + x**2 / 10 on [-pi, pi] with a small tanh network in float64, optimised by L-BFGS
with a strong-Wolfe line search through a closure."""

import argparse
import math

import torch
from torch import nn


def build_model(data=None):
    """A one-hidden-layer tanh network in float64."""
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    return model.double()


def make_data(n=64):
    """Points of the curve on an even grid."""
    x = torch.linspace(-math.pi, math.pi, n, dtype=torch.float64).unsqueeze(1)  # (n, 1)
    y = torch.sin(x) + 0.1 * x.pow(2)
    return x, y


def train(model, data, steps):
    """L-BFGS steps, each several closure evaluations; the loss of each step."""
    x, y = data
    criterion = nn.MSELoss()
    optimizer = torch.optim.LBFGS(
        model.parameters(), lr=1, max_iter=10, history_size=10, line_search_fn="strong_wolfe"
    )
    losses = []
    for i in range(steps):

        def closure():
            """Recompute the loss and its gradients for L-BFGS."""
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            return loss

        loss = optimizer.step(closure)
        print(f"step {i}: loss {loss.item():.3e}")
        losses.append(loss.item())
    return losses


def evaluate(model, data):
    """The largest absolute error on the grid."""
    x, y = data
    with torch.no_grad():
        pred = model(x)
        return [(pred - y).abs().max().item()]


def main():
    """Fit the curve and print the losses."""
    parser = argparse.ArgumentParser(description="L-BFGS regression of a sine")
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(0)
    data = make_data()
    model = build_model()
    print(train(model, data, args.steps))
    print(evaluate(model, data))


if __name__ == "__main__":
    main()
