"""Mail backends for the reminder tests: one that fails on cue, one that can hang mid-send."""

import os
import smtplib
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    """locmem, except that the next `failures` sends raise as an SMTP server going away would."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class HoldingFileBackend(FileBackend):
    """File-based mail for a worker process. While the file named by REMINDER_TEST_HOLD exists it
    writes REMINDER_TEST_SENDING and hangs before sending, so a test can kill it mid-send."""

    def send_messages(self, messages):
        hold = Path(os.environ["REMINDER_TEST_HOLD"])
        if hold.exists():
            Path(os.environ["REMINDER_TEST_SENDING"]).touch()
            deadline = time.monotonic() + 120
            while hold.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        return super().send_messages(messages)
