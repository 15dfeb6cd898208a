"""Forms as data: the YAML definitions in ``forms/`` that drive intake, validation, storage, the
PDF and sync. See ``forms/README.md`` for the file format and the expression language."""

from app.core.forms.expressions import Expression, ExpressionError, compile_expression, is_empty
from app.core.forms.loader import (
    FormError,
    FormProblem,
    check_form_file,
    load_all_forms,
    load_form,
    parse_form,
)
from app.core.forms.model import (
    Choice,
    ChoiceRole,
    Field,
    FieldRole,
    FieldType,
    FormDefinition,
    MinimumContentRule,
    Section,
    SignatureMark,
    Text,
)
from app.core.forms.validation import (
    FieldIssue,
    Severity,
    check_phone,
    effective_answers,
    is_complete,
    minimum_content_issues,
    validate_answers,
    visible_fields,
    visible_sections,
)

__all__ = [
    "Choice",
    "ChoiceRole",
    "Expression",
    "ExpressionError",
    "Field",
    "FieldIssue",
    "FieldRole",
    "FieldType",
    "FormDefinition",
    "FormError",
    "FormProblem",
    "MinimumContentRule",
    "Section",
    "Severity",
    "SignatureMark",
    "Text",
    "check_form_file",
    "check_phone",
    "compile_expression",
    "effective_answers",
    "is_complete",
    "is_empty",
    "load_all_forms",
    "load_form",
    "minimum_content_issues",
    "parse_form",
    "validate_answers",
    "visible_fields",
    "visible_sections",
]
