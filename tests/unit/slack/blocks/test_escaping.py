"""No user's or Tavus's words come alive in mrkdwn: every builder, fed a ping and a fake link."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from types import FunctionType
from typing import Any
from urllib.parse import quote

import pytest

from bot import messages
from bot.governance.audit import Action, Record
from bot.governance.model import Approvers, Creators, Policy, Set
from bot.governance.receipts import Decision, Medium, Receipt, statement_for
from bot.jobs import Job, JobStatus, ReplicaRequest, Requester, Sight, Viewer
from bot.media.inspection.model import Finding, Report, Weight
from bot.media.inspection.model import Medium as Medium_
from bot.media.likeness.model import ConsentWords, FaceMatch, Likeness, Unsure
from bot.slack import blocks
from bot.slack.blocks import (
    cards,
    consent,
    form,
    kit,
    likeness,
    policy_form,
    reports,
    screens,
    submission,
)
from bot.slack.command_text import Usage, parse_command
from bot.workspaces.installations import Connected

# What a user (a replica's name, its intended use, a file's name, their profile's name) or Tavus
# (an error, a replica id, a link) may say: a ping, a mention, a link with a label of its own.
EVIL = "A&B <!channel> <@U0EVIL> <https://evil.example|Tavus consent portal> *bold* |"
# How Slack must be given it to show it as it was typed, inert.
INERT = "&lt;!channel&gt;"
# A link whose "|" would start a label of its writer's choosing, were it left as it is.
EVIL_LINK = "https://cdn.evil.example/v.mp4?a=1|<!channel> click here"
NOW = datetime(2030, 1, 1, tzinfo=UTC)
# The only labels the bot gives links: anything else after a "|" came from someone's input.
LABELS = {messages.THUMBNAIL, messages.TALK_LINK}

JOB = Job(
    id="j1",
    requester=Requester(team_id="T1", user_id="U0ALICE", channel_id="C0GENERAL"),
    request=ReplicaRequest(
        replica_name=EVIL,
        model_name=EVIL,
        # A file name is shown decoded: %3C is "<" again.
        train_video_url=f"https://cdn.example.com/{quote(EVIL, safe='')}.mp4?sig=1",
        consent_video_url=EVIL_LINK,
        voice_name=EVIL,
        subject_id="U0DANA",
        subject_name=EVIL,
        intended_use=EVIL,
        slack_file_name=EVIL,
    ),
    status=JobStatus.FAILED,
    callback_digest="d" * 64,
    created_at=NOW,
    updated_at=NOW,
    replica_id=EVIL,
    error_message=EVIL,
    training_progress=EVIL,
    thumbnail_url=EVIL_LINK,
    reviewer_id="U0ANN",
    reviewed_at=NOW,
)
FROM_SLACK = replace(JOB, request=replace(JOB.request, slack_file="F0FILE"))
# What the media check says may quote a file's own metadata (a codec's name, a title).
REPORT = Report(
    findings=tuple(Finding(medium, EVIL, weight, EVIL) for medium in Medium_ for weight in Weight),
    summaries=tuple((medium, EVIL) for medium in Medium_),
)
CHECKED = replace(JOB, status=JobStatus.AWAITING_CONSENT, media_report=REPORT)
FACE = FaceMatch(Likeness.MISMATCH, model="dlib", threshold=0.6, frames=9, with_face=9, best=0.8)
UNSURE = FaceMatch(Likeness.CANNOT_COMPARE, "dlib", 0.6, why=Unsure.NO_FACE_IN_PHOTO)
HELD = replace(JOB, status=JobStatus.HELD, face_match=FACE)
RECEIPT = Receipt(
    job_id="j1",
    team_id="T1",
    subject_id="U0DANA",
    subject_name=EVIL,
    requester_id="U0ALICE",
    decision=Decision.GIVEN,
    decided_at=NOW,
    statement=statement_for(EVIL),
    statement_sha256="0" * 64,
    intended_use=EVIL,
    media=(Medium(url=EVIL_LINK, host=EVIL, file=EVIL),),
    face_match=FACE,
    consent_words=ConsentWords(model="pocketsphinx", listened=9.0, words=40, error_rate=0.2),
)
RECORD = Record(
    at=NOW,
    team_id="T1",
    actor=EVIL,
    action=Action.FAILED,
    job_id=EVIL,
    replica_id=EVIL,
    subject="U0DANA",
    details={"replica_name": EVIL, "error": EVIL, "reason": EVIL},
    seq=1,
)
CONNECTED = Connected(team_id="T1", key_sealed="sealed", last4=EVIL, saved_by="U0ADA", saved_at=NOW)
ADMIN = Viewer("U0ADA", Sight.ALL)
# A policy holds only Slack's ids, chosen in Slack's own menus: nothing anyone types.
POLICY = Policy(
    creators=Creators(everyone=False, users=frozenset({"U0ANN"}), groups=("S0LEGAL",)),
    approvers=Approvers(users=frozenset({"U0BEN"}), groups=("S0OPS",)),
    approval_channel="C0APPROVE",
)


def in_status(status: JobStatus) -> Job:
    return replace(JOB, status=status)


def problem_of(text: str) -> str:
    parsed = parse_command(text)
    assert isinstance(parsed, Usage)
    return parsed.problem


# Every public function of bot/slack/blocks that a case below calls.
TRIED: set[Callable[..., object]] = set()


def tried(builder: Callable[..., object], *args: Any, **kwargs: Any) -> Callable[[], object]:
    """A case: `builder` with these arguments, noted as tried."""
    TRIED.add(builder)
    return lambda: builder(*args, **kwargs)


# Every builder that takes a user's or Tavus's words, by name.
BUILDERS: dict[str, Callable[[], object]] = {
    "announcement": tried(cards.announcement, JOB),
    "moved": tried(cards.moved, cards.announcement(JOB), "C0OTHER"),
    "card": tried(cards.card, in_status(JobStatus.TRAINING)),
    "fields": tried(cards.fields_of, JOB),
    **{
        f"result, {status.value}": tried(cards.result, in_status(status))
        for status in (JobStatus.READY, JobStatus.FAILED, *cards.ENDINGS)
    },
    **{
        f"card status, {status.value}": tried(cards.card_status, in_status(status))
        for status in JobStatus
    },
    "stale": tried(cards.stale, JOB),
    "media checked": tried(cards.media_checked, CHECKED),
    "unfit": tried(cards.unfit, replace(CHECKED, status=JobStatus.UNFIT)),
    "report": tried(reports.report_blocks, REPORT),
    "findings": tried(reports.findings_of, REPORT.findings),
    "measured": tried(reports.measured, REPORT),
    "consent request, media checked": tried(consent.consent_request, CHECKED),
    "media checked, for the person shown": tried(consent.checked, CHECKED),
    "announcement, checking before consent existed": tried(
        cards.announcement,
        replace(
            JOB,
            status=JobStatus.CHECKING,
            replica_id=None,
            request=replace(JOB.request, subject_id=None),
        ),
    ),
    "unchecked": tried(
        cards.unchecked, replace(JOB, request=replace(JOB.request, unchecked=("train_video_url",)))
    ),
    "not started": tried(cards.not_started, in_status(JobStatus.REJECTED)),
    "unknown": tried(cards.not_started, in_status(JobStatus.UNKNOWN)),
    "awaiting consent": tried(cards.awaiting_consent_view, JOB),
    "checking the media": tried(cards.awaiting_consent_view, in_status(JobStatus.CHECKING)),
    "consent request": tried(consent.consent_request, JOB),
    "consent request, from Slack": tried(consent.consent_request, FROM_SLACK),
    "media lines": tried(consent.media_lines, JOB.request),
    "a link named": tried(consent.named, JOB.request.train_video_url or ""),
    "approval request": tried(consent.approval_request, JOB),
    "approval settled": tried(consent.approval_settled, in_status(JobStatus.NOT_APPROVED)),
    "approval moot": tried(consent.approval_outcome, in_status(JobStatus.WITHDRAWN)),
    "audit line": tried(consent.audit_line, RECORD),
    "receipt": tried(consent.receipt, RECEIPT, in_status(JobStatus.TRAINING)),
    "receipt, withdrawn": tried(consent.receipt, RECEIPT, in_status(JobStatus.WITHDRAWN)),
    "withdraw button": tried(consent.withdraw_button, JOB),
    "held": tried(likeness.held, HELD),
    "held, unsure": tried(likeness.held, replace(HELD, face_match=UNSURE)),
    "held, to the person shown": tried(likeness.held_dm, HELD),
    "held, unsure, to the person shown": tried(likeness.held_dm, replace(HELD, face_match=UNSURE)),
    # Typed as a subcommand: Slack sends "<" as "&lt;", and the bot reads it back as "<".
    "usage": tried(screens.usage, problem_of(kit.escape(EVIL.removeprefix("A&B ")))),
    "list": tried(screens.replica_list, [JOB, JOB], page=1, more=True),
    "status": tried(screens.replica_status, JOB, RECEIPT, shown_to=ADMIN),
    "status, before receipts": tried(
        screens.replica_status,
        replace(JOB, request=replace(JOB.request, subject_id=None)),
        shown_to=ADMIN,
    ),
    "confirm delete": tried(screens.confirm_delete, JOB),
    "home": tried(
        screens.home,
        [JOB],
        [(in_status(JobStatus.READY), RECEIPT)],
        None,
        screens.TavusShown(CONNECTED, True),
    ),
    "home, an admin's, with the policy": tried(
        screens.home,
        [JOB],
        [(in_status(JobStatus.TRAINING), RECEIPT)],
        (POLICY, Set(POLICY, by="U0ADA", at=NOW)),
        screens.TavusShown(CONNECTED, True),
    ),
    "not found": tried(screens.not_found, EVIL),
    "talk opened": tried(screens.talk_opened, JOB, EVIL_LINK),
    "form": tried(form.build, channel_id="C0GENERAL", models=[EVIL], prefill=FROM_SLACK.request),
    # The answers of buttons and subcommands (commands.py, consent.py, talks.py), with Tavus's
    # reason (or a verb) given as the listeners give it.
    **{
        f"answer {name}": tried(screens.about, template, JOB, reason=EVIL, verb=EVIL)
        for name, template in {
            "DELETE_FAILED": messages.DELETE_FAILED,
            "DELETED": messages.DELETED,
            "NOT_YOURS": messages.NOT_YOURS,
            "RENAME_FAILED": messages.RENAME_FAILED,
            "RENAMED": messages.RENAMED,
            "TALK_FAILED": messages.TALK_FAILED,
            "TALK_NOT_READY": messages.TALK_NOT_READY,
            "TALK_NOT_YOURS": messages.TALK_NOT_YOURS,
            "WITHDRAW_DONE": messages.WITHDRAW_DONE,
            "WITHDRAW_FAILED": messages.WITHDRAW_FAILED,
            "WITHDRAW_NOT_THEIRS": messages.WITHDRAW_NOT_THEIRS,
        }.items()
    },
}


# Cases whose text holds nothing a user or Tavus wrote: the bot's words and Slack's ids.
SHOW_NO_INPUT = {
    *(name for name in BUILDERS if name.startswith("card status")),
    "unchecked",
    "approval moot",
    "answer WITHDRAW_NOT_THEIRS",
}


def mrkdwn(made: object) -> Iterator[str]:
    """Every text Slack reads as mrkdwn: an answer, a message's text and blocks, a modal.

    Words made to fill a template (a dict of them, or a list) are read as the template will.
    """
    if isinstance(made, str):
        yield made
    elif isinstance(made, kit.Message):
        yield made.text
        yield from _mrkdwn_in(made.blocks)
    elif isinstance(made, dict) and all(isinstance(v, str) for v in made.values()):
        yield from made.values()
    else:
        yield from _mrkdwn_in(made)


def _mrkdwn_in(blocks: object) -> Iterator[str]:
    # Plain text (labels, initial values, metadata) is shown as it is: only mrkdwn objects count.
    if isinstance(blocks, dict):
        if blocks.get("type") == "mrkdwn":
            yield blocks["text"]
        for value in blocks.values():
            yield from _mrkdwn_in(value)
    elif isinstance(blocks, list):
        for item in blocks:
            yield from _mrkdwn_in(item)


@pytest.mark.parametrize("name", BUILDERS)
def test_no_ping_mention_or_link_from_the_input_comes_alive(name: str) -> None:
    texts = list(mrkdwn(BUILDERS[name]()))

    assert texts
    for text in texts:
        for alive in ("<!channel", "<@U0EVIL", "<https://evil"):
            assert alive not in text, text
        # Every link left is one the bot made, its label its own.
        for label in re.findall(r"<https?://[^|>]*\|([^>]*)>", text):
            assert label in LABELS, text
    if name in {"status", "talk opened"}:
        # The link is there, to the same address, its "|" percent-encoded.
        assert any("https://cdn.evil.example/v.mp4?a=1%7C&lt;!channel&gt;" in t for t in texts)
    if name not in SHOW_NO_INPUT:
        # Shown, as it was typed.
        assert any(INERT in text for text in texts), texts


# The public functions of bot/slack/blocks no case above calls, and why none needs to.
EXEMPT: dict[str, set[Callable[..., object]]] = {
    "Block Kit's parts: they show the words they are given, made by the builders above": {
        kit.actions,
        kit.button,
        kit.context,
        kit.dialog,
        kit.field,
        kit.fields,
        kit.header,
        kit.option,
        kit.plain,
        kit.section,
        kit.text,
        kit.title,
        cards.status_view,
    },
    "the escaping itself and mrkdwn's pieces (test_kit.py)": {
        kit.escape,
        kit.link,
        kit.clip,
        kit.when,
    },
    "the bot's own words and numbers, or Slack's ids, nothing anyone typed": {
        cards.working_view,
        cards.progress_percent,
        likeness.face_line,
        likeness.receipt_lines,
        likeness.words_line,
        policy_form.build,
        screens.connect_link_view,
        screens.policy_words,
    },
    "reading what Slack sends back, or deciding; no text made": {
        consent.may_withdraw,
        form.is_web_url,
        form.shareable,
        kit.errors,
        kit.field_state,
        kit.fits_option,
        policy_form.parse,
        submission.parse,
        submission.shortcut_file,
    },
}


def builders() -> Iterator[tuple[str, FunctionType]]:
    """Every public function defined in a module of bot/slack/blocks, by its dotted name."""
    for found in pkgutil.iter_modules(blocks.__path__):
        module = importlib.import_module(f"{blocks.__name__}.{found.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                yield f"{found.name}.{name}", function


def test_every_builder_is_fed_the_hostile_words_above_or_exempt_for_a_reason() -> None:
    exempt = set().union(*EXEMPT.values())
    named = dict(builders())

    assert not TRIED & exempt
    left_out = [name for name, function in named.items() if function not in TRIED | exempt]
    assert left_out == [], "add a case to BUILDERS, or say in EXEMPT why it needs none"
    assert TRIED | exempt <= set(named.values())  # no case or exemption of a function gone


def test_an_answer_is_escaped_once_not_twice() -> None:
    said = screens.about(messages.DELETE_FAILED, JOB, reason="Tavus says a < b & c")

    assert "a &lt; b &amp; c" in said
    assert "&amp;lt;" not in said
