"""App Home: my replicas, replicas of me, and for admins the workspace's policy and its modal."""

from __future__ import annotations

# App Home.
HOME_TITLE = "My replicas"
HOME_INTRO = "Your Tavus replicas, newest first. Results also arrive in each replica's thread."
HOME_OF_ME = "*Replicas of me*"
HOME_OF_ME_ITEM = "*{name}*, asked for by <@{user}>: {status}\n{consent}"
HOME_EMPTY = "You haven't trained a replica yet."
HOME_NEW = "Train a new replica"

# The workspace's policy: App Home's summary for admins, and its modal.
HOME_POLICY = (
    "*Workspace policy* (admins only)\nWho may create replicas: {creators}\nApproval: {approval}"
    "\nFace match: {face_match}"
)
HOME_POLICY_SET = "Set by <@{user}> on {when}."
HOME_POLICY_DEFAULT = (
    "The bot's settings (REPLICA_CREATORS, REPLICA_APPROVERS, REPLICA_FACE_MATCH): no admin has "
    "changed it."
)
POLICY_BUTTON = "Policy"
POLICY_TITLE = "Workspace policy"
POLICY_SUBMIT = "Save"
POLICY_INTRO = (
    "Who may ask for replicas in this workspace, and who must approve them once the person "
    "shown has consented, and what happens when the face in the training media cannot be "
    "compared with their profile photo. Guests never may. Every change is recorded in the audit "
    "log."
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
POLICY_FACE_LABEL = "Face match with the profile photo of the person shown"
POLICY_FACE_HINT = (
    "The face in the training media is compared with the Slack profile photo of the person who "
    "consents. A clear mismatch is held for an admin unless this is off."
)
# Each choice, and its one line under it (75 characters at most: Slack's limit).
POLICY_FACE_REQUIRE = "Require"
POLICY_FACE_REQUIRE_LINE = "A face that cannot be compared is held for an admin, like a mismatch."
POLICY_FACE_WARN = "Warn"
POLICY_FACE_WARN_LINE = "A face that cannot be compared goes on, marked unverified."
POLICY_FACE_OFF = "Off"
POLICY_FACE_OFF_LINE = "Faces are not compared at all."
POLICY_ERROR_RULE = "Choose who may create replicas."
POLICY_ERROR_NO_CREATORS = "Pick at least one person or user group, or choose another rule."
POLICY_ERROR_GROUPS = "These are not user-group ids (S…): {words}"
POLICY_ERROR_CHANNEL_ALONE = "An approval channel needs approvers: pick some, or clear the channel."
POLICY_ERROR_FACE = "Choose Require, Warn or Off for the face match."
POLICY_ADMINS_ONLY = "Only workspace admins and owners can change this workspace's policy."
POLICY_SAVED = (
    "Saved. From now on:\nWho may create replicas: {creators}\nApproval: {approval}"
    "\nFace match: {face_match}"
)
POLICY_EVERYONE = "everyone"
POLICY_ADMINS = "workspace admins and owners"
POLICY_NO_APPROVAL = "none: consent is enough"
POLICY_APPROVAL = "one of {approvers}, {where}"
POLICY_IN_CHANNEL = "asked in <#{channel}>"
POLICY_BY_DM = "each asked in a DM"
POLICY_FACE_REQUIRED = (
    "required: a mismatch, or a face that cannot be compared, is held for an admin"
)
POLICY_FACE_WARNED = (
    "warn: a mismatch is held for an admin; a face that cannot be compared goes on, marked "
    "unverified"
)
POLICY_FACE_NOT_COMPARED = "off: faces are not compared"

# What bot.messages re-exports: every word above (tests/unit/messages/test_messages.py checks it).
__all__ = [
    "HOME_EMPTY",
    "HOME_INTRO",
    "HOME_NEW",
    "HOME_OF_ME",
    "HOME_OF_ME_ITEM",
    "HOME_POLICY",
    "HOME_POLICY_DEFAULT",
    "HOME_POLICY_SET",
    "HOME_TITLE",
    "POLICY_ADMINS",
    "POLICY_ADMINS_ONLY",
    "POLICY_APPROVAL",
    "POLICY_APPROVERS_HINT",
    "POLICY_APPROVER_GROUPS",
    "POLICY_APPROVER_USERS",
    "POLICY_BUTTON",
    "POLICY_BY_DM",
    "POLICY_CHANNEL",
    "POLICY_CHANNEL_HINT",
    "POLICY_CREATOR_GROUPS",
    "POLICY_CREATOR_USERS",
    "POLICY_ERROR_CHANNEL_ALONE",
    "POLICY_ERROR_FACE",
    "POLICY_ERROR_GROUPS",
    "POLICY_ERROR_NO_CREATORS",
    "POLICY_ERROR_RULE",
    "POLICY_EVERYONE",
    "POLICY_FACE_HINT",
    "POLICY_FACE_LABEL",
    "POLICY_FACE_NOT_COMPARED",
    "POLICY_FACE_OFF",
    "POLICY_FACE_OFF_LINE",
    "POLICY_FACE_REQUIRE",
    "POLICY_FACE_REQUIRED",
    "POLICY_FACE_REQUIRE_LINE",
    "POLICY_FACE_WARN",
    "POLICY_FACE_WARNED",
    "POLICY_FACE_WARN_LINE",
    "POLICY_GROUPS_HINT",
    "POLICY_INTRO",
    "POLICY_IN_CHANNEL",
    "POLICY_LISTED_HINT",
    "POLICY_NO_APPROVAL",
    "POLICY_RULE_ADMINS",
    "POLICY_RULE_EVERYONE",
    "POLICY_RULE_LABEL",
    "POLICY_RULE_LISTED",
    "POLICY_SAVED",
    "POLICY_SUBMIT",
    "POLICY_TITLE",
]
