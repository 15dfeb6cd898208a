"""The officer's command-line tools, run as real processes on a real data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.services import registry
from app.services.accounts import sign_in

PASSWORD = "correct horse"


def run(
    home: Path, *args: str, password: str | None = PASSWORD
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VSS_OUTREACH_HOME": str(home), "VSS_OUTREACH_FAST_KDF": "1"}
    if password is not None:
        env["VSS_OUTREACH_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "app.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout.replace("\u200b", "")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "home"
    made = run(folder, "--user", "admin", "setup", "--name", "Sok Dara", "--device", "Laptop 7")
    assert made.returncode == 0, made.stderr
    filled = run(folder, "--user", "admin", "demo-data", "--count", "6")
    assert filled.returncode == 0, filled.stderr
    return folder


def _a_reference(home: Path) -> tuple[str, str]:
    os.environ["VSS_OUTREACH_FAST_KDF"] = "1"
    ctx = sign_in(home, "admin", PASSWORD)
    try:
        row = registry.list_registry(ctx, registry.RegistryQuery(), 0, 1)[0]
        assert row.reference is not None
        return row.reference, row.name_km
    finally:
        ctx.close()


def test_check_forms_accepts_ours_and_names_the_problem_in_a_bad_file(tmp_path: Path) -> None:
    good = run(tmp_path, "check-forms")
    assert good.returncode == 0, good.stderr
    bad = tmp_path / "bad.yaml"
    text = Path("forms/complaint.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("type: approx_date", "type: aprox_date", 1), encoding="utf-8")
    result = run(tmp_path, "check-forms", str(bad))
    assert result.returncode == 1
    assert "bad.yaml" in result.stderr and "aprox_date" in result.stderr


def test_print_record_receipt_blank_and_forum(home: Path, tmp_path: Path) -> None:
    reference, _name_km = _a_reference(home)
    record_pdf = tmp_path / "record.pdf"
    done = run(
        home, "--user", "admin", "print", "record", reference.lower(), "--out", str(record_pdf)
    )
    assert done.returncode == 0, done.stderr
    text = pdftotext(record_pdf)
    assert reference in text
    receipt_pdf = tmp_path / "receipt.pdf"
    done = run(home, "--user", "admin", "print", "receipt", reference, "--out", str(receipt_pdf))
    assert done.returncode == 0, done.stderr
    assert reference in pdftotext(receipt_pdf)
    blank_pdf = tmp_path / "blank.pdf"
    done = run(
        home, "print", "blank", "--form", "civil_party", "--out", str(blank_pdf), password=None
    )
    assert done.returncode == 0, done.stderr
    assert "ពាក្យសុំ" in pdftotext(blank_pdf)
    forum_pdf = tmp_path / "forum.pdf"
    done = run(home, "--user", "admin", "print", "forum", "--out", str(forum_pdf))
    assert done.returncode == 0, done.stderr
    assert pdftotext(forum_pdf).count("VSS-") >= 6
    steps = [
        line.split("/") for line in done.stdout.splitlines() if "/" in line and ":" not in line
    ]
    assert [int(n) for n, _total in steps] == list(range(1, len(steps) + 1))  # progress, in order
    assert len(steps) >= 6 and {total for _n, total in steps} == {str(len(steps))}


def test_wrong_password_and_unknown_reference_give_clear_errors(home: Path, tmp_path: Path) -> None:
    wrong = run(
        home,
        "--user",
        "admin",
        "print",
        "receipt",
        "VSS-XXXX-0001-1",
        "--out",
        str(tmp_path / "x.pdf"),
        password="nope nope",
    )
    assert wrong.returncode == 1
    assert "ពាក្យសម្ងាត់" in wrong.stderr
    missing = run(
        home,
        "--lang",
        "en",
        "--user",
        "admin",
        "print",
        "receipt",
        "VSS-AAAA-0001-1",
        "--out",
        str(tmp_path / "x.pdf"),
    )
    assert missing.returncode == 1
    assert "VSS-AAAA-0001-1" in missing.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_backup_and_restore_from_the_command_line(home: Path, tmp_path: Path) -> None:
    made = run(home, "--user", "admin", "backup", str(tmp_path / "usb"))
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip())
    new_home = tmp_path / "new-laptop"
    missing_user = run(new_home, "restore", str(backup))
    assert missing_user.returncode == 2 and "--user" in missing_user.stderr
    wrong = run(
        new_home, "--user", "admin", "--lang", "en", "restore", str(backup), password="nope"
    )
    assert wrong.returncode == 1 and "Wrong user name or password" in wrong.stderr
    restored = run(new_home, "--user", "admin", "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    sign_in(new_home, "admin", PASSWORD).close()
