"""Every word the bot says to users, in one place."""

from __future__ import annotations

import re

from bot.tavus import TavusError, TavusRejected, TavusTimeout, TavusUncertain

CONSENT_STATEMENT = (
    "I, [FULL NAME], am currently speaking and consent Tavus to create an AI clone of me by "
    "using the audio and video samples I provide. I understand that this AI clone can be used "
    "to create videos that look and sound like me."
)

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

# The workspace's policy: App Home's summary for admins, and its modal.
HOME_POLICY = (
    "*Workspace policy* (admins only)\nWho may create replicas: {creators}\nApproval: {approval}"
)
HOME_POLICY_SET = "Set by <@{user}> on {when}."
HOME_POLICY_DEFAULT = (
    "The bot's settings (REPLICA_CREATORS, REPLICA_APPROVERS): no admin has changed it."
)
POLICY_BUTTON = "Policy"
POLICY_TITLE = "Workspace policy"
POLICY_SUBMIT = "Save"
POLICY_INTRO = (
    "Who may ask for replicas in this workspace, and who must approve them once the person "
    "shown has consented. Guests never may. Every change is recorded in the audit log."
)
POLICY_RULE_LABEL = "Who may create replicas"
POLICY_RULE_EVERYONE = "Everyone (full members)"
POLICY_RULE_ADMINS = "Workspace admins and owners"
POLICY_RULE_LISTED = "The people and user groups below"
POLICY_CREATOR_USERS = "Creators"
POLICY_CREATOR_GROUPS = "Creator user groups"
POLICY_LISTED_HINT = "Used when the people and user groups below may create."
POLICY_GROUPS_HINT = "User-group ids (S…), separated by commas. User groups need a paid Slack plan."
POLICY_APPROVER_USERS = "Approvers"
POLICY_APPROVER_GROUPS = "Approver user groups"
POLICY_APPROVERS_HINT = "None: no approval. One approval is enough; nobody approves their own."
POLICY_CHANNEL = "Approval channel"
POLICY_CHANNEL_HINT = "Where approval requests go (invite me there). None: each approver's DM."
POLICY_ERROR_RULE = "Choose who may create replicas."
POLICY_ERROR_NO_CREATORS = "Pick at least one person or user group, or choose another rule."
POLICY_ERROR_GROUPS = "These are not user-group ids (S…): {words}"
POLICY_ERROR_CHANNEL_ALONE = "An approval channel needs approvers: pick some, or clear the channel."
POLICY_ADMINS_ONLY = "Only workspace admins and owners can change this workspace's policy."
POLICY_SAVED = "Saved. From now on:\nWho may create replicas: {creators}\nApproval: {approval}"
POLICY_EVERYONE = "everyone"
POLICY_ADMINS = "workspace admins and owners"
POLICY_NO_APPROVAL = "none: consent is enough"
POLICY_APPROVAL = "one of {approvers}, {where}"
POLICY_IN_CHANNEL = "asked in <#{channel}>"
POLICY_BY_DM = "each asked in a DM"

# Links checked before anything is saved: what is wrong, in plain words, with the fix.
LINK_NO_ANSWER = (
    "This link does not answer, so Tavus will not be able to download it either. Check it opens "
    "in a private browser window."
)
LINK_REFUSED = (
    "This link answers with an error ({status}), so Tavus will not be able to download it either. "
    "Make the file public, or use a link that works without signing in."
)
LINK_PRIVATE = (
    "This link points to a private or local network address, which Tavus cannot reach. Use a "
    "link on the public internet."
)
LINK_REDIRECTS = "This link redirects too many times. Use the file's direct link."
LINK_WEB_PAGE = (
    "This link opens a web page, not the file. Use the file's direct download link (it usually "
    "ends in .mp4 or .png)."
)
LINK_DRIVE = (
    "This is a Google Drive page, not the file. Share it with “Anyone with the link”, then use "
    "https://drive.google.com/uc?export=download&id=FILE_ID (the id is in the share link)."
)
LINK_DROPBOX = (
    "This is a Dropbox page, not the file. Change the end of the link from dl=0 to dl=1 (or add "
    "?dl=1) so it downloads the file itself."
)
LINK_NOT_VIDEO = (
    "This link is not a video (it is {type}). Link the video file itself, e.g. an .mp4."
)
LINK_NOT_IMAGE = (
    "This link is not an image (it is {type}). Link the image file itself (.png, .jpg)."
)
LINK_TOO_LARGE = (
    "This file is {size} MB; Tavus takes at most 750 MB. Trim it, or export it at a lower bitrate."
)
LINK_TOO_SMALL = (
    "This image is {width}×{height} pixels; Tavus needs at least {side}×{side}. Use a larger photo."
)
LINK_HEVC = (
    "This video is HEVC (H.265), as iPhones record by default; Tavus needs H.264. Export it as "
    "H.264: on iPhone set Settings → Camera → Formats → Most Compatible, or in QuickTime choose "
    "File → Export As → 1080p with “Greater Compatibility”."
)
LINK_NOT_H264 = "This video is encoded as {codec}; Tavus needs H.264. Export it again as H.264 MP4."
LINK_EXPIRES = (
    "This link expires on {when}, and Tavus needs it to work for at least 24 hours after the "
    "request. Make a link that lasts longer (a presigned link of 2 days or more)."
)
LINK_EXPIRY_UNREADABLE = (
    "This link says when it expires, but not in a way that can be read, so it cannot be checked. "
    "Make a fresh link to the file (a presigned link of 2 days or more) and paste that one."
)
LINK_NOT_CHECKED = (
    "This link could not be checked, so it was not taken. Make a fresh link to the file (its "
    "direct download link) and paste that one."
)
UNCHECKED = (
    "<@{user}> I couldn't check the link for {fields} in time (its host was slow), so the request "
    "went ahead as it is. If Tavus can't download it, training will fail and I'll say so here."
)

# Files posted in Slack: the shortcut, the form, and copying the file for Tavus.
SHORTCUT_NO_FILE = (
    "This message has no video or image I can train from. Use the shortcut on a message with an "
    ".mp4 or .mov video, or a photo."
)
SHORTCUT_NO_MEDIA = (
    "I can't take files from Slack here: I need somewhere to hand Tavus the file from (PUBLIC_URL, "
    "or an S3 bucket in MEDIA_S3_BUCKET). Ask whoever runs this bot, or give the form a link to "
    "the file instead."
)
FORM_FROM_SLACK = (
    "Trained from *{name}*, posted in Slack. I keep a copy for Tavus until training ends."
)
IMAGE_FILE_LABEL = "Or upload a training image"
IMAGE_FILE_HINT = "A headshot photo (PNG or JPEG, at least 512×512, up to 10 MB)."
FILE_NOT_MEDIA = "*{name}* is not a video or an image, so Tavus can't train from it."
FILE_TOO_LARGE = "*{name}* is {size} MB; Tavus takes at most 750 MB. Trim it, or export it smaller."
FILE_NO_ACCESS = (
    "Slack would not let me read this file. Ask whoever runs this bot to add the files:read scope "
    "and reinstall the app, and make sure I'm in the channel it was posted in."
)
FILE_REFUSED = "Slack refused the file ({status}). Post it again, or give the form a link instead."
FILE_REDIRECTS = "Slack's download link redirected too many times. Try again in a minute."
FILE_LOST = "I couldn't copy the file from Slack ({error}). Try the shortcut again in a minute."
FILE_CUT_OFF = "I restarted while copying the file from Slack. Use the shortcut again."
MEDIA_FULL = (
    "This workspace's room for files copied from Slack ({quota}) is full until replicas in the "
    "works finish training. Give the form a link to the file instead, or try again later."
)
NOT_FETCHED = "<@{user}> I couldn't take the file for *{name}* from Slack: {error}"
CARD_FETCHING = ":inbox_tray: Copying the file from Slack"

# A record of the audit log, as posted in AUDIT_CHANNEL.
AUDIT_LINE = "{actor} *{action}*"
AUDIT_JOB = "job `{job}`"
AUDIT_REPLICA = "replica `{replica_id}`"
AUDIT_SUBJECT = "of <@{subject}>"
AUDIT_WHEN = "{when} · record {seq}"

# Why a create did not go through, in plain words.
CREATE_TIMEOUT = (
    "Tavus did not answer in time, so I can't tell whether the replica was created. Check your "
    "replicas in the Tavus portal before trying again, so you are not charged twice."
)
CREATE_UNAUTHORIZED = (
    "Tavus refused the bot's API key ({message}). Ask whoever set up this bot to check "
    "TAVUS_API_KEY."
)
CREATE_NOT_ALLOWED = (
    "Tavus refused: {message}. Custom replicas need a paid Tavus plan with credits left; check "
    "your plan and billing in the Tavus portal."
)
CREATE_REFUSED = "Tavus refused the request: {message}. Fix the form and try again."
CREATE_UNCERTAIN = (
    "Tavus had trouble answering ({message}), so I can't tell whether the replica was created. "
    "Check your replicas in the Tavus portal before trying again, so you are not charged twice."
)
CREATE_UNAVAILABLE = "Tavus is not available right now ({message}). Try again in a few minutes."
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
VIEW_CLOSE = "Close"
# A modal opened at once, while what it will show is being made.
WORKING_TITLE = "replica-bot"
WORKING = ":hourglass_flowing_sand: One moment…"
WORKING_FAILED = "Something went wrong on my side. Close this and try again in a minute."

# The channel message and its thread.
ANNOUNCEMENT_ASKED = (
    "<@{user}> asked for the replica *{name}* of <@{subject}> ({model}). Nothing goes to Tavus "
    "until they consent; I'll keep this card up to date and reply in its thread."
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
TAVUS_KEY_REFUSED = "Tavus did not accept the bot's API key; an admin must check it."
TAVUS_NOT_ALLOWED = (
    "the Tavus account may not do this ({message}): check its plan and credits in the Tavus portal."
)
TAVUS_REFUSED = "Tavus said no ({message})."
TAVUS_UNREACHABLE = "Tavus did not answer in time. Nothing was opened; try again in a minute."
READY_NEXT = (
    "Next: pick it in the Tavus portal, or pass `replica_id: {replica_id}` to the Tavus API, "
    "to make videos and conversations with it. `/replica status {replica_id}` links its preview "
    "video."
)
THUMBNAIL = "Preview video"  # the label of the link to it
RETRY_BUTTON = "Try again"

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
CARD_FOOTER_OPEN = "I'll reply in this thread when training finishes, usually in 3–4 hours."
CARD_FOOTER_DONE = "Details in the thread."
CARD_TEXT = "<@{user}> · replica *{name}* (`{replica_id}`, {model}): {status}"

# Tavus's failure messages (and error type names), matched as whole words, with what to do.
FAILURE_HINTS: tuple[tuple[str, str], ...] = (
    (
        r"consent[ _]phrase",
        "Record the consent statement word for word, at the start of the training video or in "
        "a separate consent video: “" + CONSENT_STATEMENT + "”",
    ),
    (
        r"download(ing)?|download_link",
        "Tavus could not download the file. Use a direct download link (not a sharing page) "
        "that stays valid for at least 24 hours.",
    ),
    (
        r"750 ?mb|file_size",
        "The file is too large: keep it under 750 MB (export at 1080p, H.264).",
    ),
    (
        r"minimum duration|video_duration|too short",
        "The video is too short: record about 30 s of talking followed by 30 s of silence.",
    ),
    (
        r"25 ?fps|video_fps|frame rate",
        "Record at 25 frames per second or more.",
    ),
    (
        r"\.mp4|\.webm|h\.?264|codec|video_format|video_codec",
        "Use an .mp4 with H.264 video and AAC audio, or a .webm file.",
    ),
    (
        r"headnotfullyinframeerror|lookingstraightatcameraerror|\w*multipleforegroundpeopleerror",
        "Use a photo of one adult looking straight at the camera, head and shoulders fully in "
        "frame and centred.",
    ),
    (
        r"imagequalityerror",
        "Use a sharper, well-lit JPG or PNG of at least 512×512 px.",
    ),
    (
        r"appearsunder18error",
        "Tavus only clones adults: use a photo of an adult.",
    ),
    (
        r"\w*(lighting|background_noise|movement|second_person|obstruction|teeth_not_visible"
        r"|camera_angle)\w*|lighting|background noise|second person",
        "Re-record in a quiet, evenly lit room: one person, facing the camera at eye level, "
        "keeping still, nothing covering the face.",
    ),
)
# Whole words only: "format" must not match inside "information".
_HINT_PATTERNS = tuple(
    (re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])", re.IGNORECASE), hint)
    for pattern, hint in FAILURE_HINTS
)


def size_of(count: int) -> str:
    """A number of bytes as people say it: "20 GB", "750 MB", "1.5 GB" (decimal units)."""
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if count >= scale:
            return f"{round(count / scale, 1):g} {unit}"
    return f"{count} bytes"


def failure_hint(error_message: str | None) -> str | None:
    """A plain-language next step for a known kind of training failure, if any."""
    if not error_message:
        return None
    for pattern, hint in _HINT_PATTERNS:
        if pattern.search(error_message):
            return hint
    return None


def tavus_trouble(error: TavusError) -> str:
    """What went wrong at Tavus, in plain words, and what to do (for anything but a create)."""
    if isinstance(error, TavusRejected):
        if error.status == 401:
            return TAVUS_KEY_REFUSED
        if error.status in (402, 403):
            return TAVUS_NOT_ALLOWED.format(message=error.message)
        return TAVUS_REFUSED.format(message=error.message)
    return TAVUS_UNREACHABLE


def create_failure(error: TavusError) -> str:
    """Why a create request did not go through, and what to do about it."""
    if isinstance(error, TavusTimeout):
        return CREATE_TIMEOUT
    if isinstance(error, TavusUncertain):
        return CREATE_UNCERTAIN.format(message=str(error))
    if isinstance(error, TavusRejected):
        if error.status == 401:
            return CREATE_UNAUTHORIZED.format(message=error.message)
        if error.status in (402, 403):
            return CREATE_NOT_ALLOWED.format(message=error.message)
        return CREATE_REFUSED.format(message=error.message)
    return CREATE_UNAVAILABLE.format(message=str(error))


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
AUDIT_ADMINS_ONLY = "Only workspace admins and owners can export the audit log."
AUDIT_SENT = "The audit log of the last {days} days ({count} records) is in your DM with me."
AUDIT_COMMENT = "The replica-bot audit log of the last {days} days: {count} records, as CSV."
AUDIT_TITLE = "replica-bot audit log, last {days} days"
AUDIT_FAILED = "I couldn't upload the audit log to your DM: Slack said `{error}`. Try again later."
NOT_FOUND = "I don't know a replica `{query}` in this workspace."
JOB_GONE = "I no longer know this request. Start a new one with `/replica`."
OTHER_WORKSPACE = (
    "This replica belongs to another Slack workspace: only people there can act on it. Nothing "
    "changed."
)
RETRY_NOT_YOURS = (
    "Only whoever asked for this replica, or a workspace admin, can try it again. Type "
    "`/replica` to start one of your own."
)
NOT_YOURS = "Only <@{user}>, who started *{name}*, or a workspace admin can {verb} it."
LIST_EMPTY = "No replicas yet. Type `/replica` to train the first one."
LIST_TITLE = "*Replicas in this workspace* (page {page})"
LIST_ITEM = "*{name}* `{replica_id}` · {status} · {model} · <@{user}> · {when}"
LIST_MORE = "Next page"
STATUS_TITLE = "*{name}* · Tavus replica"
STATUS_STARTED = "*Started*\n<@{user}>, {when}"
STATUS_CONSENT = "*Consent*\n{consent}"
STATUS_APPROVAL = "*Approval*\n{outcome}"
CONSENT_CONFIRMED = "Confirmed by the requester, before consent receipts existed"
CONSENT_WITH_VIDEO = (
    "Confirmed by the requester, before consent receipts existed, with a consent video ({media})"
)
CONSENT_GIVEN_BY = "Given by <@{subject}> on {when}"
CONSENT_DECLINED_BY = "Declined by <@{subject}> on {when}"
CONSENT_WAITING = "Waiting for <@{subject}>"
CONSENT_VIDEO_TOO = ", with a consent video ({media})"
STATUS_ERROR = "*Error*\n{error}"
STATUS_HINT = "*What to do*\n{hint}"
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
CARD_DELETED = ":wastebasket: Deleted"
NOT_SAVED_LATER = "My database is not answering right now: try again in a minute."

# App Home.
# Each workspace's Tavus account (many workspaces): App Home's section, its button, the link.
HOME_TAVUS_CONNECTED = (
    "*Tavus account* (admins only)\nConnected: key ending in `{last4}`, saved by <@{user}> on "
    "{when}. Replicas are made with this workspace's own Tavus account."
)
HOME_TAVUS_MISSING_ADMIN = (
    "*Tavus account* (admins only)\n:warning: Not connected yet: nobody here can make a replica "
    "until an admin connects this workspace's Tavus account."
)
HOME_TAVUS_MISSING = (
    ":warning: This workspace is not connected to Tavus yet: a workspace admin must connect it "
    "(from this App Home) before anyone can make a replica."
)
TAVUS_CONNECT_BUTTON = "Connect Tavus"
TAVUS_CHANGE_BUTTON = "Change Tavus key"
TAVUS_NOT_CONNECTED = (
    "This workspace is not connected to Tavus yet, so no replica can be made. Ask a workspace "
    "admin to open the bot's App Home and click *Connect Tavus*."
)
TAVUS_NOT_CONNECTED_ADMIN = (
    "This workspace is not connected to Tavus yet. Open the bot's App Home (its Home tab) and "
    "click *Connect Tavus* to save this workspace's Tavus API key; then /replica works."
)
CONNECT_TITLE = "Connect Tavus"
CONNECT_LINK = (
    "Open the page below in your browser to save this workspace's Tavus API key. The link is "
    "yours alone, works once, and lasts {minutes} minutes; Slack never sees the key."
)
CONNECT_OPEN = "Open the Connect Tavus page"
CONNECT_NOT_ADMIN = "Only a workspace admin or owner can connect Tavus."
CONNECT_UNAVAILABLE = "The bot could not make a link just now; try again in a minute."

HOME_TITLE = "My replicas"
HOME_INTRO = "Your Tavus replicas, newest first. Results also arrive in each replica's thread."
HOME_OF_ME = "*Replicas of me*"
HOME_OF_ME_ITEM = "*{name}*, asked for by <@{user}>: {status}\n{consent}"
HOME_EMPTY = "You haven't trained a replica yet."
HOME_NEW = "Train a new replica"

# Who may create replicas (REPLICA_CREATORS).
NOT_A_CREATOR = (
    "You can't create replicas in this workspace. Ask a workspace admin if you need one."
)
CREATOR_UNKNOWN = (
    "I couldn't check with Slack whether you may create replicas. Try again in a minute."
)
NOT_A_CREATOR_TITLE = "Can't create replicas"
