"""What the Connect Tavus page says: its headings, its form, and each answer it gives."""

from __future__ import annotations

TITLE = "Connect Tavus"
HEADING_FORM = "Connect this workspace to Tavus"
HEADING_REFUSED = "This page cannot be opened"
HEADING_NOT_SAVED = "Nothing was saved"
HEADING_SAVED = "Tavus connected"
HEADING_PREVIEW = "Connect Tavus"

# The form: which workspace, the key it has now, and what to paste.
WORKSPACE = "Slack workspace {team_id}"
# Named as Slack named it at install: an admin of several workspaces sees which one this is.
WORKSPACE_NAMED = "Slack workspace {name} ({team_id})"
CURRENT = "Connected: key ending in {last4}, saved by Slack user {saved_by} on {saved_at}."
NOT_YET = "No Tavus account is connected yet."
INTRO = (
    "Paste the API key of the Tavus account this workspace's replicas should be made with "
    "(Tavus Developer Portal, API Keys). The bot checks it with Tavus, keeps it encrypted and "
    "never shows more than its last four characters. Saving replaces any key saved before."
)
KEY_LABEL = "Tavus API key"
SUBMIT = "Check and save"
CONTINUE = "Continue"

# Answers: why nothing was saved, what to do next, or that the key was.
NEW_LINK = "Ask for a new link: open the bot's App Home in Slack and press Connect Tavus."
LINK_INVALID = "This link is not valid: it may have been cut short or changed on the way."
LINK_EXPIRED = "This link has expired: a link works for a few minutes only."
LINK_USED = "This link was already used: a link opens this page once."
NO_SESSION = "This page is no longer open: it was left too long, or its key is already saved."
CSRF_REFUSED = (
    "The form did not come from this page, so nothing was saved. Reload the page and try again."
)
KEY_MISSING = "Paste the Tavus API key first."
KEY_MALFORMED = (
    "That does not look like a Tavus API key (one word of letters and digits), so nothing was "
    "saved. Copy it again from the Tavus Developer Portal."
)
KEY_REJECTED = (
    "Tavus did not accept this key, so nothing was saved. Check it in the Tavus Developer "
    "Portal and paste it again."
)
TAVUS_DOWN = "Tavus could not be reached, so nothing was saved. Try again in a minute."
TRIES_LEFT = "This page checks {left} more {keys} at most."
TOO_MANY_KEYS = (
    "Too many keys were tried on this page, so it is closed: nothing more is checked or saved."
)
NOT_ADMIN = (
    "Slack says you are not an admin or owner of this workspace (any more), so nothing was "
    "saved. Only workspace admins and owners connect its Tavus account."
)
ADMIN_UNKNOWN = (
    "Slack could not confirm that you are an admin of this workspace, so nothing was saved. "
    "Try again in a minute."
)
DATABASE_DOWN = "The bot could not reach its database. Try again in a minute."
DATABASE_DOWN_SAVING = (
    "The bot could not reach its database, so the key may not have been saved. "
    "Try again in a minute."
)
SAVED = "Connected: key ending in {last4}. Go back to Slack: /replica works now."
PREVIEW = "A Connect Tavus link for a workspace admin: it opens in a browser, once."
