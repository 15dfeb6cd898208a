"""The layers hold: core is pure, only the UI imports Qt (import-linter checks the rest in CI too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "core": (
        "PySide6",
        "sqlalchemy",
        "reportlab",
        "alembic",
        "sqlcipher3",
        "app.store",
        "app.pdf",
        "app.sync",
        "app.i18n",
        "app.services",
        "app.ui",
        "app.server",
    ),
    "store": ("PySide6", "app.pdf", "app.sync", "app.services", "app.ui", "app.server"),
    "pdf": ("PySide6", "app.store", "app.sync", "app.services", "app.ui", "app.server"),
    "sync": ("PySide6", "app.store", "app.pdf", "app.services", "app.ui", "app.server"),
    "i18n": ("PySide6", "app.store", "app.pdf", "app.sync", "app.services", "app.ui"),
    "services": ("PySide6", "app.ui", "app.server"),
    "server": ("PySide6", "app.ui", "app.services"),
}


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_lies_below(layer: str) -> None:
    offences = []
    for path in sorted((APP / layer).rglob("*.py")):
        for name in imported_modules(path):
            for forbidden in FORBIDDEN[layer]:
                if name == forbidden or name.startswith(forbidden + "."):
                    offences.append(f"{path.relative_to(APP.parent)} imports {name}")
    assert offences == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from PySide6.QtWidgets import QLabel\nimport sqlalchemy.orm\n")
    assert imported_modules(sample) == ["PySide6.QtWidgets", "sqlalchemy.orm"]


# --- no code names a field id or a choice code ---------------------------------------------------

ROOT = APP.parent

# Words that are also a field id or a choice code somewhere in forms/, used in code for something
# else: file -> words. Each is not about a form's answers.
OTHER_MEANINGS: dict[str, set[str]] = {
    # place levels and keys of a stored place, and of the gazetteer
    "app/core/gazetteer.py": {"village", "parent"},
    "app/core/forms/model.py": {"village"},
    "app/main.py": {"village", "forum"},  # place levels; the "forum" document kind
    "app/services/answer_values.py": {"village", "civil_party"},  # and a column's name
    "app/ui/followup_page.py": {"village"},
    "app/ui/wizard/place_editor.py": {"village"},
    # the kinds of an awarded reparation project (assets/reparations.yaml), not a form's answer
    "app/core/reparations.py": {"documentation", "education"},
    # an approximate date's precision and the words read as "not known"
    "app/core/approx_date.py": {"unknown"},
    "app/core/approx_date_terms.py": {"unknown"},
    "app/pdf/printed_values.py": {"unknown"},
    "app/ui/wizard/field_widgets.py": {"unknown"},
    # yes/no answers compared in expressions, and the yes/no editor's buttons
    "app/core/forms/expression_eval.py": {"yes", "no"},
    "app/core/protection.py": {"yes"},
    "app/core/path_explainer.py": {"yes", "no"},
    "app/ui/wizard/choice_editors.py": {"yes", "no"},
    # a script's name in the Khmer text engine
    "app/core/khmer_text.py": {"khmer", "other"},
    # a key of assets/court.yaml
    "app/core/court.py": {"vss"},
    # the deadline kinds of the court data
    "app/core/deadlines.py": {"civil_party"},
    # the id of the civil-party form, and the "forum" kind of document / report grouping
    "app/core/record_court.py": {"civil_party"},
    "app/ui/path_explainer.py": {"complaint"},
    "app/ui/print_page.py": {"forum"},
    "app/ui/dashboard_page.py": {"forum"},
    # an audit detail's key
    "app/services/people.py": {"direct_victim"},
    # the office's list of civil parties: its own file columns and values (README), a place level
    "app/core/civil_party_list.py": {"village", "lawyer_team", "civil_party", "none", "yes", "no"},
    "app/services/civil_parties.py": {"village", "lawyer_team"},
    "app/ui/civil_parties_page.py": {"civil_party"},
}
# Vocabularies defined once in core whose codes a role requires of a form's choices: the crime
# categories of the jurisdiction screening (role crime_categories), the Rule 29 levels (role
# protection_level), and the role names.
VOCABULARIES = {"app/core/jurisdiction.py", "app/core/forms/model.py", "app/core/protection.py"}


def _form_words() -> tuple[set[str], set[str]]:
    from app.core.forms import load_all_forms

    forms = load_all_forms(ROOT / "forms")
    ids = {item.id for form in forms.values() for item in form.all_fields()}
    codes = {
        choice.code
        for form in forms.values()
        for item in form.all_fields()
        for choice in item.choices
    }
    return ids, codes


def quoted_words(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module, without its docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_code_names_a_field_id_or_a_choice_code() -> None:
    ids, codes = _form_words()
    offences = []
    for path in sorted(APP.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if "migrations" in path.parts:
            continue  # a migration moves stored answers of its day, by their ids
        allowed = OTHER_MEANINGS.get(name, set())
        for line, word in quoted_words(path):
            if word in allowed:
                continue
            if word in ids and name != "app/core/forms/model.py":  # the role names
                offences.append(f"{name}:{line} names the field id {word!r}")
            elif word in codes and name not in VOCABULARIES:
                offences.append(f"{name}:{line} names the choice code {word!r}")
    assert offences == []


def test_the_word_finder_skips_docstrings(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('"""civil_party"""\n\ndef f():\n    """x"""\n    return "civil_party"\n')
    assert quoted_words(sample) == [(5, "civil_party")]
