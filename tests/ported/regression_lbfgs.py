"""Fit sin(x) on [-pi, pi] with a small tanh network in float64, optimised by L-BFGS with a
strong-Wolfe line search through a closure."""

import argparse
import math

import torch
from torch import nn


def build_model(data=None):
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    return model.double()


def make_data(n=64):
    x = torch.linspace(-math.pi, math.pi, n, dtype=torch.float64).unsqueeze(1)  # (n, 1)
    y = torch.sin(x) + 0.1 * x.pow(2)
    return x, y


def train(model, data, steps):
    x, y = data
    criterion = nn.MSELoss()
    optimizer = torch.optim.LBFGS(
        model.parameters(), lr=1, max_iter=10, history_size=10, line_search_fn="strong_wolfe"
    )
    losses = []
    for i in range(steps):

        def closure():
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            return loss

        loss = optimizer.step(closure)
        print(f"step {i}: loss {loss.item():.3e}")
        losses.append(loss.item())
    return losses


def evaluate(model, data):
    x, y = data
    with torch.no_grad():
        pred = model(x)
        return [(pred - y).abs().max().item()]


def main():
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
