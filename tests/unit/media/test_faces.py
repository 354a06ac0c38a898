"""Faces found in real photographs (scikit-image's astronaut), upright or turned, and nobody."""

from __future__ import annotations

import numpy as np
import pytest

from bot.media.inspection.faces import look
from tests import mediafiles as m


def gray(frame: m.Frame) -> np.ndarray:
    return np.asarray(frame.mean(axis=2), dtype=np.uint8)


@pytest.mark.parametrize(
    ("size", "people"),
    [((640, 360), 1), ((640, 360), 2), ((512, 512), 1), ((360, 640), 1), ((640, 360), 0)],
)
def test_each_person_is_one_face(size: tuple[int, int], people: int) -> None:
    width, height = size
    frame = m.face(width, height, people=people, share=0.5) if people else m.blank(width, height)

    assert len(look(gray(frame)).faces) == people


def test_a_face_is_placed_and_sized_as_a_share_of_the_frame() -> None:
    [face] = look(gray(m.face(640, 360, share=0.7, shift=0.25))).faces

    assert 0.7 < face.x < 0.8
    assert 0.2 < face.height < 0.26


def test_a_frame_stored_sideways_is_turned_upright_first() -> None:
    sideways = np.ascontiguousarray(np.rot90(gray(m.face(360, 640, share=0.5)), k=-1))

    assert look(sideways).faces == ()
    assert len(look(sideways, rotation=90).faces) == 1
    assert len(look(np.rot90(sideways, k=2), rotation=-90).faces) == 1


def test_brightness_is_the_frames_mean() -> None:
    assert look(gray(m.blank(64, 64))).brightness == 60.0
