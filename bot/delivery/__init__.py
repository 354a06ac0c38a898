"""Delivery: sends the notices the store says are owed, paced per channel, retried until sent."""

from __future__ import annotations

from bot.delivery.sender import Sender

__all__ = ["Sender"]
