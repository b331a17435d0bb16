"""The pack as PDF (rendered by the Celery task, read back with pypdf), XLSX and CSV; the Panel
summary; publishing. Owners' names appear only to OPCC staff; everyone else sees role titles."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import services
from reports.models import BriefingPack
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db


def area_key(pack, name):
    return next(area["key"] for area in pack.snapshot["areas"] if area["area"] == name)


def publish(client, pack, capture, *, public):
    """Write the Panel summary and publish, running the PDF task as a worker would."""
    narratives = {
        "overall": "Two areas are behind plan.",
        area_key(pack, "Investigating crime"): "Training is blocked by a lack of trainers.",
    }
    with at(2025, 3, 26), capture(execute=True):
        response = client.post(reverse("reports:pack_narratives", args=[pack.pk]), narratives)
        assert response.status_code == 302
        data = {"public": "on"} if public else {}
        response = client.post(reverse("reports:pack_publish", args=[pack.pk]), data)
    assert response.status_code == 302
    pack.refresh_from_db()
    return pack


def pdf_text(content):
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())  # lines wrap anywhere in a PDF


def test_published_pdf_holds_the_key_figures_page_numbers_and_contents(
    pack, owner, opcc_officer, panel_member, signed_in, client, django_capture_on_commit_callbacks
):
    publish(signed_in(opcc_officer), pack, django_capture_on_commit_callbacks, public=False)
    assert pack.pdf_status == BriefingPack.PdfStatus.READY
    assert pack.history.filter(history_change_reason="PDF generated").exists()
    client.force_login(panel_member)
    response = client.get(reverse("reports:pack_pdf", args=[pack.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content))
    for expected in [
        "Report to Accountability & Performance Meeting: APM April",
        "Contents",
        "Page 1 of",
        "Two areas are behind plan.",
        "Training is blocked by a lack of trainers.",
        "Requires improvement",
        "Analyst recruitment",
        "24 days overdue",
        "Problem-solving plan",
        "10 December 2024",
        "Recommendation 1",
        "Improve supervision of investigations.",  # the public wording, not the original
        "ACC Crime",
    ]:
        assert expected in text, expected
    assert str(owner) not in text  # role titles only in the PDF
    assert "Supervise every investigation." not in text


def test_pack_page_says_the_pdf_is_being_generated_until_it_is_ready(pack, opcc_officer, signed_in):
    client = signed_in(opcc_officer)
    html = client.get(reverse("reports:pack", args=[pack.pk])).content.decode()
    assert "No PDF has been made yet." in html
    pack.pdf_status = BriefingPack.PdfStatus.PENDING
    pack.save()
    html = client.get(reverse("reports:pack", args=[pack.pk])).content.decode()
    assert "The PDF is being generated." in html
    assert f'href="{reverse("reports:pack", args=[pack.pk])}">Refresh this page' in html
    assert client.get(reverse("reports:pack_pdf", args=[pack.pk])).status_code == 404


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_staff_csv_has_every_action_row_with_owners_names(pack, owner, opcc_officer, signed_in):
    response = signed_in(opcc_officer).get(reverse("reports:pack_csv", args=[pack.pk]))
    header, *rows = csv_rows(response)
    assert response["Content-Disposition"] == (
        'attachment; filename="briefing-pack-2025-04-01-v1.csv"'
    )
    assert header[6:10] == ["Action", "Owner", "Owner's role title", "OPCC lead"]
    assert len(rows) == 5
    by_title = {row[6]: dict(zip(header, row, strict=True)) for row in rows}
    audit = by_title["Supervision audit"]
    assert audit["Owner"] == f"{owner} (ACC Crime)"
    assert audit["OPCC lead"] == str(opcc_officer)
    assert (audit["Deadline"], audit["Original deadline"]) == ("2025-07-01", "2025-03-01")
    assert by_title["Analyst recruitment"]["Overdue"] == "Yes"
    assert by_title["Analyst recruitment"]["RAG"] == "Red"
    reasons = "Reasons (blocked, deadline moved, overdue, reopened)"
    assert audit[reasons] == "Deadline moved: Scope grew."
    assert audit["Latest update"] == "Audit started."
    assert by_title["Investigation training"][reasons] == "Blocked: No trainers available."


def test_panel_xlsx_and_public_csv_show_role_titles_never_names(
    pack, owner, opcc_officer, panel_member, signed_in, client, django_capture_on_commit_callbacks
):
    publish(signed_in(opcc_officer), pack, django_capture_on_commit_callbacks, public=True)
    client.force_login(panel_member)
    response = client.get(reverse("reports:pack_xlsx", args=[pack.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert "OPCC lead" not in header
    assert len(body) == 5
    owners = {row[header.index("Owner")] for row in body}
    assert owners == {"ACC Crime"}
    assert body[0][header.index("Deadline")].year == 2025  # a real date cell
    client.logout()
    response = client.get(
        reverse("reports:public_pack_csv", args=[pack.meeting.office.slug, pack.uuid])
    )
    text = response.content.decode("utf-8-sig")
    assert "ACC Crime" in text and str(owner) not in text and str(opcc_officer) not in text
    # Only words written for the public: no internal update or reason reaches the Panel's file.
    assert "Blocked: none given" in text
    for secret in ("Scope grew.", "No trainers available.", "Audit started."):
        assert secret not in text


def test_panel_and_public_pages_show_role_titles_and_the_panel_summary(
    pack, owner, opcc_officer, panel_member, signed_in, client, django_capture_on_commit_callbacks
):
    publish(signed_in(opcc_officer), pack, django_capture_on_commit_callbacks, public=True)
    for user in (panel_member, None):
        client.logout()
        if user:
            client.force_login(user)
        url = reverse("reports:pack", args=[pack.pk]) if user else pack.get_public_url()
        html = client.get(url).content.decode()
        assert "Training is blocked by a lack of trainers." in html
        assert "owner: ACC Crime" in html
        assert str(owner) not in html
        assert "<script" not in html
        assert 'src="data:image/svg+xml;base64,' in html


def test_a_published_pack_can_no_longer_change(
    pack, opcc_officer, signed_in, django_capture_on_commit_callbacks
):
    client = signed_in(opcc_officer)
    publish(client, pack, django_capture_on_commit_callbacks, public=False)
    response = client.post(
        reverse("reports:pack_narratives", args=[pack.pk]), {"overall": "Rewritten."}
    )
    assert response.status_code == 200
    assert "This pack is published, so it can no longer change." in response.content.decode()
    pack.refresh_from_db()
    assert pack.narratives["overall"] == "Two areas are behind plan."


def test_making_a_published_pack_public_needs_a_reason_and_is_audited(
    pack, opcc_officer, signed_in, client, django_capture_on_commit_callbacks
):
    staff = signed_in(opcc_officer)
    publish(staff, pack, django_capture_on_commit_callbacks, public=False)
    url = reverse("reports:pack_public", args=[pack.pk])
    response = staff.post(url, {"public": "on", "reason": ""})
    assert "Enter a reason for the change." in response.content.decode()
    pack.refresh_from_db()
    assert not pack.is_public
    assert staff.post(url, {"public": "on", "reason": "Panel agreed."}).status_code == 302
    pack.refresh_from_db()
    assert pack.is_public
    latest = pack.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (
        opcc_officer,
        "Made public: Panel agreed.",
    )
    client.logout()
    assert client.get(pack.get_public_url()).status_code == 200


def test_a_pdf_rendered_before_the_summary_changed_is_not_stored_but_rendered_again(
    pack, opcc_officer, django_capture_on_commit_callbacks
):
    before = services.pdf_inputs(pack)
    with django_capture_on_commit_callbacks(execute=False):
        services.pack_save_narratives(by=opcc_officer, pack=pack, narratives={"overall": "New."})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.pack_store_pdf(pack_id=pack.pk, content=b"%PDF stale", rendered_from=before)
    pack.refresh_from_db()
    assert (pack.pdf_status, pack.pdf.name) == (BriefingPack.PdfStatus.PENDING, "")
    assert len(callbacks) == 1  # rendered again
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    pack.refresh_from_db()
    assert pack.pdf_status == BriefingPack.PdfStatus.READY
    assert "New." in pdf_text(pack.pdf.read())


def test_evidence_titles_are_for_staff_only(
    pack, opcc_officer, panel_member, signed_in, client, django_capture_on_commit_callbacks
):
    staff_html = signed_in(opcc_officer).get(reverse("reports:pack", args=[pack.pk]))
    assert "Adopted plan (data note)" in staff_html.content.decode()
    services.pack_publish(by=opcc_officer, pack=pack, public=False)
    client.force_login(panel_member)
    html = client.get(reverse("reports:pack", args=[pack.pk])).content.decode()
    assert "Adopted plan" not in html
    assert "Data note, assured 21 Feb 2025" in html


def test_an_internal_reopen_reason_reaches_staff_only_never_the_panel_or_the_public(
    pack, opcc_officer, panel_member, signed_in, client, django_capture_on_commit_callbacks
):
    """The reopening is reported to every audience; the reason typed for it (an internal note)
    only to OPCC staff, on the page, the PDF's HTML and the spreadsheets alike."""
    reason = "Plan not followed."
    publish(signed_in(opcc_officer), pack, django_capture_on_commit_callbacks, public=True)
    staff = client.get(reverse("reports:pack", args=[pack.pk])).content.decode()
    assert reason in staff
    client.logout()
    public = client.get(pack.get_public_url()).content.decode()
    public_csv = client.get(
        reverse("reports:public_pack_csv", args=[pack.meeting.office.slug, pack.uuid])
    ).content
    client.force_login(panel_member)
    panel = client.get(reverse("reports:pack", args=[pack.pk])).content.decode()
    for page in (public, panel):
        assert "reopened" in page
        assert reason not in page
    assert reason.encode() not in public_csv
    assert reason not in pdf_text(pack.pdf.read())
