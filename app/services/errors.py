"""Errors a use case raises when it cannot go ahead: officer-facing (translated, safe to show)."""

from __future__ import annotations

from app.core.errors import UserFacingError


class RecordError(UserFacingError):
    """A use case cannot go ahead; the message is translated and safe to show."""


class SyncError(UserFacingError):
    """Sync cannot go on; the message is translated and safe to show."""
