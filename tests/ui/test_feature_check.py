"""PySide6's import hook made light (app.ui.feature_check, issue 20): every module imported after
PySide6 is still asked whether it names PySide6, with the same answer as PySide6's own check,
but its source no longer stays in the line cache for the life of the process (about 6 million
characters at the main window's paint)."""

from __future__ import annotations

from pathlib import Path

from tests.fresh_interpreter import last_json_line
from tests.ui.app_run import app_environment


def _run(code: str, tmp_path: Path) -> object:
    return last_json_line(code, app_environment(tmp_path))


def test_modules_imported_after_pyside_leave_no_source_in_the_line_cache(tmp_path: Path) -> None:
    code = (
        "import json, linecache, sys\n"
        "import app.ui.qt_start\n"
        "feature = sys.modules['shibokensupport.feature']\n"
        "before = set(linecache.cache)\n"
        "import sqlalchemy.orm, app.services.records\n"
        "kept = [name for name in set(linecache.cache) - before if 'sqlalchemy' in name\n"
        "        or name.endswith('records.py')]\n"
        "print(json.dumps([hasattr(feature._mod_uses_pyside, 'original'), kept,\n"
        "                  feature.pyside_feature_dict.get('sqlalchemy.orm')]))\n"
    )
    # Asked (-1: the module does not use PySide6), and nothing kept.
    assert _run(code, tmp_path) == [True, [], -1]


def test_the_light_check_answers_as_pysides_own(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "import app.ui.feature_check, app.ui.main_window, app.ui.start_page, app.services.records\n"
        "import PySide6.QtWidgets, shiboken6\n"
        "light = sys.modules['shibokensupport.feature']._mod_uses_pyside\n"
        "names = ['app.ui.main_window', 'app.ui.start_page', 'app.services.records', 'json',\n"
        "         'sys', 'PySide6.QtWidgets', 'app.ui.feature_check', 'shiboken6']\n"
        "mods = [sys.modules[n] for n in names]\n"
        "print(json.dumps([[light(m) for m in mods], [light.original(m) for m in mods]]))\n"
    )
    light, original = _run(code, tmp_path)  # type: ignore[misc]
    assert light == original
    assert light[:4] == [True, True, False, False]  # the window's modules name PySide6
