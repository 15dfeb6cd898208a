"""Bench-side check that a speed change to the bulk import stores the same thing: the same input
imported by another revision's code (``main`` by default, exported with ``git archive``) and by
this tree's, each into a new store, and everything compared.

Compared: every column of the applications, their versions (with each seal checked against
its payload), the outbox, the audit log (the chain checked whole), the direct victims and their
links, the settings, the full-text index's rows and keys, the word index's vocabulary, and the
postings of both full-text indexes (read through ``fts5vocab``: every word or trigram, with the
row, column and position it is indexed at). Random ids (versions, people, the officer) are
named by what they stand for and times are left out (each is checked to be there). Records
that the checks refuse are compared too: many records with an answer taken out or spoilt are
imported one at a time, and whether each was taken, or the message refusing it (in Khmer and
in English), must be the same.

This tree imports both with and without the second-core worker (in chunks of ``CHUNK``, so the
worker starts on a small import). Run: ``python -m tests.bench.import_same [count] [--against REV]``
(a minute or two for 400 records). Prints the differences and exits 1 if there are any.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 50
# Built files the app needs that git does not hold (made from the same sources).
BUILT = (
    "locales/en/LC_MESSAGES/vss_outreach.mo",
    "locales/km/LC_MESSAGES/vss_outreach.mo",
    "locales/km/LC_MESSAGES/word_breaks.json",
)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?$")
DEVICE = "0f0e0d0c-0b0a-4908-8706-050403020100"


# --- in the child process (the tree under test is first on sys.path) ---------------------------


def _dump(ctx: Any) -> dict[str, Any]:
    from sqlalchemy import text

    from app.services import finalising
    from app.services.audit import verify_audit_chain
    from app.sync.format import record_digest

    def rows(sql: str) -> list[dict[str, Any]]:
        with ctx.store.transaction() as session:
            return [dict(row._mapping) for row in session.execute(text(sql))]

    names: dict[str, str] = {}
    for officer in rows("SELECT id FROM officers ORDER BY rowid"):
        names[officer["id"]] = f"officer {len(names)}"
    applications = rows("SELECT * FROM applications ORDER BY reference")
    references = {row["id"]: row["reference"] for row in applications}
    versions = rows("SELECT * FROM application_versions")
    for version in versions:
        names[version["id"]] = references[version["application_id"]] + "/v1"
        application = next(a for a in applications if a["id"] == version["application_id"])
        payload = finalising.payload_from_columns(
            (
                version["id"],
                version["application_id"],
                application["reference"],
                application["form_id"],
                version["form_version"],
                version["version_no"],
                json.loads(version["answers"]),
                version["reason"],
                _when(version["created_at"]),
                version["created_by"],
            )
        )
        version["content_sha256"] = record_digest(payload) == version["content_sha256"]
    for person in rows("SELECT id FROM persons ORDER BY rowid"):
        names.setdefault(person["id"], f"person {len(names)}")
    checkpoint = json.loads(
        rows("SELECT value FROM settings WHERE key = 'audit_checkpoint'")[0]["value"]
    )
    with ctx.store.transaction() as session:
        for table in ("word_search", "application_search"):
            session.execute(
                text(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_postings "
                    f"USING fts5vocab(main, {table}, instance)"
                )
            )
    dumped = {
        "applications": applications,
        "versions": sorted(versions, key=lambda row: names[row["id"]]),
        "outbox": sorted(rows("SELECT * FROM outbox"), key=lambda row: names[row["version_id"]]),
        "audit": [
            {k: v for k, v in row.items() if k not in ("prev_hash", "entry_hash")}
            for row in rows("SELECT * FROM audit_log ORDER BY seq")
        ],
        "audit_chain_intact": verify_audit_chain(ctx).intact,
        "checkpoint": (checkpoint["seq"], checkpoint["count"]),
        "persons": rows("SELECT * FROM persons ORDER BY rowid"),
        "links": rows("SELECT * FROM person_links ORDER BY application_id, position"),
        "settings": rows(
            "SELECT * FROM settings WHERE key NOT IN ('device_id', 'audit_checkpoint') ORDER BY key"
        ),
        "search": rows("SELECT rowid, * FROM application_search ORDER BY rowid"),
        "search_keys": rows("SELECT * FROM search_index_rows ORDER BY search_rowid"),
        "vocabulary": rows("SELECT * FROM word_search_vocabulary ORDER BY word"),
        "word_postings": rows("SELECT * FROM temp.word_search_postings"),
        "trigram_postings": rows("SELECT * FROM temp.application_search_postings"),
    }
    return _named(dumped, names)


def _when(value: Any) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _named(value: Any, names: dict[str, str]) -> Any:
    """``value`` with random ids named and times replaced by ``"<time>"``."""
    if isinstance(value, dict):
        return {key: _named(item, names) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_named(item, names) for item in value]
    if isinstance(value, str):
        if _TIME.match(value):
            return "<time>"
        return _UUID.sub(lambda found: names.get(found.group(), found.group()), value)
    return value


def _child(tree: Path, inputs: Path, output: Path, second_core: bool) -> None:
    sys.path.insert(0, str(tree))
    from app.i18n import set_language
    from app.services import bulk_import, import_checks, records
    from app.services.accounts import first_run_setup

    data = json.loads(inputs.read_text(encoding="utf-8"))
    bulk_import.IMPORT_CHUNK = CHUNK
    import_checks.SECOND_CORE = second_core
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="vss-import-same-") as name:
        ctx, _code = first_run_setup(
            Path(name) / "a", "bench", "Bench", "bench password 1", "B", "km"
        )
        try:
            ctx.device_id = DEVICE
            items = [tuple(item) for item in data["items"]]
            result["imported"] = records.import_applications(ctx, items, source="same")
            result["store"] = _dump(ctx)
        finally:
            ctx.close()
        ctx, _code = first_run_setup(
            Path(name) / "b", "bench", "Bench", "bench password 1", "B", "km"
        )
        try:
            told = []
            for form_id, answers in data["spoilt"]:
                outcome = []
                for language in ("km", "en"):
                    set_language(language)
                    try:
                        outcome.append(records.import_applications(ctx, [(form_id, answers)]))
                    except records.ValidationFailed as error:
                        outcome.append(str(error))
                told.append(outcome)
            result["spoilt"] = told
        finally:
            ctx.close()
    output.write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")


# --- in the bench's own process -----------------------------------------------------------------


def _inputs(count: int, seed: int = 7) -> dict[str, Any]:
    from tests.bench.bench_import import demo_items
    from tests.services.test_bulk_import import _items

    items = [*_items(), *demo_items(count)]
    rng = random.Random(seed)
    spoilers: list[Any] = [
        None,
        "",
        "x" * 3000,
        12345,
        {"km": "\u0007"},
        [],
        {"day": 40, "month": 13},
        "\u200b",
        "not a choice",
        {"km": "", "latin": ""},
    ]
    spoilt = []
    for number in range(120):
        form_id, answers = items[rng.randrange(len(items))]
        answers = dict(answers)
        key = rng.choice(sorted(answers))
        spoiler = spoilers[number % len(spoilers)]
        if spoiler is None:
            del answers[key]
        else:
            answers[key] = spoiler
        spoilt.append((form_id, answers))
    return {"items": items, "spoilt": spoilt}


def _export(revision: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision],
        check=True,
        capture_output=True,
    ).stdout
    tree = into / "tree"
    tree.mkdir()
    archive_path = into / "tree.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(tree, filter="data")
    for built in BUILT:
        shutil.copy2(ROOT / built, tree / built)
    return tree


def _run(tree: Path, inputs: Path, output: Path, second_core: bool) -> dict[str, Any]:
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            str(tree),
            str(inputs),
            str(output),
            str(second_core),
        ],
        check=True,
        cwd=tree,
    )
    result: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    return result


def _differences(theirs: Any, ours: Any, where: str = "") -> list[str]:
    if isinstance(theirs, dict) and isinstance(ours, dict):
        found = []
        for key in theirs.keys() | ours.keys():
            found += _differences(theirs.get(key), ours.get(key), f"{where}.{key}")
        return found
    if isinstance(theirs, list) and isinstance(ours, list):
        if len(theirs) != len(ours):
            return [f"{where}: {len(theirs)} rows vs {len(ours)}"]
        found = []
        for number, (a, b) in enumerate(zip(theirs, ours, strict=True)):
            found += _differences(a, b, f"{where}[{number}]")
        return found
    return [] if theirs == ours else [f"{where}: {theirs!r:.120} vs {ours!r:.120}"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int, nargs="?", default=400)
    parser.add_argument("--against", default="main")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vss-import-same-") as name:
        place = Path(name)
        inputs = place / "inputs.json"
        inputs.write_text(
            json.dumps(_inputs(arguments.count), ensure_ascii=False), encoding="utf-8"
        )
        theirs = _run(_export(arguments.against, place), inputs, place / "theirs.json", True)
        problems = []
        for second_core in (True, False):
            ours = _run(ROOT, inputs, place / f"ours-{second_core}.json", second_core)
            label = "with" if second_core else "without"
            found = _differences(theirs, ours)
            print(
                f"{arguments.against} vs this tree {label} the second core: {len(found)} differences"
            )
            problems += found
        store = theirs["store"]
        print(
            f"compared: {theirs['imported']} records, {len(store['trigram_postings'])} trigram "
            f"and {len(store['word_postings'])} word postings, {len(store['persons'])} people, "
            f"{sum(isinstance(o[0], str) for o in theirs['spoilt'])} of {len(theirs['spoilt'])} "
            "spoilt records refused"
        )
        for problem in problems[:40]:
            print("  ", problem)
        return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[5] == "True")
    else:
        sys.exit(main())
