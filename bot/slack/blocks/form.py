"""The /replica modal built; its block ids are the ones submission.py reads back. Pure."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from bot import messages
from bot.jobs import ReplicaRequest
from bot.jobs.voices import DOCUMENTED
from bot.slack.blocks.kit import (
    FIELD,
    METADATA_NAME_LIMIT,
    PLACEHOLDER_LIMIT,
    clip,
    escape,
    field,
    fits_option,
    option,
    plain,
    section,
    title,
)

CALLBACK_ID = "replica_form"
NAME = "replica_name"
VIDEO = "train_video_url"
IMAGE = "train_image_url"
VOICE = "voice_name"
CONSENT_VIDEO = "consent_video_url"
MODEL = "model_name"
CONSENT = "consent"
SUBJECT = "subject"
USE = "intended_use"
IMAGE_FILE = "train_image_file"
IMAGE_TYPES = ["png", "jpg", "jpeg", "webp"]
ACTION = FIELD  # every input's action id
CONSENT_GIVEN = "given"

NAME_LIMIT = 100
URL_LIMIT = 2000
USE_LIMIT = 200


def build(
    *,
    channel_id: str,
    models: Sequence[str],
    voices: Sequence[str] = DOCUMENTED,
    prefill: ReplicaRequest | None = None,
    requester_id: str | None = None,
) -> dict[str, Any]:
    """The modal opened by /replica in `channel_id`, filled in with `prefill` if given.

    Whose likeness it is starts as the prefill's, or else the requester's own.
    """
    subject = (prefill.subject_id if prefill else None) or requester_id
    given = prefill or ReplicaRequest(replica_name="", model_name=models[0])
    model = given.model_name if given.model_name in models else models[0]
    voice = given.voice_name if given.voice_name in voices else None
    metadata: dict[str, Any] = {"channel_id": channel_id}
    intro = messages.FORM_INTRO
    if given.slack_file:
        # From the shortcut: the file posted in Slack is the training source.
        # Cut: the metadata holds 3,000 characters, and JSON may write each one as six.
        name = clip(given.slack_file_name or "", METADATA_NAME_LIMIT)
        metadata["slack_file"] = {"id": given.slack_file, "name": name}
        intro += "\n" + messages.FORM_FROM_SLACK.format(name=escape(given.slack_file_name or ""))
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps(metadata),
        "title": title(messages.FORM_TITLE),
        "submit": title(messages.FORM_SUBMIT),
        "close": title(messages.FORM_CLOSE),
        "blocks": [
            section(intro),
            field(
                NAME,
                messages.NAME_LABEL,
                messages.NAME_HINT,
                _initial(
                    {"type": "plain_text_input", "max_length": NAME_LIMIT}, given.replica_name
                ),
            ),
            field(
                SUBJECT,
                messages.SUBJECT_LABEL,
                messages.SUBJECT_HINT,
                {"type": "users_select", **({"initial_user": subject} if subject else {})},
            ),
            field(
                USE,
                messages.USE_LABEL,
                messages.USE_HINT,
                _initial({"type": "plain_text_input", "max_length": USE_LIMIT}, given.intended_use),
            ),
            field(
                VIDEO,
                messages.VIDEO_LABEL,
                messages.VIDEO_HINT,
                _initial({"type": "url_text_input"}, given.train_video_url),
                True,
            ),
            field(
                IMAGE,
                messages.IMAGE_LABEL,
                messages.IMAGE_HINT,
                _initial({"type": "url_text_input"}, given.train_image_url),
                True,
            ),
            field(
                IMAGE_FILE,
                messages.IMAGE_FILE_LABEL,
                messages.IMAGE_FILE_HINT,
                {"type": "file_input", "filetypes": IMAGE_TYPES, "max_files": 1},
                True,
            ),
            field(
                VOICE,
                messages.VOICE_LABEL,
                messages.VOICE_HINT,
                {
                    "type": "static_select",
                    "placeholder": plain(messages.VOICE_PLACEHOLDER, PLACEHOLDER_LIMIT),
                    # A select hands back an option's value whole: a name Slack would refuse is
                    # not offered.
                    "options": [option(voice) for voice in voices if fits_option(voice)],
                    **({"initial_option": option(voice)} if voice else {}),
                },
                True,
            ),
            field(
                CONSENT_VIDEO,
                messages.CONSENT_VIDEO_LABEL,
                messages.CONSENT_VIDEO_HINT,
                _initial({"type": "url_text_input"}, given.consent_video_url),
                True,
            ),
            field(
                MODEL,
                messages.MODEL_LABEL,
                messages.MODEL_HINT,
                {
                    "type": "static_select",
                    "options": [option(model) for model in models],
                    "initial_option": option(model),
                },
            ),
            field(
                CONSENT,
                messages.CONSENT_LABEL,
                None,
                {
                    "type": "checkboxes",
                    "options": [option(CONSENT_GIVEN, messages.CONSENT_OPTION)],
                },
            ),
        ],
    }


def shareable(request: ReplicaRequest) -> ReplicaRequest:
    """Another person's request, as a form refilled for an admin may hold it.

    No file posted in Slack: the bot would copy it with its own token, whoever could open it.
    No link that may carry a secret (a query string, a fragment, a user name): a presigned link
    is a password, and someone else's is not for an admin to read either.
    """
    return replace(
        request,
        train_video_url=_bare(request.train_video_url),
        train_image_url=_bare(request.train_image_url),
        consent_video_url=_bare(request.consent_video_url),
        slack_file=None,
        slack_file_name=None,
    )


def _bare(url: str | None) -> str | None:
    """`url` if nothing in it can be a secret but its host and path; else None."""
    if url is None:
        return None
    # Saved only once is_web_url() took it: urlsplit() reads it without raising.
    parts = urlsplit(url)
    secret = parts.query or parts.fragment or parts.username or parts.password
    return None if secret else url


def is_web_url(value: str) -> bool:
    """Whether a string is an absolute http(s) URL with a host and no spaces."""
    if len(value) > URL_LIMIT or any(char.isspace() for char in value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme in {"http", "https"} and bool(parts.hostname)
    except ValueError:
        return False


def _initial(element: dict[str, Any], value: str | None) -> dict[str, Any]:
    return {**element, "initial_value": value} if value else element
