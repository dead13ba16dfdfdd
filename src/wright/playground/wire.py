"""How arrays travel to a page: scaled to bytes and base64-encoded, so a picture of thousands of
values costs a few kilobytes of JSON; the page only maps the bytes back to colours."""

from __future__ import annotations

import base64

import numpy as np


def image_bytes(values: np.ndarray, low: float, high: float) -> str:
    """`values` mapped linearly from [low, high] to bytes 0..255 (clipped; NaN becomes the middle),
    as base64 text in row-major order."""
    span = high - low if high > low else 1.0
    scaled = np.nan_to_num((np.asarray(values, np.float64) - low) / span, nan=0.5)
    return base64.b64encode(np.rint(np.clip(scaled, 0, 1) * 255).astype(np.uint8)).decode()


def symmetric_bytes(values: np.ndarray) -> tuple[str, float]:
    """`values` as bytes on the scale [-m, m] where m is their largest magnitude; returns the text
    and m (the page colours 0 white, -m and m in full colour)."""
    finite = np.abs(values[np.isfinite(values)])
    scale = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    return image_bytes(values, -scale, scale), scale


def rounded(values, digits: int = 4) -> list:
    """Array values as nested lists of floats rounded for display (NaN and infinities as None)."""
    array = np.round(np.asarray(values, np.float64), digits)
    return np.where(np.isfinite(array), array, None).tolist()
