"""Collaborations: an action shared with partner forces (issue 23 s.3), through the pages.

The world: Hertfordshire's office owns an action and shares it with Cambridgeshire (another
office); Bedfordshire's office is a third office the action is not shared with.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from actions import collaboration_services, extension_services, services
from actions.models import Action, ActionPartner, Evidence
from tests.factories import (
    ActionFactory,
    EvidenceFactory,
    FindingFactory,
    ForceFactory,
    OfficeFactory,
    persona,
)
from tracker import roles
from tracker.audit import WorkflowError

pytestmark = pytest.mark.django_db

CAMBS = "Office of the Police and Crime Commissioner for Cambridgeshire"
BEDS = "Office of the Police and Crime Commissioner for Bedfordshire"


@pytest.fixture
def world(force, owner, opcc_officer):
    """Hertfordshire (the home office) owns `shared`, shared with Cambridgeshire; `unshared` is
    another Hertfordshire action."""
    cambs_office = OfficeFactory(name=CAMBS, slug="cambridgeshire")
    beds_office = OfficeFactory(name=BEDS, slug="bedfordshire")
    cambs = ForceFactory(name="Cambridgeshire Constabulary", office=cambs_office)
    beds = ForceFactory(name="Bedfordshire Police", office=beds_office)
    people = {
        "owning_staff": opcc_officer,
        "partner_staff": persona(roles.OPCC_STAFF, username="opcc-cambs", office=cambs_office),
        "other_staff": persona(roles.OPCC_STAFF, username="opcc-beds", office=beds_office),
        "owner": owner,
        "partner_owner": persona(roles.ACTION_OWNER, username="owner-cambs", force=cambs),
        "other_owner": persona(roles.ACTION_OWNER, username="owner-beds", force=beds),
        "panel": persona(roles.PANEL_MEMBER, username="panel"),
    }
    finding = FindingFactory(
        inspection__force=force,
        inspection__title="PEEL 2023-25: Hertfordshire",
        text="The force should improve the tri-force unit's case supervision.",
    )
    shared = ActionFactory(finding=finding, title="Tri-force supervision review", owner=owner)
    unshared = ActionFactory(finding=finding, title="Hertfordshire only", owner=owner)
    collaboration_services.action_share(
        by=opcc_officer, action=shared, force=cambs, reason="Tri-force major crime unit"
    )
    return {
        "people": people,
        "shared": shared,
        "unshared": unshared,
        "cambs": cambs,
        "beds": beds,
    }


def url(name, *args):
    return reverse(f"actions:{name}", args=args)


# Sharing and unsharing: the services


def test_sharing_records_who_when_and_why(world):
    partner = ActionPartner.objects.get(action=world["shared"])
    assert partner.force == world["cambs"]
    assert partner.shared_by == world["people"]["owning_staff"]
    record = partner.history.get()
    assert record.history_user == world["people"]["owning_staff"]
    assert record.history_change_reason == (
        "Shared with Cambridgeshire Constabulary: Tri-force major crime unit"
    )


def test_unsharing_keeps_who_and_why_in_the_history(world):
    staff = world["people"]["owning_staff"]
    collaboration_services.action_unshare(
        by=staff, action=world["shared"], force=world["cambs"], reason="Unit disbanded"
    )
    assert not world["shared"].partners.exists()
    ended = ActionPartner.history.filter(action_id=world["shared"].pk, history_type="-").get()
    assert ended.history_user == staff
    assert ended.history_change_reason.endswith("Unit disbanded")


def test_the_action_page_shows_each_share_and_unshare_reason_in_full(world, client):
    staff = world["people"]["owning_staff"]
    why = "The joint unit was disbanded on 1 April " + "and its work returned to each force " * 4
    assert len(why) > 100  # longer than a history row's change reason holds
    client.force_login(staff)
    response = client.post(
        url("unshare", world["shared"].pk), {"force": world["cambs"].pk, "reason": why}
    )
    assert response.status_code == 302
    html = client.get(url("detail", world["shared"].pk)).content.decode()
    assert why.strip() in html
    assert "Tri-force major crime unit" in html  # the share's own reason, beside it
    # On a narrow screen the table scrolls in its own region, not the page sideways.
    assert 'class="app-table-scroll" role="region" aria-label="Sharing history"' in html


@pytest.mark.parametrize("who", ["partner_staff", "other_staff", "owner", "partner_owner"])
def test_only_the_owning_office_shares(world, who):
    with pytest.raises(WorkflowError):
        collaboration_services.action_share(
            by=world["people"][who], action=world["unshared"], force=world["cambs"], reason="x"
        )
    assert not world["unshared"].partners.exists()


def test_an_action_is_not_shared_with_its_own_force_or_twice(world, force):
    staff = world["people"]["owning_staff"]
    with pytest.raises(WorkflowError, match="own force"):
        collaboration_services.action_share(
            by=staff, action=world["shared"], force=force, reason="x"
        )
    with pytest.raises(WorkflowError, match="already shared"):
        collaboration_services.action_share(
            by=staff, action=world["shared"], force=world["cambs"], reason="x"
        )


def test_sharing_needs_a_reason(world):
    with pytest.raises(WorkflowError, match="reason"):
        collaboration_services.action_share(
            by=world["people"]["owning_staff"],
            action=world["unshared"],
            force=world["cambs"],
            reason="  ",
        )


def test_unsharing_is_refused_while_a_partner_owner_is_assigned(world):
    staff, partner_owner = world["people"]["owning_staff"], world["people"]["partner_owner"]
    services.action_assign(by=staff, action=world["shared"], owner=partner_owner, opcc_lead=None)
    with pytest.raises(WorkflowError, match="assign someone else"):
        collaboration_services.action_unshare(
            by=staff, action=world["shared"], force=world["cambs"], reason="Ended"
        )
    assert world["shared"].partners.exists()


def test_a_partner_owner_cannot_be_assigned_an_unshared_action(world):
    with pytest.raises(WorkflowError, match="not an action owner"):
        services.action_assign(
            by=world["people"]["owning_staff"],
            action=world["unshared"],
            owner=world["people"]["partner_owner"],
            opcc_lead=None,
        )


# Who sees what: Python and SQL agree


@pytest.mark.parametrize(
    ("who", "sees_shared", "sees_unshared"),
    [
        ("owning_staff", True, True),
        ("partner_staff", True, False),
        ("other_staff", False, False),
        ("owner", True, True),
        ("partner_owner", True, False),
        ("other_owner", False, False),
        ("panel", False, False),
    ],
)
def test_can_see_action_and_visible_to_agree(world, who, sees_shared, sees_unshared):
    user = world["people"][who]
    visible = set(Action.objects.visible_to(user).values_list("pk", flat=True))
    for action, expected in ((world["shared"], sees_shared), (world["unshared"], sees_unshared)):
        action = Action.objects.get(pk=action.pk)
        assert roles.can_see_action(user, action) is expected
        assert (action.pk in visible) is expected


@pytest.mark.parametrize(
    ("who", "may_change"),
    [
        ("owning_staff", True),
        ("partner_staff", False),
        ("other_staff", False),
        ("partner_owner", False),
    ],
)
def test_can_change_action_and_managed_by_agree(world, who, may_change):
    user = world["people"][who]
    assert roles.can_change_action(user, world["shared"]) is may_change
    assert Action.objects.managed_by(user).filter(pk=world["shared"].pk).exists() is may_change


# Every URL of the shared action, for every role. partner_owner is not assigned the action;
# assigned is a partner owner who owns it (assigned by the owning office). The evidence is not
# partner_owner's to see (roles.can_see_evidence): its URLs are 404 to them, as a missing one.
SHARED_MATRIX = """
url                owning_staff  partner_staff  other_staff  partner_owner  assigned  panel
detail             200           200            404          200            200       403
history            200           200            404          200            200       403
edit               200           403            404          403            403       403
assign             200           403            404          403            403       403
deadline           200           403            404          403            403       403
share              200           403            404          403            403       403
unshare            200           403            404          403            403       403
close              200           403            404          403            403       403
sustain            200           403            404          403            403       403
reopen             200           403            404          403            403       403
return             200           403            404          403            403       403
update             200           403            404          403            200       403
propose            200           403            404          403            200       403
evidence_add       200           403            404          403            200       403
extension_request  403           403            404          403            200       403
evidence_assure    200           403            404          404            403       403
evidence_return    200           403            404          404            403       403
evidence_download  200           200            404          404            200       403
extension_decide   200           403            404          403            403       403
"""
SHARED_ROLES = SHARED_MATRIX.split()[1:7]
SHARED_CASES = [
    (row[0], role, int(code))
    for row in (line.split() for line in SHARED_MATRIX.strip().splitlines()[1:])
    for role, code in zip(SHARED_ROLES, row[1:], strict=True)
]


@pytest.fixture
def assigned_world(world, tmp_path, settings):
    """world, with the shared action owned by a second Cambridgeshire owner, evidence and an
    extension request on it."""
    settings.MEDIA_ROOT = tmp_path
    assigned = persona(roles.ACTION_OWNER, username="owner-cambs-2", force=world["cambs"])
    shared = world["shared"]
    services.action_assign(
        by=world["people"]["owning_staff"], action=shared, owner=assigned, opcc_lead=None
    )
    evidence = EvidenceFactory(
        action=shared,
        submitted_by=assigned,
        kind=Evidence.Kind.DOCUMENT,
        note="",
        original_filename="audit.txt",
        content_type="text/plain",
        file=ContentFile(b"The audit.", name="audit.txt"),
    )
    extension = extension_services.extension_request(
        by=assigned,
        action=shared,
        requested_deadline=shared.deadline + datetime.timedelta(days=30),
        reason="The partner force's audit is late.",
    )
    world["people"]["assigned"] = assigned
    world["evidence"], world["extension"] = evidence, extension
    return world


def shared_url(name, world):
    if name in ("evidence_assure", "evidence_return", "evidence_download"):
        return url(name, world["evidence"].pk)
    if name == "extension_decide":
        return url(name, world["extension"].pk)
    return url(name, world["shared"].pk)


@pytest.mark.parametrize(("name", "role", "expected"), SHARED_CASES)
def test_the_shared_actions_urls_answer_each_role(assigned_world, client, name, role, expected):
    client.force_login(assigned_world["people"][role])
    response = client.get(shared_url(name, assigned_world))
    assert response.status_code == expected, f"{role} GET {name}"


@pytest.mark.parametrize("who", ["partner_staff", "partner_owner", "other_staff", "other_owner"])
def test_the_unshared_action_is_404_to_other_forces_and_offices(world, client, who):
    client.force_login(world["people"][who])
    for name in ("detail", "history", "share", "edit"):
        assert client.get(url(name, world["unshared"].pk)).status_code == 404


def test_partner_staff_cannot_close_edit_or_move_the_deadline_by_post(world, client):
    shared = world["shared"]
    client.force_login(world["people"]["partner_staff"])
    later = shared.deadline + datetime.timedelta(days=30)
    posts = {
        "edit": {"title": "Taken over", "description": ""},
        "close": {"closure_summary": "Done"},
        "deadline": {"deadline-day": later.day, "deadline-month": later.month,
                     "deadline-year": later.year, "reason": "Later"},
        "share": {"force": world["beds"].pk, "reason": "Why not"},
        "unshare": {"force": world["cambs"].pk, "reason": "Ours now"},
    }  # fmt: skip
    for name, data in posts.items():
        assert client.post(url(name, shared.pk), data).status_code == 403, name
    shared.refresh_from_db()
    assert (shared.title, shared.status, shared.deadline) == (
        "Tri-force supervision review",
        "not_started",
        world["shared"].deadline,
    )
    assert list(shared.partner_forces.all()) == [world["cambs"]]


# The pages


def test_owning_staff_share_through_the_action_page_and_see_the_history(world, client):
    client.force_login(world["people"]["owning_staff"])
    unshared = world["unshared"]
    page = client.get(url("detail", unshared.pk)).content.decode()
    assert url("share", unshared.pk) in page
    response = client.post(
        url("share", unshared.pk), {"force": world["beds"].pk, "reason": "Joint custody unit"}
    )
    assert response.status_code == 302
    page = client.get(url("detail", unshared.pk)).content.decode()
    assert "Bedfordshire Police" in page
    assert "Joint custody unit" in page
    assert "Sharing history" in page


def test_the_share_form_says_what_is_missing(world, client):
    client.force_login(world["people"]["owning_staff"])
    response = client.post(url("share", world["unshared"].pk), {"force": "", "reason": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose the force to share the action with." in html
    assert "Enter a reason for sharing the action." in html


def test_owning_staff_stop_sharing_through_the_page(world, client):
    client.force_login(world["people"]["owning_staff"])
    shared = world["shared"]
    response = client.post(
        url("unshare", shared.pk), {"force": world["cambs"].pk, "reason": "Unit disbanded"}
    )
    assert response.status_code == 302
    assert not shared.partners.exists()
    page = client.get(url("detail", shared.pk)).content.decode()
    assert "Sharing ended with Cambridgeshire Constabulary" in page
    assert "Unit disbanded" in page


def test_partner_staff_read_the_shared_action_marked_as_a_collaboration(world, client):
    client.force_login(world["people"]["partner_staff"])
    shared = world["shared"]
    response = client.get(url("detail", shared.pk))
    html = response.content.decode()
    assert "Collaboration" in html
    assert "Office of the Police and Crime Commissioner for Testshire" in html
    assert "tri-force unit&#x27;s case supervision" in html
    assert "PEEL 2023-25: Hertfordshire" in html
    # No way into the owning office's pages (they would be 404) and no change links.
    assert url("finding", shared.finding_id) not in html
    assert url("inspection", shared.finding.inspection_id) not in html
    for name in ("edit", "assign", "deadline", "close", "share", "update"):
        assert url(name, shared.pk) not in html


def test_partner_staff_find_the_collaboration_in_their_register_and_dashboard(
    world, client, django_assert_max_num_queries
):
    client.force_login(world["people"]["partner_staff"])
    with django_assert_max_num_queries(12):
        response = client.get(url("list"))
    html = response.content.decode()
    assert "Tri-force supervision review" in html
    assert "Hertfordshire only" not in html
    assert "managed by Office of the Police and Crime Commissioner for Testshire" in html
    assert f'value="{world["shared"].pk}"' not in html  # no bulk-change checkbox
    # nor the bulk forms, when no row of the page could be ticked; the owning office has them
    assert "Work on the selected actions" not in html
    assert "Download this row:" in html  # its one row, not "these 1 rows"
    client.force_login(world["people"]["owning_staff"])
    assert "Work on the selected actions" in client.get(url("list")).content.decode()
    client.force_login(world["people"]["partner_staff"])
    soon = timezone.localdate() + datetime.timedelta(days=3)
    Action.objects.filter(pk=world["shared"].pk).update(deadline=soon)
    dashboard = client.get(url("dashboard")).content.decode()
    assert "Tri-force supervision review" in dashboard
    assert "managed by Office of the Police and Crime Commissioner for Testshire" in dashboard


def test_the_register_query_count_does_not_grow_with_collaborations(
    world, client, force, django_assert_max_num_queries
):
    staff = world["people"]["owning_staff"]
    for _ in range(20):
        action = ActionFactory(finding=world["shared"].finding)
        collaboration_services.action_share(
            by=staff, action=action, force=world["cambs"], reason="Unit"
        )
    client.force_login(world["people"]["partner_staff"])
    with django_assert_max_num_queries(12):
        response = client.get(url("list"))
    assert response.content.decode().count("Collaboration</strong>") == 21


@pytest.mark.parametrize("who", ["owning_staff", "owner"])
def test_the_owning_forces_register_marks_the_shared_action_with_its_partners(world, client, who):
    client.force_login(world["people"][who])
    html = client.get(url("list")).content.decode()
    assert "Hertfordshire only" in html
    assert html.count("Collaboration</strong>") == 1  # the shared row only
    assert "shared with 1 partner force</span>" in html
    assert "managed by" not in html  # their own office manages it


def test_a_partner_owner_not_assigned_finds_it_marked_in_their_register(world, client):
    client.force_login(world["people"]["partner_owner"])
    html = client.get(url("list")).content.decode()
    assert html.count("Collaboration</strong>") == 1
    assert "managed by Office of the Police and Crime Commissioner for Testshire" in html


def test_other_offices_registers_do_not_list_the_collaboration(world, client):
    for who in ("other_staff", "other_owner"):
        client.force_login(world["people"][who])
        assert "Tri-force supervision review" not in client.get(url("list")).content.decode()


def test_a_partner_owner_assigned_through_the_page_posts_an_update(world, client):
    staff, partner_owner = world["people"]["owning_staff"], world["people"]["partner_owner"]
    shared = world["shared"]
    client.force_login(staff)
    response = client.post(
        url("assign", shared.pk),
        {"owner": partner_owner.pk, "owner_role_title": "DCI, tri-force unit", "delegate": ""},
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.owner == partner_owner
    client.force_login(partner_owner)
    response = client.post(
        url("update", shared.pk),
        {"narrative": "Unit audit started.", "status": "in_progress", "rag": "green",
         "percent_complete": "10"},
    )  # fmt: skip
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.status == "in_progress"
    assert "My actions" in client.get(url("dashboard")).content.decode()


def test_the_assign_page_offers_partner_owners_only_for_a_shared_action(world, client):
    client.force_login(world["people"]["owning_staff"])
    partner_owner = world["people"]["partner_owner"]
    shared_form = client.get(url("assign", world["shared"].pk)).context["form"]
    unshared_form = client.get(url("assign", world["unshared"].pk)).context["form"]
    assert partner_owner in shared_form.fields["owner"].queryset
    assert partner_owner not in unshared_form.fields["owner"].queryset


def test_partner_staff_cannot_bulk_move_the_collaborations_deadline(world, client):
    client.force_login(world["people"]["partner_staff"])
    shared = world["shared"]
    later = shared.deadline + datetime.timedelta(days=30)
    response = client.post(
        url("bulk_deadline"),
        {"actions": [shared.pk], "deadline-day": later.day, "deadline-month": later.month,
         "deadline-year": later.year, "reason": "Later"},
    )  # fmt: skip
    assert response.status_code == 200
    shared.refresh_from_db()
    assert shared.deadline != later


def test_partner_staff_do_not_see_the_collaborations_extension_requests_to_decide(
    assigned_world, client
):
    client.force_login(assigned_world["people"]["partner_staff"])
    assert client.get(url("dashboard")).context["extensions_total"] == 0
    client.force_login(assigned_world["people"]["owning_staff"])
    assert client.get(url("dashboard")).context["extensions_total"] == 1
