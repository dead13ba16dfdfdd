"""ESPCN (Shi et al. 2016): super-resolution with every convolution at low resolution and a
sub-pixel layer (PixelShuffle) that rearranges scale**2 channels into a scale-times larger image."""

from __future__ import annotations

from wright import nn
from wright.models.registry import ModelSpec, register
from wright.nn import functional as F
from wright.tensor import Tensor


class ESPCN(nn.Module):
    """Efficient sub-pixel convolutional network, predicting the detail that bicubic upscaling
    misses.

    Three convolutions (5x5, 3x3, 3x3, tanh or ReLU between them) run on the low-resolution image; the last
    one makes scale**2 channels per output channel, which PixelShuffle lays out as scale x scale
    blocks of the large image. With `residual` (the default) that image is added to the bicubic
    upscaling of the input, so the network learns only the missing detail, which trains far faster
    than learning the whole image (as VDSR showed); without it, this is the paper's network.

    Args:
        scale: the upscaling factor.
        channels: image channels (1 for luminance).
        features: widths of the first two convolutions (the paper: 64 and 32).
        residual: add the bicubic upscaling of the input to the output.
        activation: "tanh" (the paper's) or "relu" between the convolutions.

    Shape:
        (N, channels, H, W) -> (N, channels, scale * H, scale * W).
    """

    def __init__(
        self,
        scale: int = 3,
        channels: int = 1,
        features: tuple[int, int] = (64, 32),
        residual: bool = True,
        activation: str = "tanh",
    ) -> None:
        super().__init__()
        layers = {"tanh": nn.Tanh, "relu": nn.ReLU}
        if activation not in layers:
            raise ValueError(f"ESPCN: activation must be 'tanh' or 'relu', got {activation!r}")
        self.config = {
            "scale": scale,
            "channels": channels,
            "features": tuple(features),
            "residual": residual,
            "activation": activation,
        }
        first, second = features
        self.body = nn.Sequential(
            nn.Conv2d(channels, first, 5, padding=2),
            layers[activation](),
            nn.Conv2d(first, second, 3, padding=1),
            layers[activation](),
            nn.Conv2d(second, channels * scale**2, 3, padding=1),
        )
        self.shuffle = nn.PixelShuffle(scale)

    def forward(self, x: Tensor) -> Tensor:
        detail = self.shuffle(self.body(x))  # (N, C * s*s, H, W) -> (N, C, s*H, s*W)
        if not self.config["residual"]:
            return detail
        return detail + F.interpolate(x, scale_factor=self.config["scale"], mode="bicubic")

    def summary_line(self) -> str:
        c = self.config
        first, second = c["features"]
        kind = "residual over bicubic" if c["residual"] else "plain"
        return (
            f"ESPCN x{c['scale']} conv {first}-{second}-{c['scale'] ** 2} "
            f"({c['activation']}) + PixelShuffle ({kind})"
        )


register(
    ModelSpec(
        name="espcn",
        summary="ESPCN x3: convolutions at low resolution, a PixelShuffle sub-pixel layer",
        builder=ESPCN,
        loss="mse",
        optimizer="adam",
        lr=1e-3,
        batch_size=16,
        epochs=1,
        schedule="cosine",
        tasks=("super-resolution",),
    )
)
