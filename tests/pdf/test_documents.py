"""The printed documents, built from the real form files and read back with poppler."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from reportlab.graphics.barcode.qr import QrCodeWidget

from app.core.approx_date import ApproxDate, Season
from app.core.forms import FieldType, FormDefinition, load_form
from app.core.protection import Document, ProtectionLevel, hidden
from app.core.resources import forms_dir
from app.pdf.documents import (
    LeafletTopic,
    PrintMeta,
    ReceiptMeta,
    RenderCancelled,
    render_application,
    render_applications_batch,
    render_blank_form,
    render_leaflet,
    render_receipt,
)
from app.pdf.receipt import PAGE_HEIGHT, QR_QUIET_MODULES, QR_SIZE, QR_TOP, QR_X

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")

REFERENCE = "VSS-WMNR-001A-M"


def canonical(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u200b", "")
    return "".join(text.split())


def pdftotext(pdf: Path, *options: str) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *options, str(pdf), "-"], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def page_text(pdf: Path, page: int) -> str:
    return pdftotext(pdf, "-f", str(page), "-l", str(page))


def pdfinfo(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def page_count(pdf: Path) -> int:
    return int(pdfinfo(pdf)["Pages"])


def rasterize(pdf: Path, dpi: int, gray: bool = False) -> Image.Image:
    prefix = pdf.with_suffix("")
    args = ["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile"]
    if gray:
        args.append("-gray")
    subprocess.run([*args, str(pdf), str(prefix)], check=True)
    png = prefix.with_suffix(".png")
    assert png.stat().st_size > 0
    return Image.open(png)


def ink_ratio(image: Image.Image) -> float:
    gray = image.convert("L")
    dark = sum(gray.histogram()[:200])
    return dark / (gray.width * gray.height)


def place_label(place: Mapping[str, Any]) -> str:
    return f"ភូមិ{place.get('village_text', '')} ខេត្តបាត់ដំបង / Battambang province"


def meta(reference: str = REFERENCE) -> PrintMeta:
    return PrintMeta(
        reference=reference,
        printed_at=datetime(2024, 3, 5, 14, 30),
        officer_name="ចាន់ ដារ៉ា",
        organisation="អង្គភាពគាំពារជនរងគ្រោះ",
        device_name="laptop-7",
        place_label=place_label,
    )


@pytest.fixture(scope="module")
def complaint() -> FormDefinition:
    return load_form(forms_dir() / "complaint.yaml")


@pytest.fixture(scope="module")
def civil_party() -> FormDefinition:
    return load_form(forms_dir() / "civil_party.yaml")


NARRATIVE = "នៅរដូវប្រាំង ឆ្នាំ១៩៧៧ ពួកខ្មែរក្រហមបានយកឪពុករបស់ខ្ញុំទៅ។ ខ្ញុំមិនដែលឃើញគាត់ទៀតទេ។ " * 25


def answers(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "applicant_status": "indirect_victim",
        "applicant_name": {"km": "សុខ សុភា", "latin": "Sok Sophea"},
        "applicant_sex": "female",
        "applicant_birth_date": ApproxDate.from_year(1952, approximate=True).to_dict(),
        "applicant_address": {
            "province": "02",
            "district": None,
            "commune": None,
            "village": None,
            "village_text": "ស្វាយប៉ោ",
        },
        "applicant_phone": "012345678",
        "victim_relationship": "parent",
        "victim_name": {"km": "សុខ ហេង", "latin": "Sok Heng"},
        "victim_fate": "killed",
        "victim_fate_date": ApproxDate.from_season(Season.DRY, 1977).to_dict(),
        "crime_categories": ["homicide", "forced_transfer"],
        "crime_date_from": ApproxDate.from_month(1975, 4).to_dict(),
        "crime_narrative": NARRATIVE,
        "perpetrators_known": False,
        "perpetrators": "ឈ្មោះលាក់ទុក HIDDEN-ANSWER",  # not relevant: must not be printed
        "participation": "civil_party",
        "has_lawyer": False,
        "protection_requested": False,
        "supporting_documents": ["/media/usb/id_card_copy.jpg", {"name": "family_book.pdf"}],
        "officer_name": "ចាន់ ដារ៉ា",
        "intake_organisation": "VSS",
        "intake_forum": "វេទិកាសហគមន៍",
        "intake_date": ApproxDate.exact(2024, 3, 5).to_dict(),
        "interview_language": "khmer",
        "read_back": True,
        "consent_to_submit": True,
        "signature_mark": "thumbprint",
    }
    base.update(extra)
    return base


def test_filled_complaint_prints_every_answer(complaint: FormDefinition, tmp_path: Path) -> None:
    pdf = tmp_path / "complaint.pdf"
    pages = render_application(complaint, answers(), meta(), pdf)
    assert pages == page_count(pdf) >= 2
    assert pdfinfo(pdf)["Page size"].startswith("595.27")  # A4
    text = canonical(pdftotext(pdf))
    layout = pdftotext(pdf, "-layout")
    for expected in [
        complaint.title.km,
        complaint.title.en,
        REFERENCE,
        "ឈ្មោះអ្នកដាក់ពាក្យ / Name of the applicant",
        "សុខ សុភា / Sok Sophea",
        "សុខ ហេង / Sok Heng",
        "ស្រី / Female",
        "ប្រហែលឆ្នាំ១៩៥២ / about 1952",
        "រដូវប្រាំង ឆ្នាំ១៩៧៦–១៩៧៧ / dry season 1976–1977",
        "ខែមេសា ឆ្នាំ១៩៧៥ / April 1975",
        "ឃាតកម្ម (ការសម្លាប់មនុស្ស) / Homicide (killing)",
        "ការជម្លៀស ឬការផ្លាស់ទីលំនៅដោយបង្ខំ / Forced transfer or evacuation",
        "ភូមិស្វាយប៉ោ ខេត្តបាត់ដំបង / Battambang province",
        "ទេ / No",
        "id_card_copy.jpg",
        "family_book.pdf",
        "ស្នាមមេដៃ / Thumbprint",
        "ហត្ថលេខា ឬស្នាមមេដៃរបស់អ្នកដាក់ពាក្យ",
        "ឈ្មោះ និងហត្ថលេខារបស់អ្នកទទួលពាក្យ",
        "ថ្ងៃទី៥ ខែមីនា ឆ្នាំ២០២៤ / 5 March 2024",
        NARRATIVE,
    ]:
        assert canonical(expected) in text, expected
    assert "HIDDEN-ANSWER" not in text  # a field hidden by skip logic is not printed
    assert "/media/usb" not in text  # attachments by name only
    for page in range(1, pages + 1):
        one = canonical(page_text(pdf, page))
        assert REFERENCE in one
        assert canonical(complaint.title.km) in one
        assert f"Page{page}of{pages}" in one
        assert canonical(f"ទំព័រ {'០១២៣៤៥៦៧៨៩'[page]} នៃ {'០១២៣៤៥៦៧៨៩'[pages]}") in one
        assert "REDACTEDCOPY" not in one
    assert "Sok Sophea" in layout


def test_redacted_copy_masks_identifying_fields(complaint: FormDefinition, tmp_path: Path) -> None:
    pdf = tmp_path / "redacted.pdf"
    public_copy = hidden(ProtectionLevel.FROM_PUBLIC, Document.REDACTED_APPLICATION)
    pages = render_application(complaint, answers(), meta(), pdf, hidden=public_copy)
    assert pages == page_count(pdf)
    text = canonical(pdftotext(pdf))
    for secret in ("សុខ សុភា", "Sok Sophea", "សុខ ហេង", "Sok Heng", "ស្វាយប៉ោ"):
        assert canonical(secret) not in text, secret
    assert canonical("ការពារអត្តសញ្ញាណ / identity protected") in text
    assert canonical("ប្រហែលឆ្នាំ១៩៥២ / about 1952") in text  # not identifying: still printed
    for page in range(1, pages + 1):
        assert canonical("ច្បាប់ចម្លងដែលបានលាក់ឈ្មោះ / REDACTED COPY") in canonical(page_text(pdf, page))
    info = pdfinfo(pdf)
    assert "Sok" not in info.get("Title", "") + info.get("Subject", "")


def test_civil_party_application_and_raster(civil_party: FormDefinition, tmp_path: Path) -> None:
    data = answers(
        case_file="case_002",
        injury_direct_consequence=True,
        harm_kinds=["psychological"],
        harm_psychological="ខ្ញុំនៅតែភ័យខ្លាច និងកើតទុក្ខរហូតមកដល់សព្វថ្ងៃ។",
        reparation_kinds=["memorial", "documentation"],
    )
    pdf = tmp_path / "civil_party.pdf"
    pages = render_application(civil_party, data, meta(), pdf)
    assert pages == page_count(pdf)
    text = canonical(pdftotext(pdf))
    for expected in [
        civil_party.title.km,
        "សំណុំរឿង ០០២ / Case 002",
        "ខ្ញុំនៅតែភ័យខ្លាច និងកើតទុក្ខរហូតមកដល់សព្វថ្ងៃ។",
        "ស្តូប ឬវិមានរំលឹកដល់ជនរងគ្រោះ / A memorial or stupa for the victims",
        "បាទ/ចាស / Yes",
        "សុខ សុភា",
    ]:
        assert canonical(expected) in text, expected
    image = rasterize(pdf, 60)
    assert image.size[0] > 400
    assert 0.01 < ink_ratio(image) < 0.5


def test_blank_form_has_every_field(civil_party: FormDefinition, tmp_path: Path) -> None:
    pdf = tmp_path / "blank.pdf"
    pages = render_blank_form(civil_party, pdf)
    assert pages == page_count(pdf) >= 4
    text = canonical(pdftotext(pdf))
    for section in civil_party.sections:
        assert canonical(section.title.km) in text, section.id
        for item in section.fields:
            if item.pdf:
                assert canonical(item.label.km) in text, item.id
                for choice in item.choices:
                    assert canonical(choice.label.km) in text, (item.id, choice.code)
                    if choice.help is not None:  # the help that explains each choice
                        assert canonical(choice.help.km) in text, (item.id, choice.code)
                        assert canonical(choice.help.en) in text, (item.id, choice.code)
    assert canonical("ថ្ងៃ / Day") in text and canonical("ប្រហែល / about") in text
    assert canonical("ជាអក្សរឡាតាំង / In Latin letters") in text
    assert canonical("ហត្ថលេខា ឬស្នាមមេដៃរបស់អ្នកដាក់ពាក្យ") in text
    assert any(f.type is FieldType.APPROX_DATE for f in civil_party.all_fields())
    for page in range(1, pages + 1):
        assert f"Page{page}of{pages}" in canonical(page_text(pdf, page))
    assert ink_ratio(rasterize(pdf, 60)) > 0.01


def test_receipt_has_reference_and_qr_code(complaint: FormDefinition, tmp_path: Path) -> None:
    pdf = tmp_path / "receipt.pdf"
    receipt = ReceiptMeta(REFERENCE, "សុខ សុភា", "Sok Sophea", complaint.title, date(2024, 3, 5))
    assert render_receipt(receipt, pdf) == 1 == page_count(pdf)
    text = canonical(pdftotext(pdf))
    for expected in [
        "បង្កាន់ដៃទទួលពាក្យ",
        REFERENCE,
        "សុខ សុភា / Sok Sophea",
        complaint.title.km,
        "ថ្ងៃទី៥ ខែមីនា ឆ្នាំ២០២៤",
        "អង្គភាពគាំពារជនរងគ្រោះនឹងពិនិត្យពាក្យរបស់អ្នក",
        "ផ្លូវជាតិលេខ៤",
        "កាត់តាមបន្ទាត់នេះ",
    ]:
        assert canonical(expected) in text, expected
    # The QR code on the applicant's half encodes the reference: sample every module's centre.
    dpi = 150
    image = rasterize(pdf, dpi, gray=True).convert("L")
    code = QrCodeWidget(REFERENCE, barLevel="M").qr
    code.make()
    count = code.getModuleCount()
    assert count >= 21  # a real QR matrix (version 1 or larger), not an empty one
    module = QR_SIZE / (count + 2 * QR_QUIET_MODULES)
    scale = dpi / 72
    matches = 0
    for row in range(count):
        for col in range(count):
            x = QR_X + (QR_QUIET_MODULES + col + 0.5) * module
            y = QR_TOP - (QR_QUIET_MODULES + row + 0.5) * module
            pixel = image.getpixel((round(x * scale), round((PAGE_HEIGHT - y) * scale)))
            assert isinstance(pixel, int)
            matches += (pixel < 128) == code.isDark(row, col)
    assert matches == count * count


def test_receipt_into_a_stream(complaint: FormDefinition) -> None:
    buffer = io.BytesIO()
    receipt = ReceiptMeta(REFERENCE, "", "Sok Sophea", complaint.title, date(2024, 3, 5))
    assert render_receipt(receipt, buffer) == 1
    assert buffer.getvalue().startswith(b"%PDF")


def test_leaflet_is_two_landscape_sides(tmp_path: Path) -> None:
    topics = [
        LeafletTopic(
            "សិទ្ធិរបស់ជនរងគ្រោះ",
            "Victims' rights",
            "ជនរងគ្រោះមានសិទ្ធិដាក់ពាក្យបណ្តឹងទៅសហព្រះរាជអាជ្ញា។ " * 12,
            "Victims may file a complaint with the Co-Prosecutors. " * 6,
            "ECCC Internal Rules, Rule 49",
        ),
        LeafletTopic(
            "ដើមបណ្តឹងរដ្ឋប្បវេណី",
            "Civil parties",
            "ដើមបណ្តឹងរដ្ឋប្បវេណីចូលរួមក្នុងនីតិវិធីតាមរយៈមេធាវី។\n\nសំណងជាសំណងសមូហភាព។",
            "Civil parties take part through a lawyer.",
            "ECCC Internal Rules, Rule 23",
        ),
    ]
    pdf = tmp_path / "leaflet.pdf"
    assert render_leaflet(topics, pdf) == 2 == page_count(pdf)
    assert pdfinfo(pdf)["Page size"].startswith("841.89 x 595.27")
    text = canonical(pdftotext(pdf))
    for expected in ["សិទ្ធិរបស់ជនរងគ្រោះ", "ដើមបណ្តឹងរដ្ឋប្បវេណី", "Civil parties", "Rule 23"]:
        assert canonical(expected) in text
    # Long content flows over more panels and still gives whole sheets (an even page count).
    long_pdf = tmp_path / "long.pdf"
    pages = render_leaflet(topics * 8, long_pdf)
    assert pages == page_count(long_pdf) and pages % 2 == 0 and pages > 2


def test_batch_numbers_pages_per_record_and_reports_progress(
    complaint: FormDefinition, civil_party: FormDefinition, tmp_path: Path
) -> None:
    records = [
        (complaint, answers(), meta("VSS-AAAA-0001-1")),
        (civil_party, answers(case_file="case_003"), meta("VSS-AAAA-0002-2")),
        (complaint, answers(crime_narrative="ខ្លី។"), meta("VSS-AAAA-0003-3")),
    ]
    singles = []
    for index, (form, data, info) in enumerate(records):
        singles.append(render_application(form, data, info, tmp_path / f"single{index}.pdf"))
    calls: list[tuple[int, int]] = []
    pdf = tmp_path / "batch.pdf"
    pages = render_applications_batch(records, pdf, progress=lambda d, t: calls.append((d, t)))
    assert pages == page_count(pdf) == sum(singles)
    assert calls == [(1, 3), (2, 3), (3, 3)]
    first = 1
    for (_form, _data, info), count in zip(records, singles, strict=True):
        for page in range(first, first + count):
            one = canonical(page_text(pdf, page))
            assert info.reference in one
            assert f"Page{page - first + 1}of{count}" in one
        first += count


def test_batch_cancel_writes_nothing(complaint: FormDefinition, tmp_path: Path) -> None:
    records = [(complaint, answers(), meta(f"VSS-AAAA-000{n}-X")) for n in range(5)]
    done: list[int] = []
    pdf = tmp_path / "cancelled.pdf"
    with pytest.raises(RenderCancelled):
        render_applications_batch(
            records, pdf, progress=lambda d, t: done.append(d), cancelled=lambda: len(done) >= 2
        )
    assert done == [1, 2]
    assert not pdf.exists()
    assert not list(tmp_path.glob("*.part"))


def test_english_first_order(complaint: FormDefinition, tmp_path: Path) -> None:
    info = meta()
    english_first = PrintMeta(**{**info.__dict__, "lang_order": ("en", "km")})
    pdf = tmp_path / "en.pdf"
    render_application(complaint, answers(), english_first, pdf)
    text = canonical(pdftotext(pdf))
    assert canonical("Female / ស្រី") in text
    assert re.search(canonical("Name of the applicant / ឈ្មោះអ្នកដាក់ពាក្យ"), text)
