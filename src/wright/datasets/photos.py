"""The public-domain sample photographs that scikit-image ships inside its wheel, as luminance
images, with low-resolution copies for super-resolution (install the `apps` extra)."""

from __future__ import annotations

import numpy as np

# Photographs of scenes and objects; `cat` is the same photo as `chelsea`, so only one is listed.
TRAIN_PHOTOS = ("astronaut", "coffee", "rocket", "immunohistochemistry", "hubble_deep_field")
TEST_PHOTOS = ("chelsea", "camera", "coins", "motorcycle")
TEXTURES = ("brick", "gravel", "grass")


def skimage_data():
    """scikit-image's `data` module, or an ImportError saying how to install it."""
    try:
        from skimage import data
    except ImportError as error:
        raise ImportError(
            "the photographs come from scikit-image: pip install 'wright[apps]' "
            "(or pip install scikit-image)"
        ) from error
    return data


def photo(name: str) -> np.ndarray:
    """A sample photograph as float32 in [0, 1]: (H, W, 3) for colour photos, (H, W) for grey ones.

    `motorcycle` is the left view of the stereo pair.
    """
    data = skimage_data()
    image = data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(data, name)()
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[..., :3]
    return (image / 255.0).astype(np.float32)


def luminance(image: np.ndarray) -> np.ndarray:
    """The Y channel of ITU-R BT.601 YCbCr (what super-resolution papers measure PSNR on), in [0, 1];
    a grey image is taken as its own luminance."""
    if image.ndim == 2:
        return image.astype(np.float32)
    weights = np.array([65.481, 128.553, 24.966], dtype=np.float32) / 255.0
    return (16.0 / 255.0 + image @ weights).astype(np.float32)


def downscale(image: np.ndarray, scale: int) -> tuple[np.ndarray, np.ndarray]:
    """Crop a (H, W) image to a multiple of `scale` and shrink it `scale` times with an antialiased
    bicubic filter (Pillow's, like MATLAB's imresize that super-resolution benchmarks use).

    Returns:
        (the cropped high-resolution image, the low-resolution one), float32 in [0, 1].
    """
    from PIL import Image

    h, w = (image.shape[0] // scale) * scale, (image.shape[1] // scale) * scale
    high = np.ascontiguousarray(image[:h, :w], dtype=np.float32)
    low = Image.fromarray(high).resize((w // scale, h // scale), Image.Resampling.BICUBIC)
    return high, np.clip(np.asarray(low, dtype=np.float32), 0.0, 1.0)


def psnr(estimate: np.ndarray, truth: np.ndarray, shave: int = 0) -> float:
    """Peak signal-to-noise ratio in dB for images in [0, 1], leaving `shave` pixels off each edge
    (infinite for identical images)."""
    if shave:
        estimate, truth = estimate[shave:-shave, shave:-shave], truth[shave:-shave, shave:-shave]
    error = np.mean((np.clip(estimate, 0, 1).astype(np.float64) - truth) ** 2)
    return float(10 * np.log10(1.0 / error)) if error > 0 else float("inf")
