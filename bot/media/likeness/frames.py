"""The pictures a comparison looks at: frames across a video, or an image, upright, in colour."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from av.container import InputContainer
from numpy.typing import NDArray

from bot.media.inspection.image import read_picture, rgb
from bot.media.inspection.video import keyframes

Colour = NDArray[np.uint8]  # height × width × 3, RGB
# Frames compared across a video: a face turned away or blurred in one or two is outvoted.
FRAMES = 5
# Frames are scaled to this width: a face a fifth of a 1080p frame's height is 108 pixels here,
# above the detector's 80, and the describer works on a 150-pixel chip of it whatever the size.
WIDTH = 960


def video_frames(
    container: InputContainer,
    *,
    seconds: float | None,
    stopped: Callable[[], bool],
    count: int = FRAMES,
) -> list[Colour]:
    """Up to `count` keyframes spread across the video, upright, in colour, at most WIDTH wide.

    In colour because the describer was trained on colour: gray costs it accuracy.
    """
    found = []
    for frame in keyframes(container, count=count, seconds=seconds, stopped=stopped):
        width = min(WIDTH, frame.width)
        height = max(1, round(frame.height * width / frame.width))
        pixels = np.asarray(
            frame.reformat(width=width, height=height, format="rgb24").to_ndarray(), np.uint8
        )
        # Rotation is what players turn the picture by, counter-clockwise: faces are found
        # upright only.
        turns = (int(frame.rotation or 0) // 90) % 4
        found.append(np.ascontiguousarray(np.rot90(pixels, k=turns)))
    return found


def image_frame(file: io.RawIOBase, *, width: int = WIDTH) -> Colour:
    """An image (a training image, a profile photo) upright, in colour, at most `width` wide."""
    _, image = read_picture(file)
    with image:
        return rgb(image, width=width)
