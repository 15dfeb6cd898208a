"""The form catalogue: the form definitions of ``forms/*.yaml`` the app offers, loaded once.

A damaged file is left out and reported (``form_file_problems``) so that one bad file never stops
officers working with the other forms.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.core.forms import FormDefinition, FormError, load_form
from app.core.forms.loader import form_files
from app.core.resources import forms_dir
from app.i18n import _
from app.services.errors import RecordError


@dataclass(frozen=True)
class _LoadedForms:
    forms: dict[str, FormDefinition]
    problems: tuple[str, ...]


# The forms are parsed on the start-up thread while the officer types the password (or while the
# key is derived); a page that needs them sooner waits for that parse instead of doing it twice.
_PARSING = threading.Lock()


# The folders parsed so far (read without waiting for a parse: parsed_form_problems).
_PARSED: dict[Path, _LoadedForms] = {}


def _forms_in(folder: Path) -> _LoadedForms:
    with _PARSING:
        loaded = _parsed_forms_in(folder)
        _PARSED[folder] = loaded
        return loaded


@lru_cache(maxsize=4)
def _parsed_forms_in(folder: Path) -> _LoadedForms:
    """Every good form of ``folder``; a damaged file is left out and reported, so one bad file
    never stops the app (officers keep working with the other forms)."""
    forms: dict[str, FormDefinition] = {}
    problems: list[str] = []
    for path in form_files(folder):
        try:
            form = load_form(path)
        except FormError as error:
            problems.extend(str(problem) for problem in error.problems)
            continue
        if form.id in forms:
            problems.append(f"{path}: form id '{form.id}' is used twice")
            continue
        forms[form.id] = form
    return _LoadedForms(forms, tuple(problems))


def available_forms(folder: Path | None = None) -> dict[str, FormDefinition]:
    """The form definitions the app offers (damaged files are left out; see form_file_problems)."""
    return _forms_in(folder or forms_dir()).forms


def form_file_problems(folder: Path | None = None) -> list[str]:
    """What is wrong with form files that could not be loaded (file, line, field path, problem)."""
    return list(_forms_in(folder or forms_dir()).problems)


def parsed_form_problems(folder: Path | None = None) -> list[str] | None:
    """form_file_problems if the forms are parsed already, else None (at once: parsing takes
    ~0.3 s of CPU, which the main window does not wait for before it is painted)."""
    loaded = _PARSED.get(folder or forms_dir())
    return None if loaded is None else list(loaded.problems)


def form_definition(form_id: str) -> FormDefinition:
    forms = available_forms()
    if form_id not in forms:
        raise RecordError(_("Unknown form: {form_id}").format(form_id=form_id))
    return forms[form_id]
