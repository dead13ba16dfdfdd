"""MNIST digits with the classic PyTorch CNN: two 3x3 convolutions, max pooling, dropout, a
9216-128-10 classifier, log_softmax + nll_loss, Adadelta and a StepLR schedule."""

import argparse

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import Adadelta
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


class Net(nn.Module):
    """Two convolutions, max pooling and two linear layers, with dropout in between."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):  # (N, 1, 28, 28)
        x = F.relu(self.conv1(x))  # (N, 32, 26, 26)
        x = F.relu(self.conv2(x))  # (N, 64, 24, 24)
        x = F.max_pool2d(x, 2)  # (N, 64, 12, 12)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)  # (N, 9216)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        x = self.fc2(x)  # (N, 10)
        return F.log_softmax(x, dim=1)


def build_model(data=None):
    """The convolutional network."""
    return Net()


def make_data(images, labels, batch_size=32):
    """Loaders over uint8 images (N, 28, 28), scaled to [0, 1] and standardised."""
    x = images.float().div(255).unsqueeze(1)
    x = (x - MNIST_MEAN) / MNIST_STD
    dataset = TensorDataset(x, labels.long())
    return DataLoader(dataset, batch_size=batch_size), DataLoader(dataset, batch_size=64)


def train(model, loaders, steps, lr=1.0, gamma=0.7, log_interval=2):
    """Adadelta steps, the learning rate decayed by gamma after every epoch; step losses."""
    train_loader, _ = loaders
    optimizer = Adadelta(model.parameters(), lr=lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=gamma)
    losses = []
    epoch = 1
    while len(losses) < steps:
        model.train()
        for batch_idx, (data, target) in enumerate(train_loader):
            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if batch_idx % log_interval == 0:
                print(f"epoch {epoch} batch {batch_idx} loss {loss.item():.6f}")
            if len(losses) == steps:
                break
        scheduler.step()
        epoch += 1
    return losses


def evaluate(model, loaders):
    """Average loss and accuracy on the test loader."""
    _, test_loader = loaders
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    n = len(test_loader.dataset)
    return [test_loss / n, correct / n]


def main():
    """Train on random images and print the losses."""
    parser = argparse.ArgumentParser(description="MNIST CNN on random images")
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(1)
    images = torch.randint(0, 256, (64, 28, 28), dtype=torch.uint8)
    labels = torch.randint(0, 10, (64,))
    data = make_data(images, labels)
    model = build_model(data)
    print(train(model, data, args.steps))
    print(evaluate(model, data))


if __name__ == "__main__":
    main()
