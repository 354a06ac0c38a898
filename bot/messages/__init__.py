"""Every word the bot says to users: `messages.NAME`, whichever module below holds it."""

# Call sites across the bot read `messages.NAME`; re-exporting keeps them unchanged.
from bot.messages.form import *  # noqa: F403
