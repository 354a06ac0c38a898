"""Unit tests for the /replica modal: what build() shows and what parse() accepts or refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import messages
from bot.governance.receipts import Medium, media_of
from bot.jobs import ReplicaRequest
from bot.slack.blocks import form, submission
from bot.slack.blocks.kit import Invalid
from bot.slack.blocks.submission import Submission

MODELS = ("phoenix-4", "phoenix-3")
CHANNEL = "C0123CHAN"
VIDEO_URL = "https://cdn.example.com/training.mp4"
IMAGE_URL = "https://cdn.example.com/headshot.png"
CONSENT_URL = "https://cdn.example.com/consent.mp4"
SUBJECT = "U0DANA"
USE = "sales demo videos"
# Marks a field the user left alone, as Slack sends it (value or selection null).
UNSET: Any = None
# Marks private_metadata left out of the view altogether.
NO_METADATA = object()


def _option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}


def submitted_view(
    *,
    name: str | None = "Dana – sales demo",
    video: str | None = UNSET,
    image: str | None = UNSET,
    voice: str | None = UNSET,
    consent_video: str | None = UNSET,
    model: str | None = "phoenix-4",
    consented: bool = True,
    subject: str | None = SUBJECT,
    use: str | None = USE,
    private_metadata: object = json.dumps({"channel_id": CHANNEL}),
) -> dict[str, Any]:
    """A view_submission payload's `view`, shaped as Slack sends it."""
    values = {
        form.NAME: {form.ACTION: {"type": "plain_text_input", "value": name}},
        form.SUBJECT: {form.ACTION: {"type": "users_select", "selected_user": subject}},
        form.USE: {form.ACTION: {"type": "plain_text_input", "value": use}},
        form.VIDEO: {form.ACTION: {"type": "url_text_input", "value": video}},
        form.IMAGE: {form.ACTION: {"type": "url_text_input", "value": image}},
        form.VOICE: {
            form.ACTION: {
                "type": "static_select",
                "selected_option": _option(voice) if voice is not None else None,
            }
        },
        form.CONSENT_VIDEO: {form.ACTION: {"type": "url_text_input", "value": consent_video}},
        form.MODEL: {
            form.ACTION: {
                "type": "static_select",
                "selected_option": _option(model) if model is not None else None,
            }
        },
        form.CONSENT: {
            form.ACTION: {
                "type": "checkboxes",
                "selected_options": [
                    {
                        "text": {"type": "plain_text", "text": messages.CONSENT_OPTION},
                        "value": form.CONSENT_GIVEN,
                    }
                ]
                if consented
                else [],
            }
        },
    }
    view: dict[str, Any] = {
        "id": "V0123VIEW",
        "team_id": "T0123TEAM",
        "type": "modal",
        "callback_id": form.CALLBACK_ID,
        "hash": "1712345678.abcdef",
        "state": {"values": values},
    }
    if private_metadata is not NO_METADATA:
        view["private_metadata"] = private_metadata
    return view


def parse(view: dict[str, Any]) -> Submission | Invalid:
    return submission.parse(view, models=MODELS)


def errors_of(view: dict[str, Any]) -> dict[str, str]:
    result = parse(view)
    assert isinstance(result, Invalid), result
    return result.errors


def input_blocks(modal: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in modal["blocks"] if block["type"] == "input"}


# build()


def test_build_gives_a_modal_with_the_form_callback_id() -> None:
    modal = form.build(channel_id=CHANNEL, models=MODELS)

    assert modal["type"] == "modal"
    assert modal["callback_id"] == form.CALLBACK_ID
    assert modal["title"]["text"] == messages.FORM_TITLE
    assert modal["submit"]["text"] == messages.FORM_SUBMIT
    assert modal["close"]["text"] == messages.FORM_CLOSE


def test_build_keeps_the_channel_in_private_metadata() -> None:
    modal = form.build(channel_id=CHANNEL, models=MODELS)

    assert json.loads(modal["private_metadata"]) == {"channel_id": CHANNEL}


def test_build_has_one_input_block_per_form_field_in_order() -> None:
    modal = form.build(channel_id=CHANNEL, models=MODELS)

    assert list(input_blocks(modal)) == [
        form.NAME,
        form.SUBJECT,
        form.USE,
        form.VIDEO,
        form.IMAGE,
        form.IMAGE_FILE,
        form.VOICE,
        form.CONSENT_VIDEO,
        form.MODEL,
        form.CONSENT,
    ]
    assert all(block["element"]["action_id"] == form.ACTION for block in modal["blocks"][1:])


def test_build_marks_only_name_subject_use_model_and_consent_as_required() -> None:
    blocks = input_blocks(form.build(channel_id=CHANNEL, models=MODELS))

    required = {block_id for block_id, block in blocks.items() if not block["optional"]}
    assert required == {form.NAME, form.SUBJECT, form.USE, form.MODEL, form.CONSENT}


def test_build_uses_url_inputs_for_every_link() -> None:
    blocks = input_blocks(form.build(channel_id=CHANNEL, models=MODELS))

    for block_id in (form.VIDEO, form.IMAGE, form.CONSENT_VIDEO):
        assert blocks[block_id]["element"]["type"] == "url_text_input"


def test_build_limits_the_name_to_the_length_parse_accepts() -> None:
    blocks = input_blocks(form.build(channel_id=CHANNEL, models=MODELS))

    assert blocks[form.NAME]["element"]["max_length"] == form.NAME_LIMIT


def test_build_offers_every_model_and_preselects_the_first() -> None:
    model = input_blocks(form.build(channel_id=CHANNEL, models=MODELS))[form.MODEL]["element"]

    assert [option["value"] for option in model["options"]] == ["phoenix-4", "phoenix-3"]
    assert model["initial_option"]["value"] == "phoenix-4"
    # Slack rejects a modal whose initial_option is not exactly one of its options.
    assert model["initial_option"] in model["options"]


def test_build_offers_the_documented_stock_voices_by_default() -> None:
    voice = input_blocks(form.build(channel_id=CHANNEL, models=MODELS))[form.VOICE]["element"]

    assert [option["value"] for option in voice["options"]] == [
        "anna",
        "benjamin",
        "james",
        "liam",
        "julia",
        "ivy",
    ]
    assert "initial_option" not in voice


def test_build_offers_a_single_consent_checkbox() -> None:
    consent = input_blocks(form.build(channel_id=CHANNEL, models=MODELS))[form.CONSENT]

    assert consent["element"]["type"] == "checkboxes"
    assert consent["element"]["options"] == [
        {"text": {"type": "plain_text", "text": messages.CONSENT_OPTION}, "value": "given"}
    ]


def test_build_explains_that_links_must_stay_valid_for_24_hours() -> None:
    modal = form.build(channel_id=CHANNEL, models=MODELS)

    intro = modal["blocks"][0]
    assert intro["type"] == "section"
    assert intro["text"]["text"] == messages.FORM_INTRO
    assert "24 hours" in intro["text"]["text"]
    blocks = input_blocks(modal)
    for block_id in (form.VIDEO, form.IMAGE, form.CONSENT_VIDEO):
        assert "valid for 24 hours" in blocks[block_id]["hint"]["text"]


def test_build_shows_a_hint_under_every_input_but_the_checkbox() -> None:
    blocks = input_blocks(form.build(channel_id=CHANNEL, models=MODELS))

    hints = {
        block_id: block["hint"]["text"] for block_id, block in blocks.items() if "hint" in block
    }
    assert hints == {
        form.NAME: messages.NAME_HINT,
        form.SUBJECT: messages.SUBJECT_HINT,
        form.USE: messages.USE_HINT,
        form.IMAGE_FILE: messages.IMAGE_FILE_HINT,
        form.VIDEO: messages.VIDEO_HINT,
        form.IMAGE: messages.IMAGE_HINT,
        form.VOICE: messages.VOICE_HINT,
        form.CONSENT_VIDEO: messages.CONSENT_VIDEO_HINT,
        form.MODEL: messages.MODEL_HINT,
    }


def test_build_quotes_the_consent_statement_in_the_consent_video_hint() -> None:
    blocks = input_blocks(form.build(channel_id=CHANNEL, models=MODELS))

    assert messages.CONSENT_STATEMENT in blocks[form.CONSENT_VIDEO]["hint"]["text"]


def test_build_stays_within_slacks_modal_text_limits() -> None:
    modal = form.build(channel_id=CHANNEL, models=MODELS)

    for key in ("title", "submit", "close"):
        assert len(modal[key]["text"]) <= 24
    assert len(modal["private_metadata"]) <= 3000
    for block in input_blocks(modal).values():
        assert len(block["label"]["text"]) <= 2000
        assert len(block.get("hint", {}).get("text", "")) <= 2000
        for option in block["element"].get("options", []):
            assert len(option["text"]["text"]) <= 75


# parse(): valid submissions


def test_video_submission_becomes_a_replica_request_for_its_channel() -> None:
    result = parse(submitted_view(video=VIDEO_URL, consent_video=CONSENT_URL, model="phoenix-3"))

    assert result == Submission(
        channel_id=CHANNEL,
        request=ReplicaRequest(
            replica_name="Dana – sales demo",
            model_name="phoenix-3",
            train_video_url=VIDEO_URL,
            consent_video_url=CONSENT_URL,
            subject_id=SUBJECT,
            intended_use=USE,
        ),
    )


def test_image_with_voice_becomes_a_replica_request() -> None:
    result = parse(submitted_view(image=IMAGE_URL, voice="ivy"))

    assert result == Submission(
        channel_id=CHANNEL,
        request=ReplicaRequest(
            replica_name="Dana – sales demo",
            model_name="phoenix-4",
            train_image_url=IMAGE_URL,
            voice_name="ivy",
            subject_id=SUBJECT,
            intended_use=USE,
        ),
    )


def test_video_may_come_with_a_voice() -> None:
    result = parse(submitted_view(video=VIDEO_URL, voice="liam"))

    assert isinstance(result, Submission)
    assert result.request.voice_name == "liam"


def test_spaces_around_the_name_and_links_are_trimmed() -> None:
    result = parse(submitted_view(name="  Dana  ", video=f"  {VIDEO_URL}\n"))

    assert isinstance(result, Submission)
    assert result.request.replica_name == "Dana"
    assert result.request.train_video_url == VIDEO_URL


def test_a_links_user_name_and_password_are_dropped_and_the_rest_kept() -> None:
    result = parse(
        submitted_view(
            video="https://dana:hunter2@cdn.example.com/training.mp4?X-Amz-Signature=abc",
            consent_video="https://token@cdn.example.com/consent.mp4",
        )
    )

    assert isinstance(result, Submission)
    assert result.request.train_video_url == (
        "https://cdn.example.com/training.mp4?X-Amz-Signature=abc"
    )
    assert result.request.consent_video_url == CONSENT_URL
    image = parse(submitted_view(image="https://a:b@cdn.example.com/headshot.png", voice="ivy"))
    assert isinstance(image, Submission)
    assert image.request.train_image_url == IMAGE_URL


def test_a_receipt_names_a_link_without_its_password_even_one_saved_with_it() -> None:
    # A request saved before the form dropped passwords still holds one.
    saved = ReplicaRequest(
        replica_name="Dana",
        model_name="phoenix-4",
        train_video_url="https://dana:hunter2@cdn.example.com:8443/share/v.mp4?sig=x",
    )

    assert media_of(saved) == (
        Medium("https://cdn.example.com:8443/share/v.mp4", "cdn.example.com", "v.mp4"),
    )


def test_blank_optional_links_count_as_not_given() -> None:
    result = parse(submitted_view(video=VIDEO_URL, image="   ", consent_video=""))

    assert isinstance(result, Submission)
    assert result.request.train_image_url is None
    assert result.request.consent_video_url is None


def test_a_name_of_exactly_the_limit_is_accepted() -> None:
    result = parse(submitted_view(name="x" * form.NAME_LIMIT, video=VIDEO_URL))

    assert isinstance(result, Submission)


@pytest.mark.parametrize(
    "url",
    [
        "http://cdn.example.com/training.mp4",
        "https://cdn.example.com/training.mp4?X-Amz-Signature=abc&X-Amz-Expires=86400",
        "HTTPS://CDN.EXAMPLE.COM/training.mp4",
        "https://127.0.0.1:8443/training.mp4",
    ],
)
def test_absolute_http_links_are_accepted(url: str) -> None:
    assert isinstance(parse(submitted_view(video=url)), Submission)


def test_voices_offered_by_the_caller_are_the_ones_accepted() -> None:
    view = submitted_view(image=IMAGE_URL, voice="custom-voice")

    assert isinstance(submission.parse(view, models=MODELS, voices=("custom-voice",)), Submission)
    assert submission.parse(view, models=MODELS) == Invalid({form.VOICE: messages.ERROR_BAD_VOICE})


# parse(): refused submissions, one problem at a time


@pytest.mark.parametrize("name", ["", "   ", "\n\t ", None], ids=["empty", "spaces", "ws", "null"])
def test_blank_name_is_refused_on_the_name_block(name: str | None) -> None:
    assert errors_of(submitted_view(name=name, video=VIDEO_URL)) == {
        form.NAME: messages.ERROR_NAME_BLANK
    }


def test_name_over_the_limit_is_refused_on_the_name_block() -> None:
    assert errors_of(submitted_view(name="x" * (form.NAME_LIMIT + 1), video=VIDEO_URL)) == {
        form.NAME: messages.ERROR_NAME_LONG.format(limit=form.NAME_LIMIT)
    }


def test_neither_video_nor_image_is_refused_on_the_video_block() -> None:
    assert errors_of(submitted_view()) == {form.VIDEO: messages.ERROR_NEED_SOURCE}


def test_both_video_and_image_are_refused_on_the_image_block() -> None:
    assert errors_of(submitted_view(video=VIDEO_URL, image=IMAGE_URL, voice="anna")) == {
        form.IMAGE: messages.ERROR_BOTH_SOURCES
    }


def test_image_without_voice_is_refused_on_the_voice_block() -> None:
    assert errors_of(submitted_view(image=IMAGE_URL)) == {
        form.VOICE: messages.ERROR_IMAGE_NEEDS_VOICE
    }


BAD_URLS = [
    pytest.param("cdn.example.com/training.mp4", id="no-scheme"),
    pytest.param("/uploads/training.mp4", id="relative-path"),
    pytest.param("training.mp4", id="bare-file"),
    pytest.param("//cdn.example.com/training.mp4", id="scheme-relative"),
    pytest.param("ftp://cdn.example.com/training.mp4", id="ftp"),
    pytest.param("javascript:alert(1)", id="javascript"),
    pytest.param("file:///etc/passwd", id="file"),
    pytest.param("https://", id="no-host"),
    pytest.param("https:///training.mp4", id="empty-host"),
    pytest.param("https://cdn.example.com/my training.mp4", id="space"),
    pytest.param("https://cdn.example.com/a\tb.mp4", id="tab"),
    pytest.param("https://[::1/training.mp4", id="broken-ipv6"),
    pytest.param("https://cdn.example.com/" + "a" * form.URL_LIMIT, id="too-long"),
]

# Each link field, with the rest of a form that would otherwise be valid.
LINK_FIELDS = [
    pytest.param(form.VIDEO, {}, id="video"),
    pytest.param(form.IMAGE, {"voice": "anna"}, id="image"),
    pytest.param(form.CONSENT_VIDEO, {"video": VIDEO_URL}, id="consent-video"),
]
FIELD_ARGUMENT = {form.VIDEO: "video", form.IMAGE: "image", form.CONSENT_VIDEO: "consent_video"}


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize(("block_id", "rest"), LINK_FIELDS)
def test_malformed_link_is_refused_on_its_own_block(
    block_id: str, rest: dict[str, Any], url: str
) -> None:
    fields: dict[str, Any] = {FIELD_ARGUMENT[block_id]: url, **rest}
    view = submitted_view(**fields)

    assert errors_of(view) == {block_id: messages.ERROR_BAD_URL}


def test_malformed_image_link_beside_a_video_says_the_link_is_bad() -> None:
    # The link error is the more useful one: fixing it is needed whichever source is kept.
    assert errors_of(submitted_view(video=VIDEO_URL, image="ftp://x/y.png", voice="anna")) == {
        form.IMAGE: messages.ERROR_BAD_URL
    }


def test_unticked_consent_is_refused_on_the_consent_block() -> None:
    assert errors_of(submitted_view(video=VIDEO_URL, consented=False)) == {
        form.CONSENT: messages.ERROR_NO_CONSENT
    }


def test_a_consent_option_other_than_the_offered_one_does_not_count() -> None:
    view = submitted_view(video=VIDEO_URL)
    consent = view["state"]["values"][form.CONSENT][form.ACTION]
    consent["selected_options"] = [{"text": {"type": "plain_text", "text": "x"}, "value": "yes"}]

    assert errors_of(view) == {form.CONSENT: messages.ERROR_NO_CONSENT}


@pytest.mark.parametrize("model", ["phoenix-99", "", None], ids=["forged", "empty", "none"])
def test_model_not_offered_is_refused_on_the_model_block(model: str | None) -> None:
    assert errors_of(submitted_view(video=VIDEO_URL, model=model)) == {
        form.MODEL: messages.ERROR_BAD_MODEL
    }


@pytest.mark.parametrize(
    "sources", [{"video": VIDEO_URL}, {"image": IMAGE_URL}], ids=["with-video", "with-image"]
)
def test_voice_not_offered_is_refused_on_the_voice_block(sources: dict[str, Any]) -> None:
    assert errors_of(submitted_view(voice="eve", **sources)) == {
        form.VOICE: messages.ERROR_BAD_VOICE
    }


@pytest.mark.parametrize(
    "private_metadata",
    [
        pytest.param(NO_METADATA, id="absent"),
        pytest.param(None, id="null"),
        pytest.param("", id="empty"),
        pytest.param("C0123CHAN", id="not-json"),
        pytest.param('{"channel_id": ', id="truncated-json"),
        pytest.param("[]", id="json-list"),
        pytest.param('"C0123CHAN"', id="json-string"),
        pytest.param("{}", id="no-channel"),
        pytest.param('{"channel_id": ""}', id="empty-channel"),
        pytest.param('{"channel_id": 42}', id="numeric-channel"),
    ],
)
def test_missing_or_garbled_metadata_is_refused_on_the_name_block(
    private_metadata: object,
) -> None:
    view = submitted_view(video=VIDEO_URL, private_metadata=private_metadata)

    assert errors_of(view) == {form.NAME: messages.ERROR_LOST_CHANNEL}


# parse(): several problems, and payloads Slack would never send


def test_several_problems_are_reported_together() -> None:
    view = submitted_view(
        name=" ",
        image="not a link",
        voice=None,
        consent_video="ftp://cdn.example.com/consent.mp4",
        model="phoenix-0",
        consented=False,
    )

    assert errors_of(view) == {
        form.NAME: messages.ERROR_NAME_BLANK,
        form.IMAGE: messages.ERROR_BAD_URL,
        form.VOICE: messages.ERROR_IMAGE_NEEDS_VOICE,
        form.CONSENT_VIDEO: messages.ERROR_BAD_URL,
        form.MODEL: messages.ERROR_BAD_MODEL,
        form.CONSENT: messages.ERROR_NO_CONSENT,
    }


def test_an_empty_view_is_refused_rather_than_crashing() -> None:
    assert errors_of({}) == {
        form.NAME: messages.ERROR_NAME_BLANK,
        form.VIDEO: messages.ERROR_NEED_SOURCE,
        form.MODEL: messages.ERROR_BAD_MODEL,
        form.CONSENT: messages.ERROR_NO_CONSENT,
        form.SUBJECT: messages.ERROR_NO_SUBJECT,
        form.USE: messages.ERROR_USE_BLANK,
    }


def test_values_of_the_wrong_type_are_treated_as_not_given() -> None:
    view = submitted_view(video=VIDEO_URL)
    values = view["state"]["values"]
    values[form.NAME][form.ACTION]["value"] = ["Dana"]
    values[form.IMAGE][form.ACTION] = "https://cdn.example.com/headshot.png"
    values[form.MODEL][form.ACTION]["selected_option"] = "phoenix-4"
    values[form.CONSENT][form.ACTION]["selected_options"] = ["given"]

    assert errors_of(view) == {
        form.NAME: messages.ERROR_NAME_BLANK,
        form.MODEL: messages.ERROR_BAD_MODEL,
        form.CONSENT: messages.ERROR_NO_CONSENT,
    }


def test_every_error_is_keyed_on_an_input_block_of_the_modal() -> None:
    # Slack refuses a response_action=errors naming a block the view does not have.
    modal_inputs = set(input_blocks(form.build(channel_id=CHANNEL, models=MODELS)))
    views = [
        submitted_view(name="", image="bad", voice="eve", consent_video="bad", model="x"),
        submitted_view(video=VIDEO_URL, image=IMAGE_URL, consented=False),
        submitted_view(image=IMAGE_URL, private_metadata=NO_METADATA),
        submitted_view(),
    ]

    for view in views:
        assert set(errors_of(view)) <= modal_inputs


# is_web_url(), which parse() relies on


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.com", True),
        ("http://example.com/a?b=c#d", True),
        ("https://example.com/" + "a" * (form.URL_LIMIT - 20), True),
        ("https://example.com/" + "a" * form.URL_LIMIT, False),
        ("mailto:someone@example.com", False),
        ("data:video/mp4;base64,AAAA", False),
        ("https://exa mple.com", False),
        ("https://example.com/\u00a0", False),
        ("", False),
    ],
)
def test_is_web_url_accepts_only_absolute_http_links(value: str, expected: bool) -> None:
    assert form.is_web_url(value) is expected


# Whose likeness it is, and what for


def test_build_preselects_the_requester_as_the_person_shown() -> None:
    blocks = input_blocks(form.build(channel_id=CHANNEL, models=MODELS, requester_id="U0ALICE"))

    assert blocks[form.SUBJECT]["element"] == {
        "type": "users_select",
        "initial_user": "U0ALICE",
        "action_id": form.ACTION,
    }
    assert blocks[form.USE]["element"]["max_length"] == form.USE_LIMIT


def test_build_keeps_the_person_a_retried_request_named() -> None:
    prefill = ReplicaRequest(
        replica_name="Dana", model_name="phoenix-4", subject_id="U0DANA", intended_use="demos"
    )

    blocks = input_blocks(
        form.build(channel_id=CHANNEL, models=MODELS, prefill=prefill, requester_id="U0ALICE")
    )

    assert blocks[form.SUBJECT]["element"]["initial_user"] == "U0DANA"
    assert blocks[form.USE]["element"]["initial_value"] == "demos"


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.com/v.mp4?X-Amz-Signature=abc",
        "https://cdn.example.com/v.mp4#token=abc",
        "https://user:pass@cdn.example.com/v.mp4",
    ],
)
def test_a_request_shared_with_someone_else_drops_its_slack_file_and_secret_links(
    url: str,
) -> None:
    request = ReplicaRequest(
        replica_name="Dana",
        model_name="phoenix-4",
        train_video_url=url,
        train_image_url=url,
        consent_video_url=CONSENT_URL,
        slack_file="F0SECRET",
        slack_file_name="dana.mp4",
        intended_use="demos",
    )

    shared = form.shareable(request)

    assert (shared.train_video_url, shared.train_image_url) == (None, None)
    assert shared.consent_video_url == CONSENT_URL  # nothing secret in it
    assert (shared.slack_file, shared.slack_file_name) == (None, None)
    assert (shared.replica_name, shared.intended_use) == ("Dana", "demos")
    built = form.build(channel_id=CHANNEL, models=MODELS, prefill=shared)
    assert "F0SECRET" not in json.dumps(built)


def test_the_consent_box_confirms_the_media_shows_the_person_chosen() -> None:
    [option] = input_blocks(form.build(channel_id=CHANNEL, models=MODELS))[form.CONSENT]["element"][
        "options"
    ]

    assert option["text"]["text"] == "I confirm the media shows the person selected above."


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"subject": None}, {form.SUBJECT: messages.ERROR_NO_SUBJECT}),
        ({"subject": ""}, {form.SUBJECT: messages.ERROR_NO_SUBJECT}),
        ({"use": None}, {form.USE: messages.ERROR_USE_BLANK}),
        ({"use": "   "}, {form.USE: messages.ERROR_USE_BLANK}),
        (
            {"use": "x" * (form.USE_LIMIT + 1)},
            {form.USE: messages.ERROR_USE_LONG.format(limit=form.USE_LIMIT)},
        ),
    ],
)
def test_a_missing_person_or_use_is_refused_under_its_own_field(
    fields: dict[str, Any], errors: dict[str, str]
) -> None:
    assert errors_of(submitted_view(video=VIDEO_URL, **fields)) == errors
