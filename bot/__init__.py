"""replica-bot: create Tavus replicas from Slack and hear back in a thread when training ends."""
