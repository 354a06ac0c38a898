"""What /replica answers, only to the caller: help, list, status, rename, delete, audit export."""

from __future__ import annotations

# /replica subcommands (answers only the caller sees).
HELP = (
    "*Train and manage Tavus replicas from Slack*\n"
    "• `/replica`: open the form to train a new replica\n"
    "• `/replica Dana https://cdn.example.com/dana.mp4`: open the form with a name and a "
    "training video (or image) filled in\n"
    "• `/replica list`: this workspace's replicas, newest first (`/replica list 2` for the "
    "next page)\n"
    "• `/replica status r783537ef5` or `/replica status Dana`: one replica in detail\n"
    "• `/replica rename r783537ef5 Dana (sales)`: rename a replica\n"
    "• `/replica delete r783537ef5`: delete a replica (asks first)\n"
    "• `/replica audit` or `/replica audit 90`: the audit log of the last 30 (or 90) days as a "
    "CSV file in your DM with me (workspace admins only)\n"
    "• `/replica release <job id> <reason>`: let a replica held by the face match go on "
    "(workspace admins only; the reason goes in the audit log)\n"
    "Renaming and deleting are for whoever started the replica, and workspace admins."
)
USAGE = "{problem} Type `/replica help` to see what I can do."
UNKNOWN_SUBCOMMAND = "I don't know `{word}`."
NEEDS_QUERY = "`/replica status` needs a replica id or name, e.g. `/replica status Dana`."
NEEDS_RENAME = (
    "`/replica rename` needs a replica id and a new name, e.g. `/replica rename r783537ef5 Dana`."
)
NEEDS_DELETE = "`/replica delete` needs one replica id, e.g. `/replica delete r783537ef5`."
BAD_PAGE = "`/replica list` takes a page number, e.g. `/replica list 2`."
BAD_DAYS = "`/replica audit` takes a number of days from 1 to 3650, e.g. `/replica audit 90`."

# /replica audit: the log as a CSV file in the caller's DM.
AUDIT_ADMINS_ONLY = "Only workspace admins and owners can export the audit log."
AUDIT_SENT = "The audit log of the last {days} days ({count} records) is in your DM with me."
AUDIT_COMMENT = "The replica-bot audit log of the last {days} days: {count} records, as CSV."
AUDIT_TITLE = "replica-bot audit log, last {days} days"
AUDIT_FAILED = "I couldn't upload the audit log to your DM: Slack said `{error}`. Try again later."

# /replica list and status.
NOT_FOUND = "I don't know a replica `{query}` in this workspace."
LIST_EMPTY = "No replicas yet. Type `/replica` to train the first one."
LIST_TITLE = "*Replicas in this workspace* (page {page})"
LIST_ITEM = "*{name}* `{replica_id}` · {status} · {model} · <@{user}> · {when}"
LIST_MORE = "Next page"
STATUS_TITLE = "*{name}* · Tavus replica"
STATUS_STARTED = "*Started*\n<@{user}>, {when}"
STATUS_CONSENT = "*Consent*\n{consent}"
STATUS_APPROVAL = "*Approval*\n{outcome}"
STATUS_ERROR = "*Error*\n{error}"
STATUS_HINT = "*What to do*\n{hint}"
THUMBNAIL = "Preview video"  # the label of the link to the replica's preview video

# The consent line of a replica's status, and of App Home's Replicas of me.
CONSENT_CONFIRMED = "Confirmed by the requester, before consent receipts existed"
CONSENT_WITH_VIDEO = (
    "Confirmed by the requester, before consent receipts existed, with a consent video ({media})"
)
CONSENT_GIVEN_BY = "Given by <@{subject}> on {when}"
CONSENT_DECLINED_BY = "Declined by <@{subject}> on {when}"
CONSENT_WAITING = "Waiting for <@{subject}>"
CONSENT_VIDEO_TOO = ", with a consent video ({media})"

# /replica rename and delete, and their Delete button.
NOT_YOURS = "Only <@{user}>, who started *{name}*, or a workspace admin can {verb} it."
RENAMED = "Renamed `{replica_id}` to *{name}*."
RENAME_FAILED = "I couldn't rename *{name}*: {reason}"
DELETE_CONFIRM = "Delete *{name}* (`{replica_id}`) from Tavus? This can't be undone."
DELETE_BUTTON = "Delete"
DELETE_DIALOG_TITLE = "Delete this replica?"
DELETE_DIALOG_TEXT = "*{name}* will be deleted from your Tavus account."
DELETE_DIALOG_CONFIRM = "Delete it"
DELETE_DIALOG_DENY = "Keep it"
DELETED = "Deleted *{name}* (`{replica_id}`)."
DELETE_FAILED = "I couldn't delete *{name}*: {reason}"
NOT_SAVED_LATER = "My database is not answering right now: try again in a minute."

# What bot.messages re-exports: every word above (tests/unit/messages/test_messages.py checks it).
__all__ = [
    "AUDIT_ADMINS_ONLY",
    "AUDIT_COMMENT",
    "AUDIT_FAILED",
    "AUDIT_SENT",
    "AUDIT_TITLE",
    "BAD_DAYS",
    "BAD_PAGE",
    "CONSENT_CONFIRMED",
    "CONSENT_DECLINED_BY",
    "CONSENT_GIVEN_BY",
    "CONSENT_VIDEO_TOO",
    "CONSENT_WAITING",
    "CONSENT_WITH_VIDEO",
    "DELETED",
    "DELETE_BUTTON",
    "DELETE_CONFIRM",
    "DELETE_DIALOG_CONFIRM",
    "DELETE_DIALOG_DENY",
    "DELETE_DIALOG_TEXT",
    "DELETE_DIALOG_TITLE",
    "DELETE_FAILED",
    "HELP",
    "LIST_EMPTY",
    "LIST_ITEM",
    "LIST_MORE",
    "LIST_TITLE",
    "NEEDS_DELETE",
    "NEEDS_QUERY",
    "NEEDS_RENAME",
    "NOT_FOUND",
    "NOT_SAVED_LATER",
    "NOT_YOURS",
    "RENAMED",
    "RENAME_FAILED",
    "STATUS_APPROVAL",
    "STATUS_CONSENT",
    "STATUS_ERROR",
    "STATUS_HINT",
    "STATUS_STARTED",
    "STATUS_TITLE",
    "THUMBNAIL",
    "UNKNOWN_SUBCOMMAND",
    "USAGE",
]
