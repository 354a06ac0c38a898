"""Consent and approval: the DM to the person shown, its receipt, the approvers, the audit line."""

from __future__ import annotations

# The consent request, in the DM of the person shown.
CONSENT_ASK = "<@{user}> asked me to create a Tavus AI replica of you, *{name}*."
CONSENT_USE = "*Intended use*\n{use}"
CONSENT_MEDIA = "*Trained from*\n{media}"
CONSENT_WHERE = "*Where it lives*\nThis workspace's Tavus account"
CONSENT_STATEMENT_SHOWN = (
    "Tavus needs this statement, spoken by you at the start of the training video or in the "
    "consent video:\n>{statement}"
)
CONSENT_WITHDRAW = (
    "Only your own click counts. Changed your mind later? *Withdraw consent* on the receipt here, "
    "or in my Home tab under Replicas of me, deletes the replica at Tavus with its footage."
)
# What the media check made of the files, so they know what they consent to be trained from.
CONSENT_CHECKED = "*Your media was checked*: nothing Tavus is known to refuse."
CONSENT_GIVE_BUTTON = "I consent"
CONSENT_DECLINE_BUTTON = "I decline"
CONSENT_DIALOG_TITLE = "Consent to a replica?"
CONSENT_DIALOG_TEXT = "Tavus will create an AI replica of you, *{name}*, for: {use}"
CONSENT_DIALOG_CONFIRM = "I consent"
CONSENT_DIALOG_DENY = "Not now"
# The request redrawn as its receipt, once answered.
RECEIPT_GIVEN = "You consented on {when} to the replica *{name}*, asked for by <@{user}>."
RECEIPT_DECLINED = "You declined on {when} the replica *{name}*, asked for by <@{user}>."
RECEIPT_DETAILS = "*Statement shown* (SHA-256 `{digest}`)\n>{statement}"
RECEIPT_KEPT = "Receipt kept by replica-bot. Job `{job}`."
RECEIPT_WITHDRAWN = "You withdrew this consent on {when}: the replica was deleted, footage too."
WITHDRAW_BUTTON = "Withdraw consent"
WITHDRAW_DIALOG_TITLE = "Withdraw consent?"
WITHDRAW_DIALOG_TEXT = (
    "The replica *{name}* will be deleted at Tavus together with its training footage. This "
    "can't be undone."
)
WITHDRAW_DIALOG_CONFIRM = "Withdraw"
WITHDRAW_NOT_THEIRS = "Only <@{subject}> can withdraw this consent: it is their likeness."
WITHDRAW_NOT_NOW = "The replica is being created right now. Try again in a minute."
WITHDRAW_NOTHING = "There is no consent to withdraw here any more."
WITHDRAW_DONE = "Done: *{name}* was deleted at Tavus with its footage, or never created."
WITHDRAW_FAILED = "I couldn't delete *{name}* at Tavus, so nothing changed: {reason}"
# Answers to clicks on the request that do not decide it.
CONSENT_NOT_THEIRS = "Only <@{subject}> can answer this request: it is their likeness."
CONSENT_ALREADY = "This request was already answered."
CONSENT_EXPIRED = "This request expired before it was answered."
CONSENT_GONE = "This request no longer stands."

# Approval: the request to the approvers, its redraw once decided, and answers to clicks.
APPROVAL_TITLE = "Approve a replica?"
APPROVAL_ASKED = (
    "<@{user}> asked for the replica *{name}* of <@{subject}>, who has consented. It goes to "
    "Tavus once one approver approves it."
)
APPROVAL_USE = "*Intended use*\n{use}"
APPROVAL_CONSENT = "*Consent*\nGiven by <@{subject}> in Slack"
APPROVE_BUTTON = "Approve"
REJECT_BUTTON = "Reject"
REJECT_DIALOG_TITLE = "Reject this replica?"
REJECT_DIALOG_TEXT = "<@{user}> will be told that *{name}* was not approved."
REJECT_DIALOG_CONFIRM = "Reject"
APPROVAL_APPROVED = ":white_check_mark: Approved by <@{reviewer}> on {when}."
APPROVAL_REJECTED = ":no_entry_sign: Rejected by <@{reviewer}> on {when}."
APPROVAL_MOOT = "No longer waiting for approval: {status}."
APPROVAL_OWN = "You can't approve or reject a request you made, or one of your own likeness."
APPROVAL_NOT_APPROVER = "Only this workspace's approvers can approve replicas; you are not one."
APPROVERS_UNKNOWN = (
    "I couldn't check with Slack who approves replicas here just now. Nothing changed: click "
    "again in a minute."
)
APPROVAL_ALREADY = "This request was already decided. {status}"
NOT_APPROVED = (
    "<@{user}> <@{reviewer}> did not approve the replica *{name}*, so nothing was sent to Tavus. "
    "Ask them why, or an admin about this workspace's policy."
)

# A record of the audit log, as posted in AUDIT_CHANNEL.
AUDIT_LINE = "{actor} *{action}*"
AUDIT_JOB = "job `{job}`"
AUDIT_REPLICA = "replica `{replica_id}`"
AUDIT_SUBJECT = "of <@{subject}>"
AUDIT_WHEN = "{when} · record {seq}"

# What bot.messages re-exports: every word above (tests/unit/messages/test_messages.py checks it).
__all__ = [
    "APPROVAL_ALREADY",
    "APPROVAL_APPROVED",
    "APPROVAL_ASKED",
    "APPROVAL_CONSENT",
    "APPROVAL_MOOT",
    "APPROVAL_NOT_APPROVER",
    "APPROVAL_OWN",
    "APPROVAL_REJECTED",
    "APPROVAL_TITLE",
    "APPROVAL_USE",
    "APPROVERS_UNKNOWN",
    "APPROVE_BUTTON",
    "AUDIT_JOB",
    "AUDIT_LINE",
    "AUDIT_REPLICA",
    "AUDIT_SUBJECT",
    "AUDIT_WHEN",
    "CONSENT_ALREADY",
    "CONSENT_ASK",
    "CONSENT_CHECKED",
    "CONSENT_DECLINE_BUTTON",
    "CONSENT_DIALOG_CONFIRM",
    "CONSENT_DIALOG_DENY",
    "CONSENT_DIALOG_TEXT",
    "CONSENT_DIALOG_TITLE",
    "CONSENT_EXPIRED",
    "CONSENT_GIVE_BUTTON",
    "CONSENT_GONE",
    "CONSENT_MEDIA",
    "CONSENT_NOT_THEIRS",
    "CONSENT_STATEMENT_SHOWN",
    "CONSENT_USE",
    "CONSENT_WHERE",
    "CONSENT_WITHDRAW",
    "NOT_APPROVED",
    "RECEIPT_DECLINED",
    "RECEIPT_DETAILS",
    "RECEIPT_GIVEN",
    "RECEIPT_KEPT",
    "RECEIPT_WITHDRAWN",
    "REJECT_BUTTON",
    "REJECT_DIALOG_CONFIRM",
    "REJECT_DIALOG_TEXT",
    "REJECT_DIALOG_TITLE",
    "WITHDRAW_BUTTON",
    "WITHDRAW_DIALOG_CONFIRM",
    "WITHDRAW_DIALOG_TEXT",
    "WITHDRAW_DIALOG_TITLE",
    "WITHDRAW_DONE",
    "WITHDRAW_FAILED",
    "WITHDRAW_NOTHING",
    "WITHDRAW_NOT_NOW",
    "WITHDRAW_NOT_THEIRS",
]
