"""The demo's sources other than HMICFRS: an invented IOPC learning recommendation and an invented
coroner's prevention of future deaths report for the invented force, dated from the day the demo
is loaded so one response is due soon and one runs on an extension. Nothing here is real."""

import datetime

from actions import finding_services
from actions.models import FindingKind, Inspection
from actions.sample_data import events

Source = Inspection.SourceType

IOPC_TITLE = "Exampleshire Police (invented): IOPC learning recommendation on custody checks"
CORONER_TITLE = (
    "Exampleshire Police (invented): coroner's prevention of future deaths report on a "
    "missing person"
)
# The IOPC made its recommendation 50 days ago: the response is due in 5 days (the 56 days
# begin with the day it was made).
IOPC_MADE_DAYS_AGO = 50
# The coroner sent the report 70 days ago (due 14 days ago, 56 days after it was sent); the
# coroner allowed more time, asked for 50 days ago, to 28 days from today.
CORONER_SENT_DAYS_AGO = 70
CORONER_EXTENDED_DAYS_AGO = 50
CORONER_EXTENDED_TO_DAYS = 28

IOPC_FINDINGS = [
    "The force should make sure that detainees assessed as at risk are roused and checked at "
    "the intervals their care plan sets, and that each check is recorded when it is made.",
]
CORONER_FINDINGS = [
    "Call handlers did not have a way to see that a missing person had been reported missing "
    "three times in the previous month.",
    "The risk assessment of a missing person was not reviewed when new information was "
    "received overnight.",
]


def other_sources_load(*, force, opcc, today):
    """Create the invented IOPC recommendation and coroner's report for `force`, if missing."""
    if not Inspection.objects.filter(force=force, title=IOPC_TITLE).exists():
        made_on = today - datetime.timedelta(days=IOPC_MADE_DAYS_AGO)
        with events.happened_on(events.at(made_on, hour=12)):
            iopc = _source(force, opcc, IOPC_TITLE, Source.IOPC, made_on)
            _findings(iopc, opcc, IOPC_FINDINGS, FindingKind.RECOMMENDATION, "Recommendation")
    if not Inspection.objects.filter(force=force, title=CORONER_TITLE).exists():
        sent_on = today - datetime.timedelta(days=CORONER_SENT_DAYS_AGO)
        with events.happened_on(events.at(sent_on, hour=12)):
            coroner = _source(force, opcc, CORONER_TITLE, Source.CORONER, sent_on)
            _findings(
                coroner, opcc, CORONER_FINDINGS, FindingKind.MATTER_OF_CONCERN, "Matter of concern"
            )
        extended_on = today - datetime.timedelta(days=CORONER_EXTENDED_DAYS_AGO)
        with events.happened_on(events.at(extended_on)):
            finding_services.inspection_edit(
                by=opcc,
                inspection=coroner,
                reason="The coroner allowed more time",
                response_extended_to=today + datetime.timedelta(days=CORONER_EXTENDED_TO_DAYS),
                response_extension_reason=(
                    "The coroner (invented) allowed more time for the force's review of its "
                    "missing person procedure to finish."
                ),
            )


def _source(force, opcc, title, source_type, published_on):
    return finding_services.inspection_create(
        by=opcc,
        force=force,
        title=title,
        kind=Inspection.Kind.OTHER,
        source_type=source_type,
        published_on=published_on,
    )


def _findings(source, opcc, texts, kind, label):
    for position, text in enumerate(texts, start=1):
        finding_services.finding_create(
            by=opcc,
            inspection=source,
            kind=kind,
            reference=f"{label} {position}",
            text=text,
            position=position,
        )
