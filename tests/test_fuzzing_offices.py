"""Hostile input to the forms of offices and collaborations (hypothesis), as tests/test_fuzzing.py
does for the workspace's forms, with the same FUZZ_EXAMPLES setting and profile:

- sharing and unsharing an action (actions/collaboration_forms.py) as its office's OPCC officer,
  with another office's action in the URL too;
- the Office admin's add and change forms (superusers only);
- the user admin's change form, its office field above all, as an administrator of office A on
  a person of A, and as a superuser.

Every answer is a 200 with its errors shown, a refusal (403/404) or a redirect, never a server
error; a refusal saves nothing. Whatever is accepted, no action is ever shared with its own force,
another office's action is never shared by A's officer, and an administrator never puts anyone
in another office.
"""

import pytest
from django.db.models import F
from django.urls import reverse
from hypothesis import given

from actions import collaboration_services
from actions.models import ActionPartner
from tests.factories import ForceFactory, UserFactory, home_office, persona
from tests.office_b import office_b
from tests.test_fuzzing import FUZZ, TRIED, form_fields, post_and_check, submissions
from tests.test_permission_matrix import audited_counts
from tracker import roles
from tracker.models import User

pytestmark = pytest.mark.django_db

ADMIN_ERRORS = ("errornote", "errorlist")
# Ids a form must refuse or ignore: none, zero, negative, past 64 bits, not a number.
BAD_IDS = ["", "0", "-1", "999999", "9223372036854775808", "1.5", "1 OR 1=1", "\x00"]


@pytest.fixture
def world(action, opcc_officer, other_force):
    b = office_b()
    # Shared already with one force, so the unshare form has a choice.
    collaboration_services.action_share(
        by=opcc_officer, action=action, force=other_force, reason="A joint unit."
    )
    return {"action": action, "opcc": opcc_officer, "b": b, "other_force": other_force}


def no_share_crosses_the_line(b_action):
    def check():
        own_force = F("action__finding__inspection__force_id")
        assert not ActionPartner.objects.filter(force_id=own_force).exists()
        assert not ActionPartner.objects.filter(action=b_action).exists()

    return check


def fuzz_form(client, url, fields, *, errors=None, check=None, files=frozenset()):
    before = audited_counts()
    extra = {"errors": errors} if errors else {}

    @FUZZ
    @given(data=submissions(fields, set(files)))
    def fuzz(data):
        post_and_check(client, url, data, before, check=check, **extra)

    start = TRIED["inputs"]
    fuzz()
    return TRIED["inputs"] - start


@pytest.mark.parametrize("name", ["actions:share", "actions:unshare"])
def test_hostile_sharing_never_errors_nor_shares_across_the_line(name, world, client, capsys):
    client.force_login(world["opcc"])
    action, b = world["action"], world["b"]
    url = reverse(name, args=[action.pk])
    fields, _ = form_fields(client, url)
    assert "force" in fields and "reason" in fields
    # Besides the offered forces: the action's own force, another office's, and bad ids.
    own = action.finding.inspection.force_id
    fields["force"] += [str(own), str(b.force.pk), *BAD_IDS]
    tried = fuzz_form(client, url, fields, check=no_share_crosses_the_line(b.action))

    # Another office's action in the URL: not found, whatever is posted.
    b_url = reverse(name, args=[b.action.pk])
    assert client.get(b_url).status_code == 404
    tried += fuzz_form(client, b_url, fields, check=no_share_crosses_the_line(b.action))
    with capsys.disabled():
        print(f"\n{name}: {tried} inputs, fields {sorted(fields)}")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("page", ["add", "change"])
def test_hostile_input_to_the_office_admin_never_errors(page, superuser, force, client, capsys):
    client.force_login(superuser)
    office = force.office
    args = [office.pk] if page == "change" else []
    url = reverse(f"admin:tracker_office_{page}", args=args)
    fields, _ = form_fields(client, url)
    assert {"name", "slug", "panel_name"} <= set(fields)
    tried = fuzz_form(client, url, fields, errors=ADMIN_ERRORS)
    with capsys.disabled():
        print(f"\nadmin office {page}: {tried} inputs, fields {sorted(fields)}")


@pytest.fixture
def people(administrator, panel_member, owner):
    b = office_b()
    b_panel = persona(roles.PANEL_MEMBER, username="panel-north", office=b.office)
    return {"admin": administrator, "target": panel_member, "b": b, "b_panel": b_panel}


def nobody_moved_to_office_b(people, b_count):
    def check():
        target = User.objects.get(pk=people["target"].pk)
        assert target.office_id == home_office().pk
        assert User.objects.filter(office=people["b"].office).count() == b_count

    return check


@pytest.mark.parametrize("who", ["admin", "superuser"])
def test_hostile_input_to_the_user_admin_never_errors_nor_moves_offices(
    who, people, superuser, client, capsys
):
    by = people["admin"] if who == "admin" else superuser
    client.force_login(by)
    target, b = people["target"], people["b"]
    url = reverse("admin:tracker_user_change", args=[target.pk])
    fields, _ = form_fields(client, url)
    assert "office" in fields
    if who == "admin":
        assert fields["office"] == ["", str(home_office().pk)]  # their own office only
    # Another office, its force, and bad ids, beside the offered choices.
    fields["office"] += [str(b.office.pk), *BAD_IDS]
    fields["force"] = [*fields.get("force", []), str(b.force.pk), *BAD_IDS]
    b_count = User.objects.filter(office=b.office).count()
    check = nobody_moved_to_office_b(people, b_count) if who == "admin" else None
    tried = fuzz_form(client, url, fields, errors=ADMIN_ERRORS, check=check)
    with capsys.disabled():
        print(f"\nadmin user change ({who}): {tried} inputs, fields {sorted(fields)}")


def test_the_sharing_checks_can_fail(world):
    """The invariant the fuzzing asserts is not vacuous: a share with the own force breaks it."""
    action = world["action"]
    ActionPartner.objects.create(
        action=action,
        force_id=action.finding.inspection.force_id,
        shared_by=world["opcc"],
        reason="x",
    )
    with pytest.raises(AssertionError):
        no_share_crosses_the_line(world["b"].action)()


def test_the_office_check_can_fail(people):
    people["target"].office = people["b"].office
    people["target"].save()
    b_count = User.objects.filter(office=people["b"].office).count() - 1
    with pytest.raises(AssertionError):
        nobody_moved_to_office_b(people, b_count)()


def test_a_force_of_the_home_office_is_offered_to_share_with(world, client):
    """The share form's choices are real (another force of the deployment), so the fuzzing
    draws accepted posts too, not refusals alone."""
    client.force_login(world["opcc"])
    spare = ForceFactory(name="Spareshire Police")
    fields, _ = form_fields(client, reverse("actions:share", args=[world["action"].pk]))
    assert str(spare.pk) in fields["force"]
    assert str(world["action"].finding.inspection.force_id) not in fields["force"]
