"""Each source's response clock at its edges, the SQL that says the same, and its rules."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from actions.models import Inspection
from tests.factories import InspectionFactory

pytestmark = pytest.mark.django_db

D = datetime.date
Source = Inspection.SourceType


def due(source, published, **fields):
    return Inspection(source_type=source, published_on=published, **fields).response_due


# s.55 (HMICFRS) and Sch. 3 para 28B (IOPC): 56 days *beginning with* the day, so day 1 is that
# day and the last day is the day + 55.
FIFTY_SIX_BEGINNING_WITH = [
    (D(2024, 10, 16), D(2024, 12, 10)),  # the design's worked example
    (D(2024, 1, 5), D(2024, 2, 29)),  # day 56 is the leap day
    (D(2024, 2, 29), D(2024, 4, 24)),  # the leap day is day 1
    (D(2028, 1, 5), D(2028, 2, 29)),  # and in 2028
    (D(2025, 1, 5), D(2025, 3, 1)),  # no leap day
    (D(2026, 3, 29), D(2026, 5, 23)),  # the day the clocks go forward changes no date
    (D(2026, 10, 25), D(2026, 12, 19)),  # nor the day they go back
]


@pytest.mark.parametrize("source", [Source.HMICFRS, Source.IOPC])
@pytest.mark.parametrize(("start", "last_day"), FIFTY_SIX_BEGINNING_WITH)
def test_hmicfrs_and_iopc_responses_are_due_on_day_56_counting_the_start_as_day_1(
    source, start, last_day
):
    assert due(source, start) == last_day
    assert (last_day - start).days + 1 == 56


# reg. 29: within 56 days *of* the date the report was sent, so sent + 56 days.
@pytest.mark.parametrize(
    ("sent", "last_day"),
    [
        (D(2024, 10, 16), D(2024, 12, 11)),
        (D(2024, 1, 4), D(2024, 2, 29)),
        (D(2028, 1, 4), D(2028, 2, 29)),
        (D(2026, 3, 29), D(2026, 5, 24)),
    ],
)
def test_coroner_response_is_due_56_days_after_the_report_was_sent(sent, last_day):
    assert due(Source.CORONER, sent) == last_day


@pytest.mark.parametrize("source", [Source.INTERNAL_AUDIT, Source.SUPER_COMPLAINT, Source.OTHER])
def test_other_sources_are_due_on_the_date_the_office_sets(source):
    assert due(source, D(2024, 10, 16)) is None
    assert due(source, D(2024, 10, 16), response_due_on=D(2025, 1, 31)) == D(2025, 1, 31)


@pytest.mark.parametrize("source", [Source.IOPC, Source.CORONER])
def test_an_iopc_or_coroner_extension_moves_the_due_date(source):
    assert due(source, D(2024, 10, 16), response_extended_to=D(2025, 1, 15)) == D(2025, 1, 15)


def test_no_date_to_count_from_means_no_due_date():
    assert due(Source.HMICFRS, None) is None
    assert due(Source.CORONER, None) is None


@pytest.mark.parametrize(
    ("today", "state"),
    [(D(2024, 12, 10), "due"), (D(2024, 12, 11), "overdue")],
)
def test_response_state_turns_overdue_the_day_after_day_56(today, state):
    inspection = Inspection(source_type=Source.HMICFRS, published_on=D(2024, 10, 16))
    with time_machine.travel(datetime.datetime(*today.timetuple()[:3], 12), tick=False):
        assert inspection.response_state == state
        inspection.response_published_on = D(2024, 12, 20)
        assert inspection.response_state == "recorded"


def test_response_state_is_none_without_a_due_date():
    assert Inspection(source_type=Source.INTERNAL_AUDIT).response_state is None


def test_sql_due_date_agrees_with_the_property_for_every_clock(force):
    rows = [
        InspectionFactory(force=force, source_type=Source.HMICFRS, published_on=D(2024, 1, 5)),
        InspectionFactory(force=force, source_type=Source.IOPC, published_on=D(2028, 1, 5)),
        InspectionFactory(
            force=force,
            source_type=Source.IOPC,
            published_on=D(2024, 10, 16),
            response_extended_to=D(2025, 1, 15),
            response_extension_reason="IOPC letter of 1 December",
        ),
        InspectionFactory(force=force, source_type=Source.CORONER, published_on=D(2026, 3, 29)),
        InspectionFactory(
            force=force,
            source_type=Source.INTERNAL_AUDIT,
            published_on=D(2024, 10, 16),
            response_due_on=D(2025, 2, 1),
        ),
        InspectionFactory(force=force, source_type=Source.OTHER, published_on=D(2024, 10, 16)),
        InspectionFactory(force=force, source_type=Source.HMICFRS, published_on=None),
    ]
    annotated = {row.pk: row.response_due_db for row in Inspection.objects.with_response_due()}
    assert annotated == {row.pk: row.response_due for row in rows}
    assert annotated[rows[0].pk] == D(2024, 2, 29)


def test_unrecorded_due_by_a_day_takes_overdue_and_due_and_leaves_recorded_and_later(force):
    overdue = InspectionFactory(force=force, published_on=D(2024, 10, 16))
    on_the_day = InspectionFactory(force=force, published_on=D(2024, 11, 16))  # due 11 January
    later = InspectionFactory(force=force, published_on=D(2024, 11, 17))
    InspectionFactory(
        force=force, published_on=D(2024, 10, 16), response_published_on=D(2024, 12, 3)
    )
    found = set(Inspection.objects.response_unrecorded_due_by(D(2025, 1, 10)))
    assert found == {overdue, on_the_day}
    assert later not in found


def test_a_date_the_office_sets_is_refused_where_the_law_sets_one(force):
    inspection = InspectionFactory.build(force=force, response_due_on=D(2025, 1, 31))
    with pytest.raises(ValidationError) as refused:
        inspection.full_clean()
    assert "response_due_on" in refused.value.message_dict


def test_only_iopc_and_coroner_responses_can_be_extended_with_a_reason_and_a_later_date(force):
    hmicfrs = InspectionFactory.build(
        force=force, response_extended_to=D(2025, 1, 31), response_extension_reason="Asked"
    )
    with pytest.raises(ValidationError) as refused:
        hmicfrs.full_clean()
    assert "response_extended_to" in refused.value.message_dict

    iopc = InspectionFactory.build(
        force=force, source_type=Source.IOPC, response_extended_to=D(2024, 12, 10)
    )
    with pytest.raises(ValidationError) as refused:
        iopc.full_clean()
    # Not later than the statutory day 56, and no reason given.
    assert set(refused.value.message_dict) == {"response_extended_to", "response_extension_reason"}

    iopc.response_extended_to = D(2024, 12, 11)
    iopc.response_extension_reason = "IOPC agreed on 1 December"
    iopc.full_clean()


def test_previous_inspection_must_be_an_earlier_one_of_the_same_force(force, other_force):
    later = InspectionFactory(force=force, published_on=D(2024, 10, 16))
    earlier = InspectionFactory(force=force, published_on=D(2022, 3, 1))
    elsewhere = InspectionFactory(force=other_force, published_on=D(2022, 3, 1))
    for wrong in (elsewhere, later):
        earlier.previous = wrong
        with pytest.raises(ValidationError):
            earlier.full_clean()
    later.previous = earlier
    later.full_clean()
