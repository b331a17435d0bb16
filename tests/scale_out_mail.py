"""A file mail backend that takes a moment per message, as SMTP does, so both workers get some."""

import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, messages):
        time.sleep(0.3)
        return super().send_messages(messages)
