"""Who the bot serves, with whose Slack token and Tavus key."""
