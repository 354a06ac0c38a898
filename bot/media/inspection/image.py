"""An image read with Pillow: its format and size, and its pixels upright, in gray or colour."""

from __future__ import annotations

import io
import warnings
from typing import IO, cast

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

from bot.media.inspection.facts import Picture
from bot.media.inspection.ranged import Unreadable, Why
from bot.media.inspection.video import SAMPLE_WIDTH

Gray = NDArray[np.uint8]
_ORIENTATION = 0x0112  # EXIF's tag
# Pixels decoded at most: a photo past this (a 50-megapixel camera's twice over) is a bomb or a
# mistake, and decoding it would hold hundreds of megabytes.
MOST_PIXELS = 100_000_000


def read_picture(file: io.RawIOBase) -> tuple[Picture, Image.Image]:
    """The image's format, upright size and orientation; the image itself, not yet decoded."""
    try:
        with warnings.catch_warnings():
            # Pillow warns of a large image before refusing a larger one: the size is judged here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # A raw file object reads as Pillow needs (read, seek, tell); typeshed wants IO.
            image = Image.open(cast(IO[bytes], file))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise Unreadable(Why.UNREADABLE, type(exc).__name__) from None
    orientation = int(image.getexif().get(_ORIENTATION, 1))
    width, height = image.size
    if orientation in (5, 6, 7, 8):  # turned a quarter: its sides swap
        width, height = height, width
    return Picture(image.format or "unknown", width, height, orientation), image


def gray(image: Image.Image) -> Gray:
    """The image upright, in gray, at most SAMPLE_WIDTH wide (the face detector's input)."""
    return _upright(image, "L", SAMPLE_WIDTH)


def rgb(image: Image.Image, *, width: int) -> NDArray[np.uint8]:
    """The image upright, in colour (height × width × 3), at most `width` wide."""
    return _upright(image, "RGB", width)


def _upright(image: Image.Image, mode: str, most_width: int) -> NDArray[np.uint8]:
    if image.width * image.height > MOST_PIXELS:
        raise Unreadable(Why.TOO_MANY_BYTES, f"{image.width}×{image.height} pixels")
    try:
        # A JPEG is decoded at an eighth, a quarter or half its size where that is still large
        # enough: faster, and a 24-megapixel photo never sits in memory whole.
        image.draft(mode, (most_width, most_width))
        upright = ImageOps.exif_transpose(image.convert(mode))
    except (OSError, ValueError, SyntaxError) as exc:
        raise Unreadable(Why.UNREADABLE, type(exc).__name__) from None
    if upright.width > most_width:
        height = max(1, round(upright.height * most_width / upright.width))
        upright = upright.resize((most_width, height), Image.Resampling.BILINEAR)
    return np.asarray(upright, dtype=np.uint8)
