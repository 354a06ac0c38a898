"""Faces compared with dlib on real photographs: the astronaut, people of LFW, drawn avatars."""

from __future__ import annotations

import io
from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageDraw
from skimage import data

from bot.media.inspection.video import open_video
from bot.media.likeness.embeddings import compare
from bot.media.likeness.frames import FRAMES, image_frame, video_frames
from bot.media.likeness.model import FaceMatch, Likeness, Unsure
from bot.media.likeness.verdict import THRESHOLD
from tests import mediafiles as m

SECONDS = 10


def someone_else() -> m.Frame:
    """A real person's photograph other than the astronaut: one of LFW's faces in scikit-image.

    The crops are 25 pixels square; enlarged, with a margin, as a small profile photo.
    """
    face = (data.lfw_subset()[1] * 255).astype(np.uint8)
    big = cv2.resize(face, (200, 200), interpolation=cv2.INTER_CUBIC)
    framed = cv2.copyMakeBorder(big, 100, 100, 100, 100, cv2.BORDER_REPLICATE)
    return np.asarray(cv2.cvtColor(framed, cv2.COLOR_GRAY2RGB), dtype=np.uint8)


def avatar(*, silhouette: bool) -> m.Frame:
    """A default avatar: initials, or a head-and-shoulders silhouette, on a flat colour."""
    picture = Image.new("RGB", (512, 512), (29, 155, 209))
    draw = ImageDraw.Draw(picture)
    if silhouette:
        draw.ellipse((176, 96, 336, 256), fill=(230, 230, 230))
        draw.ellipse((96, 280, 416, 600), fill=(230, 230, 230))
    else:
        draw.text((150, 170), "AL", fill=(255, 255, 255), font_size=180)
    return np.asarray(picture, dtype=np.uint8)


def frames_of(video: bytes) -> list[m.Frame]:
    container = open_video(io.BytesIO(video))
    with container:
        return video_frames(container, seconds=SECONDS, stopped=lambda: False)


@cache
def astronaut_video() -> list[m.Frame]:
    """The astronaut moving, growing and lit differently every two seconds, as H.264 keeps it."""

    def frame(n: int) -> m.Frame:
        step = n // 50
        return m.face(
            1280,
            720,
            share=0.5 + 0.1 * (step % 3),
            shift=0.15 * (step % 3 - 1),
            light=0.7 + 0.15 * (step % 4),
        )

    return frames_of(m.video(seconds=SECONDS, frames=frame, keyframe_every=25))


@cache
def someone_elses_video() -> list[m.Frame]:
    still = cv2.resize(someone_else(), (720, 720))
    canvas = np.full((720, 1280, 3), 40, dtype=np.uint8)
    canvas[:, 280:1000] = still
    return frames_of(m.video(seconds=SECONDS, frames=lambda _: canvas, keyframe_every=25))


def test_the_same_person_in_a_video_matches_her_profile_photo() -> None:
    found = compare(data.astronaut(), astronaut_video())

    assert found.outcome is Likeness.MATCH
    assert found.frames == FRAMES
    assert found.with_face == FRAMES
    assert found.agreed == FRAMES
    assert found.best is not None
    assert found.median is not None
    assert found.best <= found.median < THRESHOLD


def test_a_training_image_of_the_same_person_matches() -> None:
    photo = m.image(m.face(1024, 768, share=0.8, light=1.2))

    found = compare(data.astronaut(), [image_frame(io.BytesIO(photo))])

    assert found.outcome is Likeness.MATCH
    assert (found.frames, found.with_face, found.agreed) == (1, 1, 1)


def test_another_person_in_the_video_is_a_mismatch() -> None:
    found = compare(data.astronaut(), someone_elses_video())

    assert found.outcome is Likeness.MISMATCH
    assert found.with_face >= 3
    assert found.agreed == 0
    assert found.best is not None
    assert found.best > THRESHOLD


def test_another_persons_profile_photo_is_a_mismatch_with_the_astronaut() -> None:
    found = compare(someone_else(), astronaut_video())

    assert found.outcome is Likeness.MISMATCH


def test_a_default_avatar_has_no_face_to_compare() -> None:
    for silhouette in (False, True):
        found = compare(avatar(silhouette=silhouette), astronaut_video())

        assert found.outcome is Likeness.CANNOT_COMPARE
        assert found.why is Unsure.NO_FACE_IN_PHOTO
        assert found.best is None


def test_a_profile_photo_of_two_people_cannot_say_which() -> None:
    found = compare(m.face(1024, 512, people=2, share=0.9), astronaut_video())

    assert found.outcome is Likeness.CANNOT_COMPARE
    assert found.why is Unsure.SEVERAL_FACES_IN_PHOTO


def test_a_video_with_nobody_in_it_cannot_be_compared() -> None:
    empty = frames_of(m.video(seconds=SECONDS, frames=lambda _: m.blank(640, 360)))

    found = compare(data.astronaut(), empty)

    assert found.outcome is Likeness.CANNOT_COMPARE
    assert found.why is Unsure.NO_USABLE_FRAME
    assert found.with_face == 0


def test_a_gray_profile_photo_is_compared_as_well() -> None:
    found = compare(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY), astronaut_video())

    assert found.outcome is Likeness.MATCH


def test_a_phone_video_turned_a_quarter_is_compared_upright() -> None:
    upright = m.face(720, 1280, share=0.4)
    # Stored on its side, as a phone held upright records, with the file saying to turn it back.
    stored = np.ascontiguousarray(np.rot90(upright, k=-1))
    video = m.video(seconds=SECONDS, frames=lambda _: stored, rotation=90, keyframe_every=25)

    frames = frames_of(video)

    assert frames[0].shape[0] > frames[0].shape[1]
    assert compare(data.astronaut(), frames).outcome is Likeness.MATCH


def test_a_large_frame_is_scaled_down_before_faces_are_looked_for() -> None:
    large = cv2.resize(m.face(1280, 720, share=0.6), (3840, 2160))

    found: FaceMatch = compare(data.astronaut(), [large])

    assert found.outcome is Likeness.MATCH
