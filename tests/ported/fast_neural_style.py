"""The fast-neural-style image transformation network: reflection-padded convolutions with
InstanceNorm2d(affine=True), residual blocks and nearest-neighbour upsampling, trained on a content
loss plus a total-variation penalty (the VGG perceptual loss of the original is left out)."""

import argparse

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class ConvLayer(torch.nn.Module):
    """A convolution after reflection padding, so the borders are not darkened."""

    def __init__(self, in_channels, out_channels, kernel_size, stride):
        super().__init__()
        self.reflection_pad = torch.nn.ReflectionPad2d(kernel_size // 2)
        self.conv2d = torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride)

    def forward(self, x):
        return self.conv2d(self.reflection_pad(x))


class ResidualBlock(torch.nn.Module):
    """Two normalised convolutions added to their input."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = ConvLayer(channels, channels, kernel_size=3, stride=1)
        self.in1 = torch.nn.InstanceNorm2d(channels, affine=True)
        self.conv2 = ConvLayer(channels, channels, kernel_size=3, stride=1)
        self.in2 = torch.nn.InstanceNorm2d(channels, affine=True)
        self.relu = torch.nn.ReLU()

    def forward(self, x):
        residual = x
        out = self.relu(self.in1(self.conv1(x)))
        out = self.in2(self.conv2(out))
        return out + residual


class UpsampleConvLayer(torch.nn.Module):
    """Upsample, then convolve: fewer checkerboard artefacts than a transposed convolution."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, upsample=None):
        super().__init__()
        self.upsample = upsample
        self.reflection_pad = torch.nn.ReflectionPad2d(kernel_size // 2)
        self.conv2d = torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride)

    def forward(self, x):
        if self.upsample:
            x = torch.nn.functional.interpolate(x, mode="nearest", scale_factor=self.upsample)
        return self.conv2d(self.reflection_pad(x))


class TransformerNet(torch.nn.Module):
    """Downsample twice, residual blocks, upsample twice: an image-to-image network."""

    def __init__(self, width=8):
        super().__init__()
        self.conv1 = ConvLayer(3, width, kernel_size=9, stride=1)
        self.in1 = torch.nn.InstanceNorm2d(width, affine=True)
        self.conv2 = ConvLayer(width, 2 * width, kernel_size=3, stride=2)
        self.in2 = torch.nn.InstanceNorm2d(2 * width, affine=True)
        self.conv3 = ConvLayer(2 * width, 4 * width, kernel_size=3, stride=2)
        self.in3 = torch.nn.InstanceNorm2d(4 * width, affine=True)
        self.res1 = ResidualBlock(4 * width)
        self.res2 = ResidualBlock(4 * width)
        self.deconv1 = UpsampleConvLayer(4 * width, 2 * width, kernel_size=3, stride=1, upsample=2)
        self.in4 = torch.nn.InstanceNorm2d(2 * width, affine=True)
        self.deconv2 = UpsampleConvLayer(2 * width, width, kernel_size=3, stride=1, upsample=2)
        self.in5 = torch.nn.InstanceNorm2d(width, affine=True)
        self.deconv3 = ConvLayer(width, 3, kernel_size=9, stride=1)
        self.relu = torch.nn.ReLU()

    def forward(self, X):  # (N, 3, H, W)
        y = self.relu(self.in1(self.conv1(X)))
        y = self.relu(self.in2(self.conv2(y)))  # (N, 2w, H/2, W/2)
        y = self.relu(self.in3(self.conv3(y)))  # (N, 4w, H/4, W/4)
        y = self.res2(self.res1(y))
        y = self.relu(self.in4(self.deconv1(y)))  # (N, 2w, H/2, W/2)
        y = self.relu(self.in5(self.deconv2(y)))  # (N, w, H, W)
        return self.deconv3(y)  # (N, 3, H, W)


def total_variation(y):
    """Mean absolute difference between neighbouring pixels."""
    return torch.mean(torch.abs(y[:, :, :, :-1] - y[:, :, :, 1:])) + torch.mean(
        torch.abs(y[:, :, :-1, :] - y[:, :, 1:, :])
    )


def build_model(data=None):
    """A narrow transformation network."""
    return TransformerNet()


def make_data(images, batch_size=4):
    """Grey (N, 28, 28) uint8 images become RGB 32x32 in the 0-255 range the network expects."""
    x = F.pad(images.float().unsqueeze(1), (2, 2, 2, 2))  # (N, 1, 32, 32)
    x = x.repeat(1, 3, 1, 1)  # (N, 3, 32, 32)
    return DataLoader(TensorDataset(x), batch_size=batch_size)


def train(model, loader, steps, lr=1e-3, content_weight=1.0, tv_weight=1e-2):
    """Adam steps on the content and smoothness losses; the loss of each step."""
    optimizer = torch.optim.Adam(model.parameters(), lr)
    mse_loss = torch.nn.MSELoss()
    model.train()
    losses = []
    while len(losses) < steps:
        for (x,) in loader:
            optimizer.zero_grad()
            y = model(x)
            content_loss = content_weight * mse_loss(y / 255, x / 255)
            tv_loss = tv_weight * total_variation(y / 255)
            total_loss = content_loss + tv_loss
            total_loss.backward()
            optimizer.step()
            losses.append(total_loss.item())
            if len(losses) == steps:
                break
    return losses


def evaluate(model, loader):
    """Statistics of the network's output on one batch."""
    model.eval()
    with torch.no_grad():
        (x,) = next(iter(loader))
        output = model(x).clamp(0, 255)
    return [output.mean().item(), output.std().item()]


def main():
    """Train on random images and print the losses."""
    parser = argparse.ArgumentParser(description="fast neural style network on random images")
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(1)
    loader = make_data(torch.randint(0, 256, (8, 28, 28), dtype=torch.uint8))
    model = build_model()
    print(train(model, loader, args.steps))
    print(evaluate(model, loader))


if __name__ == "__main__":
    main()
