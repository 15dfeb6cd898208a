"""The error log: a bug's traceback is saved for the office, and no applicant data ever is."""

from __future__ import annotations

import random
import traceback
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from app.core.demo_answers import demo_answers
from app.core.errors import UserFacingError
from app.i18n import set_language
from app.services import error_log, form_catalogue, records
from app.services.context import AppContext
from app.services.errors import RecordError
from app.store.models import Application
from tests.officers import FIELD_OFFICER, add_officers

NAME_KM = "សុខម៉ាកឃ័រ"
NAME_LATIN = "Markername Sokha"
NARRATIVE = "Markernarrative: the soldiers came at night"
VILLAGE = "Markervillage"
MARKERS = (NAME_KM, NAME_LATIN, "Markername", NARRATIVE, "Markernarrative", VILLAGE)


def _planted_record(ctx: AppContext) -> str:
    add_officers(ctx, (FIELD_OFFICER,))
    ctx.officer = FIELD_OFFICER
    answers = demo_answers(
        form_catalogue.form_definition("complaint"),
        random.Random(7),
        overrides={
            "applicant_name": {"km": NAME_KM, "latin": NAME_LATIN},
            "crime_narrative": NARRATIVE,
            "applicant_address": {"village_text": VILLAGE},
        },
    )
    application_id = records.start_application(ctx, "complaint")
    records.finalize_application(ctx, application_id, answers)
    return application_id


def _bug_carrying_data(ctx: AppContext, application_id: str) -> BaseException:
    """A real bug whose messages hold applicant data: a second row with the same id (SQL
    parameters in the message), raised while handling an error naming a place and a narrative."""
    try:
        try:
            raise KeyError(f"{VILLAGE} / {NARRATIVE}")
        except KeyError:
            with ctx.store.transaction() as session:
                session.add(
                    Application(
                        id=application_id,
                        form_id="complaint",
                        form_version=1,
                        status="draft",
                        name_km=NAME_KM,
                        name_latin=NAME_LATIN,
                    )
                )
    except IntegrityError as error:
        return error
    raise AssertionError("the duplicate row was accepted")


def _log_text(home: Path) -> str:
    return error_log.log_path(home).read_text(encoding="utf-8")


def test_a_bug_is_logged_with_its_traceback_and_no_applicant_data(
    ctx: AppContext, home: Path
) -> None:
    error_log.configure_logging(home)
    bug = _bug_carrying_data(ctx, _planted_record(ctx))
    # The ordinary traceback would carry the markers (this test plants real data).
    ordinary = "".join(traceback.format_exception(bug))
    assert NAME_LATIN in ordinary and VILLAGE in ordinary
    set_language("en")
    shown = error_log.describe(bug, "test.save")
    assert shown == "Sorry, something went wrong. The details were saved for the office."
    log = _log_text(home)
    assert "Unexpected error in test.save" in log
    assert "sqlalchemy.exc.IntegrityError" in log and "builtins.KeyError" in log
    assert "in _bug_carrying_data" in log and "tests/services/test_error_log.py" in log
    for marker in MARKERS:
        assert marker not in log, marker


def test_an_oserror_keeps_its_errno_but_not_the_file_name(home: Path) -> None:
    error_log.configure_logging(home)
    try:
        (home / f"{NAME_LATIN}.pdf").read_bytes()
    except FileNotFoundError as error:
        error_log.report_bug(error, "test.read")
    log = _log_text(home)
    assert "builtins.FileNotFoundError (errno 2: " in log
    assert "Markername" not in log


def test_an_error_meant_for_the_officer_is_shown_and_not_logged(home: Path) -> None:
    error_log.configure_logging(home)
    error = RecordError("Only a draft can be discarded.")
    assert isinstance(error, UserFacingError)
    assert error_log.describe(error, "test.discard") == "Only a draft can be discarded."
    detailed = UserFacingError("The folder cannot be written to.", "E:\\ is read-only")
    assert error_log.describe(detailed, "test") == (
        "The folder cannot be written to.\nE:\\ is read-only"
    )
    assert not error_log.log_path(home).exists()  # nothing was written


def test_the_log_rotates_and_exports_oldest_first(home: Path, tmp_path: Path) -> None:
    error_log.configure_logging(home)
    set_language("en")
    with pytest.raises(UserFacingError, match="nothing in the error log"):
        error_log.export_log(home / "elsewhere", tmp_path / "out.log")
    for number in range(4000):  # well over the rotation size
        try:
            raise ValueError(number)
        except ValueError as error:
            error_log.report_bug(error, f"test.step{number}")
    log = error_log.log_path(home)
    rotated = sorted(log.parent.glob("vss-outreach.log.*"))
    assert len(rotated) == error_log.LOG_BACKUPS
    assert all(p.stat().st_size <= error_log.MAX_LOG_BYTES for p in [log, *rotated])
    out = tmp_path / "for-the-office.log"
    size = error_log.export_log(home, out)
    text = out.read_text(encoding="utf-8")
    assert size == out.stat().st_size
    assert text.index("test.step3000") < text.index("test.step3999")
    assert text.rstrip().endswith("[message not logged: it may contain applicant data]")


def test_export_to_a_missing_folder_is_a_clear_error(home: Path, tmp_path: Path) -> None:
    error_log.configure_logging(home)
    set_language("en")
    error_log.report_bug(RuntimeError(), "test.export")
    with pytest.raises(UserFacingError) as raised:
        error_log.export_log(home, tmp_path / "missing" / "out.log")
    assert raised.value.message == (f"The error log could not be saved in {tmp_path / 'missing'}.")
