"""ESPCN super-resolution: convolutions on the low-resolution image end in upscale_factor**2
channels that PixelShuffle rearranges into an image upscale_factor times larger."""

import argparse
import math

import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.nn import init
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    """Four convolutions and a pixel shuffle."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 32, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(32, 32, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(32, 16, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(16, upscale_factor**2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        self._initialize_weights()

    def forward(self, x):  # (N, 1, H, W)
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        return self.pixel_shuffle(self.conv4(x))  # (N, 1, H * r, W * r)

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv2.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv3.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv4.weight)


UPSCALE = 2


def build_model(data=None):
    """ESPCN for a 2x upscale."""
    return Net(upscale_factor=UPSCALE)


def make_data(images, batch_size=16):
    """Pairs (low-resolution input, high-resolution target) from (N, 28, 28) uint8 images."""
    target = images.float().unsqueeze(1) / 255
    lowres = F.avg_pool2d(target, UPSCALE)  # (N, 1, 14, 14)
    return DataLoader(TensorDataset(lowres, target), batch_size=batch_size)


def train(model, loader, steps, lr=1e-3):
    """Adam steps on the mean squared error; the loss of each step."""
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    losses = []
    while len(losses) < steps:
        for input, target in loader:
            optimizer.zero_grad()
            loss = criterion(model(input), target)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if len(losses) == steps:
                break
    return losses


def evaluate(model, loader):
    """Average peak signal-to-noise ratio over the loader, in decibels."""
    criterion = nn.MSELoss()
    avg_psnr = 0.0
    with torch.no_grad():
        for input, target in loader:
            mse = criterion(model(input), target)
            avg_psnr += 10 * math.log10(1 / mse.item())
    return [avg_psnr / len(loader)]


def main():
    """Train on random images and print the losses."""
    parser = argparse.ArgumentParser(description="ESPCN on random images")
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(1)
    loader = make_data(torch.randint(0, 256, (32, 28, 28), dtype=torch.uint8))
    model = build_model()
    print(train(model, loader, args.steps))
    print(evaluate(model, loader))


if __name__ == "__main__":
    main()
