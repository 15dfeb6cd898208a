"""Building one field of a form from YAML: its type, texts, flags and expressions, its choices
(inline or a named choice list), its role, and a group's member fields, each problem reported with
its path inside the form. `app.core.forms.loader` builds the sections, rules and the whole form on
top of this."""

from __future__ import annotations

from typing import Any

from app.core.forms.expressions import Expression
from app.core.forms.field_types import type_of
from app.core.forms.model import Choice, ChoiceRole, Field, FieldRole, FieldType
from app.core.forms.yaml_checks import LinedMapping, YamlChecker, join_path

_FIELD_KEYS = {
    "id",
    "type",
    "label",
    "help",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "choices",
    "identifying",
    "pdf",
    "export",
    "placeholder",
    "role",
    "searchable",
    "remembered",
    "fields",
}
_CHOICE_KEYS = {"code", "label", "help", "role"}


class FieldBuilder(YamlChecker):
    """Builds fields, remembering what the rest of the form is checked against: each field built
    by id, every id declared (also of fields that failed to build), the roles given so far, and
    the named choice lists."""

    def __init__(self, file: str) -> None:
        super().__init__(file)
        self.field_types: dict[str, Field] = {}
        self.declared_ids: set[str] = set()  # also ids of fields that failed to build
        self.declared_roles: set[FieldRole] = set()
        self.choice_lists: dict[str, tuple[Choice, ...]] = {}

    def choices(self, data: LinedMapping, path: str, field_type: FieldType) -> tuple[Choice, ...]:
        where = join_path(path, "choices")
        line = self.line_of(data, "choices")
        raw = data.get("choices")
        if not type_of(field_type).has_choices:
            if raw is not None:
                self.problem(where, f"a {field_type.value} field takes no choices", line)
            return ()
        if raw is None:
            self.problem(where, f"a {field_type.value} field needs 'choices'", self.line_of(data))
            return ()
        if isinstance(raw, str):
            if raw not in self.choice_lists:
                self.problem(where, f"there is no choice list named '{raw}' in choice_lists", line)
                return ()
            return self.choice_lists[raw]
        return self.choice_list(raw, where, line)

    def choice_list(self, raw: Any, path: str, line: int | None) -> tuple[Choice, ...]:
        if not isinstance(raw, list) or not raw:
            self.problem(path, "choices must be a non-empty list (or a choice list name)", line)
            return ()
        result: list[Choice] = []
        seen: set[str] = set()
        for index, item in enumerate(raw):
            item_path = f"{path}[{index}]"
            mapping = self.mapping(item, item_path, "a choice", line)
            if mapping is None:
                continue
            self.check_keys(mapping, _CHOICE_KEYS, item_path)
            code = self.ident(mapping, "code", item_path)
            label = self.text(mapping, "label", item_path, required=True)
            help_text = self.text(mapping, "help", item_path, required=False)
            role = self.choice_role(mapping, item_path)
            if code is not None and code in seen:
                self.problem(
                    join_path(item_path, "code"),
                    f"duplicate choice code '{code}'",
                    self.line_of(mapping, "code"),
                )
                continue
            if code is not None:
                seen.add(code)
                if label is not None:
                    result.append(Choice(code, label, help_text, role))
        return tuple(result)

    def field(self, raw: Any, path: str, line: int | None) -> Field | None:
        data = self.mapping(raw, path, "a field", line)
        if data is None:
            return None
        self.check_keys(data, _FIELD_KEYS, path)
        field_id = self.ident(data, "id", path)
        if field_id is not None:
            self.declared_ids.add(field_id)
        field_type = self.named(data, "type", path, FieldType, "field type")
        if data.get("type") is None:
            self.problem(join_path(path, "type"), "'type' is missing", self.line_of(data))
        label = self.text(data, "label", path, required=True)
        help_text = self.text(data, "help", path, required=False)
        placeholder = self.text(data, "placeholder", path, required=False)
        constraint_message = self.text(data, "constraint_message", path, required=False)
        relevant = self.expression(data, "relevant", path)
        constraint = self.expression(data, "constraint", path, allows_current=True)
        required: bool | Expression = False
        raw_required = data.get("required", False)
        if isinstance(raw_required, bool):
            required = raw_required
        else:
            required = self.expression(data, "required", path) or False
        if constraint is not None and constraint_message is None:
            self.problem(
                join_path(path, "constraint_message"),
                "a field with a constraint needs a 'constraint_message' (Khmer and English)",
                self.line_of(data, "constraint"),
            )
        if field_type is None:
            return None
        definition = type_of(field_type)
        if definition.always_required:
            required = True  # e.g. consent cannot be optional
        choices = self.choices(data, path, field_type)
        identifying = self.flag(data, "identifying", path, definition.identifying_by_default)
        pdf = self.flag(data, "pdf", path, True)
        export = self.flag(data, "export", path, True)
        searchable = self.flag(data, "searchable", path, definition.searchable_by_default)
        remembered = self.flag(data, "remembered", path, False)
        role = self.role(data, path)
        members = self.members(data, path, definition.has_members, field_type)
        if field_id is None or label is None:
            return None
        return Field(
            id=field_id,
            type=field_type,
            label=label,
            help=help_text,
            required=required,
            relevant=relevant,
            constraint=constraint,
            constraint_message=constraint_message,
            choices=choices,
            identifying=identifying,
            pdf=pdf,
            export=export,
            placeholder=placeholder,
            role=role,
            searchable=searchable,
            remembered=remembered,
            fields=members,
        )

    def members(
        self, data: LinedMapping, path: str, takes_members: bool, field_type: FieldType
    ) -> tuple[Field, ...]:
        """The fields of each item of a group; their roles are counted within the group."""
        where = join_path(path, "fields")
        raw = data.get("fields")
        if not takes_members:
            if raw is not None:
                self.problem(
                    where, f"a {field_type.value} field takes no fields", self.line_of(data)
                )
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem(where, "a group needs a non-empty list of 'fields'", self.line_of(data))
            return ()
        outer_roles, self.declared_roles = self.declared_roles, set()
        built: list[Field] = []
        try:
            for index, raw_member in enumerate(raw):
                member_path = f"{where}[{index}]"
                member = self.field(raw_member, member_path, self.line_of(data, "fields"))
                if member is None:
                    continue
                if member.fields:
                    self.problem(member_path, "a group cannot hold another group", None)
                    continue
                if member.id in self.field_types:
                    self.problem(member_path, f"duplicate field id '{member.id}'", None)
                    continue
                self.field_types[member.id] = member
                built.append(member)
        finally:
            self.declared_roles = outer_roles
        return tuple(built)

    def choice_role(self, data: LinedMapping, path: str) -> ChoiceRole | None:
        return self.named(data, "role", path, ChoiceRole, "choice role")

    def role(self, data: LinedMapping, path: str) -> FieldRole | None:
        role = self.named(data, "role", path, FieldRole, "role")
        if role is None:
            return None
        if role in self.declared_roles:
            self.problem(
                join_path(path, "role"),
                f"role '{role}' is already given to another field",
                self.line_of(data, "role"),
            )
        self.declared_roles.add(role)
        return role
