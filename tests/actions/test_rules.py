"""Each rule about an action or a user, pinned once at its home: the queryset method and the
model property (or roles helper) that says the same, at the edges of its dates."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from actions.models import Action, Finding, GradedArea, Inspection, Rag
from reports.models import Meeting
from tests.factories import (
    ActionFactory,
    GradedAreaFactory,
    InspectionFactory,
    MeetingFactory,
    UserFactory,
    persona,
)
from tracker import roles
from tracker.models import User

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DAY = datetime.date(2025, 3, 10)


def days(n):
    return DAY + datetime.timedelta(days=n)


def at(day, hour=12, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


def matches(queryset, actions):
    """Which of `actions` the queryset holds, in the same order."""
    found = set(queryset.values_list("pk", flat=True))
    return [action.pk in found for action in actions]


# Overdue and effective RAG


def test_overdue_starts_the_day_after_the_deadline_and_only_while_open():
    yesterday = ActionFactory(deadline=days(-1))
    today = ActionFactory(deadline=days(0))
    closed = ActionFactory(deadline=days(-5), status="closed", closure_summary="Done")
    sustaining = ActionFactory(deadline=days(-5), status="sustaining")
    actions = [yesterday, today, closed, sustaining]
    assert matches(Action.objects.overdue(DAY), actions) == [True, False, False, False]
    assert [a.is_overdue_on(DAY) for a in actions] == [True, False, False, False]
    assert matches(Action.objects.not_overdue(DAY), actions) == [False, True, True, True]
    # On the deadline's own day it is not yet overdue; the next day it is.
    assert today.is_overdue_on(days(1)) and today in Action.objects.overdue(days(1))


def test_effective_rag_is_red_when_overdue_whatever_was_typed():
    late = ActionFactory(deadline=days(-1), rag=Rag.GREEN)
    due_today = ActionFactory(deadline=days(0), rag=Rag.AMBER)
    annotated = dict(Action.objects.with_effective_rag(DAY).values_list("pk", "effective_rag_db"))
    assert annotated == {late.pk: Rag.RED, due_today.pk: Rag.AMBER}
    assert (late.effective_rag_on(DAY), due_today.effective_rag_on(DAY)) == (Rag.RED, Rag.AMBER)
    assert late.effective_rag == Rag.RED and late.get_effective_rag_display() == "Red"


def test_rag_severity_ranks_red_and_overdue_first_then_amber_then_green():
    green = ActionFactory(deadline=days(5), rag=Rag.GREEN)
    late = ActionFactory(deadline=days(-1), rag=Rag.GREEN)
    amber = ActionFactory(deadline=days(5), rag=Rag.AMBER)
    red = ActionFactory(deadline=days(5), rag=Rag.RED)
    ranked = Action.objects.with_rag_severity(DAY).values_list("pk", "rag_severity")
    assert dict(ranked) == {red.pk: 0, late.pk: 0, amber.pk: 1, green.pk: 2}


# Due soon


@pytest.mark.parametrize("soon", [14, 7])
def test_due_soon_is_from_today_to_the_setting_days_ahead_both_included(soon):
    offsets = [-1, 0, soon, soon + 1]
    actions = [ActionFactory(deadline=days(n)) for n in offsets]
    with override_settings(DUE_SOON_DAYS=soon):
        assert matches(Action.objects.due_soon(DAY), actions) == [False, True, True, False]
        assert [a.is_due_within(soon, DAY) for a in actions] == [False, True, True, False]


# Stale


D = datetime.date


@pytest.mark.parametrize(
    ("stale_days", "as_of", "last_stale_day", "first_fresh_day"),
    [
        # Three working days back from Wednesday 14 January 2026: Tuesday, Monday, Friday. An
        # update on the Saturday after that Friday has had two working days, not three.
        (3, D(2026, 1, 14), D(2026, 1, 9), D(2026, 1, 10)),
        # Ten back from Monday 12 January 2026 skip New Year's Day, Boxing Day and Christmas Day
        # (and the weekends) to Christmas Eve.
        (10, D(2026, 1, 12), D(2025, 12, 24), D(2025, 12, 29)),
    ],
)
def test_stale_counts_working_days_since_the_last_update(
    stale_days, as_of, last_stale_day, first_fresh_day
):
    with override_settings(STALE_DAYS=stale_days):
        # Updated late on the last stale day: stale on as_of, whatever the hour.
        exactly = ActionFactory(last_update_at=at(last_stale_day, 23, 59))
        # Updated just after midnight on the next day: not yet.
        one_short = ActionFactory(last_update_at=at(first_fresh_day, 0, 1))
        never_updated = ActionFactory()
        Action.objects.filter(pk=never_updated.pk).update(created_at=at(last_stale_day, 9))
        never_updated.refresh_from_db()
        closed = ActionFactory(
            last_update_at=at(last_stale_day - datetime.timedelta(days=90)),
            status="closed",
            closure_summary="Done",
        )
        actions = [exactly, one_short, never_updated, closed]
        expected = [True, False, True, False]
        assert matches(Action.objects.stale(as_of), actions) == expected
        assert [a.is_stale_on(as_of) for a in actions] == expected


def test_stale_is_counted_in_london_days_across_the_clock_change():
    # Last touched at 00:30 BST on Saturday 25 October 2025 (23:30 UTC on the Friday). Counted
    # from the London day, the five working days are 27 to 31 October (the clocks go back on
    # the 26th): stale on Monday 3 November, not on Friday 31 October, as a UTC count would say.
    action = ActionFactory(last_update_at=at(D(2025, 10, 25), 0, 30))
    with override_settings(STALE_DAYS=5):
        assert not action.is_stale_on(D(2025, 10, 31))
        assert action.is_stale_on(D(2025, 11, 3))
        assert action in Action.objects.stale(D(2025, 11, 3))
        assert action not in Action.objects.stale(D(2025, 10, 31))


# Slipped


def test_slipped_means_moved_later_than_the_first_deadline_not_earlier():
    later = ActionFactory(deadline=days(10))
    earlier = ActionFactory(deadline=days(10))
    unmoved = ActionFactory(deadline=days(10))
    Action.objects.filter(pk=later.pk).update(deadline=days(20))
    Action.objects.filter(pk=earlier.pk).update(deadline=days(5))
    actions = [Action.objects.get(pk=a.pk) for a in (later, earlier, unmoved)]
    assert matches(Action.objects.slipped(), actions) == [True, False, False]
    assert [a.has_slipped for a in actions] == [True, False, False]


# Mine: to do (owner, delegate) and to follow (and the OPCC lead)


def test_mine_to_do_is_owner_or_delegate_and_to_follow_adds_the_opcc_lead(
    owner, opcc_officer, force
):
    colleague = persona(roles.ACTION_OWNER, force=force)
    owned = ActionFactory(finding__inspection__force=force, owner=owner)
    delegated = ActionFactory(finding__inspection__force=force, owner=colleague, delegate=owner)
    led = ActionFactory(finding__inspection__force=force, owner=colleague, opcc_lead=owner)
    other = ActionFactory(finding__inspection__force=force, owner=colleague)
    actions = [owned, delegated, led, other]
    assert matches(Action.objects.assigned_to(owner), actions) == [True, True, False, False]
    assert [a.is_assigned_to(owner) for a in actions] == [True, True, False, False]
    assert matches(Action.objects.followed_by(owner), actions) == [True, True, True, False]
    assert [a.is_followed_by(owner) for a in actions] == [True, True, True, False]
    assert not owned.is_assigned_to(AnonymousUser())


# Who may see which force's records


def test_force_scope_is_the_one_rule_every_visible_to_uses(
    owner, other_force_owner, opcc_officer, panel_member, force
):
    mine = ActionFactory(finding__inspection__force=force)
    GradedAreaFactory(inspection=mine.finding.inspection)
    ActionFactory(finding__inspection__force=other_force_owner.force)
    GradedAreaFactory(inspection=Action.objects.exclude(pk=mine.pk).get().finding.inspection)
    superuser = UserFactory(is_superuser=True)
    models = [
        (Inspection, "force_id"),
        (GradedArea, "inspection__force_id"),
        (Finding, "inspection__force_id"),
        (Action, "finding__inspection__force_id"),
    ]
    for model, path in models:
        everything = set(model.objects.values_list(path, flat=True))
        assert len(everything) == 2
        forces = {
            user: set(model.objects.visible_to(user).values_list(path, flat=True))
            for user in (opcc_officer, owner, panel_member, superuser, AnonymousUser())
        }
        assert forces[opcc_officer] == everything
        assert forces[owner] == {force.pk}
        assert forces[panel_member] == forces[superuser] == forces[AnonymousUser()] == set()
        for user, seen in forces.items():
            assert {f for f in everything if roles.sees_force(user, f)} == seen
    assert roles.can_see_action(owner, mine) and not roles.can_see_action(other_force_owner, mine)


def test_an_owner_sees_a_public_meeting_only_with_their_force_on_the_agenda(owner, force):
    theirs, others, private = MeetingFactory(), MeetingFactory(), MeetingFactory(kind="other")
    theirs.inspections.add(InspectionFactory(force=force))
    others.inspections.add(InspectionFactory())
    private.inspections.add(InspectionFactory(force=force))
    assert list(Meeting.objects.visible_to(owner)) == [theirs]
    assert [roles.can_see_meeting(owner, m) for m in (theirs, others, private)] == [
        True,
        False,
        False,
    ]


# Users: OPCC staff, action owners, who can be reached by email


def test_opcc_staff_are_active_members_of_the_group_and_a_superuser_is_not_one(opcc_officer):
    inactive = persona(roles.OPCC_STAFF, is_active=False)
    superuser = UserFactory(is_superuser=True)
    panel = persona(roles.PANEL_MEMBER)
    people = [opcc_officer, inactive, superuser, panel]
    staff = set(User.objects.opcc_staff())
    assert [p in staff for p in people] == [True, False, False, False]
    assert [roles.is_opcc_staff(p) for p in people] == [True, False, False, False]


def test_action_owners_need_a_force_and_can_own_only_in_it(owner, other_force_owner, force):
    no_force = UserFactory(role=roles.ACTION_OWNER)
    people = [owner, other_force_owner, no_force]
    assert [p in User.objects.action_owners() for p in people] == [True, True, False]
    assert [roles.is_action_owner(p) for p in people] == [True, True, False]
    in_force = set(User.objects.action_owners(force.pk))
    assert [p in in_force for p in people] == [True, False, False]
    assert [roles.can_own_in_force(p, force.pk) for p in people] == [True, False, False]


def test_reachable_means_active_with_an_email_address():
    people = [
        UserFactory(),
        UserFactory(email=""),
        UserFactory(is_active=False),
    ]
    reachable = set(User.objects.reachable())
    assert [p in reachable for p in people] == [True, False, False]
    assert [p.is_reachable for p in people] == [True, False, False]
