"""Collaborations: a finding shared with partner forces (issue 23 s.3), through the pages.

The world (made once for the module; each test's writes are rolled back): Hertfordshire (the
home office, Testshire's) owns `shared`, a finding with two actions shared with Cambridgeshire
(another office), and `plain`, a finding with one action shared with no one. Bedfordshire's
office is a third office neither is shared with.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import collaboration_services, services
from actions.models import Action, ActionPartner, Finding, FindingPartner
from tests.factories import (
    ActionFactory,
    FindingFactory,
    ForceFactory,
    OfficeFactory,
    kept_for_the_module,
    persona,
)
from tracker import roles

pytestmark = pytest.mark.django_db

TESTSHIRE = "Office of the Police and Crime Commissioner for Testshire"
CAMBS = "Office of the Police and Crime Commissioner for Cambridgeshire"
BEDS = "Office of the Police and Crime Commissioner for Bedfordshire"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        cambs_office = OfficeFactory(name=CAMBS, slug="cambridgeshire")
        beds_office = OfficeFactory(name=BEDS, slug="bedfordshire")
        herts = ForceFactory(name="Hertfordshire Constabulary")
        cambs = ForceFactory(name="Cambridgeshire Constabulary", office=cambs_office)
        beds = ForceFactory(name="Bedfordshire Police", office=beds_office)
        staff = persona(roles.OPCC_STAFF, username="opcc", first_name="Priya", last_name="Shah")
        owner = persona(roles.ACTION_OWNER, username="owner", force=herts)
        people = {
            "own_staff": staff,
            "partner_staff": persona(roles.OPCC_STAFF, username="opcc-cambs", office=cambs_office),
            "other_staff": persona(roles.OPCC_STAFF, username="opcc-beds", office=beds_office),
            "own_owner": owner,
            "partner_owner": persona(roles.ACTION_OWNER, username="owner-cambs", force=cambs),
            "other_owner": persona(roles.ACTION_OWNER, username="owner-beds", force=beds),
            "panel": persona(roles.PANEL_MEMBER, username="panel"),
            "national": persona(roles.NATIONAL_READER, username="national"),
            "admin": persona(roles.ADMINISTRATOR, username="sysadmin", is_staff=True),
            "anon": None,
        }
        shared = FindingFactory(
            inspection__force=herts,
            inspection__title="PEEL 2023-25: Hertfordshire",
            reference="AFI 7",
            text="The tri-force unit should improve its case supervision.",
        )
        first = ActionFactory(finding=shared, title="Tri-force supervision review", owner=owner)
        second = ActionFactory(finding=shared, title="Tri-force training plan", owner=owner)
        plain = FindingFactory(inspection=shared.inspection, reference="AFI 8")
        ActionFactory(finding=plain, title="Hertfordshire only", owner=owner)
        collaboration_services.finding_share(
            by=staff, finding=shared, force=cambs, reason="Tri-force major crime unit"
        )
        yield {
            "people": people,
            "shared": shared,
            "plain": plain,
            "actions": [first, second],
            "herts": herts,
            "cambs": cambs,
            "beds": beds,
        }


def url(name, *args):
    return reverse(f"actions:{name}", args=args)


def sign_in(client, world, who):
    user = world["people"][who]
    if user is not None:
        client.force_login(user)
    return user


# Every finding URL, for every role: the shared finding, then the finding shared with no one.
MATRIX = """
url                      opcc  opcc_p  opcc_x  owner  owner_p  owner_x  panel  national  admin  anon
finding                  200   200     404     200    200      404      403    403       403    302
finding_share            200   403     404     403    403      404      403    403       403    302
finding_unshare          200   403     404     403    403      404      403    403       403    302
finding_edit             200   403     404     403    403      404      403    403       403    302
finding_external_status  200   403     404     403    403      404      403    403       403    302
action_create            200   403     404     403    403      404      403    403       403    302
plain:finding            200   404     404     200    404      404      403    403       403    302
plain:finding_share      200   404     404     403    404      404      403    403       403    302
plain:finding_unshare    200   404     404     403    404      404      403    403       403    302
"""
# The columns' people: OPCC staff and action owners of the own, partner and other (x) offices.
COLUMNS = {
    "opcc": "own_staff",
    "opcc_p": "partner_staff",
    "opcc_x": "other_staff",
    "owner": "own_owner",
    "owner_p": "partner_owner",
    "owner_x": "other_owner",
}
ROLES = MATRIX.split()[1:11]
CASES = [
    (row[0], role, int(code))
    for row in (line.split() for line in MATRIX.strip().splitlines()[1:])
    for role, code in zip([COLUMNS.get(r, r) for r in ROLES], row[1:], strict=True)
]


@pytest.mark.parametrize(("name", "role", "expected"), CASES)
def test_the_finding_urls_answer_each_role(world, client, name, role, expected):
    target, _, name = name.rpartition(":")
    finding = world[target or "shared"]
    sign_in(client, world, role)
    assert client.get(url(name, finding.pk)).status_code == expected, f"{role} GET {name}"
    if name in ("finding_share", "finding_unshare"):
        # A POST answers as the GET does and changes nothing, except for the owning office's
        # staff: shared (302), or a form with errors (the plain finding has no partner to drop).
        data = {"force": world["beds"].pk, "reason": "Taken over"}
        if name == "finding_unshare":
            data["force"] = world["cambs"].pk
        response = client.post(url(name, finding.pk), data)
        expected_post = expected
        if expected == 200 and not (target == "plain" and name == "finding_unshare"):
            expected_post = 302
        assert response.status_code == expected_post, f"{role} POST {name}"
        if expected != 200:
            partners = FindingPartner.objects.filter(finding=finding)
            assert list(partners.values_list("force__name", flat=True)) == (
                ["Cambridgeshire Constabulary"] if finding == world["shared"] else []
            )


@pytest.mark.parametrize(
    ("who", "sees_shared", "sees_plain"),
    [
        ("own_staff", True, True),
        ("partner_staff", True, False),
        ("other_staff", False, False),
        ("own_owner", True, True),
        ("partner_owner", True, False),
        ("other_owner", False, False),
        ("panel", False, False),
    ],
)
def test_can_see_finding_and_visible_to_agree(world, who, sees_shared, sees_plain):
    user = world["people"][who]
    visible = set(Finding.objects.visible_to(user).values_list("pk", flat=True))
    for finding, expected in ((world["shared"], sees_shared), (world["plain"], sees_plain)):
        finding = Finding.objects.select_related("inspection").get(pk=finding.pk)
        assert roles.can_see_finding(user, finding) is expected
        assert (finding.pk in visible) is expected
        assert roles.can_change_finding(user, finding) is (who == "own_staff")
        managed = Finding.objects.managed_by(user).filter(pk=finding.pk).exists()
        assert managed is (who == "own_staff")


# Sharing and unsharing through the pages


def test_sharing_a_finding_shares_its_actions_with_history(world, client):
    staff = sign_in(client, world, "own_staff")
    plain = world["plain"]
    page = client.get(url("finding", plain.pk)).content.decode()
    assert url("finding_share", plain.pk) in page
    assert url("finding_unshare", plain.pk) not in page  # nothing to stop sharing yet
    response = client.post(
        url("finding_share", plain.pk), {"force": world["beds"].pk, "reason": "Joint custody unit"}
    )
    assert response.status_code == 302
    partner = FindingPartner.objects.get(finding=plain)
    assert (partner.force, partner.shared_by, partner.reason) == (
        world["beds"],
        staff,
        "Joint custody unit",
    )
    record = partner.history.get()
    assert record.history_user == staff
    assert record.history_change_reason == "Shared with Bedfordshire Police: Joint custody unit"
    action = plain.actions.get()
    assert list(action.partner_forces.all()) == [world["beds"]]
    action_record = ActionPartner.history.get(action_id=action.pk)
    assert action_record.history_user == staff
    assert action_record.history_change_reason == (
        "Shared with Bedfordshire Police with its finding: Joint custody unit"
    )
    page = client.get(url("finding", plain.pk)).content.decode()
    assert "Sharing history" in page
    assert "Shared with Bedfordshire Police" in page
    assert "Priya Shah" in page
    assert "Joint custody unit" in page
    assert url("finding_unshare", plain.pk) in page


def test_sharing_a_finding_skips_an_action_already_shared_with_the_force(world, client):
    staff = sign_in(client, world, "own_staff")
    plain = world["plain"]
    action = plain.actions.get()
    collaboration_services.action_share(
        by=staff, action=action, force=world["beds"], reason="Custody first"
    )
    client.post(url("finding_share", plain.pk), {"force": world["beds"].pk, "reason": "All"})
    assert ActionPartner.objects.filter(action=action).count() == 1
    assert ActionPartner.objects.get(action=action).reason == "Custody first"
    assert FindingPartner.objects.filter(finding=plain, force=world["beds"]).exists()


def test_the_share_form_shows_what_is_missing_in_the_error_summary(world, client):
    sign_in(client, world, "own_staff")
    response = client.post(url("finding_share", world["plain"].pk), {"force": "", "reason": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Choose the force to share the finding with." in html
    assert "Enter a reason for sharing the finding." in html
    assert not FindingPartner.objects.filter(finding=world["plain"]).exists()


def test_the_share_form_offers_neither_the_own_force_nor_a_partner(world, client):
    sign_in(client, world, "own_staff")
    choices = client.get(url("finding_share", world["shared"].pk)).context["form"]
    offered = set(choices.fields["force"].queryset)
    assert world["beds"] in offered
    assert world["herts"] not in offered
    assert world["cambs"] not in offered


def test_unsharing_a_finding_unshares_its_actions_with_history(world, client):
    staff = sign_in(client, world, "own_staff")
    shared = world["shared"]
    response = client.post(
        url("finding_unshare", shared.pk),
        {"force": world["cambs"].pk, "reason": "Unit disbanded"},
    )
    assert response.status_code == 302
    assert not FindingPartner.objects.filter(finding=shared).exists()
    assert not ActionPartner.objects.filter(action__finding=shared).exists()
    ended = FindingPartner.history.get(finding_id=shared.pk, history_type="-")
    assert ended.history_user == staff
    assert ended.history_change_reason == (
        "Sharing with Cambridgeshire Constabulary ended: Unit disbanded"
    )
    for action in world["actions"]:
        record = ActionPartner.history.get(action_id=action.pk, history_type="-")
        assert record.history_user == staff
        assert record.history_change_reason.endswith("with its finding: Unit disbanded")
    page = client.get(url("finding", shared.pk)).content.decode()
    assert "Sharing ended with Cambridgeshire Constabulary" in page
    assert "Unit disbanded" in page
    sign_in(client, world, "partner_staff")
    assert client.get(url("finding", shared.pk)).status_code == 404
    assert client.get(url("detail", world["actions"][0].pk)).status_code == 404


def test_unsharing_is_refused_naming_the_actions_a_partner_owner_is_assigned(world, client):
    staff = sign_in(client, world, "own_staff")
    first = world["actions"][0]
    services.action_assign(
        by=staff, action=first, owner=world["people"]["partner_owner"], opcc_lead=None
    )
    response = client.post(
        url("finding_unshare", world["shared"].pk),
        {"force": world["cambs"].pk, "reason": "Unit disbanded"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Tri-force supervision review" in html.split("govuk-error-summary", 1)[1]
    assert "assign someone else" in html
    assert FindingPartner.objects.filter(finding=world["shared"]).exists()
    assert ActionPartner.objects.filter(action__finding=world["shared"]).count() == 2


def test_a_new_action_on_a_shared_finding_is_shared_with_its_partners(world, client):
    staff = sign_in(client, world, "own_staff")
    shared = world["shared"]
    deadline = timezone.localdate() + datetime.timedelta(days=60)
    form = client.get(url("action_create", shared.pk)).context["form"]
    assert world["people"]["partner_owner"] in form.fields["owner"].queryset
    response = client.post(
        url("action_create", shared.pk),
        {
            "title": "Tri-force audit",
            "deadline": deadline.isoformat(),
            "owner": world["people"]["partner_owner"].pk,
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(title="Tri-force audit")
    assert action.owner == world["people"]["partner_owner"]
    partner = ActionPartner.objects.get(action=action)
    assert partner.force == world["cambs"]
    record = partner.history.get()
    assert record.history_user == staff
    assert record.history_change_reason == (
        "Shared with Cambridgeshire Constabulary with its finding: Tri-force major crime unit"
    )
    sign_in(client, world, "partner_staff")
    assert client.get(url("detail", action.pk)).status_code == 200


def test_a_new_action_on_an_unshared_finding_is_not_shared(world):
    action = services.action_create(
        by=world["people"]["own_staff"],
        finding=world["plain"],
        title="Hertfordshire only, too",
        deadline=timezone.localdate() + datetime.timedelta(days=60),
    )
    assert not action.partners.exists()


# Reading a shared finding


@pytest.mark.parametrize("who", ["partner_staff", "partner_owner"])
def test_a_partner_reads_the_finding_marked_as_a_collaboration(world, client, who):
    sign_in(client, world, who)
    shared = world["shared"]
    html = client.get(url("finding", shared.pk)).content.decode()
    assert "Collaboration</strong> managed by " + TESTSHIRE in html
    assert "tri-force unit should improve" in html
    assert "Tri-force supervision review" in html
    assert "Tri-force training plan" in html  # a shared finding's actions are all shared
    assert "Hertfordshire only" not in html  # another finding's, shared with no one
    assert "Tri-force major crime unit" in html  # the sharing history
    for name in ("finding_share", "finding_unshare", "finding_edit", "action_create"):
        assert url(name, shared.pk) not in html
    assert url("inspection", shared.inspection_id) not in html
    assert 'name="earlier"' not in html  # no repeat links to confirm or remove


def test_the_owning_office_sees_no_collaboration_mark(world, client):
    sign_in(client, world, "own_staff")
    html = client.get(url("finding", world["shared"].pk)).content.decode()
    assert "collaboration-note" not in html
    assert "Shared, with its actions, with:" in html
    assert "Cambridgeshire Constabulary" in html
    assert url("finding_unshare", world["shared"].pk) in html


@pytest.mark.parametrize("who", ["own_staff", "partner_staff"])
def test_the_finding_page_with_partners_reads_a_fixed_number_of_queries(
    world, client, who, django_assert_max_num_queries
):
    staff = world["people"]["own_staff"]
    shared = world["shared"]
    for n in range(3):
        office = OfficeFactory(name=f"Office {n}", slug=f"office-{n}")
        collaboration_services.finding_share(
            by=staff, finding=shared, force=ForceFactory(office=office), reason=f"Unit {n}"
        )
    for _ in range(5):
        services.action_create(
            by=staff,
            finding=shared,
            title="Another tri-force action",
            deadline=timezone.localdate() + datetime.timedelta(days=60),
        )
    sign_in(client, world, who)
    with django_assert_max_num_queries(12):
        response = client.get(url("finding", shared.pk))
    assert response.content.decode().count("Another tri-force action") == 5


def test_one_action_of_a_shared_finding_cannot_be_unshared_on_its_own(world, client):
    sign_in(client, world, "own_staff")
    first = world["actions"][0]
    response = client.post(
        url("unshare", first.pk), {"force": world["cambs"].pk, "reason": "Only this one"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "stop sharing the finding instead" in html
    assert ActionPartner.objects.filter(action=first, force=world["cambs"]).exists()


def test_a_partner_reading_a_shared_action_sees_no_link_to_the_owning_offices_other_findings(
    world, client
):
    shared = world["shared"]
    earlier = FindingFactory(
        inspection__force=world["herts"],
        inspection__title="PEEL 2021/22: Hertfordshire",
        inspection__published_on=datetime.date(2022, 5, 1),
        reference="AFI 3",
    )
    shared.repeats.add(earlier)
    first = world["actions"][0]
    sign_in(client, world, "own_staff")
    assert "PEEL 2021/22: Hertfordshire" in client.get(url("detail", first.pk)).content.decode()
    sign_in(client, world, "partner_staff")
    page = client.get(url("detail", first.pk))
    assert page.status_code == 200
    assert "PEEL 2021/22: Hertfordshire" not in page.content.decode()
