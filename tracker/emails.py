"""Email as a family of three templates: emails/<name>-subject.txt, -body.txt and -body.html."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render(name, context):
    """The subject (one line), plain-text body and HTML body of email `name`."""
    subject = render_to_string(f"emails/{name}-subject.txt", context)
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html


def send(name, *, to, context, connection=None, message_id=None):
    """Render email `name` and send it to one address; errors propagate to the caller.

    `message_id` (e.g. "<digest-...@tracker.example>") replaces the random Message-ID, so a
    message sent twice is recognisably the same message downstream."""
    subject, text, html = render(name, context)
    headers = {"Message-ID": message_id} if message_id else None
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [to], connection=connection, headers=headers
    )
    message.attach_alternative(html, "text/html")
    message.send()
