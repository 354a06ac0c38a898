"""The metadata, and the tables of jobs, their notices, consent, audit, media and paces."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    func,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("team_id", String(32), nullable=False),
    # The Enterprise Grid org of the workspace, if any: an org-wide install serves the job.
    Column("enterprise_id", String(32)),
    Column("user_id", String(32), nullable=False),
    Column("channel_id", String(32), nullable=False),
    # Asked in a private channel or a DM: listed only to its requester, subject and admins.
    Column("private", Boolean, nullable=False, server_default=false()),
    Column("replica_name", String(200), nullable=False),
    Column("model_name", String(64), nullable=False),
    Column("train_video_url", Text),
    Column("train_image_url", Text),
    Column("voice_name", String(64)),
    Column("consent_video_url", Text),
    Column("callback_digest", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("replica_id", String(64)),
    Column("error_message", Text),
    Column("announcement_channel", String(32)),
    Column("announcement_ts", String(32)),
    Column("training_progress", String(16)),
    Column("thumbnail_url", Text),
    # Whose likeness it is, as their profile named them, and what for (NULL before consent).
    Column("subject_id", String(32)),
    Column("subject_name", String(200)),
    Column("intended_use", Text),
    # The form's fields whose links could not be checked in time, comma-separated.
    Column("unchecked", Text),
    # A file posted in Slack to train from, and its name: the bot keeps a copy for Tavus.
    Column("slack_file", String(32)),
    Column("slack_file_name", String(255)),
    # Who approved or rejected it, and when (NULL where the workspace asks for no approval).
    Column("reviewer_id", String(32)),
    Column("reviewed_at", DateTime(timezone=True)),
    # The fingerprint of the Tavus key its create was sent with (workspaces.accounts.Fingerprints):
    # everything later asked of Tavus about it goes to that account. NULL before the create,
    # and on jobs sent before migration 0022 (those use the workspace's key of the moment).
    Column("tavus_account", String(16)),
    # What the media check found in its files (Report.to_json()); NULL until it has looked.
    Column("media_report", Text),
    # The face match (migration 0025): approvers chosen at consent (JSON list; NULL: none to
    # ask), the person shown's profile photo ("": a default avatar), what the match found (JSON).
    Column("approvers", Text),
    Column("profile_photo", Text),
    Column("face_match", Text),
    # When the reconciler should next look at this job; NULL once nothing is left to check.
    Column("next_check_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Unique: two lost creates of the same name must not both adopt one replica.
    Index("ix_jobs_replica_id", "replica_id", unique=True),
    Index("ix_jobs_status", "status"),
    Index("ix_jobs_next_check_at", "next_check_at"),
    Index("ix_jobs_subject_id", "team_id", "subject_id"),
    # The list and App Home, newest first, a page at a time.
    Index("ix_jobs_team_created", "team_id", "created_at"),
    Index("ix_jobs_team_user_created", "team_id", "user_id", "created_at"),
    # Whether an older Tavus key of a workspace is still needed by any of its jobs.
    Index("ix_jobs_team_account", "team_id", "tavus_account"),
)
# `/replica status <name>`: a name is matched whatever its case.
Index("ix_jobs_team_name", jobs.c.team_id, func.lower(jobs.c.replica_name))

# The outbox: every message the bot owes, written with the state change that causes it.
notices = Table(
    "notices",
    metadata,
    Column("id", String(32), primary_key=True),
    # NULL for a notice about no one job: an audit record's copy to AUDIT_CHANNEL.
    Column("job_id", String(32), ForeignKey("jobs.id", name="fk_notices_job_id")),
    Column("kind", String(16), nullable=False),
    Column("status", String(8), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False),
    Column("in_doubt", Boolean, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    # Which instance is sending it, and until when that claim holds.
    Column("lease_owner", String(32)),
    Column("lease_until", DateTime(timezone=True)),
    Column("last_error", Text),
    # Who it goes to when not the job's own people: an approver, or the approval channel.
    Column("recipient", String(32)),
    Column("audit_seq", Integer),  # the audit record an audit notice copies
    Column("channel", String(32)),
    Column("ts", String(32)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_notices_due", "status", "next_attempt_at"),
    Index("ix_notices_job_id", "job_id"),
)

# The audit log: appended to, never changed. Triggers refuse UPDATE and DELETE (migration 0005).
audit = Table(
    "audit",
    metadata,
    # Numbered as written: the log's order, whatever the clocks of several instances say.
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("team_id", String(32), nullable=False),
    Column("actor", String(32), nullable=False),
    Column("action", String(32), nullable=False),
    Column("job_id", String(32)),
    Column("replica_id", String(64)),
    Column("subject", String(32)),
    Column("details", Text, nullable=False),
    Index("ix_audit_at", "at"),
    Index("ix_audit_job_id", "job_id"),
)

# Each workspace's own rules, as its admins set them in App Home (else the settings' defaults).
policies = Table(
    "policies",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("creators", Text, nullable=False),
    Column("approvers", Text, nullable=False),
    Column("approval_channel", String(32)),
    # NULL: saved before the rule existed; REPLICA_FACE_MATCH's default holds, not a guess.
    Column("face_match", String(16)),
    Column("updated_by", String(32), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Secrets the bot makes for itself once, shared by every instance (e.g. the media links' key),
# sealed (bot.workspaces.vault) when SECRETS_KEYS is set.
keys = Table(
    "keys",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Text, nullable=False),
)

# Files the bot keeps for Tavus to download, until training ends or their time is up.
media = Table(
    "media",
    metadata,
    Column("key", String(48), primary_key=True),
    Column("job_id", String(32)),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delete_after", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True)),
    Index("ix_media_delete_after", "delete_after"),
)

# How far each copy of the audit log (AUDIT_CHANNEL, by its id) has been owed to delivery.
relays = Table(
    "relays",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("last_seq", Integer, nullable=False),
)

# Consent receipts: one per job the person shown answered, never changed but for the replica id,
# filled in once the replica exists, and the face match, once (triggers refuse anything else,
# migrations 0006 and 0025).
receipts = Table(
    "receipts",
    metadata,
    Column(
        "job_id", String(32), ForeignKey("jobs.id", name="fk_receipts_job_id"), primary_key=True
    ),
    Column("team_id", String(32), nullable=False),
    Column("subject_id", String(32), nullable=False),
    Column("subject_name", String(200), nullable=False),
    Column("requester_id", String(32), nullable=False),
    Column("decision", String(16), nullable=False),  # given | declined
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("statement", Text, nullable=False),
    Column("statement_sha256", String(64), nullable=False),
    Column("intended_use", Text, nullable=False),
    Column("media", Text, nullable=False),  # JSON: [{url, host, file}] without query strings
    Column("dm_channel", String(32)),
    Column("dm_ts", String(32)),
    Column("replica_id", String(64)),
    Column("face_match", Text),  # JSON: FaceMatch.to_json(), once the match has ended
    Column("consent_words", Text),  # JSON: ConsentWords.to_json(), where it listened
    Index("ix_receipts_subject_id", "subject_id"),
)

# Slack's budgets, shared by every instance: a token bucket per budget (see bot.delivery.pace),
# its times in wall-clock seconds.
paces = Table(
    "paces",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("rate", Float, nullable=False),
    Column("burst", Float, nullable=False),
    Column("tokens", Float, nullable=False),
    Column("updated", Float, nullable=False),
    Column("paused_until", Float, nullable=False),
    Column("taken", Integer, nullable=False),
)

# The conversation each person last opened with a ready replica ("Talk to it"): claimed before
# Tavus is asked (its url NULL until Tavus answers), so a double click opens one room.
talks = Table(
    "talks",
    metadata,
    Column("job_id", String(32), primary_key=True),
    Column("user_id", String(32), primary_key=True),
    Column("conversation_id", String(64)),
    Column("conversation_url", Text),
    Column("started_at", DateTime(timezone=True), nullable=False),
)
