"""The face match's words: the card's status and line, the held notes, the receipt, release."""

from __future__ import annotations

CARD_MATCHING = ":busts_in_silhouette: Comparing the face with <@{subject}>'s profile photo…"
CARD_HELD = ":raised_hand: Held before Tavus: the face match needs an admin"
FACE_MATCHES = ":white_check_mark: Face matches <@{subject}>'s profile photo"
FACE_UNVERIFIED = ":grey_question: Face unverified: {why}"
FACE_MISMATCH = ":warning: Face doesn't match <@{subject}>'s profile photo"
# The numbers a receipt keeps of the comparison.
FACE_MEASURED = (
    "{agreed} of {with_face} frames with a face agreed (best distance {best}, threshold "
    "{threshold}, {model})"
)

# To the requester, in the card's thread; the person shown's media is never shown.
HELD = (
    "<@{user}> I've held *{name}* before Tavus: the face in its training media doesn't look like "
    "<@{subject}>'s profile photo. Nothing was sent. Check that the media and the person are "
    "the right ones, and start again with `/replica`; or a workspace admin can let it go on "
    "with `/replica release {job} <reason>`."
)
HELD_UNSURE = (
    "<@{user}> I've held *{name}* before Tavus: I couldn't compare the face in its training "
    "media with <@{subject}>'s profile photo ({why}), and this workspace requires that. "
    "Nothing was sent. A workspace admin can let it go on with "
    "`/replica release {job} <reason>`."
)
# To the person shown, in their DM.
HELD_DM = (
    "You consented to the replica *{name}* that <@{user}> asked for, but the face in its "
    "training media doesn't look like your profile photo, so I've held it: nothing was sent to "
    "Tavus. If it isn't you, withdraw your consent from my Home tab. If it is, a workspace "
    "admin can let it go on."
)
HELD_DM_UNSURE = (
    "You consented to the replica *{name}* that <@{user}> asked for, but I couldn't compare its "
    "training media with your profile photo ({why}), and this workspace requires that, so I've "
    "held it: nothing was sent to Tavus. A workspace admin can let it go on; you can still "
    "withdraw your consent from my Home tab."
)

# The consent receipt.
RECEIPT_FACE = "*Face*\n{face}"
RECEIPT_WORDS = "*Consent statement heard*\n{words}"
WORDS_HEARD = "heard {percent}% of the statement, name {name} ({model}; advice only)"
WORDS_NAME_HEARD = "heard"
WORDS_NAME_UNHEARD = "not heard"
WORDS_NAME_UNKNOWN = "not known to the recognizer"
WORDS_UNHEARD = "not listened to: {why}"

# /replica release.
RELEASE_USAGE = (
    "Say which held replica to let go on, and why: `/replica release <job id or name> <reason>`."
)
RELEASE_NOT_ADMIN = "Only a workspace admin can release a held replica."
RELEASE_NOT_HELD = "*{name}* isn't held by the face match: there's nothing to release."
RELEASE_DONE = "Released *{name}*: it goes on, and your reason is in the audit log."
RELEASE_UNAVAILABLE = "The face match isn't running here (MEDIA_CHECK is off): nothing is held."

__all__ = [
    "CARD_HELD",
    "CARD_MATCHING",
    "FACE_MATCHES",
    "FACE_MEASURED",
    "FACE_MISMATCH",
    "FACE_UNVERIFIED",
    "HELD",
    "HELD_DM",
    "HELD_DM_UNSURE",
    "HELD_UNSURE",
    "RECEIPT_FACE",
    "RECEIPT_WORDS",
    "RELEASE_DONE",
    "RELEASE_NOT_ADMIN",
    "RELEASE_NOT_HELD",
    "RELEASE_UNAVAILABLE",
    "RELEASE_USAGE",
    "WORDS_HEARD",
    "WORDS_NAME_HEARD",
    "WORDS_NAME_UNHEARD",
    "WORDS_NAME_UNKNOWN",
    "WORDS_UNHEARD",
]
