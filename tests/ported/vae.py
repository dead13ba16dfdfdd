"""A variational autoencoder on MNIST: a linear encoder to a mean and log-variance, the
reparameterisation trick with randn_like, a linear decoder, and the BCE + KL loss."""

import argparse

import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset


class VAE(nn.Module):
    """784 -> 400 -> (mean, log-variance) of 20 latents -> 400 -> 784."""

    def __init__(self, latent=20, hidden=400):
        super().__init__()
        self.fc1 = nn.Linear(784, hidden)
        self.fc21 = nn.Linear(hidden, latent)
        self.fc22 = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    """Reconstruction (binary cross-entropy, summed) plus KL(q(z|x) || N(0, I))."""
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def build_model(data=None):
    """A VAE with a 20-dimensional latent space."""
    return VAE()


def make_data(images, batch_size=32):
    """A loader over images scaled to [0, 1]."""
    x = images.to(torch.float32).unsqueeze(1) / 255.0  # (N, 1, 28, 28) in [0, 1]
    return DataLoader(TensorDataset(x), batch_size=batch_size)


def train(model, loader, steps, lr=1e-3):
    """Adam steps on the VAE loss; the loss per image of each step."""
    optimizer = optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    while len(losses) < steps:
        for (data,) in loader:
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            optimizer.step()
            losses.append(loss.item() / len(data))
            if len(losses) == steps:
                break
    return losses


def evaluate(model, loader):
    """The average loss and the mean pixel of images decoded from random codes."""
    model.eval()
    test_loss = 0.0
    with torch.no_grad():
        for (data,) in loader:
            recon, mu, logvar = model(data)
            test_loss += loss_function(recon, data, mu, logvar).item()
        sample = model.decode(torch.randn(8, 20))
    return [test_loss / len(loader.dataset), sample.mean().item()]


def main():
    """Train on random images and print the losses."""
    parser = argparse.ArgumentParser(description="VAE on random images")
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(1)
    loader = make_data(torch.randint(0, 256, (64, 28, 28), dtype=torch.uint8))
    model = build_model()
    print(train(model, loader, args.steps))
    print(evaluate(model, loader))


if __name__ == "__main__":
    main()
