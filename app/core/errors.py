"""The one error type meant for the officer.

Every error a use case raises on purpose (a refused action, a damaged file, a full disk) derives
from :class:`UserFacingError`: its ``message`` is translated and safe to show, ``detail`` may say
more. Any other exception is a bug: the UI saves its traceback to the log for the office and shows a
short apology instead of raw text (see ``app.services.error_log``).
"""

from __future__ import annotations


class UserFacingError(Exception):
    """An error whose ``message`` is translated and may be shown to the officer as it is."""

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message

    def full_text(self) -> str:
        """The message, and the detail on its own line when there is one."""
        return f"{self.message}\n{self.detail}" if self.detail else self.message


class JobCancelled(UserFacingError):
    """The officer cancelled a long job and it stopped cleanly; ``message`` (translated) says
    what was left as it was. Not an error: the UI shows the message as the job's outcome."""
