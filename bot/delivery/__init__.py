"""Delivery: sends the notices the store says are owed, paced per channel, retried until sent."""
