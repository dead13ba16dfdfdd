"""A multi-scale CNN with random filters whose feature statistics describe textures (Ustyuzhaninov
et al. 2017), for style transfer and texture synthesis without a pretrained network."""

from __future__ import annotations

from wright import nn
from wright.nn import functional as F
from wright.tensor import Tensor


class RandomTextureNet(nn.Module):
    """Random-filter feature maps of an image at several scales.

    At each of `scales` resolutions (the image, then halved each time by average pooling) two
    convolutions with ReLU run: `widths[0]` 5x5 filters, then `widths[1]` 3x3 filters after a 2x2
    max pooling. The filters are random and never trained; weights are drawn with zero mean so the
    features respond to local structure rather than brightness.

    Args:
        channels: image channels.
        widths: filters of the two convolutions.
        scales: number of resolutions.

    Shape:
        (N, channels, H, W) -> a list of 2 * scales feature maps, finest first; H and W divisible
        by 2**scales.
    """

    def __init__(
        self, channels: int = 1, widths: tuple[int, int] = (48, 96), scales: int = 3
    ) -> None:
        super().__init__()
        self.scales = scales
        self.first = nn.ModuleList(
            [
                nn.Conv2d(channels, widths[0], 5, padding=2, padding_mode="reflect")
                for _ in range(scales)
            ]
        )
        self.second = nn.ModuleList(
            [
                nn.Conv2d(widths[0], widths[1], 3, padding=1, padding_mode="reflect")
                for _ in range(scales)
            ]
        )
        for conv in [*self.first, *self.second]:
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            nn.init.zeros_(conv.bias)
        self.requires_grad_(False)

    def forward(self, image: Tensor) -> list[Tensor]:
        maps = []
        for scale in range(self.scales):
            if scale:
                image = F.avg_pool2d(image, 2)  # (N, C, H / 2**scale, W / 2**scale)
            low = F.relu(self.first[scale](image))
            maps += [low, F.relu(self.second[scale](F.max_pool2d(low, 2)))]
        return maps


def gram(features: Tensor) -> Tensor:
    """Channel correlations of (N, C, H, W) feature maps averaged over positions: (N, C, C)."""
    n, c, h, w = features.shape
    flat = features.reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2) / (h * w)
