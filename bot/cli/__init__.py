"""`python -m bot`'s commands: serve (the default), check, audit, rotate-keys."""
