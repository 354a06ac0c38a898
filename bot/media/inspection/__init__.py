"""The media check: each training file looked at before anyone consents or a credit is spent."""
