"""Watching the running bot: metrics and logs."""
