"""The demo's dated events: each is written through the services, then its rows are dated when
the event happened in the story rather than when the demo was loaded.

The services stamp history rows, created dates and assurance, closure and publication times with
the moment they run. The demo tells a story spread over months, so each event re-dates what it
wrote: rows it created (found by primary key) and the one time field it set.
"""

import datetime
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from actions import evidence_services, services
from actions.models import (
    Action,
    ActionPartner,
    Evidence,
    Inspection,
    Rag,
    Reminder,
    Status,
    Update,
)
from reports import services as report_services
from reports.models import BriefingPack
from tracker import roles
from tracker.models import User

# A meeting's papers are published a week before it.
PAPER_DAYS_BEFORE = 7
# Fields a service fills with "now" when it creates a row.
CREATED_STAMPS = [
    (Action, "created_at"),
    (Inspection, "created_at"),
    (Update, "created_at"),
    (Evidence, "submitted_at"),
    (Reminder, "created_at"),
    (User, "date_joined"),
    (ActionPartner, "shared_at"),
    (ActionPartner.history.model, "shared_at"),  # the partner list reads it from the history
]


def at(day, hour=10):
    """`day` at `hour` o'clock, Europe/London."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _stamped_tables():
    history = [
        (model, "history_date")
        for model in apps.get_models()
        if any(field.name == "history_date" for field in model._meta.fields)
    ]
    return history + CREATED_STAMPS


def _last_ids(tables):
    """The highest primary key in each table, in one query."""
    quote = connection.ops.quote_name
    # Table and column names come from the models' metadata, quoted: no input reaches the SQL.
    columns = ", ".join(
        f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})"  # noqa: S608
        for model, _field in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return [last or 0 for last in cursor.fetchone()]


@contextmanager
def happened_on(when):
    """Whatever the block creates happened at `when`: its history rows, created dates and
    outbox notices say so. Blocks do not nest (an outer block would re-date the inner one's
    rows), so the helpers below each make one and are called outside any other."""
    tables = _stamped_tables()
    before = _last_ids(tables)
    yield
    after = _last_ids(tables)
    for (model, field), first, last in zip(tables, before, after, strict=True):
        if last > first:
            model.objects.filter(pk__gt=first).update(**{field: when})


def progress(
    action, owner, narrative, *, on, status=Status.IN_PROGRESS, rag=Rag.GREEN, percent=50, public=""
):
    """An update posted on `on`; proposing closure is an update too, at 100% and Green."""
    if status == Status.PROPOSED:
        rag, percent = Rag.GREEN, 100
    with happened_on(on):
        return services.action_post_update(
            by=owner,
            action=action,
            narrative=narrative,
            public_narrative=public,
            status=status,
            rag=rag,
            percent_complete=percent,
            at=on,
        )


def evidence_submitted(action, owner, title, *, on, document=False):
    with happened_on(on):
        if document:
            return evidence_services.evidence_add(
                by=owner,
                action=action,
                kind="document",
                title=title,
                file=ContentFile(f"{title}\n\nDemo evidence file.\n".encode(), name="evidence.txt"),
                content_type="text/plain",
            )
        return evidence_services.evidence_add(
            by=owner, action=action, kind="note", title=title, note=f"{title}: summary of results."
        )


def evidence_assured(evidence, *, on):
    """Assured by the demo's second OPCC officer: nobody assures evidence and closes on it alone."""
    assurer = User.objects.get(username="assurer")
    with happened_on(on):
        evidence_services.evidence_assure(
            by=assurer, evidence=evidence, note="Checked against the source data."
        )
        Evidence.objects.filter(pk=evidence.pk).update(assured_at=on)


def closed(action, opcc, summary, *, on):
    with happened_on(on):
        services.action_close(by=opcc, action=action, closure_summary=summary)
        Action.objects.filter(pk=action.pk).update(closed_at=on)


def pack_prepared(meeting, opcc, *, on, paper, overall, publish=True):
    """The meeting's pack generated on `on` with its Panel paper, and published that day for
    everyone to read (or left as a draft)."""
    with happened_on(on):
        pack = report_services.pack_generate(by=opcc, meeting=meeting, now=on)
        report_services.pack_save_narratives(
            by=opcc, pack=pack, paper=paper, narratives={"overall": overall}
        )
        if publish:
            report_services.pack_publish(by=opcc, pack=pack, public=True)
            BriefingPack.objects.filter(pk=pack.pk).update(published_at=on)
    return pack


def demo_user(username, first_name, last_name, role, role_title, *, office):
    """A demo user with one role, made once (an existing one is left as it is), in `office`
    (an administrator manages only their office's people, owners too), but for a national
    reader, who reads for no office."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    user = User.objects.create_user(
        office=None if role == roles.NATIONAL_READER else office,
        username=username,
        password=settings.DEMO_PASSWORD,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@example.org",
        role_title=role_title,
        is_staff=role in (roles.OPCC_STAFF, roles.ADMINISTRATOR),
    )
    user.groups.add(Group.objects.get(name=role))
    return user
