"""Who may, who consents, who approves, and the record of it."""
