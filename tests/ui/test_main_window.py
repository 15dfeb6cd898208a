from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QFontDatabase, QFontInfo
from PySide6.QtWidgets import QApplication

from app import __version__
from app.core.resources import fonts_dir
from app.ui.fonts import UI_FONT_FAMILY, register_bundled_fonts
from app.ui.main_window import MainWindow


def test_the_khmer_font_comes_from_assets(vss_qapp: QApplication) -> None:
    families = register_bundled_fonts()
    assert UI_FONT_FAMILY in families
    assert list(fonts_dir().glob("NotoSansKhmer-*.ttf"))
    assert (fonts_dir() / "OFL.txt").exists()
    assert UI_FONT_FAMILY in QFontDatabase.families()
    # The application font actually resolves to the bundled family, not a system fallback.
    assert QFontInfo(vss_qapp.font()).family() == UI_FONT_FAMILY


def test_main_window_starts_in_khmer_and_switches_language(main_window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    first_item = main_window.navigation.item(0)
    assert first_item.text() == "អ្នកដាក់ពាក្យ"
    assert "មន្ត្រី" in main_window.officer_label.text()
    assert main_window.records_label.text() == "កំណត់ត្រា៖ ០"

    main_window.language_box.setCurrentIndex(main_window.language_box.findData("en"))
    assert first_item.text() == "Applicants"
    assert main_window.records_label.text() == "Records: 0"
    assert main_window.windowTitle() == "VSS Outreach"

    main_window.language_box.setCurrentIndex(main_window.language_box.findData("km"))
    assert first_item.text() == "អ្នកដាក់ពាក្យ"


def test_navigation_shows_each_page(main_window: MainWindow) -> None:
    for row in range(main_window.navigation.count()):
        main_window.navigation.setCurrentRow(row)
        assert main_window.pages.currentIndex() == row


def test_command_line_version_and_smoke_start(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "VSS_OUTREACH_HOME": str(tmp_path)}
    version = subprocess.run(
        [sys.executable, "-m", "app.main", "--version"], capture_output=True, text=True, env=env
    )
    assert version.returncode == 0
    assert __version__ in version.stdout
    shot = tmp_path / "main.png"
    started = subprocess.run(
        [sys.executable, "-m", "app.main", "--quit-after-start", "--screenshot", str(shot)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr
    assert shot.stat().st_size > 10_000
    assert (tmp_path / "vss-outreach.db").exists()
