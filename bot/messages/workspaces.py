"""A workspace's own Tavus account: App Home's section, Connect Tavus, the refusal until then."""

from __future__ import annotations

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

# What bot.messages re-exports: every word above (tests/unit/messages/test_messages.py checks it).
__all__ = [
    "CONNECT_LINK",
    "CONNECT_NOT_ADMIN",
    "CONNECT_OPEN",
    "CONNECT_TITLE",
    "CONNECT_UNAVAILABLE",
    "HOME_TAVUS_CONNECTED",
    "HOME_TAVUS_MISSING",
    "HOME_TAVUS_MISSING_ADMIN",
    "TAVUS_CHANGE_BUTTON",
    "TAVUS_CONNECT_BUTTON",
    "TAVUS_NOT_CONNECTED",
    "TAVUS_NOT_CONNECTED_ADMIN",
]
