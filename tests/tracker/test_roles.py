"""Roles: the groups and their permissions, and who may see or work on an action."""

import pytest
from django.contrib.auth.models import Group

from actions.models import Action
from tests.factories import ActionFactory, UserFactory
from tracker import roles

pytestmark = pytest.mark.django_db


def test_migrate_creates_every_role_group_with_its_permissions():
    groups = {g.name: g for g in Group.objects.prefetch_related("permissions__content_type")}
    assert set(groups) == set(roles.ROLES)

    def perms(role):
        return {f"{p.content_type.app_label}.{p.codename}" for p in groups[role].permissions.all()}

    assert "actions.change_action" in perms(roles.OPCC_STAFF)
    assert "actions.change_action" not in perms(roles.ACTION_OWNER)
    assert {"actions.add_update", "actions.add_evidence"} <= perms(roles.ACTION_OWNER)
    assert perms(roles.PANEL_MEMBER) == {"reports.view_meeting"}
    assert "tracker.change_user" in perms(roles.ADMINISTRATOR)


def test_syncing_role_groups_twice_changes_nothing():
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    roles.sync_role_groups()
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert before == after


def test_opcc_staff_see_every_force_and_owners_only_their_own(
    opcc_officer, owner, other_force_owner, panel_member
):
    mine = ActionFactory(finding__inspection__force=owner.force)
    theirs = ActionFactory(finding__inspection__force=other_force_owner.force)
    assert set(Action.objects.visible_to(opcc_officer)) == {mine, theirs}
    assert set(Action.objects.visible_to(owner)) == {mine}
    assert set(Action.objects.visible_to(other_force_owner)) == {theirs}
    assert list(Action.objects.visible_to(panel_member)) == []
    assert roles.can_see_action(owner, mine) and not roles.can_see_action(owner, theirs)


def test_users_with_no_role_and_inactive_users_see_nothing(owner):
    action = ActionFactory(finding__inspection__force=owner.force)
    nobody = UserFactory()
    owner.is_active = False
    owner.save()
    assert list(Action.objects.visible_to(nobody)) == []
    assert not roles.can_see_action(owner, action)


def test_only_owner_delegate_and_opcc_may_work_on_an_action(force, opcc_officer):
    from tests.factories import persona

    owner_ = persona(roles.ACTION_OWNER, force=force)
    deputy = persona(roles.ACTION_OWNER, force=force)
    colleague = persona(roles.ACTION_OWNER, force=force)
    action = ActionFactory(finding__inspection__force=force, owner=owner_, delegate=deputy)
    assert roles.can_work_on_action(owner_, action)
    assert roles.can_work_on_action(deputy, action)
    assert roles.can_work_on_action(opcc_officer, action)
    assert roles.can_see_action(colleague, action)
    assert not roles.can_work_on_action(colleague, action)


def test_primary_role_picks_the_landing_page_role(opcc_officer, owner, panel_member, administrator):
    assert roles.primary_role(opcc_officer) == roles.OPCC_STAFF
    assert roles.primary_role(owner) == roles.ACTION_OWNER
    assert roles.primary_role(panel_member) == roles.PANEL_MEMBER
    assert roles.primary_role(administrator) == roles.ADMINISTRATOR
    assert roles.primary_role(UserFactory()) is None


def test_role_names_are_read_once_per_user_object(owner, django_assert_num_queries):
    with django_assert_num_queries(1):
        for _ in range(5):
            roles.is_action_owner(owner)
            roles.is_opcc_staff(owner)
