"""What a finished sync did, told to the officer: the same sentences on the Sync page and from the
command line (`vss-outreach sync`).

The caller gives the translation: the command line prints `app.i18n._`'s plain text; the screen
passes `app.ui.text._`, which adds the marks Qt needs to wrap Khmer between words (a terminal must
never get them). The numbers are formatted for the current language either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.i18n import N_, format_number
from app.i18n import _ as plain_translation

if TYPE_CHECKING:
    from app.services.sync import SyncResult

DONE = N_("Done: {sent} records acknowledged, {refused} refused, {updates} status updates.")
LIST_ARRIVED = N_("The office's list arrived: {count} people.")


def outcome_sentences(
    result: SyncResult, translate: Callable[[str], str] = plain_translation
) -> list[str]:
    """The records acknowledged, refused and the status updates received; then, when the
    office's list of civil parties came with the sync, how many people it holds."""
    sentences = [
        translate(DONE).format(
            sent=format_number(result.acknowledged),
            refused=format_number(result.quarantined),
            updates=format_number(result.status_updates),
        )
    ]
    if result.list_people:
        sentences.append(translate(LIST_ARRIVED).format(count=format_number(result.list_people)))
    return sentences
