"""Errors a use case raises when it cannot go ahead; their messages are translated and safe to show."""

from __future__ import annotations


class RecordError(Exception):
    """A use case cannot go ahead; the message is translated and safe to show."""


class SyncError(Exception):
    """Sync cannot go on; the message is translated and safe to show."""
