"""The channel card and its thread: the announcement, results, notices, and Talk to it."""

from __future__ import annotations

# The card: the announcement, redrawn in place as the job moves on.
CARD_TITLE = "*{name}* · Tavus replica"
CARD_STATUS = "*Status*\n{status}"
CARD_MODEL = "*Model*\n{model}"
CARD_REQUESTER = "*Started by*\n<@{user}>"
CARD_REPLICA = "*Replica id*\n`{replica_id}`"
CARD_TRAINING = ":hourglass_flowing_sand: Training"
CARD_SUBJECT = "*Likeness of*\n<@{subject}>"
CARD_AWAITING = ":hourglass: Waiting for <@{subject}>'s consent"
CARD_PENDING_APPROVAL = ":hourglass: Consent given by <@{subject}>; waiting for approval"
CARD_NOT_APPROVED = ":no_entry_sign: Not approved (<@{reviewer}>)"
CARD_ENDED = ":heavy_minus_sign: Ended: the app was removed from this workspace"
CARD_FETCHING = ":inbox_tray: Copying the file from Slack"
CARD_CHECKING = ":mag: Checking the media…"
CARD_UNFIT = ":no_entry: Not sent: Tavus would refuse the media"
CARD_SENDING = ":outbox_tray: Sending to Tavus"
CARD_NOT_CREATED = ":no_entry: Not created"
CARD_UNKNOWN = ":grey_question: Can't tell whether Tavus created it"
CARD_DECLINED = ":no_entry_sign: Declined by <@{subject}>"
CARD_EXPIRED = ":hourglass: No answer in time"
CARD_WITHDRAWN = ":no_entry_sign: Consent withdrawn by <@{subject}>"
CARD_PROGRESS = ":hourglass_flowing_sand: Training, {percent}%"
CARD_READY = ":white_check_mark: Ready"
CARD_FAILED = ":x: Failed"
CARD_STALE = ":warning: No result after a day"
CARD_DELETED = ":wastebasket: Deleted"
CARD_FOOTER_OPEN = "I'll reply in this thread when training finishes, usually in 3–4 hours."
CARD_FOOTER_DONE = "Details in the thread."
CARD_TEXT = "<@{user}> · replica *{name}* (`{replica_id}`, {model}): {status}"

# The channel message and its thread.
ANNOUNCEMENT_ASKED = (
    "<@{user}> asked for the replica *{name}* of <@{subject}> ({model}). Nothing goes to Tavus "
    "until they consent; I'll keep this card up to date and reply in its thread."
)
# A request saved before consent existed, its media checked before it goes to Tavus.
ANNOUNCEMENT_CHECKING = (
    "<@{user}> asked for the replica *{name}* ({model}). I'm checking its media first; I'll keep "
    "this card up to date and reply in its thread."
)
ANNOUNCEMENT = (
    "<@{user}> started training the replica *{name}* (`{replica_id}`, {model}).\n"
    "Status: training. I'll reply in this thread when training finishes, usually 3–4 hours."
)
ANNOUNCEMENT_IN_DM = (
    "I couldn't post in <#{channel}> (I'm not a member there, or it takes no posts from apps; "
    "`/invite @replica-bot` if I'm not), so I'll keep you posted here instead.\n"
)
READY = (
    "<@{user}> your replica *{name}* is ready! Replica id: `{replica_id}`. Use it in the Tavus "
    "portal or API to generate videos and conversations."
)
FAILED = "<@{user}> training *{name}* (`{replica_id}`) failed. Tavus says: “{error}”"
FAILED_NO_REASON = "Tavus gave no reason."
DECLINED = "<@{user}> <@{subject}> declined the replica *{name}*. Nothing was sent to Tavus."
WITHDRAWN = (
    "<@{user}> <@{subject}> withdrew their consent to *{name}*: it was deleted at Tavus, with its "
    "training footage, or never created."
)
EXPIRED = (
    "<@{user}> <@{subject}> didn't answer the request for *{name}* in time, so nothing was sent "
    "to Tavus. Check with them, then run `/replica` again."
)
STALE = (
    "<@{user}> *{name}* (`{replica_id}`) has been training for over a day, which is unusual. "
    "I've stopped checking on it; if Tavus still reports a result I'll post it here. Check its "
    "status in the Tavus portal, or contact Tavus support."
)
MOVED = "I couldn't reply in <#{channel}> (I'm no longer allowed to post there), so here it is:"
FAILED_HINT = "\nWhat to do: {hint}"
FAILED_RETRY = "\nFix the source and run `/replica` again."
READY_NEXT = (
    "Next: pick it in the Tavus portal, or pass `replica_id: {replica_id}` to the Tavus API, "
    "to make videos and conversations with it. `/replica status {replica_id}` links its preview "
    "video."
)
RETRY_BUTTON = "Try again"
UNCHECKED = (
    "<@{user}> I couldn't check the link for {fields} in time (its host was slow), so the request "
    "went ahead as it is. If Tavus can't download it, training will fail and I'll say so here."
)
NOT_FETCHED = "<@{user}> I couldn't take the file for *{name}* from Slack: {error}"

# The media check, in the card's thread: what it found, the list by weight, what it measured.
MEDIA_CHECKED = (
    "<@{user}> I checked the media for *{name}* before anything else: nothing Tavus is known to "
    "refuse, so it goes on."
)
UNFIT = (
    "<@{user}> I didn't send *{name}* to Tavus: it would refuse the media, so nobody was asked "
    "to consent and no credit was spent."
)
UNFIT_RETRY = "Fix what it says, then click *Try again*: the form opens filled in as it was."
MEDIA_BLOCKING = "*What Tavus would refuse*"
MEDIA_ADVICE = "*Worth fixing* (it goes on, but the replica may come out worse)"
MEDIA_UNCHECKED = "*What I couldn't check* (it goes on as it is)"
MEDIA_FINDING = "• {text}"  # each finding names its file itself
MEDIA_MEASURED = "Measured: {summaries}"
MEDIA_SUMMARY = "{medium} {summary}"

# DMs to the requester when a create did not go through.
NOT_STARTED_DM = "<@{user}> your replica *{name}* was not created. {error}"
UNKNOWN_DM = (
    "<@{user}> I can't tell whether Tavus created your replica *{name}* ({error}). Check your "
    "replicas in the Tavus portal before trying again, so you are not charged twice. If I find "
    "it at Tavus, I'll post its training here."
)

# Reasons the bot records for a job (they show up in its messages).
REPLICA_GONE = "Tavus no longer knows this replica ({message}); it may have been deleted."
RESTARTED_MID_CREATE = "the bot restarted while asking Tavus"
NOT_SAVED_IN_TIME = "not saved in time; the user was asked to try again"

# Answers to a click on a job's buttons that cannot go ahead, seen only by whoever clicked.
JOB_GONE = "I no longer know this request. Start a new one with `/replica`."
OTHER_WORKSPACE = (
    "This replica belongs to another Slack workspace: only people there can act on it. Nothing "
    "changed."
)
RETRY_NOT_YOURS = (
    "Only whoever asked for this replica, or a workspace admin, can try it again. Type "
    "`/replica` to start one of your own."
)

# Talk to it: the ready result's button, and the answers only whoever clicked it sees.
TALK_BUTTON = "Talk to it"
TALK_OPENED = (
    ":movie_camera: Your conversation with *{name}* is open: {link}\nThis is an AI-generated "
    "replica of <@{subject}>, not the person. The room is yours alone; it closes by itself when "
    "you leave, and Tavus counts its minutes."
)
TALK_LINK = "join it here"  # the label of the conversation's link
TALK_NOT_YOURS = (
    "Only whoever asked for *{name}*, the person it shows, and workspace admins can talk to it."
)
TALK_NOT_READY = "*{name}* is not ready to talk: its status is {status}."
TALK_FAILED = "Tavus could not open a conversation with *{name}*: {reason}"
TALK_STORE_DOWN = "the bot could not reach its database. Nothing was opened; try again in a minute."

# What bot.messages re-exports: every word above (tests/unit/messages/test_messages.py checks it).
__all__ = [
    "ANNOUNCEMENT",
    "ANNOUNCEMENT_ASKED",
    "ANNOUNCEMENT_CHECKING",
    "ANNOUNCEMENT_IN_DM",
    "CARD_AWAITING",
    "CARD_CHECKING",
    "CARD_DECLINED",
    "CARD_DELETED",
    "CARD_ENDED",
    "CARD_EXPIRED",
    "CARD_FAILED",
    "CARD_FETCHING",
    "CARD_FOOTER_DONE",
    "CARD_FOOTER_OPEN",
    "CARD_MODEL",
    "CARD_NOT_APPROVED",
    "CARD_NOT_CREATED",
    "CARD_PENDING_APPROVAL",
    "CARD_PROGRESS",
    "CARD_READY",
    "CARD_REPLICA",
    "CARD_REQUESTER",
    "CARD_SENDING",
    "CARD_STALE",
    "CARD_STATUS",
    "CARD_SUBJECT",
    "CARD_TEXT",
    "CARD_TITLE",
    "CARD_TRAINING",
    "CARD_UNFIT",
    "CARD_UNKNOWN",
    "CARD_WITHDRAWN",
    "DECLINED",
    "EXPIRED",
    "FAILED",
    "FAILED_HINT",
    "FAILED_NO_REASON",
    "FAILED_RETRY",
    "JOB_GONE",
    "MEDIA_ADVICE",
    "MEDIA_BLOCKING",
    "MEDIA_CHECKED",
    "MEDIA_FINDING",
    "MEDIA_MEASURED",
    "MEDIA_SUMMARY",
    "MEDIA_UNCHECKED",
    "MOVED",
    "NOT_FETCHED",
    "NOT_SAVED_IN_TIME",
    "NOT_STARTED_DM",
    "OTHER_WORKSPACE",
    "READY",
    "READY_NEXT",
    "REPLICA_GONE",
    "RESTARTED_MID_CREATE",
    "RETRY_BUTTON",
    "RETRY_NOT_YOURS",
    "STALE",
    "TALK_BUTTON",
    "TALK_FAILED",
    "TALK_LINK",
    "TALK_NOT_READY",
    "TALK_NOT_YOURS",
    "TALK_OPENED",
    "TALK_STORE_DOWN",
    "UNCHECKED",
    "UNFIT",
    "UNFIT_RETRY",
    "UNKNOWN_DM",
    "WITHDRAWN",
]
