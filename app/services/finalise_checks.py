"""The checks that block finalising an application, apart from the rest of ``finalising`` so
that a bulk import's worker process (``import_checks``) runs them without loading the store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.core.forms import FormDefinition
from app.core.forms.validation import FieldIssue, finalise_issues


def check_application(
    form: FormDefinition,
    answers: Mapping[str, Any],
    resolved: tuple[dict[str, Any], set[str]] | None = None,
) -> list[FieldIssue]:
    """Field problems and the court's minimum content, as the wizard's review page shows them
    (``resolved``: validation.resolve of the answers, when known already)."""
    return finalise_issues(form, dict(answers), resolved=resolved)


def blocking(issues: Iterable[FieldIssue]) -> list[FieldIssue]:
    return [issue for issue in issues if issue.severity == "error"]
