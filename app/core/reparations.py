"""Reparations the court awarded, as data: the judgments and the projects they recognised.

The facts live in ``assets/reparations.yaml`` (each with a source); they are checked on load the
same way as ``assets/court.yaml`` (size and nesting bounded before parsing, every mapping's line
kept, an error names the file, the line and the problem: :class:`CourtDataError`). A judgment
names a case of the court file; a project names its judgment.

What the app says with them (:func:`reparations_text`) is true on the day it runs: reparations at
this court are collective and moral, never money for one person; once the judicial phase is over
no new reparation can be ordered, and those awarded are monitored by the court until its residual
functions end.

Pure: no SQL, no Qt.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.core.court import (
    Court,
    CourtDataError,
    CourtOnDate,
    _date,
    _keys,
    _source,
    _text,
    load_data_file,
)
from app.core.court_text import date_text
from app.core.forms.model import Text
from app.core.resources import assets_dir
from app.core.yaml_lines import LineMap, line_of, load_with_lines

REPARATIONS_FILE = "reparations.yaml"
MAX_FILE_BYTES = 256 * 1024
MAX_JUDGMENTS = 20
MAX_PROJECTS = 200
MAX_PROVINCES = 25
_ID = re.compile(r"^[a-z0-9_]{1,60}$")
_PROVINCE = re.compile(r"^[0-9]{2}$")


class ProjectKind(StrEnum):
    """The kinds of collective and moral reparation (Rule 23quinquies and the VSS's own words)."""

    REMEMBRANCE = "remembrance"
    REHABILITATION = "rehabilitation"
    DOCUMENTATION = "documentation"
    EDUCATION = "education"
    ACKNOWLEDGEMENT = "acknowledgement"


@dataclass(frozen=True)
class Judgment:
    id: str
    case_id: str
    name: Text
    day: date
    source: str
    note: Text | None = None


@dataclass(frozen=True)
class Project:
    id: str
    judgment: Judgment
    kind: ProjectKind
    title: Text
    description: Text
    partner: Text
    where: Text
    provinces: tuple[str, ...]
    source: str
    citation: str | None = None

    def runs_in(self, province_code: str | None) -> bool:
        """Whether the project is tied to this province (a nationwide project is not)."""
        return bool(province_code) and str(province_code)[:2] in self.provinces


@dataclass(frozen=True)
class Reparations:
    judgments: tuple[Judgment, ...]
    projects: tuple[Project, ...]

    def project(self, project_id: str | None) -> Project | None:
        return next((p for p in self.projects if p.id == project_id), None)

    def of_judgment(self, judgment_id: str) -> tuple[Project, ...]:
        return tuple(p for p in self.projects if p.judgment.id == judgment_id)

    def in_province(self, province_code: str | None) -> tuple[Project, ...]:
        return tuple(p for p in self.projects if p.runs_in(province_code))

    def check_cases(self, court: Court, file: Path | str = REPARATIONS_FILE) -> None:
        """Every judgment names a case of the court file (raises CourtDataError otherwise)."""
        known = {case.id for case in court.cases}
        for judgment in self.judgments:
            if judgment.case_id not in known:
                raise CourtDataError(
                    file,
                    None,
                    f"judgment '{judgment.id}': no case '{judgment.case_id}' in court.yaml",
                )


def _id(item: Mapping[Any, Any], file: Path, line: int | None, what: str) -> str:
    value = item.get("id")
    if not isinstance(value, str) or not _ID.match(value):
        raise CourtDataError(file, line, f"{what}: 'id' must be lower-case letters, digits or _")
    return value


def _judgment(item: Any, file: Path, fallback: int | None) -> Judgment:
    _keys(item, {"id", "case", "name", "date", "source", "note"}, "judgment", file, fallback)
    line = line_of(item) or fallback
    judgment_id = _id(item, file, line, "judgment")
    case_id = item.get("case")
    if not isinstance(case_id, str) or not _ID.match(case_id):
        raise CourtDataError(file, line, f"judgment '{judgment_id}': 'case' must be a case id")
    day = _date(item.get("date"), "date", file, line, optional=False)
    assert day is not None
    note = item.get("note")
    return Judgment(
        id=judgment_id,
        case_id=case_id,
        name=_text(item.get("name"), "name", file, line),
        day=day,
        source=_source(item, file, line),
        note=None if note is None else _text(note, "note", file, line),
    )


def _provinces(value: Any, file: Path, line: int | None, project_id: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_PROVINCES:
        raise CourtDataError(file, line, f"project '{project_id}': 'provinces' must be a list")
    codes = tuple(str(code) for code in value)
    bad = [code for code in codes if not _PROVINCE.match(code)]
    if bad:
        raise CourtDataError(
            file, line, f"project '{project_id}': province codes have 2 digits, not {bad}"
        )
    return codes


def _project(
    item: Any, judgments: Mapping[str, Judgment], file: Path, fallback: int | None
) -> Project:
    allowed = {
        "id", "judgment", "citation", "kind", "title", "description", "partner", "where",
        "provinces", "source",
    }  # fmt: skip
    _keys(item, allowed, "project", file, fallback)
    line = line_of(item) or fallback
    project_id = _id(item, file, line, "project")
    judgment = judgments.get(str(item.get("judgment")))
    if judgment is None:
        raise CourtDataError(
            file, line, f"project '{project_id}': 'judgment' must name a judgment of this file"
        )
    try:
        kind = ProjectKind(item.get("kind"))
    except ValueError:
        allowed_kinds = ", ".join(k.value for k in ProjectKind)
        raise CourtDataError(
            file, line, f"project '{project_id}': 'kind' must be one of {allowed_kinds}"
        ) from None
    citation = item.get("citation")
    if citation is not None and (not isinstance(citation, str) or not 0 < len(citation) <= 200):
        raise CourtDataError(file, line, f"project '{project_id}': 'citation' must be a short text")
    return Project(
        id=project_id,
        judgment=judgment,
        kind=kind,
        title=_text(item.get("title"), "title", file, line),
        description=_text(item.get("description"), "description", file, line),
        partner=_text(item.get("partner"), "partner", file, line),
        where=_text(item.get("where"), "where", file, line),
        provinces=_provinces(item.get("provinces"), file, line, project_id),
        source=_source(item, file, line),
        citation=citation.strip() if isinstance(citation, str) else None,
    )


def _unique(ids: list[str], what: str, file: Path) -> None:
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise CourtDataError(file, None, f"{what} id(s) used twice: {', '.join(twice)}")


def parse_reparations(text: str, file: Path | str = REPARATIONS_FILE) -> Reparations:
    """The reparations described by a ``reparations.yaml`` document (CourtDataError if wrong)."""
    path = Path(file)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise CourtDataError(path, None, f"the file is larger than {MAX_FILE_BYTES // 1024} KB")
    try:
        document = load_with_lines(text)
    except ValueError as error:
        raise CourtDataError(path, getattr(error, "line", None), str(error)) from error
    if not isinstance(document, LineMap):
        raise CourtDataError(path, None, "the file must be a mapping with judgments and projects")
    _keys(document, {"judgments", "projects"}, "file", path, None)
    judgments_raw, projects_raw = document.get("judgments"), document.get("projects")
    if not isinstance(judgments_raw, list) or not 0 < len(judgments_raw) <= MAX_JUDGMENTS:
        raise CourtDataError(path, line_of(document), f"'judgments' must list 1 to {MAX_JUDGMENTS}")
    if not isinstance(projects_raw, list) or len(projects_raw) > MAX_PROJECTS:
        raise CourtDataError(
            path, line_of(document), f"'projects' must list at most {MAX_PROJECTS}"
        )
    judgments = tuple(_judgment(j, path, line_of(document)) for j in judgments_raw)
    _unique([j.id for j in judgments], "judgment", path)
    by_id = {j.id: j for j in judgments}
    projects = tuple(_project(p, by_id, path, line_of(document)) for p in projects_raw)
    _unique([p.id for p in projects], "project", path)
    return Reparations(judgments, projects)


# --- what the app says ----------------------------------------------------------------------------

# U+200B between the Khmer words, as in the rights texts: a list item wraps only there.
TITLE = Text(
    "គម្រោង\u200bសំណង\u200bដែល\u200bតុលាការ\u200bបាន\u200bសម្រេច",
    "Reparation projects the court awarded",
)
COLLECTIVE = Text(
    "សំណងនៅតុលាការនេះ ជាសំណងសមូហភាព និងសំណងផ្លូវចិត្ត៖ គម្រោងសម្រាប់ជនរងគ្រោះទាំងអស់គ្នា "
    "មិនមែនជាប្រាក់សម្រាប់មនុស្សម្នាក់ៗទេ។ ការចូលរួមក្នុងគម្រោងមួយ មិនផ្តល់ប្រាក់ ឬសិទ្ធិថ្មីណាមួយទេ។",
    "Reparations at this court are collective and moral: projects for the victims together, never "
    "money for one person. Taking part in a project brings no payment and no new right.",
)
OPEN_COURT = Text(
    "តុលាការអាចសម្រេចផ្តល់សំណង តែក្នុងសាលក្រមដែលរកឃើញថាជនជាប់ចោទមានទោសប៉ុណ្ណោះ។",
    "The court can award reparations only in a judgment that finds an accused guilty.",
)


def _monitored(now: CourtOnDate) -> Text:
    until = now.court.residual_functions_until
    if now.day > until:
        return Text(
            f"តុលាការមិនអាចសម្រេចផ្តល់សំណងថ្មីបានទេ។ មុខងារដែលនៅសេសសល់របស់តុលាការ "
            f"ត្រូវបញ្ចប់នៅ{date_text(until, 'km')}។ សូមសួរអង្គភាពគាំពារជនរងគ្រោះ ថាតើនរណាតាមដានគម្រោងទាំងនេះឥឡូវនេះ។",
            f"The court cannot award new reparations. Its residual functions were to end on "
            f"{date_text(until, 'en')}. Ask the VSS who follows these projects now.",
        )
    return Text(
        f"តុលាការមិនអាចសម្រេចផ្តល់សំណងថ្មីទៀតបានទេ។ សំណងដែលបានសម្រេចរួច ត្រូវបានតាមដានដោយតុលាការ "
        f"ជាមុខងារមួយដែលនៅសេសសល់ រហូតដល់{date_text(until, 'km')}។",
        f"The court can no longer award new reparations. It monitors the reparations already "
        f"awarded, as one of its residual functions, until {date_text(until, 'en')}.",
    )


def _judgment_line(judgment: Judgment) -> Text:
    km = f"{judgment.name.km}, {date_text(judgment.day, 'km')}"
    en = f"{judgment.name.en}, {date_text(judgment.day, 'en')}"
    if judgment.note is not None:
        return Text(f"{km}៖ {judgment.note.km}", f"{en}: {judgment.note.en}")
    return Text(f"{km}៖", f"{en}:")


def project_line(project: Project) -> Text:
    """One project in plain words: what it is, with whom, where, and the judgment behind it."""
    judgment = project.judgment
    cited_km = f"{judgment.name.km}, {date_text(judgment.day, 'km')}"
    cited_en = f"{judgment.name.en}, {date_text(judgment.day, 'en')}"
    if project.citation:
        cited_km, cited_en = f"{cited_km}, {project.citation}", f"{cited_en}, {project.citation}"
    return Text(
        f"{project.title.km}៖ {project.description.km} ដៃគូ៖ {project.partner.km}។ "
        f"ទីកន្លែង៖ {project.where.km}។ ({cited_km})",
        f"{project.title.en}: {project.description.en} Partner: {project.partner.en}. "
        f"Where: {project.where.en}. ({cited_en})",
    )


def project_brief_line(project: Project) -> Text:
    """One project in a few words for print: what, with whom, where (the judgment's line comes
    just before it, so it is not repeated)."""
    return Text(
        f"{project.title.km}។ ដៃគូ៖ {project.partner.km}។ ទីកន្លែង៖ {project.where.km}។",
        f"{project.title.en}. Partner: {project.partner.en}. Where: {project.where.en}.",
    )


def reparations_today(
    now: CourtOnDate, reparations: Reparations, brief: bool = False
) -> tuple[Text, tuple[Text, ...], str]:
    """(title, paragraphs, source): the awarded projects as true on the day, for the Rights
    screen, the presentation and the leaflet. A judgment after the day is not spoken of.
    ``brief`` leaves out each project's description, so the folded leaflet keeps its panels
    however many projects the file lists (the screen shows them in full)."""
    line = project_brief_line if brief else project_line
    paragraphs: list[Text] = [COLLECTIVE]
    paragraphs.append(OPEN_COURT if now.phase.judicial else _monitored(now))
    shown = [j for j in reparations.judgments if j.day <= now.day]
    for judgment in shown:
        paragraphs.append(_judgment_line(judgment))
        paragraphs.extend(line(p) for p in reparations.of_judgment(judgment.id))
    sources = [j.source for j in shown] or [now.phase.source]
    return TITLE, tuple(paragraphs), f"{REPARATIONS_FILE}: " + "; ".join(sources)


def reparations_path() -> Path:
    return assets_dir() / REPARATIONS_FILE


def load_reparations(path: Path | None = None) -> Reparations:
    """Read and check ``reparations.yaml`` (the bundled one by default); re-read when it changes."""
    return load_data_file(path or reparations_path(), MAX_FILE_BYTES, parse_reparations)


__all__ = [
    "REPARATIONS_FILE",
    "Judgment",
    "Project",
    "ProjectKind",
    "Reparations",
    "load_reparations",
    "parse_reparations",
    "project_brief_line",
    "project_line",
    "reparations_path",
    "reparations_today",
]
