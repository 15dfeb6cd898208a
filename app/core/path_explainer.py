"""The "which path fits you" guide: a few yes/no questions leading to a suggested form (complaint
or civil party application), each with a Khmer and an English explanation.

The guide is data, ``assets/rights/path_explainer.yaml``, beside the rights topics
(`app.core.rights`), so that the VSS can correct it without a code change; it is checked when read
(every target exists, no circles, every question and result reached from the start).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.core.bounded_yaml import YamlLimitError, check_yaml
from app.core.khmer_text import is_khmer
from app.core.rights import RightsError, default_rights_dir

PATH_EXPLAINER_FILE = "path_explainer.yaml"

# Questions the app answers itself from the court's state on the app's day (``court.yaml``).
ANSWERED_BY = frozenset({"civil_parties_accepted"})


@dataclass(frozen=True)
class Question:
    id: str
    text_km: str
    text_en: str
    yes: str
    no: str
    # A fact the app knows (see ANSWERED_BY): the guide answers the question itself when the
    # fact is known on the day, and asks the officer only when it is not.
    answered_by: str | None = None

    def text(self, lang: str) -> str:
        return self.text_km if lang == "km" else self.text_en

    def target(self, answer: bool) -> str:
        return self.yes if answer else self.no


@dataclass(frozen=True)
class Result:
    id: str
    form_id: str
    text_km: str
    text_en: str

    def text(self, lang: str) -> str:
        return self.text_km if lang == "km" else self.text_en


@dataclass(frozen=True)
class PathExplainer:
    start: str
    questions: dict[str, Question] = field(hash=False)
    results: dict[str, Result] = field(hash=False)
    source: str = ""
    form_ids: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "form_ids", frozenset(result.form_id for result in self.results.values())
        )

    def step(self, question_id: str, answer: bool) -> Question | Result:
        """Where the answer to a question leads: the next question or a result."""
        target = self.questions[question_id].target(answer)
        return self.questions[target] if target in self.questions else self.results[target]

    def paths(self) -> list[tuple[tuple[tuple[str, bool], ...], Result]]:
        """Every way through the guide: the (question id, answer) pairs and the result reached."""
        found: list[tuple[tuple[tuple[str, bool], ...], Result]] = []

        def walk(node: str, trail: tuple[tuple[str, bool], ...]) -> None:
            if node in self.results:
                found.append((trail, self.results[node]))
                return
            for answer in (True, False):
                walk(self.questions[node].target(answer), (*trail, (node, answer)))

        walk(self.start, ())
        return found


def _text_field(path: Path, where: str, data: Mapping[Any, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RightsError(path, f"{where}: {key!r} must be a non-empty text")
    return value.strip()


def _answer_field(path: Path, where: str, data: Mapping[Any, Any], answer: bool) -> str:
    # YAML 1.1 reads an unquoted key yes/no as a boolean: accept both spellings.
    name = "yes" if answer else "no"
    value = data.get(name, data.get(answer))
    if not isinstance(value, str) or not value.strip():
        raise RightsError(path, f"{where}: {name!r} must name a question or a result")
    return value.strip()


def load_path_explainer(path: Path | None = None) -> PathExplainer:
    """Read and check ``path_explainer.yaml`` (default in ``assets/rights``).

    Checks: the start is a question; every yes/no target is a question or a result; ids are
    unique; there are no cycles; every question and result can be reached from the start.
    """
    path = default_rights_dir() / PATH_EXPLAINER_FILE if path is None else path
    try:
        text = path.read_text(encoding="utf-8-sig")
        check_yaml(text)  # size, depth, aliases and numbers are bounded before parsing
        data = yaml.safe_load(text)
    except OSError as exc:
        raise RightsError(path, f"cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise RightsError(path, f"not UTF-8 text ({exc.reason})") from None
    except YamlLimitError as exc:
        raise RightsError(path, str(exc)) from None
    except yaml.YAMLError as exc:
        raise RightsError(path, f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise RightsError(path, "the file must be a mapping with start, questions and results")
    raw_questions = data.get("questions")
    raw_results = data.get("results")
    if not isinstance(raw_questions, dict) or not raw_questions:
        raise RightsError(path, "'questions' must be a non-empty mapping")
    if not isinstance(raw_results, dict) or not raw_results:
        raise RightsError(path, "'results' must be a non-empty mapping")

    questions: dict[str, Question] = {}
    for qid, raw in raw_questions.items():
        where = f"question {qid!r}"
        if not isinstance(raw, dict):
            raise RightsError(path, f"{where} must be a mapping")
        answered_by = raw.get("answered_by")
        if answered_by is not None and answered_by not in ANSWERED_BY:
            raise RightsError(
                path, f"{where}: 'answered_by' must be one of {', '.join(sorted(ANSWERED_BY))}"
            )
        questions[str(qid)] = Question(
            id=str(qid),
            text_km=_text_field(path, where, raw, "km"),
            text_en=_text_field(path, where, raw, "en"),
            yes=_answer_field(path, where, raw, True),
            no=_answer_field(path, where, raw, False),
            answered_by=answered_by,
        )
    results: dict[str, Result] = {}
    for rid, raw in raw_results.items():
        where = f"result {rid!r}"
        if not isinstance(raw, dict):
            raise RightsError(path, f"{where} must be a mapping")
        if str(rid) in questions:
            raise RightsError(path, f"{rid!r} is both a question and a result")
        results[str(rid)] = Result(
            id=str(rid),
            form_id=_text_field(path, where, raw, "form_id"),
            text_km=_text_field(path, where, raw, "km"),
            text_en=_text_field(path, where, raw, "en"),
        )
    for question in questions.values():
        if not is_khmer(question.text_km):
            raise RightsError(path, f"question {question.id!r}: 'km' contains no Khmer text")
    for result in results.values():
        if not is_khmer(result.text_km):
            raise RightsError(path, f"result {result.id!r}: 'km' contains no Khmer text")

    start = data.get("start")
    if not isinstance(start, str) or start not in questions:
        raise RightsError(path, f"'start' must name a question, not {start!r}")
    for question in questions.values():
        for target in (question.yes, question.no):
            if target not in questions and target not in results:
                raise RightsError(
                    path, f"question {question.id!r} leads to {target!r}, which does not exist"
                )
    _check_no_cycles(path, start, questions)
    reached = _reachable(start, questions)
    unreached = sorted((set(questions) | set(results)) - reached)
    if unreached:
        raise RightsError(path, f"never reached from the start: {', '.join(unreached)}")
    source = data.get("source", "")
    return PathExplainer(
        start=start,
        questions=questions,
        results=results,
        source=source.strip() if isinstance(source, str) else "",
    )


def _check_no_cycles(path: Path, start: str, questions: Mapping[str, Question]) -> None:
    """Depth-first search over every question (not only those reached from the start)."""
    done: set[str] = set()

    def visit(node: str, stack: list[str]) -> None:
        if node not in questions or node in done:
            return
        if node in stack:
            cycle = [*stack[stack.index(node) :], node]
            raise RightsError(path, f"the questions go round in a circle: {' -> '.join(cycle)}")
        stack.append(node)
        for target in (questions[node].yes, questions[node].no):
            visit(target, stack)
        stack.pop()
        done.add(node)

    for node in [start, *questions]:
        visit(node, [])


def _reachable(start: str, questions: Mapping[str, Question]) -> set[str]:
    seen: set[str] = set()
    pending = [start]
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        if node in questions:
            pending.extend((questions[node].yes, questions[node].no))
    return seen
