"""The audit log's hash chain: intact after real actions, broken by any edit, deletion or reorder."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text

from app.core.demo_answers import demo_answers
from app.i18n import localize_digits
from app.services import form_catalogue, records
from app.services.audit import verify_audit_chain
from app.services.context import AppContext
from app.services.security import PermissionDenied


def _some_history(ctx: AppContext) -> None:
    form = form_catalogue.form_definition("complaint")
    for seed in range(3):
        application_id = records.start_application(ctx, "complaint")
        records.finalize_application(ctx, application_id, demo_answers(form, random.Random(seed)))
        records.get_application(ctx, application_id)  # a record view is audited too


def _table(ctx: AppContext) -> str:
    from app.store.models import AuditEntry

    return str(AuditEntry.__tablename__)


def test_chain_is_intact_after_real_actions(ctx: AppContext) -> None:
    _some_history(ctx)
    report = verify_audit_chain(ctx)
    assert report.intact and report.entries >= 9


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE {t} SET action = 'record_view' WHERE seq = 4",  # an edited action
        "UPDATE {t} SET record_id = NULL WHERE seq = 5",  # a hidden record
        "UPDATE {t} SET at = '2020-01-01 00:00:00.000000' WHERE seq = 3",  # a changed time
        "DELETE FROM {t} WHERE seq = 6",  # a removed entry
    ],
)
def test_any_edit_or_deletion_is_detected(ctx: AppContext, tamper: str) -> None:
    _some_history(ctx)
    with ctx.store.transaction() as session:
        session.execute(text(tamper.format(t=_table(ctx))))
    report = verify_audit_chain(ctx)
    assert not report.intact
    assert report.first_broken_seq is not None and report.first_broken_seq <= 7
    # The entry is named in the reading language's digits (Khmer here).
    assert localize_digits(str(report.first_broken_seq)) in report.message()


def test_only_supervisors_read_the_log(ctx: AppContext) -> None:
    from app.services.audit_log import list_audit
    from app.services.context import SignedInOfficer

    ctx.officer = SignedInOfficer("x", "dara", "Dara", "field_officer")
    with pytest.raises(PermissionDenied):
        list_audit(ctx)
