"""Read form definitions from YAML, and report every problem in a file instead of crashing.

``check_form_file`` is what a form author runs: it returns a list of ``FormProblem`` naming the
file, the line and the path inside the form (``sections[2].fields[4].relevant``). ``load_form``
refuses a file with problems by raising ``FormError`` carrying that list.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from app.core.bounded_yaml import YamlLimitError, check_yaml
from app.core.forms.expressions import Call, Current, FieldRef, Literal
from app.core.forms.field_builder import FieldBuilder
from app.core.forms.field_types import type_of
from app.core.forms.model import (
    Field,
    FormDefinition,
    MinimumContentRule,
    Section,
)
from app.core.forms.yaml_checks import (
    ID_PATTERN,
    FormError,
    FormProblem,
    LineLoader,
    PendingExpression,
    join_path,
)

_FORM_KEYS = {
    "id",
    "version",
    "title",
    "description",
    "choice_lists",
    "minimum_content",
    "sections",
}
_SECTION_KEYS = {"id", "title", "help", "relevant", "fields"}
_RULE_KEYS = {"id", "fields", "message", "require", "relevant"}


class _Builder(FieldBuilder):
    """Builds the whole form: its sections of fields, its minimum content rules, and the check
    that every expression and rule names a field the form has."""

    def section(self, raw: Any, path: str, line: int | None) -> Section | None:
        data = self.mapping(raw, path, "a section", line)
        if data is None:
            return None
        self.check_keys(data, _SECTION_KEYS, path)
        section_id = self.ident(data, "id", path)
        title = self.text(data, "title", path, required=True)
        help_text = self.text(data, "help", path, required=False)
        relevant = self.expression(data, "relevant", path)
        raw_fields = data.get("fields")
        fields: list[Field] = []
        if not isinstance(raw_fields, list) or not raw_fields:
            self.problem(
                join_path(path, "fields"),
                "a section needs a non-empty list of 'fields'",
                self.line_of(data, "fields"),
            )
        else:
            for index, raw_field in enumerate(raw_fields):
                field_path = f"{path}.fields[{index}]"
                built = self.field(raw_field, field_path, self.line_of(data, "fields"))
                if built is None:
                    continue
                if built.id in self.field_types:
                    self.problem(
                        join_path(field_path, "id"),
                        f"duplicate field id '{built.id}' (field ids must be unique in a form)",
                        self.line_of(raw_field, "id"),
                    )
                    continue
                self.field_types[built.id] = built
                fields.append(built)
        if section_id is None or title is None:
            return None
        return Section(section_id, title, help_text, relevant, tuple(fields))

    def rule(self, raw: Any, path: str, line: int | None) -> MinimumContentRule | None:
        data = self.mapping(raw, path, "a minimum content rule", line)
        if data is None:
            return None
        self.check_keys(data, _RULE_KEYS, path)
        rule_id = self.ident(data, "id", path)
        message = self.text(data, "message", path, required=True)
        relevant = self.expression(data, "relevant", path)
        require = data.get("require", "all")
        if require not in ("all", "any"):
            self.problem(
                join_path(path, "require"), "'require' must be 'all' or 'any'", self.line_of(data)
            )
        raw_fields = data.get("fields")
        field_ids: list[str] = []
        if not isinstance(raw_fields, list) or not raw_fields:
            self.problem(
                join_path(path, "fields"), "a rule needs a non-empty list of field ids", data.line
            )
        else:
            for index, field_id in enumerate(raw_fields):
                if not isinstance(field_id, str):
                    self.problem(f"{path}.fields[{index}]", "a field id must be text", data.line)
                    continue
                field_ids.append(field_id)
        if rule_id is None or message is None or not field_ids:
            return None
        return MinimumContentRule(rule_id, tuple(field_ids), message, str(require), relevant)

    def check_references(self, rules: Iterable[tuple[str, MinimumContentRule]]) -> None:
        known = self.declared_ids
        for pending in self.pending:
            for node in pending.expression.nodes():
                if isinstance(node, FieldRef) and node.field_id not in known:
                    hint = difflib.get_close_matches(node.field_id, sorted(known), n=1)
                    suggestion = f"; did you mean ${{{hint[0]}}}?" if hint else ""
                    self.problem(
                        pending.path,
                        f"unknown field ${{{node.field_id}}}{suggestion}",
                        pending.line,
                    )
                elif isinstance(node, Current) and not pending.allows_current:
                    self.problem(
                        pending.path,
                        "'.' (the current value) can only be used in a constraint",
                        pending.line,
                    )
                elif isinstance(node, Call) and node.function in ("selected",):
                    self.check_selected(node, pending)
        for path, rule in rules:
            for index, field_id in enumerate(rule.fields):
                if field_id not in known:
                    self.problem(f"{path}.fields[{index}]", f"unknown field '{field_id}'", None)

    def check_selected(self, node: Call, pending: PendingExpression) -> None:
        target, code = node.args
        if not isinstance(target, FieldRef) or target.field_id not in self.field_types:
            return
        target_field = self.field_types[target.field_id]
        if not type_of(target_field).has_choices:
            self.problem(
                pending.path,
                f"selected() needs a choice field, but ${{{target.field_id}}} is "
                f"{target_field.type.value}",
                pending.line,
            )
        elif isinstance(code, Literal) and code.value not in target_field.choice_codes:
            self.problem(
                pending.path,
                f"'{code.value}' is not a choice of ${{{target.field_id}}} "
                f"(choices: {', '.join(target_field.choice_codes)})",
                pending.line,
            )

    def form(self, raw: Any, source: str) -> FormDefinition | None:
        data = self.mapping(raw, "", "a form file", None)
        if data is None:
            return None
        self.check_keys(data, _FORM_KEYS, "")
        form_id = self.ident(data, "id", "")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.problem("version", "'version' must be a whole number from 1", data.line)
            version = 0
        title = self.text(data, "title", "", required=True)
        description = self.text(data, "description", "", required=False)
        raw_lists = data.get("choice_lists")
        if raw_lists is not None:
            lists = self.mapping(raw_lists, "choice_lists", "choice_lists", data.line)
            for name, raw_list in (lists or {}).items():
                if not isinstance(name, str) or not ID_PATTERN.fullmatch(name):
                    self.problem(f"choice_lists.{name}", "not a valid list name", None)
                    continue
                assert lists is not None
                self.choice_lists[name] = self.choice_list(
                    raw_list, f"choice_lists.{name}", self.line_of(lists, name)
                )
        sections: list[Section] = []
        section_ids: set[str] = set()
        raw_sections = data.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            self.problem(
                "sections",
                "the form needs a non-empty list of 'sections'",
                self.line_of(data, "sections"),
            )
        else:
            for index, raw_section in enumerate(raw_sections):
                path = f"sections[{index}]"
                built = self.section(raw_section, path, self.line_of(data, "sections"))
                if built is None:
                    continue
                if built.id in section_ids:
                    self.problem(
                        join_path(path, "id"),
                        f"duplicate section id '{built.id}'",
                        self.line_of(raw_section, "id"),
                    )
                    continue
                section_ids.add(built.id)
                sections.append(built)
        rules: list[tuple[str, MinimumContentRule]] = []
        raw_rules = data.get("minimum_content")
        if raw_rules is not None:
            if not isinstance(raw_rules, list):
                self.problem(
                    "minimum_content",
                    "minimum_content must be a list",
                    self.line_of(data, "minimum_content"),
                )
            else:
                rule_ids: set[str] = set()
                for index, raw_rule in enumerate(raw_rules):
                    path = f"minimum_content[{index}]"
                    rule = self.rule(raw_rule, path, self.line_of(data, "minimum_content"))
                    if rule is None:
                        continue
                    if rule.id in rule_ids:
                        self.problem(join_path(path, "id"), f"duplicate rule id '{rule.id}'", None)
                        continue
                    rule_ids.add(rule.id)
                    rules.append((path, rule))
        self.check_references(rules)
        if self.problems or form_id is None or title is None:
            return None
        return FormDefinition(
            id=form_id,
            version=version,
            title=title,
            sections=tuple(sections),
            description=description,
            minimum_content=tuple(rule for _, rule in rules),
            source=source,
        )


# --- public API ----------------------------------------------------------------------------------


def parse_form(text: str, file: str = "<text>") -> tuple[FormDefinition | None, list[FormProblem]]:
    """Build a form from YAML text: the form (None if there are problems) and the problems."""
    builder = _Builder(file)
    try:
        check_yaml(text)  # size, depth, aliases and numbers are bounded before parsing
    except YamlLimitError as error:
        return None, [FormProblem(file, "", error.problem, error.line)]
    try:
        raw = yaml.load(text, Loader=LineLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        context = getattr(error, "context", None)
        message = f"YAML syntax error: {reason}" + (f" ({context})" if context else "")
        return None, [FormProblem(file, "", message, line)]
    if raw is None:
        return None, [FormProblem(file, "", "the file is empty")]
    form = builder.form(raw, file)
    return form, builder.problems


def check_form_file(path: str | Path) -> list[FormProblem]:
    """Every problem in one form file; an empty list means the file is good. Never raises."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [FormProblem(file, "", f"cannot read the file: {error}")]
    try:
        return parse_form(text, file)[1]
    except Exception as error:  # a checker must report, never crash
        return [FormProblem(file, "", f"unexpected error while checking: {error!r}")]


def load_form(path: str | Path) -> FormDefinition:
    """The form in ``path``; raises ``FormError`` if the file has any problem."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FormError([FormProblem(file, "", f"cannot read the file: {error}")]) from error
    form, problems = parse_form(text, file)
    if problems or form is None:
        raise FormError(problems or [FormProblem(file, "", "the form could not be built")])
    return form


def form_files(directory: str | Path) -> list[Path]:
    return sorted(p for p in Path(directory).iterdir() if p.suffix in (".yaml", ".yml"))


def load_all_forms(directory: str | Path | None = None) -> dict[str, FormDefinition]:
    """Every form in ``directory`` (default: the bundled ``forms/``) by form id.

    Raises ``FormError`` listing the problems of all files if any file has one, or if two files
    use the same form id.
    """
    if directory is None:
        from app.core.resources import forms_dir

        directory = forms_dir()
    forms: dict[str, FormDefinition] = {}
    problems: list[FormProblem] = []
    for path in form_files(directory):
        try:
            form = load_form(path)
        except FormError as error:
            problems.extend(error.problems)
            continue
        if form.id in forms:
            problems.append(
                FormProblem(
                    str(path), "id", f"form id '{form.id}' is also used by {forms[form.id].source}"
                )
            )
            continue
        forms[form.id] = form
    if problems:
        raise FormError(problems)
    return forms


def problems_by_file(problems: Iterable[FormProblem]) -> Mapping[str, list[FormProblem]]:
    grouped: dict[str, list[FormProblem]] = {}
    for problem in problems:
        grouped.setdefault(problem.file, []).append(problem)
    return grouped
