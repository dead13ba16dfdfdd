"""A small U-Net (Ronneberger et al. 2015) for per-pixel classification: an encoder that halves the
resolution while widening the features, a decoder that doubles it back with transposed
convolutions, and skip connections that hand each decoder stage the encoder's features of the same
resolution."""

from __future__ import annotations

import wright
from wright import nn
from wright.models.registry import ModelSpec, register
from wright.nn import functional as F
from wright.tensor import Tensor


def conv_block(in_channels: int, out_channels: int, convs: int = 2) -> nn.Sequential:
    """`convs` times: 3x3 convolution (same size), batch norm, ReLU."""
    layers: list[nn.Module] = []
    for k in range(convs):
        layers += [
            nn.Conv2d(in_channels if k == 0 else out_channels, out_channels, 3, padding=1),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(),
        ]
    return nn.Sequential(*layers)


class UNet(nn.Module):
    """Encoder-decoder with skip connections that scores every pixel.

    Level 0 works with `width` channels at full resolution, or, with `patch` > 1, at 1/patch of it:
    each patch x patch block of pixels is read as patch**2 channels (PixelUnshuffle) and the scores
    come back out the same way (PixelShuffle), so no convolution runs at the costly full resolution
    while every pixel still gets its own score. Each of the `depth` levels below halves the side
    (max pooling) and doubles the channels. Going back up, a 2x2 transposed convolution
    with stride 2 doubles the side, its output is concatenated with the encoder's features of that
    level, and a convolution block merges them. A 1x1 convolution gives the class scores.

    Args:
        in_channels: channels of the input image.
        num_classes: classes per pixel.
        width: channels at full resolution (level l has width * 2**l).
        depth: number of halvings; the input side must be divisible by patch * 2**depth.
        patch: side of the pixel blocks level 0 reads as channels (1: the plain U-Net).

    Shape:
        (N, in_channels, H, W) -> (N, num_classes, H, W) unnormalised scores.
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 11,
        width: int = 16,
        depth: int = 3,
        patch: int = 2,
    ) -> None:
        super().__init__()
        self.config = {
            "in_channels": in_channels,
            "num_classes": num_classes,
            "width": width,
            "depth": depth,
            "patch": patch,
        }
        channels = [width * 2**level for level in range(depth + 1)]
        # Full resolution is the costliest level: one convolution there, two below.
        self.down = nn.ModuleList(
            [conv_block(in_channels * patch**2, channels[0], convs=1)]
            + [conv_block(channels[k - 1], channels[k]) for k in range(1, depth + 1)]
        )
        self.up = nn.ModuleList(
            [
                nn.ConvTranspose2d(channels[k], channels[k - 1], 2, stride=2)
                for k in range(depth, 0, -1)
            ]
        )
        self.merge = nn.ModuleList(
            [
                conv_block(2 * channels[k - 1], channels[k - 1], convs=1 if k == 1 else 2)
                for k in range(depth, 0, -1)
            ]
        )
        self.unshuffle = nn.PixelUnshuffle(patch)
        self.head = nn.Conv2d(channels[0], num_classes * patch**2, 1)
        self.shuffle = nn.PixelShuffle(patch)

    def forward(self, x: Tensor) -> Tensor:
        x = self.unshuffle(x)  # (N, C * patch**2, H / patch, W / patch)
        skips = []
        for level, block in enumerate(self.down):
            x = block(
                x if level == 0 else F.max_pool2d(x, 2)
            )  # (N, width * 2**level, H/2**l, W/2**l)
            skips.append(x)
        for up, merge, skip in zip(self.up, self.merge, reversed(skips[:-1])):
            x = merge(wright.cat([up(x), skip], dim=1))  # doubled side, channels halved
        return self.shuffle(self.head(x))  # (N, num_classes, H, W)

    def summary_line(self) -> str:
        c = self.config
        blocks = f", {c['patch']}x{c['patch']} pixel blocks" if c["patch"] > 1 else ""
        return (
            f"UNet width {c['width']} depth {c['depth']}{blocks} -> {c['num_classes']} classes "
            "per pixel"
        )


register(
    ModelSpec(
        name="unet",
        summary="U-Net: conv encoder, transposed-conv decoder, skip connections; a class per pixel",
        builder=UNet,
        loss="cross-entropy",
        optimizer="adam",
        lr=3e-3,
        batch_size=32,
        epochs=4,
        schedule="cosine",
        tasks=("segmentation",),
    )
)
