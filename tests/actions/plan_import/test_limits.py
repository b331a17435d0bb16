"""The action-plan importer's resource limits: zip bombs refused before openpyxl opens the
workbook, and caps on rows and columns named in the message (issue 20 item 4)."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from actions.models import Action
from tests.actions.plan_import.test_plan_import import (
    HEADINGS,
    messy_rows,
    plan_world,  # noqa: F401 (a fixture)
    token_of,
    upload,
    xlsx_upload,
)

pytestmark = pytest.mark.django_db


SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" />'
)


def bomb_xlsx(expanded_mb=40):
    """A real workbook whose sharedStrings.xml is rewritten as `expanded_mb` MB of one repeated
    string: a few tens of KB on disk, the shape of the 410 KB file that held a worker for 48 s."""
    workbook = Workbook()
    workbook.active.append(["Action", "Owner"])
    plain = io.BytesIO()
    workbook.save(plain)
    bomb = io.BytesIO()
    strings = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    count = expanded_mb * 1024 * 1024 // len(strings)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                # openpyxl finds (and reads whole) the string table its content type names.
                content = content.replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>")
            out.writestr(item, content)
        namespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        header = f'<sst xmlns="{namespace}" count="{count}" uniqueCount="{count}">'.encode()
        out.writestr("xl/sharedStrings.xml", header + strings * count + b"</sst>")
    return bomb.getvalue()


def test_a_zip_bomb_workbook_is_refused_fast_before_it_is_opened(opcc_officer, signed_in):
    data = bomb_xlsx()
    assert len(data) < 200 * 1024
    client = signed_in(opcc_officer)
    started = time.monotonic()
    response = upload(client, SimpleUploadedFile("plan.xlsx", data))
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert "would expand to an unreasonable size when opened" in response.content.decode()
    assert elapsed < 2, f"the refusal took {elapsed:.1f} s"
    assert not client.session.get("action_imports")


def test_a_workbook_with_too_many_rows_is_refused_naming_the_limit(
    opcc_officer, signed_in, settings
):
    settings.PLAN_IMPORT_MAX_ROWS = 50
    rows = [HEADINGS] + [["PEEL 2023-25", "AFI 1", "", f"Action {n}"] for n in range(119)]
    client = signed_in(opcc_officer)
    response = upload(client, xlsx_upload(rows, title_rows=False))
    assert response.status_code == 200
    assert (
        "The spreadsheet has 120 rows; the most it can have is 50. Split it into smaller files."
        in response.content.decode()
    )
    assert not client.session.get("action_imports")


def test_rows_past_the_limit_are_refused_even_when_the_sheet_declares_no_size(
    opcc_officer, signed_in, settings
):
    settings.PLAN_IMPORT_MAX_ROWS = 50
    body = "".join(f"Row {n},owner{n}@example.org\n" for n in range(12_000))
    client = signed_in(opcc_officer)
    response = upload(client, SimpleUploadedFile("plan.csv", f"Action,Owner\n{body}".encode()))
    assert "The spreadsheet has more than 50 rows; the most it can have is 50." in (
        response.content.decode()
    )


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_a_sheet_with_too_many_columns_is_refused_naming_the_limit(
    extension, opcc_officer, signed_in, settings
):
    settings.PLAN_IMPORT_MAX_COLUMNS = 20
    rows = [HEADINGS + [f"Extra {n}" for n in range(30 - len(HEADINGS))]]
    if extension == "xlsx":
        file = xlsx_upload(rows, title_rows=False)
    else:
        file = SimpleUploadedFile("plan.csv", (",".join(rows[0]) + "\n").encode())
    client = signed_in(opcc_officer)
    response = upload(client, file)
    assert (
        "The spreadsheet has 30 columns; the most it can have is 20. Delete the unused columns."
        in response.content.decode()
    )


@pytest.mark.usefixtures("plan_world")
def test_a_normal_workbook_still_imports_within_the_limits(
    owner, opcc_officer, signed_in, settings
):
    settings.PLAN_IMPORT_MAX_ROWS = 20
    settings.PLAN_IMPORT_MAX_COLUMNS = len(HEADINGS)
    client = signed_in(opcc_officer)
    response = upload(client, xlsx_upload(messy_rows(owner)))
    assert response.status_code == 302
    token = token_of(response)
    assert client.get(response["Location"]).status_code == 200
    before = Action.objects.count()
    confirmed = client.post(reverse("imports:confirm", args=[token]))
    assert confirmed.status_code == 302
    assert Action.objects.count() == before + 3
