"""Evidence: uploads checked by content and size, links and notes, assurance, private download."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from actions.models import Evidence
from tests.factories import EvidenceFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 64


def zipped(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def xlsx():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})


def zip_bomb():
    """A real DOCX layout whose document expands 1,000-fold: 4 MB of zeros in a few KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (4 * 1024 * 1024))
    return buffer.getvalue()


ZIP_BOMB = zip_bomb()
ODT = zipped({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})
ODS = zipped({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})


def upload(client, action, name, content, title="Audit report"):
    return client.post(
        reverse("actions:evidence_add", args=[action.pk]),
        {"kind": "document", "title": title, "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("audit.pdf", PDF, "application/pdf"),
        (
            "plan.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("data.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("notes.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("sheet.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
        ("photo.PNG", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("sample.csv", b"ref,result\n1,compliant\n", "text/csv"),
        ("minutes.txt", "Board minutes – agreed.".encode(), "text/plain"),
    ],
)
def test_owner_uploads_each_allowed_type_stored_under_a_generated_name(
    name, content, content_type, action, owner, signed_in
):
    response = upload(signed_in(owner), action, name, content)
    assert response.status_code == 302
    evidence = action.evidence.get()
    assert (evidence.original_filename, evidence.content_type) == (name, content_type)
    assert evidence.size == len(content)
    stored = Path(evidence.file.path)
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert Path(name).stem not in stored.name
    assert stored.read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", EXE, "is named .pdf but its content is not a PDF"),
        ("plan.docx", PDF, "is named .docx but its content is not a Word document"),
        ("data.xlsx", DOCX, "is named .xlsx but its content is not an Excel workbook"),
        ("photo.png", JPEG, "is named .png but its content is not a PNG image"),
        ("notes.txt", EXE, "is named .txt but its content is not a text file"),
        ("notes.odt", ODS, "is named .odt but its content is not an OpenDocument text"),
        ("tool.exe", EXE, "The file must be a PDF, DOCX, XLSX"),
        ("page.html", b"<script>alert(1)</script>", "The file must be a PDF, DOCX, XLSX"),
        ("macro.xlsm", xlsx(), "The file must be a PDF, DOCX, XLSX"),
        ("empty.pdf", b"", "The submitted file is empty."),
        ("page.txt", b"<!DOCTYPE html><p>Hi<script>alert(1)</script>", "web page code"),
        ("chart.csv", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>', "web page code"),
        ("chart.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "The file must be a PDF"),
        ("report.pdf.exe", EXE, "The file must be a PDF, DOCX, XLSX"),
        # Polyglots: the right first bytes, and a web page a sniffing browser would run.
        ("report.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "web page code"),
        ("photo.png", PNG + b"<iframe src=javascript:alert(1)>", "web page code"),
        ("photo.jpg", JPEG + b"<!DOCTYPE html><p>Hi</p>", "web page code"),
        ("bomb.docx", ZIP_BOMB, "would expand to an unreasonable size"),
    ],
)
def test_a_file_whose_content_is_not_an_allowed_type_is_refused_and_nothing_saved(
    name, content, message, action, owner, signed_in
):
    stored_before = set(Path(settings.MEDIA_ROOT).rglob("*"))
    response = upload(signed_in(owner), action, name, content)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'href="#id_file"' in html
    assert not Evidence.objects.exists()
    assert set(Path(settings.MEDIA_ROOT).rglob("*")) == stored_before


def test_a_path_in_the_file_name_is_dropped_and_the_file_stored_under_a_generated_name(
    action, owner, signed_in
):
    response = upload(signed_in(owner), action, "../../etc/pass\x07wd.txt", b"plain notes")
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_filename == "passwd.txt"
    assert ".." not in evidence.file.name and "passwd" not in evidence.file.name
    stored = Path(settings.MEDIA_ROOT, evidence.file.name).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())


def test_a_file_over_the_size_limit_is_refused_and_nothing_saved(
    action, owner, signed_in, settings
):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    response = upload(signed_in(owner), action, "big.pdf", PDF + b"0" * (1024 * 1024))
    assert "The file must be smaller than 1 MB" in response.content.decode()
    assert not Evidence.objects.exists()


def test_document_evidence_needs_a_file(action, owner, signed_in):
    response = signed_in(owner).post(
        reverse("actions:evidence_add", args=[action.pk]), {"kind": "document", "title": "X"}
    )
    assert "Select a file to upload." in response.content.decode()
    assert not Evidence.objects.exists()


def test_links_and_notes_are_evidence_too(action, owner, signed_in):
    client = signed_in(owner)
    add = reverse("actions:evidence_add", args=[action.pk])
    client.post(add, {"kind": "link", "title": "Force policy", "url": "https://example.org/p"})
    client.post(add, {"kind": "note", "title": "Dip sample", "note": "94% compliant"})
    assert set(action.evidence.values_list("kind", "title")) == {
        ("link", "Force policy"),
        ("note", "Dip sample"),
    }


def test_a_link_needs_a_valid_url_and_a_note_needs_text(action, owner, signed_in):
    client = signed_in(owner)
    add = reverse("actions:evidence_add", args=[action.pk])
    bad_link = client.post(add, {"kind": "link", "title": "Policy", "url": "not a url"})
    assert "Enter a valid URL." in bad_link.content.decode()
    empty_note = client.post(add, {"kind": "note", "title": "Dip sample", "note": " "})
    assert "Enter the data note." in empty_note.content.decode()
    assert not Evidence.objects.exists()


def test_download_is_an_attachment_with_nosniff_and_the_original_name(action, owner, signed_in):
    client = signed_in(owner)
    upload(client, action, "Audit report.pdf", PDF)
    evidence = action.evidence.get()
    response = client.get(reverse("actions:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Audit report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_download_of_another_forces_evidence_is_404(action, owner, other_force_owner, signed_in):
    upload(signed_in(owner), action, "audit.pdf", PDF)
    evidence = action.evidence.get()
    response = signed_in(other_force_owner).get(
        reverse("actions:evidence_download", args=[evidence.pk])
    )
    assert response.status_code == 404


def test_a_note_has_nothing_to_download(action, owner, signed_in):
    evidence = EvidenceFactory(action=action, submitted_by=owner)
    response = signed_in(owner).get(reverse("actions:evidence_download", args=[evidence.pk]))
    assert response.status_code == 404


def test_media_root_is_not_served_by_any_url(client):
    assert settings.MEDIA_URL is None
    assert client.get("/private-media/evidence/").status_code == 404


def test_opcc_assures_evidence_with_a_note(action, owner, opcc_officer, signed_in):
    evidence = EvidenceFactory(action=action, submitted_by=owner)
    assure = reverse("actions:evidence_assure", args=[evidence.pk])
    client = signed_in(opcc_officer)
    response = client.post(assure, {"note": ""})
    assert "Enter an assurance note." in response.content.decode()
    evidence.refresh_from_db()
    assert not evidence.is_assured
    client.post(assure, {"note": "Checked against the force's records."})
    evidence.refresh_from_db()
    assert (evidence.assured_by, evidence.assurance_note) == (
        opcc_officer,
        "Checked against the force's records.",
    )


def test_evidence_cannot_be_added_to_a_closed_action(owner, signed_in):
    from tests.factories import ActionFactory

    action = ActionFactory(
        finding__inspection__force=owner.force,
        owner=owner,
        status="closed",
        closure_summary="Done",
    )
    response = signed_in(owner).post(
        reverse("actions:evidence_add", args=[action.pk]),
        {"kind": "note", "title": "Late", "note": "More"},
    )
    assert "reopen it first" in response.content.decode()
    assert not Evidence.objects.exists()


def test_the_evidence_page_names_the_configured_upload_limit(action, owner, signed_in, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 7
    html = signed_in(owner).get(reverse("actions:evidence_add", args=[action.pk])).content.decode()
    assert "smaller than 7 MB" in html and "upload limit" not in html


# Independent assurance and returns (issue 19 items 1 and 2)


def test_an_officer_cannot_assure_their_own_evidence_and_close_alone(
    action, opcc_officer, signed_in
):
    client = signed_in(opcc_officer)
    client.post(
        reverse("actions:evidence_add", args=[action.pk]),
        {"kind": "note", "title": "Dip sample", "note": "All compliant."},
    )
    evidence = action.evidence.get()
    page = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    assert "You added this evidence, so someone else must assure it." in page
    assert reverse("actions:evidence_assure", args=[evidence.pk]) not in page
    response = client.post(
        reverse("actions:evidence_assure", args=[evidence.pk]), {"note": "Fine."}
    )
    assert "someone else must assure it" in response.content.decode()
    evidence.refresh_from_db()
    assert not evidence.is_assured


def test_closing_on_evidence_only_the_closer_assured_is_refused(
    action, owner, opcc_officer, second_opcc_officer, signed_in
):
    evidence = EvidenceFactory(action=action, submitted_by=owner)
    client = signed_in(opcc_officer)
    client.post(reverse("actions:evidence_assure", args=[evidence.pk]), {"note": "Checked."})
    page = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    assert f"Assured by {opcc_officer} on" in page and f"added by {owner}" in page
    from actions import services

    services.action_propose_closure(by=owner, action=action, narrative="Done.")
    response = client.post(
        reverse("actions:close", args=[action.pk]), {"closure_summary": "Delivered."}
    )
    assert "assured evidence yourself: someone else must" in response.content.decode()
    signed_in(second_opcc_officer).post(
        reverse("actions:close", args=[action.pk]), {"closure_summary": "Delivered."}
    )
    action.refresh_from_db()
    assert action.status == "closed"


def test_the_office_can_require_the_assurer_not_to_be_the_lead(
    action, owner, opcc_officer, signed_in, settings
):
    settings.ASSURANCE_ASSURER_NOT_LEAD = True
    evidence = EvidenceFactory(action=action, submitted_by=owner)
    response = signed_in(opcc_officer).post(
        reverse("actions:evidence_assure", args=[evidence.pk]), {"note": "Checked."}
    )
    assert "OPCC lead, so someone else must assure its evidence" in response.content.decode()
    evidence.refresh_from_db()
    assert not evidence.is_assured


def test_returning_evidence_sends_the_action_back_with_the_reason(
    action, owner, opcc_officer, signed_in
):
    from actions import services
    from actions.models import Reminder

    evidence = EvidenceFactory(action=action, submitted_by=owner)
    services.action_propose_closure(by=owner, action=action, narrative="Done.")
    client = signed_in(opcc_officer)
    empty = client.post(reverse("actions:evidence_return", args=[evidence.pk]), {"reason": ""})
    assert "Enter what more is needed." in empty.content.decode()
    client.post(
        reverse("actions:evidence_return", args=[evidence.pk]),
        {"reason": "Only one month sampled."},
    )
    action.refresh_from_db()
    evidence.refresh_from_db()
    assert action.status == "in_progress" and action.proposed_by is None
    assert evidence.is_returned and evidence.return_reason == "Only one month sampled."
    reason = action.history.latest().history_change_reason
    assert reason.startswith("Returned for more evidence") and "one month" in reason
    notice = Reminder.objects.get(recipient=owner, kind="action_returned")
    assert "Only one month sampled." in notice.detail
    again = client.post(
        reverse("actions:evidence_assure", args=[evidence.pk]), {"note": "Fine after all."}
    )
    assert "returned to the owner" in again.content.decode()


def test_returning_a_closure_proposal(action, owner, opcc_officer, signed_in):
    from actions import services

    client = signed_in(opcc_officer)
    refused = client.post(reverse("actions:return", args=[action.pk]), {"reason": "More"})
    assert "Only an action proposed for closure can be returned." in refused.content.decode()
    services.action_propose_closure(by=owner, action=action, narrative="Done.")
    page = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    assert reverse("actions:return", args=[action.pk]) in page
    client.post(reverse("actions:return", args=[action.pk]), {"reason": "Need the audit."})
    action.refresh_from_db()
    assert action.status == "in_progress"
    assert action.history.latest().history_change_reason == (
        "Returned for more evidence: Need the audit."
    )
