"""The likeness check: do the training media show, and say, what the consenting person agreed to."""
