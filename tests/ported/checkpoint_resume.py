"""Stop and resume training from a checkpoint: an MLP classifier with weight decay, Adam and
ReduceLROnPlateau; model, optimizer and scheduler state go through torch.save and torch.load and
training continues in fresh objects, exactly where it stopped."""

import argparse
import os
import tempfile

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class MLP(nn.Module):
    """Two hidden ReLU layers with batch normalisation and dropout."""

    def __init__(self, in_features=784, hidden=64, classes=10, dropout=0.2):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, classes),
        )

    def forward(self, x):
        return self.layers(x.flatten(1))


def build_model(data=None):
    """The classifier."""
    return MLP()


def make_data(images, labels, batch_size=32):
    """A loader over images scaled to [0, 1]."""
    dataset = TensorDataset(images.float() / 255, labels)
    return DataLoader(dataset, batch_size=batch_size)


def make_optimizer(model):
    """Adam with weight decay, and a plateau schedule on the epoch's mean loss."""
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=0)
    return optimizer, scheduler


def run_epochs(model, optimizer, scheduler, loader, epochs):
    """Train for whole epochs; the loss of each step."""
    losses = []
    for _ in range(epochs):
        model.train()
        epoch_losses = []
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            epoch_losses.append(loss.item())
        scheduler.step(sum(epoch_losses) / len(epoch_losses))
        losses += epoch_losses
    return losses


def train(model, loader, steps):
    """Train `steps` epochs, checkpoint, then resume in new objects for `steps` more epochs."""
    optimizer, scheduler = make_optimizer(model)
    losses = run_epochs(model, optimizer, scheduler, loader, steps)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "checkpoint.pt")
        torch.save(
            {
                "epoch": steps,
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "losses": losses,
            },
            path,
        )
        checkpoint = torch.load(path)
    resumed = build_model()
    resumed.load_state_dict(checkpoint["model"])
    optimizer, scheduler = make_optimizer(resumed)
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    model.load_state_dict(resumed.state_dict())  # the harness evaluates the model it built
    return checkpoint["losses"] + run_epochs(resumed, optimizer, scheduler, loader, steps)


def evaluate(model, loader):
    """Mean loss and accuracy over the loader."""
    model.eval()
    correct, total = 0, 0.0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(dim=1) == y).sum().item()
    return [total / len(loader.dataset), correct / len(loader.dataset)]


def main():
    """Train on random images and print the losses."""
    parser = argparse.ArgumentParser(description="checkpoint and resume")
    parser.add_argument("--steps", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(1)
    loader = make_data(torch.randint(0, 256, (64, 28, 28)), torch.randint(0, 10, (64,)))
    model = build_model()
    print(train(model, loader, args.steps))
    print(evaluate(model, loader))


if __name__ == "__main__":
    main()
