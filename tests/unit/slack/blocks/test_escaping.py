"""No user's or Tavus's words come alive in mrkdwn: every builder, fed a ping and a fake link."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot import messages
from bot.governance.audit import Action, Record
from bot.governance.receipts import Decision, Medium, Receipt, statement_for
from bot.jobs import Job, JobStatus, ReplicaRequest, Requester, Sight, Viewer
from bot.media.inspection.model import Finding, Report, Weight
from bot.media.inspection.model import Medium as Medium_
from bot.slack.blocks import cards, consent, form, kit, screens
from bot.slack.command_text import Usage, parse_command
from bot.workspaces.installations import Connected

# What a user (a replica's name, its intended use, a file's name, their profile's name) or Tavus
# (an error, a replica id, a link) may say: a ping, a mention, a link with a label of its own.
EVIL = "<!channel> <@U0EVIL> <https://evil.example|click> & *bold* |"
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
        train_video_url=f"https://cdn.example.com/{EVIL}.mp4?sig=1",
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
)
RECORD = Record(
    at=NOW,
    team_id="T1",
    actor=EVIL,
    action=Action.FAILED,
    job_id=EVIL,
    replica_id=EVIL,
    subject="U0DANA",
    details={"replica_name": EVIL, "error": EVIL},
    seq=1,
)
CONNECTED = Connected(team_id="T1", key_sealed="sealed", last4=EVIL, saved_by="U0ADA", saved_at=NOW)
ADMIN = Viewer("U0ADA", Sight.ALL)


def in_status(status: JobStatus) -> Job:
    return replace(JOB, status=status)


def usage_of(text: str) -> kit.Message:
    parsed = parse_command(text)
    assert isinstance(parsed, Usage)
    return screens.usage(parsed.problem)


# Every builder that takes a user's or Tavus's words, by name.
BUILDERS: dict[str, Callable[[], object]] = {
    "announcement": lambda: cards.announcement(JOB),
    "card": lambda: cards.card(in_status(JobStatus.TRAINING)),
    **{
        f"result, {status.value}": (lambda status=status: cards.result(in_status(status)))
        for status in (JobStatus.READY, JobStatus.FAILED, *cards.ENDINGS)
    },
    **{
        f"card status, {status.value}": (lambda status=status: cards.card_status(in_status(status)))
        for status in JobStatus
    },
    "stale": lambda: cards.stale(JOB),
    "media checked": lambda: cards.media_checked(CHECKED),
    "unfit": lambda: cards.result(replace(CHECKED, status=JobStatus.UNFIT)),
    "consent request, media checked": lambda: consent.consent_request(CHECKED),
    "announcement, checking before consent existed": lambda: cards.announcement(
        replace(
            JOB,
            status=JobStatus.CHECKING,
            replica_id=None,
            request=replace(JOB.request, subject_id=None),
        )
    ),
    "unchecked": lambda: cards.unchecked(
        replace(JOB, request=replace(JOB.request, unchecked=("train_video_url",)))
    ),
    "not started": lambda: cards.not_started(in_status(JobStatus.REJECTED)),
    "unknown": lambda: cards.not_started(in_status(JobStatus.UNKNOWN)),
    "awaiting consent": lambda: cards.awaiting_consent_view(JOB),
    "checking the media": lambda: cards.awaiting_consent_view(in_status(JobStatus.CHECKING)),
    "consent request": lambda: consent.consent_request(JOB),
    "consent request, from Slack": lambda: consent.consent_request(FROM_SLACK),
    "approval request": lambda: consent.approval_request(JOB),
    "approval settled": lambda: consent.approval_settled(in_status(JobStatus.NOT_APPROVED)),
    "audit line": lambda: consent.audit_line(RECORD),
    "receipt": lambda: consent.receipt(RECEIPT, in_status(JobStatus.TRAINING)),
    "receipt, withdrawn": lambda: consent.receipt(RECEIPT, in_status(JobStatus.WITHDRAWN)),
    # Typed as a subcommand: Slack sends "<" as "&lt;", and the bot reads it back as "<".
    "usage": lambda: usage_of(kit.escape(EVIL)),
    "list": lambda: screens.replica_list([JOB, JOB], page=1, more=True),
    "status": lambda: screens.replica_status(JOB, RECEIPT, shown_to=ADMIN),
    "status, before receipts": lambda: screens.replica_status(
        replace(JOB, request=replace(JOB.request, subject_id=None)), shown_to=ADMIN
    ),
    "confirm delete": lambda: screens.confirm_delete(JOB),
    "home": lambda: screens.home(
        [JOB], [(in_status(JobStatus.READY), RECEIPT)], None, screens.TavusShown(CONNECTED, True)
    ),
    "not found": lambda: screens.not_found(EVIL),
    "talk opened": lambda: screens.talk_opened(JOB, EVIL_LINK),
    "form": lambda: form.build(channel_id="C0GENERAL", models=[EVIL], prefill=FROM_SLACK.request),
    # The answers of buttons and subcommands (commands.py, consent.py, talks.py), with Tavus's
    # reason (or a verb) given as the listeners give it.
    **{
        f"answer {name}": (
            lambda template=template: screens.about(template, JOB, reason=EVIL, verb=EVIL)
        )
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


def mrkdwn(made: object) -> Iterator[str]:
    """Every text Slack reads as mrkdwn: an answer, a message's text and blocks, a modal."""
    if isinstance(made, str):
        yield made
    elif isinstance(made, kit.Message):
        yield made.text
        yield from _mrkdwn_in(made.blocks)
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


def test_an_answer_is_escaped_once_not_twice() -> None:
    said = screens.about(messages.DELETE_FAILED, JOB, reason="Tavus says a < b & c")

    assert "a &lt; b &amp; c" in said
    assert "&amp;lt;" not in said
