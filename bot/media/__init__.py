"""Training media the bot keeps itself: files from Slack, re-hosted for Tavus, then deleted."""
