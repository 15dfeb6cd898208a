"""What unwrapping a keyring entry imports is listed once (app.store.keyring.UNWRAP_MODULES), so
signing in from the environment can import it on the UI thread before the unlocking thread starts
(issue 20). Each check runs in a fresh interpreter: in this one, everything is imported already."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.store.keyring import FAST_KDF_ENV, Keyring
from tests.fresh_interpreter import last_json_line

# Imports unwrapping does on its way, printed by a fresh interpreter: with ``load`` true the
# listed modules are imported first.
_UNWRAP = """
import json, sys
from pathlib import Path
from app.store.keyring import Keyring, load_unwrap_modules
keyring = Keyring.load(Path(sys.argv[1]))
if sys.argv[3] == "load":
    load_unwrap_modules()
before = set(sys.modules)
try:
    keyring.unwrap("dara", sys.argv[2])
except Exception as error:
    print(type(error).__name__, file=sys.stderr)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def _imported_by_unwrap(home: Path, password: str, load: bool) -> list[str]:
    env = {**os.environ, FAST_KDF_ENV: "1"}
    return list(last_json_line(_UNWRAP, env, str(home), password, "load" if load else "no"))


@pytest.fixture
def keyring_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(FAST_KDF_ENV, "1")
    Keyring.create(tmp_path, "dara", "correct horse")
    return tmp_path


@pytest.mark.parametrize("password", ["correct horse", "wrong horse"])
def test_unwrapping_imports_nothing_once_its_modules_are_loaded(
    keyring_home: Path, password: str
) -> None:
    assert _imported_by_unwrap(keyring_home, password, load=True) == []


def test_unwrapping_alone_imports_the_listed_modules(keyring_home: Path) -> None:
    """The list is needed: without it, unwrapping imports cryptography and argon2 itself."""
    imported = set(_imported_by_unwrap(keyring_home, "correct horse", load=False))
    from app.store.keyring import UNWRAP_MODULES

    assert set(UNWRAP_MODULES) <= imported
