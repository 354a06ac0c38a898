"""A submitted /replica form: read back from the view's state and validated. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import messages
from bot.jobs import ReplicaRequest, without_credentials
from bot.jobs.voices import DOCUMENTED
from bot.slack.blocks.form import (
    CONSENT,
    CONSENT_GIVEN,
    CONSENT_VIDEO,
    IMAGE,
    IMAGE_FILE,
    MODEL,
    NAME,
    NAME_LIMIT,
    SUBJECT,
    USE,
    USE_LIMIT,
    VIDEO,
    VOICE,
    is_web_url,
)
from bot.slack.blocks.kit import Invalid, field_state


@dataclass(frozen=True, slots=True)
class Submission:
    """A valid form: what to train, and the channel /replica was typed in."""

    channel_id: str
    request: ReplicaRequest


def parse(
    view: Mapping[str, Any], *, models: Sequence[str], voices: Sequence[str] = DOCUMENTED
) -> Submission | Invalid:
    """Read and validate a view_submission's view; never trusts Slack's client-side checks."""
    values = view.get("state", {}).get("values", {})
    name = (_value(values, NAME) or "").strip()
    video = _link(values, VIDEO)
    image = _link(values, IMAGE)
    consent_video = _link(values, CONSENT_VIDEO)
    voice = _selected(values, VOICE)
    model = _selected(values, MODEL)
    consented = CONSENT_GIVEN in _checked(values, CONSENT)
    subject = field_state(values, SUBJECT).get("selected_user")
    use = (_value(values, USE) or "").strip()
    uploaded = (field_state(values, IMAGE_FILE).get("files") or [None])[0]
    slack_file = shortcut_file(view.get("private_metadata"))
    if isinstance(uploaded, Mapping) and uploaded.get("id"):
        slack_file = (str(uploaded["id"]), str(uploaded.get("name") or uploaded["id"]))

    errors: dict[str, str] = {}
    if not name:
        errors[NAME] = messages.ERROR_NAME_BLANK
    elif len(name) > NAME_LIMIT:
        errors[NAME] = messages.ERROR_NAME_LONG.format(limit=NAME_LIMIT)
    for block, url in ((VIDEO, video), (IMAGE, image), (CONSENT_VIDEO, consent_video)):
        if url is not None and not is_web_url(url):
            errors[block] = messages.ERROR_BAD_URL
    sources = [s for s in (video, image, slack_file) if s is not None]
    if not sources:
        errors[VIDEO] = messages.ERROR_NEED_SOURCE
    elif len(sources) > 1:
        errors.setdefault(IMAGE, messages.ERROR_BOTH_SOURCES)
    if voice is not None and voice not in voices:
        errors[VOICE] = messages.ERROR_BAD_VOICE
    elif (image is not None or isinstance(uploaded, Mapping)) and voice is None:
        errors[VOICE] = messages.ERROR_IMAGE_NEEDS_VOICE
    if model not in models:
        errors[MODEL] = messages.ERROR_BAD_MODEL
    if not consented:
        errors[CONSENT] = messages.ERROR_NO_CONSENT
    if not isinstance(subject, str) or not subject:
        errors[SUBJECT] = messages.ERROR_NO_SUBJECT
    if not use:
        errors[USE] = messages.ERROR_USE_BLANK
    elif len(use) > USE_LIMIT:
        errors[USE] = messages.ERROR_USE_LONG.format(limit=USE_LIMIT)
    channel_id = _channel(view.get("private_metadata"))
    if channel_id is None:
        errors.setdefault(NAME, messages.ERROR_LOST_CHANNEL)
    if errors or channel_id is None or model is None or not isinstance(subject, str):
        return Invalid(errors)
    return Submission(
        channel_id=channel_id,
        request=ReplicaRequest(
            replica_name=name,
            model_name=model,
            train_video_url=video,
            train_image_url=image,
            voice_name=voice,
            consent_video_url=consent_video,
            subject_id=subject,
            intended_use=use,
            slack_file=slack_file[0] if slack_file else None,
            slack_file_name=slack_file[1] if slack_file else None,
        ),
    )


def _value(values: Mapping[str, Any], block_id: str) -> str | None:
    value = field_state(values, block_id).get("value")
    return value.strip() or None if isinstance(value, str) else None


def _link(values: Mapping[str, Any], block_id: str) -> str | None:
    # Every link a request keeps enters here: a password in it goes no further (see
    # without_credentials), neither to the link check nor to the store, Tavus or a receipt.
    value = _value(values, block_id)
    return without_credentials(value) if value is not None and is_web_url(value) else value


def _selected(values: Mapping[str, Any], block_id: str) -> str | None:
    option = field_state(values, block_id).get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) and value else None


def _checked(values: Mapping[str, Any], block_id: str) -> set[str]:
    options = field_state(values, block_id).get("selected_options") or []
    return {str(option.get("value")) for option in options if isinstance(option, Mapping)}


def shortcut_file(metadata: object) -> tuple[str, str] | None:
    """The file posted in Slack the form was opened from (id, name), if it was."""
    try:
        found = json.loads(metadata) if isinstance(metadata, str) else None
    except ValueError:
        return None
    file = found.get("slack_file") if isinstance(found, dict) else None
    if not isinstance(file, dict) or not isinstance(file.get("id"), str):
        return None
    return file["id"], str(file.get("name") or file["id"])


def _channel(metadata: object) -> str | None:
    try:
        channel = json.loads(metadata) if isinstance(metadata, str) else None
    except ValueError:
        return None
    value = channel.get("channel_id") if isinstance(channel, dict) else None
    return value if isinstance(value, str) and value else None
