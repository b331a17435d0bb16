"""generate_pack (scheduled generation) and bench_pack (the benchmark), run as commands."""

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from reports.models import BriefingPack
from tests.factories import MeetingFactory, actions_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_generate_pack_makes_a_new_version_and_writes_the_pdf(force, tmp_path):
    actions = actions_for(force, 3, owner_role_title="ACC Crime")
    meeting = MeetingFactory(title="APM June")
    meeting.inspections.add(actions[0].finding.inspection)
    out = io.StringIO()
    path = tmp_path / "pack.pdf"
    call_command("generate_pack", str(meeting.pk), "--pdf", str(path), stdout=out)
    pack = BriefingPack.objects.get()
    assert (pack.version, pack.generated_by, pack.pdf_status) == (1, None, "ready")
    assert f"Briefing pack version 1 for {meeting}" in out.getvalue()
    assert f"/packs/{pack.pk}/" in out.getvalue()
    assert f"PDF written to {path.resolve()}" in out.getvalue()
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Report to Accountability & Performance Meeting: APM June" in " ".join(text.split())
    call_command("generate_pack", str(meeting.pk), stdout=io.StringIO())
    assert list(meeting.packs.values_list("version", flat=True)) == [2, 1]


def test_generate_pack_says_clearly_when_the_meeting_does_not_exist():
    with pytest.raises(CommandError, match="There is no meeting with id 999"):
        call_command("generate_pack", "999")


def test_bench_pack_prints_html_and_pdf_times_and_leaves_nothing_behind():
    out = io.StringIO()
    call_command("bench_pack", "--actions", "6", stdout=out)
    text = out.getvalue()
    assert "Briefing pack with 6 actions" in text
    assert "HTML total:" in text and "PDF (WeasyPrint):" in text
    assert not BriefingPack.objects.exists()
