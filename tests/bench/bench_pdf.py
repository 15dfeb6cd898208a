"""PDF performance: pages per second for filled applications, seconds for a 500-record batch.

Baseline from the same run: plain ReportLab pages (Helvetica, no shaping, no text layer) with as
many lines as an application page, so a busy machine can be compared by ratio.

Run: ``.venv/bin/python -m tests.bench.bench_pdf`` (prints the figures).
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.core.approx_date import ApproxDate, Season
from app.core.forms import FormDefinition, load_form
from app.core.resources import forms_dir
from app.pdf.documents import PrintMeta, render_application, render_applications_batch

BATCH_SIZE = 500
SINGLE_RUNS = 20


def _place(place: Mapping[str, Any]) -> str:
    return f"ភូមិ{place.get('village_text', '')} ខេត្តបាត់ដំបង / Battambang province"


def _meta(n: int) -> PrintMeta:
    return PrintMeta(
        reference=f"VSS-BNCH-{n:04d}-X",
        printed_at=datetime(2024, 3, 5, 14, 30),
        officer_name="ចាន់ ដារ៉ា",
        organisation="អង្គភាពគាំពារជនរងគ្រោះ",
        device_name="bench",
        place_label=_place,
    )


def _answers(n: int) -> dict[str, Any]:
    return {
        "applicant_status": "indirect_victim",
        "applicant_name": {"km": f"សុខ សុភា {n}", "latin": f"Sok Sophea {n}"},
        "applicant_sex": "female",
        "applicant_birth_date": ApproxDate.from_year(1950 + n % 20, approximate=True).to_dict(),
        "applicant_address": {
            "province": "02",
            "district": None,
            "commune": None,
            "village": None,
            "village_text": "ស្វាយប៉ោ",
        },
        "victim_relationship": "parent",
        "victim_name": {"km": "សុខ ហេង", "latin": "Sok Heng"},
        "victim_fate": "killed",
        "victim_fate_date": ApproxDate.from_season(Season.DRY, 1977).to_dict(),
        "crime_categories": ["homicide", "forced_transfer", "enslavement_forced_labour"],
        "crime_date_from": ApproxDate.from_month(1975, 4).to_dict(),
        "crime_narrative": "នៅរដូវប្រាំង ឆ្នាំ១៩៧៧ ពួកខ្មែរក្រហមបានយកឪពុករបស់ខ្ញុំទៅ។ " * (10 + n % 15),
        "participation": "civil_party",
        "has_lawyer": False,
        "protection_requested": False,
        "officer_name": "ចាន់ ដារ៉ា",
        "intake_organisation": "VSS",
        "intake_forum": "វេទិកាសហគមន៍",
        "intake_date": ApproxDate.exact(2024, 3, 5).to_dict(),
        "interview_language": "khmer",
        "read_back": True,
        "consent_to_submit": True,
        "signature_mark": "thumbprint",
    }


def _baseline_pages_per_s(pages: int = 60, lines: int = 45) -> float:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    started = time.perf_counter()
    for _document in range(pages // 3):
        canvas = Canvas(io.BytesIO(), pagesize=A4)
        for _page in range(3):
            for line in range(lines):
                canvas.drawString(50, 800 - line * 16, f"Line {line}: the quick brown fox jumps")
            canvas.showPage()
        canvas.save()
    return pages / (time.perf_counter() - started)


def run(batch_size: int = BATCH_SIZE) -> dict[str, float]:
    form: FormDefinition = load_form(forms_dir() / "complaint.yaml")
    render_application(form, _answers(0), _meta(0), io.BytesIO())  # warm up fonts and caches
    pages = 0
    start = time.perf_counter()
    for n in range(SINGLE_RUNS):
        pages += render_application(form, _answers(n), _meta(n), io.BytesIO())
    single = time.perf_counter() - start
    items = [(form, _answers(n), _meta(n)) for n in range(batch_size)]
    start = time.perf_counter()
    batch_pages = render_applications_batch(items, io.BytesIO())
    batch = time.perf_counter() - start
    return {
        "baseline_plain_pages_per_s": _baseline_pages_per_s(),
        "application_pages_per_s": pages / single,
        "application_s_each": single / SINGLE_RUNS,
        f"batch_{batch_size}_records_s": batch,
        f"batch_{batch_size}_pages": float(batch_pages),
        "batch_pages_per_s": batch_pages / batch,
    }


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:32} {value:10.2f}")
