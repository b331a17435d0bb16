"""A second digest send for one person waits for the first, so nobody gets a partial digest."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, connections, transaction

from actions.models import Reminder, ReminderKind, ReminderStatus
from actions.reminders.digest import digest_send

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_a_send_waits_while_another_send_for_the_same_recipient_holds_them(action, owner):
    for period in ("first", "second"):
        Reminder.objects.create(
            recipient=owner, action=action, kind=ReminderKind.DEADLINE_MOVED, period=period
        )
    locked, release = threading.Event(), threading.Event()
    sent = []

    def other_send_in_progress():
        # What a concurrent digest_send holds while its email goes out.
        try:
            with transaction.atomic():
                list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values("pk"))
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    def this_send():
        try:
            sent.append(digest_send(recipient_id=owner.pk))
        finally:
            connections.close_all()

    holder = threading.Thread(target=other_send_in_progress)
    holder.start()
    assert locked.wait(10)
    sender = threading.Thread(target=this_send)
    sender.start()
    sender.join(1.5)
    # Before the fix it skipped nothing here (the rows were free) and mailed at once.
    waited = sender.is_alive()
    release.set()
    holder.join(10)
    sender.join(10)
    assert waited, "the send did not wait for the other send on the same recipient"
    assert sent == [2]
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.SENT}
