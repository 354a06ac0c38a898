"""Every message and view the bot builds is one Slack takes, whatever the users and Tavus typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from bot import messages
from bot.governance.audit import Action, Record
from bot.governance.model import Approvers, Creators, FaceMatch, Policy, Set
from bot.governance.receipts import Decision, Receipt, media_of, sha256, statement_for
from bot.jobs import Job, JobStatus, ReplicaRequest, Requester, Sight, Viewer
from bot.media.inspection.model import Finding, Medium, Report, Weight
from bot.media.slack_files import SlackFile, refusal
from bot.slack.blocks import cards, consent, form, kit, policy_form, screens, submission
from bot.slack.blocks.kit import Message
from bot.tavus import TavusRejected
from bot.workspaces.installations import Connected
from tests.slack_client import filled
from tests.standins.blockkit import block_errors, response_action_errors, view_errors

# Modest: with text up to a few thousand characters the whole file runs in well under 30 s.
# No shrinking: shrinking such texts takes minutes, and a failure names its path and length.
FEW = settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# A failure prints its example, texts of thousands of characters included.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

NOW = datetime(2030, 1, 1, tzinfo=UTC)
MODELS = ["phoenix-4", "phoenix-3"]
# What users type and Tavus says: Slack's escapes and its formatting marks, emoji (one that
# is five code points), accents, line breaks; and anything else Unicode has.
SPECIAL = [*"&<>|*_~`", "😀", "👩", "\u200d", "é", "\n", " ", "a"]
CHARS = st.one_of(st.sampled_from(SPECIAL), st.characters(codec="utf-8"))
REPEATED = [*SPECIAL, "👩\u200d👩\u200d👧", "<!channel>", "&amp;"]


def words(most: int, least: int = 0) -> st.SearchStrategy[str]:
    """Any text up to `most` characters, or `most` of one thing repeated (the worst case)."""
    return st.one_of(
        st.text(CHARS, min_size=least, max_size=most),
        st.sampled_from(REPEATED).map(lambda c: (c * most)[:most]),
    )


def url_of(host: str, name: str, query: str) -> str:
    return f"https://{host}/media/{quote(name)}?{query}"[: form.URL_LIMIT]


HOSTS = st.sampled_from(["cdn.example.com", "a" * 60 + ".example.com", "xn--bcher-kva.example"])
# Links as long as the form takes them (2,000), long file names and signed query strings.
URLS = st.builds(url_of, HOSTS, words(2000, 1), st.text("abcXYZ=&%-_.", max_size=2000))
FILE_NAMES = words(2000, 1)
ERRORS = words(2000, 1)  # a Tavus error text
# Tavus's voices: as many as a select offers (100), names up to past what an option takes.
VOICES = st.lists(words(200, 1), min_size=1, max_size=100, unique=True)
IDS = st.text("ABCDEFGHJKMNPQRSTVWXYZ0123456789", min_size=1, max_size=26)
USERS = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=2, max_size=11).map(
    lambda rest: f"U{rest}"
)


@st.composite
def requests(draw: st.DrawFn) -> ReplicaRequest:
    from_slack = draw(st.booleans())
    return ReplicaRequest(
        replica_name=draw(words(form.NAME_LIMIT, 1)),
        model_name=draw(st.sampled_from(MODELS)),
        train_video_url=None if from_slack else draw(st.none() | URLS),
        train_image_url=None if from_slack else draw(st.none() | URLS),
        voice_name=draw(st.none() | words(200, 1)),
        consent_video_url=draw(st.none() | URLS),
        subject_id=draw(st.none() | USERS),
        subject_name=draw(st.none() | words(250, 1)),
        intended_use=draw(st.none() | words(form.USE_LIMIT, 1)),
        unchecked=tuple(draw(st.lists(st.sampled_from(list(cards.FIELD_NAMES)), unique=True))),
        slack_file="F0FILE" if from_slack else None,
        slack_file_name=draw(FILE_NAMES) if from_slack else None,
    )


# What the media check says: its own words, which may quote a file's metadata (a title, a codec).
REPORTS = st.builds(
    Report,
    findings=st.lists(
        st.builds(
            Finding,
            st.sampled_from(Medium),
            st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=40),
            st.sampled_from(Weight),
            words(500, 1),
        ),
        max_size=30,
    ).map(tuple),
    summaries=st.lists(st.tuples(st.sampled_from(Medium), words(300, 1)), max_size=3).map(tuple),
)
WORST_REPORT = Report(
    findings=tuple(
        Finding(medium, "x" * 40, weight, "&" * 500)
        for medium in Medium
        for weight in Weight
        for _ in range(10)
    ),
    summaries=tuple((medium, "<" * 300) for medium in Medium),
)


@st.composite
def jobs(draw: st.DrawFn) -> Job:
    reviewed = draw(st.booleans())
    return Job(
        id=draw(IDS),
        requester=Requester(team_id="T1", user_id=draw(USERS), channel_id="C0GENERAL"),
        request=draw(requests()),
        status=draw(st.sampled_from(JobStatus)),
        callback_digest="d" * 64,
        created_at=NOW,
        updated_at=NOW + timedelta(hours=1),
        replica_id=draw(st.none() | words(64, 1)),
        error_message=draw(st.none() | ERRORS),
        announcement_channel=draw(st.none() | st.just("C0ANNOUNCE")),
        training_progress=draw(st.none() | st.text("0123456789/.x", max_size=12)),
        thumbnail_url=draw(st.none() | URLS),
        reviewer_id=draw(USERS) if reviewed else None,
        reviewed_at=NOW if reviewed else None,
        media_report=draw(st.none() | REPORTS),
    )


# The worst case, tried first every time: every text at its longest, all of it escaped 5-fold.
WORST_URL = "https://cdn.example.com/" + "%26" * 300 + "?" + "&" * 1075  # 2,000: the form's most
WORST = Job(
    id="J" * 26,
    requester=Requester(team_id="T1", user_id="U0REQUESTER", channel_id="C0GENERAL"),
    request=ReplicaRequest(
        replica_name="&" * form.NAME_LIMIT,
        model_name=MODELS[0],
        train_video_url=WORST_URL,
        voice_name="&" * 200,
        consent_video_url=WORST_URL,
        subject_id="U0SUBJECT",
        subject_name="&" * 250,
        intended_use="<" * form.USE_LIMIT,
        unchecked=tuple(cards.FIELD_NAMES),
    ),
    status=JobStatus.READY,
    callback_digest="d" * 64,
    created_at=NOW,
    updated_at=NOW,
    replica_id="&" * 64,
    error_message="&" * 2000,
    announcement_channel="C0ANNOUNCE",
    training_progress="40/100",
    thumbnail_url=WORST_URL,
    reviewer_id="U0REVIEWER",
    reviewed_at=NOW,
    media_report=WORST_REPORT,
)
WORST_FROM_SLACK = replace(
    WORST,
    request=replace(
        WORST.request, train_video_url=None, slack_file="F0FILE", slack_file_name="&" * 2000
    ),
)


def worst_first(test: Callable[..., None]) -> Callable[..., None]:
    """Try the worst job in every status before any drawn one."""
    for status in JobStatus:
        for worst in (WORST, WORST_FROM_SLACK):
            test = example(job=replace(worst, status=status))(test)
    return test


@st.composite
def receipts(draw: st.DrawFn, job: Job) -> Receipt:
    name = draw(words(250, 1))
    statement = statement_for(name)
    return Receipt(
        job_id=job.id,
        team_id="T1",
        subject_id=job.request.subject_id or "U0SUBJECT",
        subject_name=name,
        requester_id=job.requester.user_id,
        decision=draw(st.sampled_from(Decision)),
        decided_at=NOW,
        statement=statement,
        statement_sha256=sha256(statement),
        intended_use=job.request.intended_use or "",
        media=media_of(job.request),
    )


@st.composite
def jobs_with_receipts(draw: st.DrawFn) -> tuple[Job, Receipt | None]:
    job = draw(jobs())
    return job, draw(st.none() | receipts(job))


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    users = frozenset(draw(st.lists(USERS, max_size=100)))
    groups = tuple(draw(st.lists(st.text("ABCDEFGHJ0123456789", min_size=2).map("S".__add__))))
    rule = draw(st.sampled_from(["everyone", "admins", "listed"]))
    creators = Creators(
        everyone=rule == "everyone", admins=rule == "admins", users=users, groups=groups[:50]
    )
    approvers = Approvers(users=frozenset(draw(st.lists(USERS, max_size=100))), groups=groups[50:])
    channel = draw(st.none() | st.just("C0APPROVE"))
    return Policy(creators, approvers, channel, draw(st.sampled_from(FaceMatch)))


def worst_receipt(job: Job, decision: Decision) -> Receipt:
    statement = statement_for("&" * 250)
    return Receipt(
        job_id=job.id,
        team_id="T1",
        subject_id="U0SUBJECT",
        subject_name="&" * 250,
        requester_id=job.requester.user_id,
        decision=decision,
        decided_at=NOW,
        statement=statement,
        statement_sha256=sha256(statement),
        intended_use=job.request.intended_use or "",
        media=media_of(job.request),
    )


MANY = frozenset(f"U{n:010d}" for n in range(100))
GROUPS = tuple(f"S{n:010d}" for n in range(100))
WORST_POLICY = Policy(
    Creators(everyone=False, users=MANY, groups=GROUPS[:50]),
    Approvers(users=MANY, groups=GROUPS[50:]),
    "C0APPROVE",
    FaceMatch.WARN,  # its words are the longest
)


def refused(message: Message) -> list[str]:
    return block_errors(message.blocks, surface="message")


def takes(problems: list[str]) -> None:
    """Slack takes it: else the test fails naming each refused element, path and length."""
    assert not problems, "Slack refuses: " + "; ".join(problems)


# Every message about a job, as it goes to a channel, a thread or a DM.
ADMIN = Viewer("U0ADMIN", Sight.ALL)
JOB_MESSAGES: list[tuple[str, Callable[[Job], Message]]] = [
    ("announcement", cards.announcement),
    ("announcement moved to a DM", lambda job: cards.announcement(job, moved_from="C0ORIGIN")),
    ("card", cards.card),
    ("result", cards.result),
    ("result moved", lambda job: cards.moved(cards.result(job), "C0ORIGIN")),
    ("stale", cards.stale),
    ("unchecked", cards.unchecked),
    ("media checked", cards.media_checked),
    ("not started", cards.not_started),
    ("consent request", consent.consent_request),
    ("approval request", consent.approval_request),
    ("approval settled", consent.approval_settled),
    # Shown to an admin, who sees the most of it (the Tavus preview link too).
    ("status", lambda job: screens.replica_status(job, shown_to=ADMIN)),
    ("confirm delete", screens.confirm_delete),
]


@pytest.mark.parametrize("build", [b for _, b in JOB_MESSAGES], ids=[n for n, _ in JOB_MESSAGES])
@FEW
@given(job=jobs())
@worst_first
def test_every_message_about_a_job_is_one_slack_takes(
    build: Callable[[Job], Message], job: Job
) -> None:
    message = build(job)

    assert message.text
    takes(refused(message))


@FEW
@given(pair=jobs_with_receipts())
@example(pair=(WORST, worst_receipt(WORST, Decision.GIVEN)))
@example(pair=(replace(WORST, status=JobStatus.TRAINING), worst_receipt(WORST, Decision.GIVEN)))
@example(pair=(WORST_FROM_SLACK, worst_receipt(WORST_FROM_SLACK, Decision.DECLINED)))
def test_the_receipt_and_the_status_with_it_are_ones_slack_takes(
    pair: tuple[Job, Receipt | None],
) -> None:
    job, answer = pair

    if answer is not None:
        takes(refused(consent.receipt(answer, job)))
    takes(refused(screens.replica_status(job, answer, shown_to=ADMIN)))


@FEW
@given(
    actor=st.one_of(USERS, words(100, 1)),
    action=st.sampled_from(Action),
    job_id=st.none() | IDS,
    replica_id=st.none() | words(64, 1),
    details=st.dictionaries(words(40, 1), words(2000), max_size=5),
)
@example(
    actor="&" * 100,
    action=Action.FAILED,
    job_id="J" * 26,
    replica_id="&" * 64,
    details={"&" * 40: "&" * 2000, "<": "<" * 2000},
)
def test_an_audit_line_is_one_slack_takes(
    actor: str, action: Action, job_id: str | None, replica_id: str | None, details: dict[str, str]
) -> None:
    record = Record(
        at=NOW,
        team_id="T1",
        actor=actor,
        action=action,
        job_id=job_id,
        replica_id=replica_id,
        subject="U0SUBJECT",
        details=details,
        seq=7,
    )

    takes(refused(consent.audit_line(record)))


@settings(FEW, max_examples=10)
@given(page=st.integers(1, 1000), listed=st.lists(jobs(), max_size=10), more=st.booleans())
@example(page=1000, listed=[WORST] * 10, more=True)
def test_a_page_of_the_list_is_one_slack_takes(page: int, listed: list[Job], more: bool) -> None:
    takes(refused(screens.replica_list(listed, page=page, more=more and bool(listed))))


@settings(FEW, max_examples=10)
@given(
    mine=st.lists(jobs(), max_size=20),
    of_me=st.lists(jobs_with_receipts(), max_size=20),
    policy=st.none() | policies(),
    changed=st.booleans(),
    tavus=st.none() | st.tuples(st.booleans(), st.booleans(), words(4, 1)),
)
@example(
    mine=[WORST] * 20,
    of_me=[(WORST, worst_receipt(WORST, Decision.GIVEN))] * 20,
    policy=WORST_POLICY,
    changed=True,
    tavus=(True, True, "&&&&"),
)
def test_the_home_tab_is_one_slack_takes(
    mine: list[Job],
    of_me: list[tuple[Job, Receipt | None]],
    policy: Policy | None,
    changed: bool,
    tavus: tuple[bool, bool, str] | None,
) -> None:
    rules = None if policy is None else (policy, Set(policy, "U0ADMIN", NOW) if changed else None)
    shown = None
    if tavus is not None:
        connected, admin, last4 = tavus
        account = Connected("T1", "sealed", last4, "U0ADMIN", NOW) if connected else None
        shown = screens.TavusShown(connected=account, admin=admin)

    takes(view_errors(screens.home(mine, of_me, rules, shown)))


@FEW
@given(voices=VOICES, prefill=st.none() | requests(), requester=st.none() | USERS)
@example(
    voices=[f"{n:03d}" + "&" * 197 for n in range(99)] + ["anna"],
    prefill=replace(WORST_FROM_SLACK.request, voice_name="anna"),
    requester="U0ALICE",
)
@example(  # a file name JSON escapes 6-fold into private_metadata
    voices=["anna"],
    prefill=replace(WORST_FROM_SLACK.request, voice_name=None, slack_file_name="é" * 2000),
    requester="U0ALICE",
)
def test_the_form_is_one_slack_takes(
    voices: list[str], prefill: ReplicaRequest | None, requester: str | None
) -> None:
    if prefill is not None and prefill.voice_name is not None:
        # A form reopened to try again holds a voice the user chose from the list.
        voice = next((v for v in reversed(voices) if chosen(v)), None)
        prefill = replace(prefill, voice_name=voice)
    view = form.build(
        channel_id="C0GENERAL",
        models=MODELS,
        voices=voices,
        prefill=prefill,
        requester_id=requester,
    )

    takes(view_errors(view))


def chosen(voice: str) -> bool:
    # What a select can hand back whole (option value ≤ 150): the only voices a user can choose.
    return 0 < len(voice) <= 150


@FEW
@given(policy=policies())
@example(policy=WORST_POLICY)
def test_the_policy_form_and_its_saved_view_are_ones_slack_takes(policy: Policy) -> None:
    saved = messages.POLICY_SAVED.format(**screens.policy_words(policy))

    takes(view_errors(policy_form.build(policy)))
    takes(view_errors(cards.status_view(messages.POLICY_TITLE, saved)))


# What the bot answers a form's submission with


@FEW
@given(
    name=words(300),
    use=words(400),
    video=words(2100),
    image=words(2100),
    consent=st.booleans(),
)
def test_the_errors_a_form_is_refused_with_are_ones_slack_takes(
    name: str, use: str, video: str, image: str, consent: bool
) -> None:
    view = form.build(channel_id="C0GENERAL", models=MODELS, requester_id="U0ALICE")
    submitted = filled(
        view,
        replica_name=name,
        intended_use=use,
        train_video_url=video or None,
        train_image_url=image or None,
        consent=consent,
    )

    parsed = submission.parse(submitted, models=MODELS)

    if isinstance(parsed, kit.Invalid):
        takes(response_action_errors({"response_action": "errors", "errors": parsed.errors}))


@FEW
@given(name=FILE_NAMES, mimetype=st.sampled_from(["text/plain", "video/mp4"]))
@example(name="&" * 2000, mimetype="text/plain")
def test_a_file_refused_at_submission_is_answered_with_an_error_slack_takes(
    name: str, mimetype: str
) -> None:
    file = SlackFile("F0FILE", name, name, mimetype, 2**40, "https://files.example/x")
    problem = refusal(file)

    assert problem is not None
    # As the submission answers it: through kit.errors, which cuts each to fit.
    answer = {"response_action": "errors", "errors": kit.errors({"name": problem})}
    takes(response_action_errors(answer))


@FEW
@given(job=jobs())
@worst_first
def test_the_view_a_saved_submission_turns_into_is_one_slack_takes(job: Job) -> None:
    answer = {"response_action": "update", "view": cards.awaiting_consent_view(job)}

    takes(response_action_errors(answer))


# Views and answers in a few words


@FEW
@given(link=URLS, minutes=st.integers(1, 10_000))
@example(link=WORST_URL, minutes=10_000)
def test_the_connect_tavus_views_are_ones_slack_takes(link: str, minutes: int) -> None:
    views = {
        "link": screens.connect_link_view(link, minutes),
        "not an admin": cards.status_view(messages.CONNECT_TITLE, messages.CONNECT_NOT_ADMIN),
        "unavailable": cards.status_view(messages.CONNECT_TITLE, messages.CONNECT_UNAVAILABLE),
        "not a creator": cards.status_view(messages.NOT_A_CREATOR_TITLE, messages.NOT_A_CREATOR),
        "policy": cards.status_view(messages.POLICY_TITLE, messages.POLICY_ADMINS_ONLY),
    }

    takes([f"{said}: {p}" for said, view in views.items() for p in view_errors(view)])


@FEW
@given(job=jobs(), query=words(300, 1), word=words(300, 1), tavus_says=ERRORS)
@example(job=WORST, query="&" * 300, word="&" * 300, tavus_says="&" * 2000)
def test_the_answers_to_replica_commands_are_ones_slack_takes(
    job: Job, query: str, word: str, tavus_says: str
) -> None:
    values = cards.fields_of(job)
    reason = messages.create_failure(TavusRejected(400, tavus_says))
    answers = {
        "help": kit.text(messages.HELP),
        "usage": screens.usage(messages.UNKNOWN_SUBCOMMAND.format(word=word[:40])),
        "not found": kit.text(messages.NOT_FOUND.format(query=query[:80].replace("`", "'"))),
        "not yours": kit.text(messages.NOT_YOURS.format(**values, verb="delete")),
        "renamed": kit.text(messages.RENAMED.format(**values)),
        "rename failed": kit.text(messages.RENAME_FAILED.format(**values, reason=reason)),
        "deleted": kit.text(messages.DELETED.format(**values)),
        "delete failed": kit.text(messages.DELETE_FAILED.format(**values, reason=reason)),
        "withdraw failed": kit.text(
            messages.WITHDRAW_FAILED.format(name=values["name"], reason=kit.escape(reason))
        ),
    }

    takes([f"{said}: {p}" for said, answer in answers.items() for p in refused(answer)])
