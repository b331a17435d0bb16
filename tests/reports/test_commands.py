"""generate_pack (scheduled generation) and `benchmark pack`, run as commands."""

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from reports.models import BriefingPack
from tests.factories import MeetingFactory, actions_for
from tracker.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_generate_pack_makes_a_new_version_and_writes_the_pdf(force, tmp_path):
    actions = actions_for(force, 3, owner_role_title="ACC Crime")
    meeting = MeetingFactory(title="APM June")
    meeting.inspections.add(actions[0].finding.inspection)
    out = io.StringIO()
    path = tmp_path / "pack.pdf"
    call_command("generate_pack", str(meeting.pk), "--pdf", str(path), stdout=out)
    pack = BriefingPack.objects.get()
    system = User.objects.get(username="system")
    assert (pack.version, pack.generated_by, pack.pdf_status) == (1, system, "ready")
    # No person ran it: every history row it wrote names the system user, never nobody.
    assert {row.history_user for row in pack.history.all()} == {system}
    assert [row.history_change_reason for row in pack.history.order_by("history_id")] == [
        "Generated version 1",
        "PDF requested",
        "PDF generated",
    ]
    assert not system.is_active and not system.has_usable_password()
    assert not system.groups.exists()
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


def test_the_pack_benchmark_prints_html_and_pdf_times_and_leaves_nothing_behind():
    out = io.StringIO()
    call_command("benchmark", "pack", "--actions", "6", stdout=out)
    text = out.getvalue()
    assert "Briefing pack with 6 actions" in text
    assert "HTML total:" in text and "PDF (WeasyPrint):" in text
    assert not BriefingPack.objects.exists()
