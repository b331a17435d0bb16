"""The demo's story is dated from the day it is loaded; the real events keep their real dates.

On its own module: it loads the demo on two days of its own, on an empty database."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from actions.models import (
    Action,
    Evidence,
    Inspection,
    Status,
    Update,
)
from reports.models import BriefingPack, Meeting


def load():
    call_command("load_demo", stdout=StringIO())


def _days(value, today):
    """A date or datetime as days from `today` (London), or None."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return (value - today).days


def _history_dates(model, pk, reason_start):
    """The dates of an object's history rows whose reason starts with `reason_start`."""
    return [
        row.history_date
        for row in model.history.filter(id=pk).order_by("history_id")
        if (row.history_change_reason or "").startswith(reason_start)
    ]


def story_as_seen_today():
    """The demo's invented story in days from today, after checking that every history row is
    dated when its event happened."""
    today = timezone.localdate()
    peel_2023 = Inspection.objects.get(published_on=datetime.date(2024, 10, 16))
    actions = Action.objects.filter(finding__inspection=peel_2023).order_by("pk")
    for update in Update.objects.all():
        assert [row.history_date for row in update.history.all()] == [update.created_at]
    for action in Action.objects.all():
        assert action.history.earliest("history_date").history_date == action.created_at
        if action.closed_at:
            assert _history_dates(Action, action.pk, "Closed")[-1] == action.closed_at
    for evidence in Evidence.objects.all():
        assert evidence.submitted_at < evidence.assured_at
        assert _history_dates(Evidence, evidence.pk, "Evidence submitted") == [
            evidence.submitted_at
        ]
        assert _history_dates(Evidence, evidence.pk, "Assured") == [evidence.assured_at]
    packs = BriefingPack.objects.select_related("meeting").order_by("meeting__starts_at")
    for pack in packs:
        assert pack.history.earliest("history_date").history_date == pack.generated_at
        generated = datetime.datetime.fromisoformat(pack.snapshot["generated_at"])
        assert generated == pack.generated_at
        if pack.published_at:
            assert _history_dates(BriefingPack, pack.pk, "Published") == [pack.published_at]
    # Nothing in the story happens today, so no history row is dated today.
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    for model in apps.get_models():
        if any(field.name == "history_date" for field in model._meta.fields):
            assert not model.objects.filter(history_date__gte=start_of_today).exists(), model
    return {
        "actions": [
            (
                action.title,
                action.status,
                _days(action.deadline, today),
                _days(action.original_deadline, today),
                _days(action.created_at, today),
                _days(action.last_update_at, today),
            )
            for action in actions
        ],
        "overdue": [(action.title, (today - action.deadline).days) for action in actions.overdue()],
        "due_soon": sorted(actions.due_soon().values_list("title", flat=True)),
        "stale": sorted(actions.stale().values_list("title", flat=True)),
        "proposed": sorted(actions.filter(status=Status.PROPOSED).values_list("title", flat=True)),
        "updates": sorted(
            (update.action.title, _days(update.created_at, today), update.percent_complete)
            for update in Update.objects.filter(action__in=actions).select_related("action")
        ),
        "evidence": sorted(
            (item.title, _days(item.submitted_at, today), _days(item.assured_at, today))
            for item in Evidence.objects.filter(action__in=actions)
        ),
        "meetings": [
            (meeting.title, _days(meeting.starts_at, today))
            for meeting in Meeting.objects.filter(starts_at__year__gt=2024).order_by("starts_at")
        ],
        "upcoming": [
            _days(meeting.starts_at, today) for meeting in Meeting.objects.upcoming(now=None)
        ],
        "sources": [
            (
                source.get_source_type_display(),
                "(invented)" in source.title,
                _days(source.published_on, today),
                _days(source.statutory_response_due, today),
                _days(source.response_due, today),
                source.response_state,
                source.findings.count(),
                [_days(day, today) for day in _history_dates(Inspection, source.pk, "The coroner")],
            )
            for source in Inspection.objects.exclude(source_type="hmicfrs").order_by("source_type")
        ],
        "packs": [
            (
                pack.meeting.title,
                pack.status,
                _days(pack.generated_at, today),
                _days(pack.published_at, today),
            )
            for pack in packs
            if pack.meeting.starts_at.year > 2024
        ],
    }


def real_events():
    """What the sources date: the same whatever day the demo is loaded."""
    apm = Meeting.objects.get(title__startswith="Accountability & Performance Meeting: HMICFRS")
    (apm_pack,) = apm.packs.all()
    return {
        "peel_2023_published": Inspection.objects.get(title__startswith="PEEL 2023").published_on,
        "peel_2015_published": Inspection.objects.get(title__startswith="PEEL 2015").published_on,
        "apm": timezone.localtime(apm.starts_at).isoformat(),
        "apm_pack": (
            timezone.localtime(apm_pack.generated_at).date(),
            timezone.localtime(apm_pack.published_at).date(),
        ),
    }


def loaded_on(day):
    """Load the demo with `day` as today, and what it shows; then undo the load."""
    noon = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    with time_machine.travel(noon, tick=False), transaction.atomic():
        load()
        seen = story_as_seen_today(), real_events()
        transaction.set_rollback(True)
    return seen


@pytest.mark.django_db
def test_the_story_is_dated_from_the_day_the_demo_is_loaded():
    # A winter day and a summer day a year later: the story moves with today, across clock
    # changes, and the real events stay where the sources put them.
    winter_story, winter_real = loaded_on(datetime.date(2026, 3, 2))
    summer_story, summer_real = loaded_on(datetime.date(2027, 7, 15))
    assert winter_story == summer_story
    assert (
        winter_real
        == summer_real
        == {
            "peel_2023_published": datetime.date(2024, 10, 16),
            "peel_2015_published": None,
            "apm": "2024-11-14T10:00:00+00:00",
            "apm_pack": (datetime.date(2024, 11, 7), datetime.date(2024, 11, 7)),
        }
    )
    story = winter_story
    # The other sources: an IOPC response due in 5 days, and a coroner's report whose 56 days
    # ran out 14 days ago, on an extension (recorded 50 days ago) to 28 days ahead.
    assert story["sources"] == [
        ("Coroner's prevention of future deaths report", True, -70, -14, 28, "due", 2, [-50]),
        ("IOPC learning recommendation", True, -50, 5, 5, "due", 1, []),
    ]
    assert story["overdue"] == [("Train call handlers in the crime recording standards", 20)]
    assert story["due_soon"] == ["Introduce monthly investigation quality reviews"]
    assert len(story["stale"]) >= 2
    assert story["proposed"] == ["Audit recording of reasonable grounds for use of force"]
    # Three meetings held with published papers, then one ahead with a draft.
    assert [(status, published is not None) for _title, status, _, published in story["packs"]] == [
        ("published", True),
        ("published", True),
        ("published", True),
        ("draft", False),
    ]
    assert [days for _title, days in story["meetings"]] == [-270, -180, -90, 14]
    assert story["upcoming"] == [14]
    # Each paper is generated and published on its paper date, a week before the meeting.
    assert [generated for _title, _status, generated, _ in story["packs"]][:3] == [-277, -187, -97]
