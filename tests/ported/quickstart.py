"""The PyTorch quickstart's Fashion-MNIST classifier: Flatten, two hidden Linear(512) + ReLU
layers, CrossEntropyLoss, SGD with lr 1e-3, a train loop and a test loop."""

import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

device = (
    "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
)


class NeuralNetwork(nn.Module):
    """Flatten, then a three-layer ReLU network to 10 logits."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


def build_model(data=None):
    """The classifier, on the best device available."""
    return NeuralNetwork().to(device)


def make_data(images, labels, batch_size=64):
    """Like torchvision's ToTensor: (N, 1, 28, 28) floats in [0, 1]."""
    x = images.unsqueeze(1).to(torch.float32) / 255
    train_dataloader = DataLoader(TensorDataset(x, labels), batch_size=batch_size)
    test_dataloader = DataLoader(TensorDataset(x, labels), batch_size=batch_size)
    return train_dataloader, test_dataloader


def train_loop(dataloader, model, loss_fn, optimizer, losses, steps):
    """One pass over the data (or until `steps` losses are collected)."""
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        pred = model(X)
        loss = loss_fn(pred, y)

        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

        losses.append(loss.item())
        if batch % 2 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")
        if len(losses) == steps:
            break


def test_loop(dataloader, model, loss_fn):
    """Average loss and accuracy over the data."""
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100 * correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return [test_loss, correct]


def train(model, data, steps, learning_rate=1e-3):
    """SGD steps over the training loader; the loss of each step."""
    train_dataloader, _ = data
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    losses = []
    while len(losses) < steps:
        train_loop(train_dataloader, model, loss_fn, optimizer, losses, steps)
    return losses


def evaluate(model, data):
    """The test loop's average loss and accuracy."""
    _, test_dataloader = data
    return test_loop(test_dataloader, model, nn.CrossEntropyLoss())


def main():
    """Train on random images and print the losses."""
    parser = argparse.ArgumentParser(description="quickstart classifier on random images")
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(1)
    data = make_data(
        torch.randint(0, 256, (128, 28, 28), dtype=torch.uint8), torch.randint(0, 10, (128,))
    )
    model = build_model()
    print(train(model, data, args.steps))
    print(evaluate(model, data))


if __name__ == "__main__":
    main()
