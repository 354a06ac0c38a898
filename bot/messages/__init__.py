"""Every word the bot says to users, one module per surface, all read as `messages.NAME`."""

# Call sites across the bot read `messages.NAME`; re-exporting each module's `__all__` keeps them
# unchanged wherever a word lives (tests/unit/messages/test_messages.py checks no name is
# lost or defined twice).
from bot.messages.cards import *  # noqa: F403
from bot.messages.commands import *  # noqa: F403
from bot.messages.consent import *  # noqa: F403
from bot.messages.form import *  # noqa: F403
from bot.messages.home import *  # noqa: F403
from bot.messages.inspection import *  # noqa: F403
from bot.messages.likeness import *  # noqa: F403
from bot.messages.media import *  # noqa: F403
from bot.messages.tavus import *  # noqa: F403
from bot.messages.workspaces import *  # noqa: F403
