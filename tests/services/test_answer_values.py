"""What the registry keeps of the answers is worked out apart from the store: a bulk import's
worker process loads neither SQLAlchemy nor the store's models (it starts the sooner), and the
values it works out are named as the applications table's columns."""

from __future__ import annotations

import random
import subprocess
import sys

from app.core.demo_answers import demo_answers
from app.services import answer_values, form_catalogue, search_index
from app.services.places import random_place
from app.store.models import Application


def test_the_import_workers_module_loads_neither_sqlalchemy_nor_the_store() -> None:
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, app.services.import_checks; print(' '.join(sorted(sys.modules)))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert "app.services.import_checks" in loaded
    assert "app.services.answer_values" in loaded
    assert not [name for name in loaded if name.split(".")[0] == "sqlalchemy"]
    assert not [name for name in loaded if name.startswith("app.store")]


def test_the_values_are_the_applications_columns_and_the_search_text() -> None:
    rng = random.Random(3)
    columns = {column.key for column in Application.__table__.columns}
    for form in form_catalogue.available_forms().values():
        for _ in range(5):
            answers = demo_answers(form, rng, pick_place=random_place)
            values = answer_values.answer_values(form, answers)
            assert set(values.columns) <= columns
            assert {"name_km", "village_code", "court_case", "civil_party"} <= set(values.columns)
            assert values.columns["protection_level"] == (
                answer_values.derive_columns(form, answers).protection_level.value
            )
            listed, document = search_index.derived_values(form, "D1-2", answers)
            assert (listed, document) == values.with_reference("D1-2")
            assert document.split(" | ")[0] == values.before_reference[0]
