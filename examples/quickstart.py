"""The lectures' 784-16-16-10 network on MNIST in a dozen lines: define, train, evaluate."""

import wright
from wright import nn, optim
from wright.data import DataLoader
from wright.datasets import MNIST
from wright.train import evaluate, fit

wright.manual_seed(0)
model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(784, 16),
    nn.Sigmoid(),
    nn.Linear(16, 16),
    nn.Sigmoid(),
    nn.Linear(16, 10),
    nn.Sigmoid(),
)
train = DataLoader(MNIST("train"), batch_size=10, shuffle=True, seed=0)
test = DataLoader(MNIST("test"), batch_size=1000)
fit(
    model,
    nn.QuadraticCost(10),
    optim.SGD(model.parameters(), lr=3.0),
    train,
    epochs=3,
    val_loader=test,
)
print(evaluate(model, nn.QuadraticCost(10), test))
