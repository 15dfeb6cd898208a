"""The Sync page against a real central server on loopback (SQLite office database)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.demo_answers import demo_answers
from app.i18n import _, format_number
from app.server.app import create_app
from app.server.service import enrol_device
from app.services import form_catalogue, records, sync_enrolment
from app.services.context import AppContext, open_app, sync_summary
from app.sync.crypto import ServerKeys
from app.ui.sync_page import SyncPage
from app.ui.text import _ as shown  # the page's own texts are segmented for wrapping
from app.ui.text import plain
from tests.officers import as_administrator
from tests.sync.harness import LiveServer


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[LiveServer, ServerKeys]]:
    keys = ServerKeys.generate()
    server = LiveServer(create_app(f"sqlite:///{tmp_path / 'office.db'}", keys)).start()
    yield server, keys
    server.stop()


def _enrolled(home: Path, server: LiveServer, keys: ServerKeys) -> AppContext:
    ctx = as_administrator(open_app(home))
    request = sync_enrolment.enrolment_request(ctx)
    enrol_device(server.sessions, request["device_id"], request["signing_public"], "laptop")
    sync_enrolment.install_enrolment(ctx, {"device_id": ctx.device_id, **keys.public.to_json()})
    return ctx


def test_sync_now_sends_finalised_records_and_shows_the_result(
    vss_qapp: object, qtbot: QtBot, home: Path, office: tuple[LiveServer, ServerKeys]
) -> None:
    server, keys = office
    ctx = _enrolled(home, server, keys)
    form = form_catalogue.form_definition("civil_party")
    references = []
    for seed in range(3):
        application_id = records.start_application(ctx, form.id)
        references.append(
            records.finalize_application(
                ctx, application_id, demo_answers(form, random.Random(seed))
            )
        )
    page = SyncPage(ctx)
    qtbot.addWidget(page)
    assert page.state.text() == shown("Waiting to be sent: {count}").format(count=format_number(3))
    page.server_url.setText(server.url)
    assert page.sync_now()
    assert page.task is not None
    task = page.task
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    qtbot.waitUntil(lambda: page.sync_button.isEnabled(), timeout=10_000)
    assert sync_summary(ctx).pending == 0
    assert len(server.version_ids()) == 3
    for reference in references:
        application_id = records.find_by_reference(ctx, reference)
        assert application_id is not None
        assert records.get_application(ctx, application_id).status == "synced"
    page.shutdown()
    ctx.close()


def test_unreachable_office_keeps_records_waiting(
    vss_qapp: object, qtbot: QtBot, home: Path, office: tuple[LiveServer, ServerKeys]
) -> None:
    server, keys = office
    ctx = _enrolled(home, server, keys)
    form = form_catalogue.form_definition("complaint")
    application_id = records.start_application(ctx, form.id)
    records.finalize_application(ctx, application_id, demo_answers(form, random.Random(1)))
    page = SyncPage(ctx)
    qtbot.addWidget(page)
    page.server_url.setText("http://127.0.0.1:9")  # nothing listens there
    page.sync_now()
    assert page.task is not None
    task = page.task
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    qtbot.waitUntil(lambda: page.sync_button.isEnabled(), timeout=10_000)
    assert sync_summary(ctx).pending == 1
    assert page.message.text() == _(
        "The central office could not be reached. Your records are safe and will be sent next time."
    )
    page.shutdown()
    ctx.close()


def test_usb_export_does_not_count_as_synced(
    vss_qapp: object,
    qtbot: QtBot,
    home: Path,
    tmp_path: Path,
    office: tuple[LiveServer, ServerKeys],
) -> None:
    server, keys = office
    ctx = _enrolled(home, server, keys)
    form = form_catalogue.form_definition("complaint")
    application_id = records.start_application(ctx, form.id)
    records.finalize_application(ctx, application_id, demo_answers(form, random.Random(2)))
    page = SyncPage(ctx)
    qtbot.addWidget(page)
    stick = tmp_path / "usb"
    stick.mkdir()
    page.export_to(stick)  # in the background: the page stays usable
    assert page.task is not None and not page.export_button.isEnabled()
    qtbot.waitUntil(lambda: page.task is not None and page.task.reported, timeout=60_000)
    assert page.task.ok and page.export_button.isEnabled()
    assert page.message.text() == shown(
        "{count} records copied. They count as synced only when the office's receipt comes back."
    ).format(count=format_number(1))
    assert list(stick.iterdir())
    assert sync_summary(ctx).pending == 1
    page.shutdown()
    ctx.close()


def test_enrolment_shows_the_office_key_fingerprint_and_needs_a_yes(
    vss_qapp: object, qtbot: QtBot, home: Path, tmp_path: Path
) -> None:
    from tests.officers import FIELD_OFFICER

    ctx = as_administrator(open_app(home))
    try:
        page = SyncPage(ctx)
        qtbot.addWidget(page)
        public = ServerKeys.generate().public
        enrolment = tmp_path / "enrolment.json"
        enrolment.write_text(json.dumps({"device_id": ctx.device_id, **public.to_json()}))
        shown: list[str] = []
        page.confirm_fingerprint = lambda fingerprint: shown.append(fingerprint) and False  # type: ignore[method-assign]
        assert page.install_from(enrolment) is False
        assert shown == [public.fingerprint()] and not sync_enrolment.is_enrolled(ctx)
        page.confirm_fingerprint = lambda fingerprint: True  # type: ignore[method-assign]
        assert page.install_from(enrolment) is True and sync_enrolment.is_enrolled(ctx)
        bomb = tmp_path / "bomb.json"
        bomb.write_text("[" * 30_000 + "]" * 30_000)
        assert page.install_from(bomb) is False
        assert plain(page.message.text()).startswith(_("This enrolment file is damaged."))

        ctx.officer = FIELD_OFFICER
        page.refresh()
        assert page.export_button.isHidden() and page.install_button.isHidden()
        assert page.server_url.isReadOnly()
    finally:
        ctx.close()


def test_the_sync_outcome_is_the_command_lines_sentences_with_break_marks_on_screen() -> None:
    from app.i18n import set_language
    from app.services.sync import SyncResult
    from app.services.sync_outcome import outcome_sentences

    set_language("km")
    result = SyncResult(acknowledged=1234, quarantined=1, status_updates=5, list_people=7)
    printed = outcome_sentences(result)  # the command line's: plain text for a terminal
    assert printed == [
        _("Done: {sent} records acknowledged, {refused} refused, {updates} status updates.").format(
            sent="១,២៣៤", refused="១", updates="៥"
        ),
        _("The office's list arrived: {count} people.").format(count="៧"),
    ]
    assert all("\u200b" not in sentence for sentence in printed)
    on_screen = " ".join(outcome_sentences(result, shown))
    assert "\u200b" in on_screen  # Qt wraps Khmer only at these
    assert plain(on_screen) == " ".join(printed)
    assert outcome_sentences(SyncResult(acknowledged=2)) == [
        _("Done: {sent} records acknowledged, {refused} refused, {updates} status updates.").format(
            sent="២", refused="០", updates="០"
        )
    ]
