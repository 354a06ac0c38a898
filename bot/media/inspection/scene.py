"""Faces, light and sound judged against a model's requirements: findings in plain words (pure)."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence

from bot import messages
from bot.media.inspection.facts import Face, Hearing, Look
from bot.media.inspection.model import Finding, Medium, Weight
from bot.media.inspection.requirements import Requirements
from bot.media.inspection.wording import length, share

# A quiet stretch shorter than this says nothing of the room's noise: it is a pause.
_SHORTEST_QUIET = 3.0


def judge_looks(medium: Medium, looks: Sequence[Look], needs: Requirements) -> list[Finding]:
    """Faces and light across the sampled frames (one, for an image).

    Only what Tavus is known to refuse blocks: no face in any frame, or two people in many. The
    rest is advice, judged on the typical frame (the median), so one odd frame decides nothing.
    """
    if not looks:
        return []
    found: list[Finding] = []
    is_video = medium is not Medium.TRAINING_IMAGE
    faceless = sum(1 for look in looks if not look.faces)
    crowded = sum(1 for look in looks if len(look.faces) > 1)
    if faceless == len(looks):
        text = messages.CHECK_NO_FACE.format(medium=medium)
        found.append(Finding(medium, "face_or_obstruction_detected", _blocking(medium), text))
        return found + _light(medium, looks, needs)
    if crowded / len(looks) >= needs.two_people_share:
        # Two people: how either is framed is beside the point until one is left.
        text = (
            messages.CHECK_TWO_PEOPLE.format(medium=medium, share=share(crowded / len(looks)))
            if is_video
            else messages.CHECK_TWO_PEOPLE_IMAGE.format(medium=medium)
        )
        found.append(Finding(medium, "second_person_detected", _blocking(medium), text))
        return found + _light(medium, looks, needs)
    if is_video and faceless / len(looks) >= needs.faceless_share:
        text = messages.CHECK_FACE_MISSING.format(count=faceless, total=len(looks), medium=medium)
        found.append(Finding(medium, "face_or_obstruction_detected", Weight.ADVICE, text))
    main = [_largest(look.faces) for look in looks if look.faces]
    height = statistics.median(face.height for face in main)
    if height < needs.face_share:
        text = messages.CHECK_FACE_SMALL.format(share=share(height), medium=medium)
        found.append(Finding(medium, "face_small", Weight.ADVICE, text))
    offset = statistics.median(face.x - 0.5 for face in main)
    if abs(offset) > needs.off_centre:
        side = "left" if offset < 0 else "right"
        text = messages.CHECK_OFF_CENTRE.format(side=side, medium=medium)
        found.append(Finding(medium, "face_off_centre", Weight.ADVICE, text))
    return found + _light(medium, looks, needs)


def _blocking(medium: Medium) -> Weight:
    # The consent video is a statement, not training footage: its framing is advice.
    return Weight.ADVICE if medium is Medium.CONSENT_VIDEO else Weight.BLOCKING


def _largest(faces: Sequence[Face]) -> Face:
    return max(faces, key=lambda face: face.height)


def _light(medium: Medium, looks: Sequence[Look], needs: Requirements) -> list[Finding]:
    jumps = [
        (abs(after.brightness - before.brightness), before, after)
        for before, after in itertools.pairwise(looks)
    ]
    if not jumps:
        return []
    jump, before, after = max(jumps, key=lambda found: found[0])
    if jump <= needs.light_jump:
        return []
    text = messages.CHECK_LIGHT.format(
        medium=medium, first=length(before.at), then=length(after.at)
    )
    return [Finding(medium, "lighting_change_detected", Weight.ADVICE, text)]


def judge_hearing(medium: Medium, hearing: Hearing, needs: Requirements) -> list[Finding]:
    """Speaking first, then (where the model asks) a silent listening stretch, and its noise."""
    found: list[Finding] = []
    model = needs.model.capitalize()
    if hearing.speech < needs.speaking:
        text = messages.CHECK_SHORT_SPEAKING.format(
            speech=length(hearing.speech), medium=medium, model=model
        )
        found.append(Finding(medium, "short_speaking", Weight.ADVICE, text))
    if needs.listening and hearing.speech and hearing.quiet < needs.listening:
        text = messages.CHECK_NO_LISTENING.format(
            least=length(needs.listening), medium=medium, model=model
        )
        found.append(Finding(medium, "no_listening", Weight.ADVICE, text))
    if (
        hearing.quiet >= _SHORTEST_QUIET
        and hearing.quiet_level is not None
        and hearing.quiet_start is not None
        and hearing.quiet_level > needs.loudest_quiet
    ):
        text = messages.CHECK_NOISE.format(
            medium=medium, start=length(hearing.quiet_start), level=round(hearing.quiet_level)
        )
        found.append(Finding(medium, "background_noise_detected", Weight.ADVICE, text))
    return found
