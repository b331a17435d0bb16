"""Status and RAG tags: drawn by a function rather than an included template, as a list draws
two for every row."""

from django import template
from django.utils.html import format_html

from actions.models import Rag, Status

register = template.Library()

STATUS_COLOURS = {
    Status.CLOSED: "govuk-tag--green",
    Status.IN_PROGRESS: "govuk-tag--blue",
    Status.PROPOSED: "govuk-tag--purple",
    Status.SUSTAINING: "govuk-tag--turquoise",
    Status.BLOCKED: "govuk-tag--red",
    Status.REOPENED: "govuk-tag--orange",
}
RAG_LABELS = dict(Rag.choices)
# Three possible tags, drawn once: a pack draws one for every action, twice.
RAG_TAGS = {
    rag: format_html('<strong class="app-rag app-rag--{}">{}</strong>', rag, label)
    for rag, label in RAG_LABELS.items()
}


@register.simple_tag
def status_tag(status, label):
    colour = STATUS_COLOURS.get(status, "govuk-tag--grey")
    return format_html('<strong class="govuk-tag {}">{}</strong>', colour, label)


@register.simple_tag
def rag_tag(rag):
    return RAG_TAGS.get(rag, RAG_TAGS[Rag.GREEN.value])
