"""Classify sequences with a two-layer batch_first GRU: the last time step's output goes through
a linear layer to the class logits (no packing)."""

import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class GRUClassifier(nn.Module):
    """A GRU over the sequence, then a linear layer on its last output."""

    def __init__(self, input_size=2, hidden_size=24, num_layers=2, num_classes=3):
        super().__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.gru = nn.GRU(input_size, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):  # (N, T, input_size)
        h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        out, _ = self.gru(x, h0)  # (N, T, hidden_size)
        return self.fc(out[:, -1, :])  # (N, num_classes)


def build_model(data=None):
    """A two-layer GRU classifier of two-channel sequences into three classes."""
    return GRUClassifier()


def make_data(sequences, labels, batch_size=16):
    """A loader over (sequences, labels) batches."""
    dataset = TensorDataset(sequences.float(), labels.long())
    return DataLoader(dataset, batch_size=batch_size)


def train(model, loader, steps, lr=1e-2):
    """Adam steps on the cross-entropy; the loss of each step."""
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    while len(losses) < steps:
        for x, y in loader:
            outputs = model(x)
            loss = criterion(outputs, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if len(losses) == steps:
                break
    return losses


def evaluate(model, loader):
    """Accuracy on the training sequences."""
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            _, predicted = torch.max(model(x).data, 1)
            total += y.size(0)
            correct += (predicted == y).sum().item()
    return [correct / total]


def main():
    """Train on random sequences and print the losses."""
    parser = argparse.ArgumentParser(description="GRU sequence classifier on random sequences")
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(1)
    loader = make_data(torch.randn(48, 10, 2), torch.randint(0, 3, (48,)))
    model = build_model()
    print(train(model, loader, args.steps))
    print(evaluate(model, loader))


if __name__ == "__main__":
    main()
