"""The checks of a bulk import's records, and a second core to run them on.

Checking a record (its typed text normalised, the skip logic worked out, every answer and the
court's minimum content checked) and working out what the registry keeps of its answers (the
listing columns and the search text but the reference) is about half of an import's Python
work, and needs nothing but the form and the answers. While the import writes one chunk, a
worker process checks the next, so a laptop with two cores does both at once.

The result is the same as checking in the import's own process: the worker reads the very form
texts the app loaded (each parsed again here and compared with the app's form before it is
handed over), runs ``checked_record``, and sends back the problems, or only what normalising
changed and the keys the skip logic left out (most answers come out as they went in), with the
registry's values. Anything that goes wrong on the worker (it could not start, it stopped, a
record raised) makes the import check that chunk itself, so an error is raised exactly as
without a worker, naming the same record; the office's log notes it (by the error's type) and
how many records the worker checked. The tests run imports both ways and compare them column
by column.

On (``SECOND_CORE``) wherever there are two cores, for imports of ``WORKER_MIN_CHUNKS`` chunks
or more: the import's own CPU per record falls by about a third. A frozen (PyInstaller) build
starts the worker by running the program again: app/main.py calls
``multiprocessing.freeze_support()`` for it, and the build's smoke test imports three chunks
and reads the log to see the worker checked records.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from app.core.forms import FormDefinition
from app.core.forms.loader import parse_form
from app.core.forms.validation import FieldIssue, resolve
from app.core.line_breaks import normalize_typed_answers
from app.services import form_catalogue
from app.services.answer_values import AnswerValues, answer_values
from app.services.error_log import LOGGER_NAME
from app.services.finalise_checks import blocking, check_application

# Checked: the normalised answers and the effective answers (skip logic applied); or the
# problems that block finalising.
Checked = tuple[dict[str, Any], dict[str, Any]] | list[FieldIssue]
# What the worker found of a record: its Checked, with what the registry keeps of the answers
# (answer_values.answer_values) when it can be finalised.
Found = tuple[dict[str, Any], dict[str, Any], AnswerValues] | list[FieldIssue]

SECOND_CORE = True
# The fewest chunks an import must have for the worker to be started. Starting it costs about
# 1.2 s of CPU (a new interpreter importing the app and parsing the forms) and 0.25 s in the
# import's own process (reading the forms' texts); it checks the chunks after the first, and
# the first of those is needed about when the worker has only just started. So with two chunks
# it saves no time on an idle laptop, loses some on a busy one, and costs the battery a second
# of CPU; from three chunks on, each further chunk saves its checks (about 0.6 s).
WORKER_MIN_CHUNKS = 3
# How long the import waits for the worker's checks of a chunk (about 0.5 s of work; the first
# also waits for the worker process to start, seconds on a slow laptop) before it checks the
# chunk itself and stops using the worker: a stuck worker must not stall an import.
REPLY_WAIT_S = 60.0


def second_core_available() -> bool:
    """Whether this process could hand checks to a worker: two cores (a frozen build starts it
    as the program again: app/main.py calls multiprocessing.freeze_support() for it)."""
    return (os.cpu_count() or 1) >= 2


def checked_record(form: FormDefinition, raw: Mapping[str, Any]) -> Checked:
    """One record's answers normalised and checked as the wizard's finalise checks them."""
    answers = normalize_typed_answers(raw)
    resolved = resolve(form, answers)
    problems = blocking(check_application(form, answers, resolved))
    return problems or (answers, resolved[0])


# --- on the worker -------------------------------------------------------------------------------

_WORKER_FORMS: dict[str, FormDefinition] = {}


def _start_worker(texts: Mapping[str, tuple[str, str]]) -> None:
    for form_id, (text, file) in texts.items():
        form, problems = parse_form(text, file)
        if form is not None and not problems:
            _WORKER_FORMS[form_id] = form


def _check_chunk(records: Sequence[tuple[str, Mapping[str, Any]]]) -> list[_Told | None]:
    """Each record checked (None: its form is not one the worker was given), as ``_told``."""
    return [
        _told(_WORKER_FORMS[form_id], raw) if form_id in _WORKER_FORMS else None
        for form_id, raw in records
    ]


# What the worker sends back for a record: the problems; or what normalising changed (the
# answers that are not the same as typed) and the keys the skip logic left out. Most answers
# come out of both as they went in, so sending only that keeps the import's own process from
# unpickling every record's answers twice over. With them, what the registry keeps of the
# answers (its columns and search text but for the reference), worked out here too.
_Told = tuple[dict[str, Any], tuple[str, ...], AnswerValues] | list[FieldIssue]


def _same(typed: Any, normalised: Any) -> bool:
    """The same value of the same types all through (so the typed one can stand for it)."""
    if type(typed) is not type(normalised):
        return False
    if type(typed) is dict:
        return typed.keys() == normalised.keys() and all(
            _same(value, normalised[key]) for key, value in typed.items()
        )
    if type(typed) is list:
        return len(typed) == len(normalised) and all(
            _same(a, b) for a, b in zip(typed, normalised, strict=True)
        )
    return bool(typed == normalised)


def _told(form: FormDefinition, raw: Mapping[str, Any]) -> _Told:
    checked = checked_record(form, raw)
    if isinstance(checked, list):
        return checked
    answers, effective = checked
    changed = {key: value for key, value in answers.items() if not _same(raw.get(key), value)}
    hidden = tuple(key for key in answers if key not in effective)
    return changed, hidden, answer_values(form, answers)


def _heard(raw: Mapping[str, Any], told: _Told) -> Found:
    """``checked_record``'s result again, from what the worker sent (``_told``), and the
    answers' values."""
    if isinstance(told, list):
        return told
    changed, hidden, values = told
    answers = {**raw, **changed} if changed else dict(raw)
    left_out = set(hidden)
    return answers, {k: v for k, v in answers.items() if k not in left_out}, values


# --- in the app ----------------------------------------------------------------------------------


def _form_texts() -> dict[str, tuple[str, str]]:
    """The text of each form of the catalogue whose file read as the form the app has."""
    texts: dict[str, tuple[str, str]] = {}
    for form_id, form in form_catalogue.available_forms().items():
        # Read and parsed again once per form the app loaded (0.25 s for the bundled forms), not
        # for every import: a text that parsed to the form still does if its file changes later.
        text = form.worked_out("import_worker_text", _form_text)
        if text is not None and form.source is not None:
            texts[form_id] = (text, form.source)
    return texts


def _form_text(form: FormDefinition) -> str | None:
    """The text of the form's file if it still reads as ``form``."""
    if form.source is None:
        return None
    try:
        text = Path(form.source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    parsed, problems = parse_form(text, form.source)
    return text if parsed == form and not problems else None


_log = logging.getLogger(LOGGER_NAME)


def use_second_core() -> bool:
    """Whether an import checks its chunks on a worker (see the module docstring)."""
    return SECOND_CORE and second_core_available()


class ChunkChecks:
    """A worker process checking chunks ahead of the import (see the module docstring)."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        # Sends each chunk and waits for its checks, so that starting the worker (the first
        # chunk's send waits until the new process reads it) never holds up the import.
        self._sender: ThreadPoolExecutor | None = None
        self.records_checked_apart = 0  # how many records the worker's checks were used for

    def start(self) -> None:
        texts = _form_texts()
        if not texts:
            return
        try:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(texts,),
            )
        except OSError:
            return
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-checks")

    def submit(
        self, records: Sequence[tuple[str, Mapping[str, Any]]]
    ) -> Future[list[Found | None]] | None:
        """The chunk's checks, begun on the worker (None without a worker)."""
        pool, sender = self._pool, self._sender
        if pool is None or sender is None:
            return None
        chunk = list(records)

        def checked() -> list[Found | None]:
            found = pool.submit(_check_chunk, chunk).result()
            return [
                None if told is None else _heard(raw, told)
                for (_form_id, raw), told in zip(chunk, found, strict=True)
            ]

        return sender.submit(checked)

    def results(self, future: Future[list[Found | None]] | None) -> Sequence[Found | None] | None:
        """What the worker found for a chunk, or None when the import must check it itself."""
        if future is None:
            return None
        try:
            found = future.result(timeout=REPLY_WAIT_S)
        except TimeoutError:
            _log.warning("bulk import: the second core did not answer; checking here")
            self._stop()
            return None
        except Exception as error:  # checked again here: the same error, or none if the worker
            # failed (a broken pool fails every later chunk the same way, quickly). Logged by
            # its type only: a message could carry an answer.
            _log.warning(
                "bulk import: a chunk was not checked on the second core (%s)", type(error).__name__
            )
            return None
        self.records_checked_apart += sum(result is not None for result in found)
        return found

    def close(self, records: int) -> None:
        """Stop the worker; ``records``: how many the import took in all (for the log)."""
        if self._pool is not None:
            _log.info(
                "bulk import: %d of %d records checked on the second core",
                self.records_checked_apart,
                records,
            )
        self._stop()

    def _stop(self) -> None:
        """Stop using the worker: the chunks not yet sent are checked by the import itself."""
        # The pool's own table of its processes, taken before shutdown forgets it (a process
        # being started meanwhile is entered in it before shutdown returns): shutdown does not
        # end a running task, and a worker stuck in a chunk would otherwise outlive the import.
        processes = getattr(self._pool, "_processes", None) or {}
        for executor in (self._sender, self._pool):
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)
        self._pool = self._sender = None
        for process in list(processes.values()):
            if process.is_alive():
                process.kill()
