"""What the start page shows: the officer's unfinished work and what needs doing next.

Counts only (and the officer's own drafts): drafts to finish, records awaiting the applicant's
signature, records not yet sent to the central office, records close to a court deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.services import records
from app.services.civil_parties import not_contacted_count
from app.services.context import AppContext, SyncSummary, sync_summary
from app.store.models import Application

# A record printed for the applicant to sign or thumbprint later (forms may add this status);
# counted when any record has it.
AWAITING_SIGNATURE_STATUS = "awaiting_signature"


@dataclass(frozen=True)
class StartSummary:
    drafts: list[records.DraftSummary]
    awaiting_signature: int
    # The outbox's state, read once at start for the page and the window's status line.
    sync: SyncSummary
    at_deadline_risk: int | None  # None: not counted yet (start_summary's deadlines=False)
    deadline_problem: str | None  # a broken deadlines file, translated
    total_records: int
    not_contacted: int = 0  # people of the office's list not contacted for 12 months

    @property
    def not_synced(self) -> int:
        """Records waiting to be sent to the office."""
        return self.sync.pending

    @property
    def first_run(self) -> bool:
        """Nothing taken yet on this laptop: the page suggests where to begin."""
        return self.total_records == 0


def start_summary(
    ctx: AppContext, today: date | None = None, deadlines: bool = True
) -> StartSummary:
    """What the start page shows. ``deadlines=False`` leaves out the deadline check (it reads
    every visible record): ``at_deadline_risk`` is then None, for :func:`deadline_risk` to fill
    in off the UI thread."""
    drafts = records.drafts_to_resume(ctx)
    with ctx.store.reading() as session:
        # count(*), not count(id): SQLite counts the rows of the smallest index then, where
        # count(id) reads each row's id (the id is not the rowid): 335 ms against 57 ms on a
        # cold 100,000-record store, before the start page's first counts could show.
        visible = records.visible_applications(select(func.count()).select_from(Application), ctx)
        total = int(session.scalar(visible) or 0)
        awaiting = int(
            session.scalar(visible.where(Application.status == AWAITING_SIGNATURE_STATUS)) or 0
        )
    risks, problem = deadline_risk(ctx, today) if deadlines else (None, None)
    return StartSummary(
        drafts=drafts,
        awaiting_signature=awaiting,
        sync=sync_summary(ctx),
        at_deadline_risk=risks,
        deadline_problem=problem,
        total_records=total,
        not_contacted=not_contacted_count(ctx, today),
    )


def deadline_risk(
    ctx: AppContext, today: date | None = None, cancelled: Callable[[], bool] | None = None
) -> tuple[int, str | None]:
    """How many visible records are close to a court deadline, and a broken deadlines file's
    message (translated) if there is one. ``cancelled``: stop (JobCancelled) when it says so."""
    # (Imported here: the count runs after the start page's first paint, on a thread.)
    from app.services.followup import records_at_risk

    try:
        return len(records_at_risk(ctx, today, cancelled=cancelled)), None
    except records.RecordError as error:
        return 0, str(error)
