"""Style transfer (Gatys et al. 2016) and texture synthesis: an image's pixels are optimised so that
its deep features match a content photograph while the Gram matrices of its features match a
texture's.

No pretrained ImageNet network is available offline, so the features come from a multi-scale CNN
with random, untrained filters (Ustyuzhaninov et al. 2017 showed that such networks synthesise
natural textures). Images are grey (the textures are). Needs scikit-image (`pip install
'wright[apps]'`).

Pictures: style_transfer.png (content, style, result, and a texture grown from noise).
"""

from __future__ import annotations

import os

import numpy as np
from tqdm.auto import tqdm

import wright
from wright import optim
from wright.creation import as_tensor
from wright.datasets.photos import luminance, photo
from wright.demos._common import picture_path
from wright.models.texture import RandomTextureNet, gram
from wright.nn import functional as F
from wright.nn.module import Parameter
from wright.tensor import Tensor

NAME = "style-transfer"
SUMMARY = (
    "Gatys style transfer and texture synthesis with a random multi-scale CNN (no pretraining)"
)

CONTENT, STYLE = "camera", "brick"
ANCHOR_FALL = 10.0
# (image side, L-BFGS iterations): full run, quick run.
FULL = (128, 60)
QUICK = (64, 8)
CONTENT_LAYER = 3  # the second convolution at half resolution
STYLE_WEIGHT = 1e3


def load_image(name: str, side: int) -> np.ndarray:
    """A photograph's luminance, its central square shrunk to side x side: (1, 1, side, side)."""
    from PIL import Image

    image = luminance(photo(name))
    h, w = image.shape
    edge = min(h, w)
    top, left = (h - edge) // 2, (w - edge) // 2
    square = Image.fromarray(image[top : top + edge, left : left + edge])
    small = np.asarray(square.resize((side, side), Image.Resampling.BICUBIC), dtype=np.float32)
    return np.clip(small, 0, 1)[None, None]


class Losses:
    """Style and content losses of an image against fixed targets, under one feature network."""

    def __init__(self, net: RandomTextureNet, content: np.ndarray, style: np.ndarray) -> None:
        self.net = net
        self.content_target = net(as_tensor(content))[CONTENT_LAYER].detach()
        self.style_targets = [gram(m).detach() for m in net(as_tensor(style))]

    def __call__(self, image: Tensor) -> tuple[Tensor, Tensor]:
        """(style loss, content loss) of `image`."""
        maps = self.net(image)
        style = sum(((gram(m) - target) ** 2).mean() for m, target in zip(maps, self.style_targets))
        content = F.mse_loss(maps[CONTENT_LAYER], self.content_target)
        return style, content


def optimise(
    start: np.ndarray, losses: Losses, iterations: int, style_weight: float, content_weight: float
) -> tuple[np.ndarray, list[float]]:
    """L-BFGS on the pixels from `start`, minimising style_weight * style + content_weight *
    content; pixels are kept in [0, 1]. Returns the image and the total loss per iteration."""
    pixels = Parameter(as_tensor(start.copy()))
    optimizer = optim.LBFGS([pixels], lr=1.0, max_iter=1, history_size=20)
    curve = []

    def closure():
        optimizer.zero_grad()
        style, content = losses(pixels)
        total = style_weight * style + content_weight * content
        total.backward()
        return total

    for _ in tqdm(range(iterations), desc="L-BFGS", leave=False):
        curve.append(float(optimizer.step(closure).array))
        with wright.no_grad():
            pixels.clamp_(0.0, 1.0)
    return pixels.detach().array, curve


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Transfer the texture's style onto the content photo, then grow the texture from noise.

    Returns:
        style and content losses of the content photo (style_before, content_before), of the
        result (style_after, content_after), style_fall (style_before / style_after), and the
        style loss of the noise and of the synthesised texture (texture_style_before/after).
    """
    side, iterations = QUICK if quick else FULL
    wright.manual_seed(seed)
    net = RandomTextureNet()
    content, style = load_image(CONTENT, side), load_image(STYLE, side)
    losses = Losses(net, content, style)
    with wright.no_grad():
        style_before, content_before = (float(v.array) for v in losses(as_tensor(content)))
    result, _ = optimise(content, losses, iterations, STYLE_WEIGHT, 1.0)
    with wright.no_grad():
        style_after, content_after = (float(v.array) for v in losses(as_tensor(result)))
    fall = style_before / style_after
    print(
        f"random multi-scale CNN ({net.num_parameters():,} untrained weights), {side}x{side} grey "
        f"images, {iterations} L-BFGS iterations"
    )
    print(
        f"style transfer ({STYLE} onto {CONTENT}): style loss {style_before:.4g} -> "
        f"{style_after:.4g} ({fall:.0f}x lower; anchor: >= {ANCHOR_FALL:.0f}x), content loss "
        f"{content_before:.4g} -> {content_after:.4g}"
    )
    noise = np.random.default_rng(seed).uniform(0.3, 0.7, content.shape).astype(np.float32)
    with wright.no_grad():
        texture_before = float(losses(as_tensor(noise))[0].array)
    texture, _ = optimise(noise, losses, iterations, STYLE_WEIGHT, 0.0)
    with wright.no_grad():
        texture_after = float(losses(as_tensor(texture))[0].array)
    print(
        f"texture synthesis from noise: style loss {texture_before:.4g} -> {texture_after:.4g} "
        f"({texture_before / texture_after:.0f}x lower)"
    )
    if path := picture_path(out_dir, "style_transfer.png"):
        from wright.viz.applications import image_crops

        image_crops(
            [[content[0, 0], style[0, 0], result[0, 0], texture[0, 0]]],
            ["content", "style", "result", "texture from noise"],
            title=f"Gatys style transfer with random filters: style loss {fall:.0f}x lower",
            path=path,
        )
    return {
        "style_before": style_before,
        "style_after": style_after,
        "style_fall": fall,
        "content_before": content_before,
        "content_after": content_after,
        "texture_style_before": texture_before,
        "texture_style_after": texture_after,
        "iterations": iterations,
        "side": side,
    }
