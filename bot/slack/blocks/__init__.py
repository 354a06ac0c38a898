"""Block Kit, pure: what listeners answer and delivery posts, built and read back."""
