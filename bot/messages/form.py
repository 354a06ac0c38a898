"""The form: its fields and hints, its inline refusals, who may open it, the modals around it."""

from __future__ import annotations

from bot.governance.receipts import STATEMENT

# Tavus's consent statement, word for word, before anyone's name is known: the form's hint
# quotes it, and so does the hint after a training that failed for want of it. One text with
# the receipt's, which records it with the name filled in.
CONSENT_STATEMENT = STATEMENT.format(name="[FULL NAME]")

# The form.
FORM_TITLE = "New Tavus replica"
FORM_SUBMIT = "Start training"
FORM_CLOSE = "Cancel"
FORM_INTRO = (
    "Train an AI video replica of a person with Tavus. Give *either* a training video *or* a "
    "training image with a voice. Links must be direct downloads that stay valid for 24 hours."
)
NAME_LABEL = "Replica name"
NAME_HINT = "How the replica is listed in Tavus, e.g. “Dana – sales demo”."
VIDEO_LABEL = "Training video URL"
VIDEO_HINT = (
    "A direct download link, valid for 24 hours (.mp4 H.264/AAC or .webm, ≤750 MB, ≥1080p, "
    "≥25 fps): one continuous shot, about 30 s speaking then 30 s silent with lips closed, face "
    "at eye level."
)
IMAGE_LABEL = "Training image URL"
IMAGE_HINT = (
    "Instead of a video: a direct link, valid for 24 hours, to a JPG or PNG of at least 512×512 "
    "px: one adult, head and shoulders centred, no glasses, hat or headphones. Needs a voice."
)
VOICE_LABEL = "Voice"
VOICE_HINT = "A stock voice: required with a training image, optional with a video."
VOICE_PLACEHOLDER = "Choose a voice"
CONSENT_VIDEO_LABEL = "Consent video URL"
CONSENT_VIDEO_HINT = (
    "Optional (video training): a direct link, valid for 24 hours, to a separate clip of the "
    "person saying, word for word: “"
    + CONSENT_STATEMENT
    + "” Without it, the training video must open with that statement."
)
MODEL_LABEL = "Model"
MODEL_HINT = "phoenix-4 is Tavus's current model; phoenix-3 is the previous one."
CONSENT_LABEL = "Consent"
CONSENT_OPTION = "I confirm the media shows the person selected above."
SUBJECT_LABEL = "Whose likeness is it?"
SUBJECT_HINT = (
    "The person shown in the media. I'll ask them in a DM to consent; nothing goes to Tavus "
    "until they do."
)
USE_LABEL = "Intended use"
USE_HINT = "What the replica is for, e.g. “sales demo videos”. The person shown sees this."

# The form opened from a file posted in Slack (the message shortcut).
FORM_FROM_SLACK = (
    "Trained from *{name}*, posted in Slack. I keep a copy for Tavus until training ends."
)
IMAGE_FILE_LABEL = "Or upload a training image"
IMAGE_FILE_HINT = "A headshot photo (PNG or JPEG, at least 512×512, up to 10 MB)."

# Inline form errors.
ERROR_NAME_BLANK = "Give the replica a name."
ERROR_NAME_LONG = "Keep the name under {limit} characters."
ERROR_NEED_SOURCE = "Give a training video URL, or a training image URL below."
ERROR_BOTH_SOURCES = "Use either a training video or a training image, not both."
ERROR_IMAGE_NEEDS_VOICE = "Training from an image needs a voice."
ERROR_BAD_URL = "Enter a full link starting with https:// (or http://)."
ERROR_NO_CONSENT = "Tick this box to confirm the media shows the person you chose."
ERROR_NO_SUBJECT = "Choose whose likeness this is."
ERROR_USE_BLANK = "Say what the replica is for: the person shown sees it before they agree."
ERROR_USE_LONG = "Keep the intended use under {limit} characters."
ERROR_SUBJECT_GUEST = "Only full members of this workspace can be cloned here, not guests."
ERROR_SUBJECT_BOT = "That is an app or bot: choose the person shown in the media."
ERROR_SUBJECT_GONE = "That account is deactivated: choose the person shown in the media."
ERROR_SUBJECT_UNKNOWN = "I couldn't look this person up in Slack just now: try again in a minute."
ERROR_TOO_MANY_WAITING = (
    "You already have {count} requests waiting for consent, the most at once. Try again once "
    "some have been answered (or have expired)."
)
ERROR_SUBJECT_BUSY = (
    "This person already has {count} requests waiting for their consent, the most at once. Try "
    "again once they have answered some."
)
ERROR_BAD_MODEL = "Choose one of the models offered."
ERROR_BAD_VOICE = "Choose one of the voices offered."
ERROR_NOT_SAVED = (
    "I couldn't save this request just now (my database is not answering). Nothing was sent to "
    "Tavus: try again in a minute."
)
ERROR_LOST_CHANNEL = "This form lost track of its channel: close it and type /replica again."

# The modal after submitting.
ASKED_TITLE = "Asked for consent"
ASKED_BODY = (
    "I've asked <@{subject}> in a DM to consent to the replica *{name}*. Nothing goes to Tavus "
    "until they agree. I'll keep its card in <#{channel}> up to date and reply in its thread."
)
ASKED_SELF_BODY = (
    "Check your DMs from me: consent there to the replica *{name}* of you. Nothing goes to "
    "Tavus until you do. I'll keep its card in <#{channel}> up to date. You can close this window."
)
# With the media check on, the DM waits for the check, and never comes if Tavus would refuse it.
CHECKING_TITLE = "Checking the media"
CHECKING_BODY = (
    "I'm checking the media for *{name}* first. If Tavus would take it, I'll ask <@{subject}> in "
    "a DM to consent; nothing goes to Tavus until they agree. I'll keep its card in <#{channel}> "
    "up to date and reply in its thread."
)
CHECKING_SELF_BODY = (
    "I'm checking the media for *{name}* first. If Tavus would take it, I'll ask you in a DM to "
    "consent to this replica of you; nothing goes to Tavus until you do. I'll keep its card in "
    "<#{channel}> up to date. You can close this window."
)

# Who may create replicas (REPLICA_CREATORS).
NOT_A_CREATOR = (
    "You can't create replicas in this workspace. Ask a workspace admin if you need one."
)
CREATOR_UNKNOWN = (
    "I couldn't check with Slack whether you may create replicas. Try again in a minute."
)
NOT_A_CREATOR_TITLE = "Can't create replicas"

# Any modal: opened at once with this, while what it will show is being made (a trigger
# lives 3 s), and closed with VIEW_CLOSE.
WORKING_TITLE = "replica-bot"
WORKING = ":hourglass_flowing_sand: One moment…"
WORKING_FAILED = "Something went wrong on my side. Close this and try again in a minute."
VIEW_CLOSE = "Close"

# What bot.messages re-exports: every word above (tests/unit/messages/test_messages.py checks it).
__all__ = [
    "ASKED_BODY",
    "ASKED_SELF_BODY",
    "ASKED_TITLE",
    "CHECKING_BODY",
    "CHECKING_SELF_BODY",
    "CHECKING_TITLE",
    "CONSENT_LABEL",
    "CONSENT_OPTION",
    "CONSENT_STATEMENT",
    "CONSENT_VIDEO_HINT",
    "CONSENT_VIDEO_LABEL",
    "CREATOR_UNKNOWN",
    "ERROR_BAD_MODEL",
    "ERROR_BAD_URL",
    "ERROR_BAD_VOICE",
    "ERROR_BOTH_SOURCES",
    "ERROR_IMAGE_NEEDS_VOICE",
    "ERROR_LOST_CHANNEL",
    "ERROR_NAME_BLANK",
    "ERROR_NAME_LONG",
    "ERROR_NEED_SOURCE",
    "ERROR_NOT_SAVED",
    "ERROR_NO_CONSENT",
    "ERROR_NO_SUBJECT",
    "ERROR_SUBJECT_BOT",
    "ERROR_SUBJECT_BUSY",
    "ERROR_SUBJECT_GONE",
    "ERROR_SUBJECT_GUEST",
    "ERROR_SUBJECT_UNKNOWN",
    "ERROR_TOO_MANY_WAITING",
    "ERROR_USE_BLANK",
    "ERROR_USE_LONG",
    "FORM_CLOSE",
    "FORM_FROM_SLACK",
    "FORM_INTRO",
    "FORM_SUBMIT",
    "FORM_TITLE",
    "IMAGE_FILE_HINT",
    "IMAGE_FILE_LABEL",
    "IMAGE_HINT",
    "IMAGE_LABEL",
    "MODEL_HINT",
    "MODEL_LABEL",
    "NAME_HINT",
    "NAME_LABEL",
    "NOT_A_CREATOR",
    "NOT_A_CREATOR_TITLE",
    "SUBJECT_HINT",
    "SUBJECT_LABEL",
    "USE_HINT",
    "USE_LABEL",
    "VIDEO_HINT",
    "VIDEO_LABEL",
    "VIEW_CLOSE",
    "VOICE_HINT",
    "VOICE_LABEL",
    "VOICE_PLACEHOLDER",
    "WORKING",
    "WORKING_FAILED",
    "WORKING_TITLE",
]
