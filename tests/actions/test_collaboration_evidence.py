"""Evidence of a collaboration (issue 23): the owning office's staff and owners as before; a
partner office's OPCC staff read and download it and add, assure or return none; a partner
force's owner only while they own the action or are its delegate; another office 404; the Panel
403. roles.can_see_evidence and Evidence.objects.visible_to agree.

The world: Testshire's office owns the action and shares it with Cambridgeshire (another
office); Bedfordshire's office is a third office the action is not shared with."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from actions.models import Action, Evidence
from tests.factories import (
    ActionFactory,
    ActionPartnerFactory,
    EvidenceFactory,
    ForceFactory,
    OfficeFactory,
    persona,
)
from tracker import roles

pytestmark = pytest.mark.django_db

DOWNLOAD = "The tri-force audit."


@pytest.fixture
def world(force, owner, opcc_officer, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    cambs_office = OfficeFactory(name="Cambridgeshire's office", slug="cambridgeshire")
    beds_office = OfficeFactory(name="Bedfordshire's office", slug="bedfordshire")
    cambs = ForceFactory(name="Cambridgeshire Constabulary", office=cambs_office)
    beds = ForceFactory(name="Bedfordshire Police", office=beds_office)
    assigned = persona(roles.ACTION_OWNER, username="owner-cambs-assigned", force=cambs)
    delegate = persona(roles.ACTION_OWNER, username="owner-cambs-delegate", force=cambs)
    shared = ActionFactory(
        finding__inspection__force=force,
        title="Tri-force unit review",
        owner=assigned,
        delegate=delegate,
    )
    ActionPartnerFactory(action=shared, force=cambs, shared_by=opcc_officer)
    evidence = EvidenceFactory(
        action=shared,
        submitted_by=assigned,
        kind=Evidence.Kind.DOCUMENT,
        title="Tri-force audit report",
        note="",
        original_filename="audit.txt",
        content_type="text/plain",
        file=ContentFile(DOWNLOAD.encode(), name="audit.txt"),
    )
    people = {
        "owning_staff": opcc_officer,
        "owning_force_owner": owner,  # Testshire's owner, not assigned: sees their force's
        "partner_staff": persona(roles.OPCC_STAFF, username="opcc-cambs", office=cambs_office),
        "partner_owner_assigned": assigned,
        "partner_owner_delegate": delegate,
        "partner_owner_not_assigned": persona(
            roles.ACTION_OWNER, username="owner-cambs", force=cambs
        ),
        "other_staff": persona(roles.OPCC_STAFF, username="opcc-beds", office=beds_office),
        "other_owner": persona(roles.ACTION_OWNER, username="owner-beds", force=beds),
        "panel": persona(roles.PANEL_MEMBER, username="panel"),
    }
    return {"people": people, "shared": shared, "evidence": evidence}


DOWNLOAD_CASES = [
    ("owning_staff", 200),
    ("owning_force_owner", 200),
    ("partner_staff", 200),
    ("partner_owner_assigned", 200),
    ("partner_owner_delegate", 200),
    ("partner_owner_not_assigned", 404),
    ("other_staff", 404),
    ("other_owner", 404),
    ("panel", 403),
]


@pytest.mark.parametrize(("who", "expected"), DOWNLOAD_CASES)
def test_the_evidence_download_answers_each_reader(world, client, who, expected):
    client.force_login(world["people"][who])
    response = client.get(reverse("actions:evidence_download", args=[world["evidence"].pk]))
    assert response.status_code == expected, who
    if expected == 200:
        assert b"".join(response.streaming_content).decode() == DOWNLOAD


@pytest.mark.parametrize(("who", "expected"), DOWNLOAD_CASES)
def test_can_see_evidence_and_visible_to_agree(world, who, expected):
    user = world["people"][who]
    action = Action.objects.get(pk=world["shared"].pk)
    visible = Evidence.objects.visible_to(user).filter(pk=world["evidence"].pk).exists()
    assert roles.can_see_evidence(user, action) is (expected == 200)
    assert visible is (expected == 200)


def test_the_download_is_404_to_a_partner_owner_once_no_longer_assigned(world, client, owner):
    assigned = world["people"]["partner_owner_assigned"]
    Action.objects.filter(pk=world["shared"].pk).update(owner=owner, delegate=None)
    client.force_login(assigned)
    response = client.get(reverse("actions:evidence_download", args=[world["evidence"].pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["partner_staff", "partner_owner_not_assigned"])
def test_partner_readers_add_assure_and_return_no_evidence(world, client, who):
    client.force_login(world["people"][who])
    evidence_pk = world["evidence"].pk
    posts = {
        reverse("actions:evidence_add", args=[world["shared"].pk]): {
            "kind": "note",
            "title": "Ours",
            "note": "Added by a partner.",
        },
        reverse("actions:evidence_assure", args=[evidence_pk]): {"note": "Fine"},
        reverse("actions:evidence_return", args=[evidence_pk]): {"reason": "More"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code in (403, 404), url
    evidence = Evidence.objects.get()
    assert (evidence.assured_at, evidence.returned_at) == (None, None)


def test_the_action_page_and_history_show_the_evidence_only_to_its_readers(world, client):
    shared = world["shared"]
    pages = [
        reverse("actions:detail", args=[shared.pk]),
        reverse("actions:history", args=[shared.pk]),
    ]
    for who, sees in [("partner_staff", True), ("partner_owner_not_assigned", False)]:
        client.force_login(world["people"][who])
        for url in pages:
            html = client.get(url).content.decode()
            assert ("Tri-force audit report" in html) is sees, (who, url)
        download = reverse("actions:evidence_download", args=[world["evidence"].pk])
        assert (download in client.get(pages[0]).content.decode()) is sees, who
