"""PySide6's import hook, made light (issue 20).

Once PySide6 is loaded it looks at every module imported after it, to know whether the module
may switch on one of PySide6's optional features (``from __feature__ import snake_case``): it
asks ``inspect.getsource`` whether the module's source names PySide6. That reads the file into
the line cache, which keeps every line of it for the life of the process: at the main window's
paint about 220 files and 6 million characters (SQLAlchemy's 100 files, loaded behind the
window's frame), 8-10 MB of memory, and about 10% more CPU for every import after PySide6.

The same question is answered here from the file's bytes, read once and not kept. A module
without a source file (an extension module, the frozen build's byte code) is asked the original
way; if PySide6 no longer has the function, nothing is changed. Imported by the modules that
load Qt first (app.ui.app, app.ui.qt_start, app.ui.main_window), before their own app modules.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

import PySide6  # noqa: F401 (loading PySide6 installs the hook made light here)

SourceCheck = Callable[[ModuleType], bool]


def _from_file_bytes(original: SourceCheck) -> SourceCheck:
    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)
        try:
            with open(path, "rb") as source:
                # (ASCII: the same answer in any encoding a Python source may declare)
                return b"PySide6" in source.read()
        except OSError:
            return original(module)

    uses_pyside.original = original  # type: ignore[attr-defined]
    return uses_pyside


def lighten() -> None:
    """Replace PySide6's source check (once; PySide6 must be imported)."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original) or hasattr(original, "original"):
        return
    feature._mod_uses_pyside = _from_file_bytes(original)  # type: ignore[attr-defined]


lighten()
