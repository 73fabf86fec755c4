"""The one error of the import that reaches the user."""


class ImportRejected(Exception):
    """Bad input or a stale preview; the message is shown to the user as is."""
