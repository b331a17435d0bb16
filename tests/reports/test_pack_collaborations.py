"""A partner office's paper reports the collaborations shared with its forces, marked, and
with only public wording for the public (issue 23 s.3)."""

import pytest
from django.urls import reverse

from actions import collaboration_services
from actions.models import Update
from reports import services
from tests.factories import (
    ActionFactory,
    FindingFactory,
    ForceFactory,
    MeetingFactory,
    OfficeFactory,
    persona,
)
from tracker import roles

pytestmark = pytest.mark.django_db

HERTS = "Office of the Police and Crime Commissioner for Testshire"


@pytest.fixture
def partner(force, opcc_officer, owner):
    """Cambridgeshire's office, its officer and meeting; a Testshire action shared with it."""
    office = OfficeFactory(name="OPCC for Cambridgeshire", slug="cambridgeshire")
    cambs = ForceFactory(name="Cambridgeshire Constabulary", office=office)
    staff = persona(roles.OPCC_STAFF, username="opcc-cambs", office=office)
    finding = FindingFactory(
        inspection__force=force, text="Internal wording.", public_text="Public wording."
    )
    shared = ActionFactory(finding=finding, title="Joint unit review", owner=owner)
    ActionFactory(finding=finding, title="Not shared")
    collaboration_services.action_share(
        by=opcc_officer, action=shared, force=cambs, reason="Joint unit"
    )
    Update.objects.create(
        action=shared,
        author=owner,
        narrative="Staff-only progress.",
        public_narrative="Progress for the public.",
        status="in_progress",
        rag="green",
        percent_complete=20,
    )
    meeting = MeetingFactory(office=office, kind="panel", title="Cambridgeshire Panel")
    return {"staff": staff, "meeting": meeting, "shared": shared}


def test_the_partner_offices_pack_reports_the_shared_action_marked(partner, signed_in, client):
    pack = services.pack_generate(by=partner["staff"], meeting=partner["meeting"], pdf=False)
    [row] = pack.snapshot["collaborations"]
    assert row["id"] == partner["shared"].pk
    assert row["managed_by"] == HERTS
    assert row["partner_forces"] == ["Cambridgeshire Constabulary"]
    html = signed_in(partner["staff"]).get(reverse("reports:pack", args=[pack.pk]))
    html = html.content.decode()
    section = html[html.index('id="collaborations-heading"') : html.index('id="exceptions"')]
    assert "Joint unit review" in section and "Not shared" not in section
    assert HERTS in section
    assert "Staff-only progress." in section
    services.pack_publish(by=partner["staff"], pack=pack, public=True)
    client.logout()
    public = client.get(pack.get_public_url()).content.decode()
    assert "Joint unit review" in public
    assert "Progress for the public." in public and "Public wording." in public
    assert "Staff-only progress." not in public and "Internal wording." not in public


def test_the_owning_offices_pack_has_no_collaborations_section_for_its_own_actions(
    partner, opcc_officer, signed_in
):
    meeting = MeetingFactory(kind="apm")
    pack = services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
    assert pack.snapshot["collaborations"] == []
    html = signed_in(opcc_officer).get(reverse("reports:pack", args=[pack.pk])).content.decode()
    assert 'id="collaborations-heading"' not in html
