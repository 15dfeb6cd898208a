"""The PyInstaller spec, checked without building: it compiles, the version it stamps is
pyproject's, and every file it bundles exists (a missing resource would break only the built app)."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from typing import Any

import pytest

from app.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "vss-outreach.spec"
MARKER = "# ---------------------------------------------------------------------------- PyInstaller only"


def spec_settings() -> dict[str, Any]:
    """Run the plain-Python part of the spec (above the marker), as PyInstaller would."""
    source = SPEC.read_text(encoding="utf-8")
    assert MARKER in source
    prelude = source.split(MARKER, 1)[0]
    namespace: dict[str, Any] = {"SPECPATH": str(SPEC.parent), "__file__": str(SPEC)}
    exec(compile(prelude, str(SPEC), "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return spec_settings()


def test_the_whole_spec_is_valid_python() -> None:
    compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")


def test_version_is_pyprojects(spec: dict[str, Any]) -> None:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        project = tomllib.load(handle)["project"]
    assert spec["VERSION"] == project["version"]
    assert spec["APP_NAME"] == "vss-outreach" == next(iter(project["scripts"]))


def test_every_bundled_path_exists(spec: dict[str, Any]) -> None:
    missing = []
    for source, target in spec["DATA"]:
        assert not Path(source).is_absolute() and not Path(target).is_absolute()
        if source.endswith(".mo"):
            # Compiled by packaging/build.py just before PyInstaller runs: the catalog must exist.
            if not (ROOT / source).with_suffix(".po").exists():
                missing.append(source)
        elif "*" in source:
            if not list(ROOT.glob(source)):
                missing.append(source)
        elif not (ROOT / source).exists():
            missing.append(source)
    assert missing == []
    for icon in (spec["ICON_ICO"], spec["ICON_PNG"]):
        assert (ROOT / icon).is_file()


def test_resources_the_app_reads_are_bundled(spec: dict[str, Any]) -> None:
    targets = {target for _source, target in spec["DATA"]}
    assert {"forms", "assets", "app/store/migrations", "app/store/migrations/versions"} <= targets
    assert set(spec["LANGUAGES"]) == set(LANGUAGES)
    for language in LANGUAGES:
        assert f"locales/{language}/LC_MESSAGES" in targets
    sources = {source for source, _target in spec["DATA"]}
    # Every migration script and Alembic's template is matched by a pattern.
    for script in (ROOT / "app" / "store" / "migrations").rglob("*.py"):
        relative = script.relative_to(ROOT).as_posix()
        assert any(Path(relative).match(pattern) for pattern in sources if "*" in pattern), relative
    assert "app/store/migrations/script.py.mako" in sources


def test_hidden_imports_exist_and_nothing_needed_is_excluded(spec: dict[str, Any]) -> None:
    missing = [name for name in spec["HIDDEN_IMPORTS"] if importlib.util.find_spec(name) is None]
    assert missing == []
    excluded = set(spec["EXCLUDES"])
    assert not excluded & set(spec["HIDDEN_IMPORTS"])
    for needed in ("app.ui", "app.services", "PySide6.QtWidgets", "PySide6.QtPdf", "reportlab"):
        assert needed not in excluded
