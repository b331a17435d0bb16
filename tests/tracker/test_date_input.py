"""The GOV.UK date input: reading day, month and year (or one typed date), and errors that name
the part to fix."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms

from tracker.forms import GovukDateField, GovukDateTimeField, WorkspaceForm


class DeadlineForm(WorkspaceForm):
    deadline = GovukDateField(label="Deadline")


class OptionalForm(WorkspaceForm):
    due_on = GovukDateField(label="Answer due by", required=False)


def parts(day="", month="", year=""):
    return {"deadline_day": day, "deadline_month": month, "deadline_year": year}


def cleaned(data, form_class=DeadlineForm):
    form = form_class(data)
    assert form.is_valid(), form.errors
    return next(iter(form.cleaned_data.values()))


def error(data):
    form = DeadlineForm(data)
    assert not form.is_valid()
    return form.errors["deadline"], form.fields["deadline"].widget.error_parts


@pytest.mark.parametrize(
    "data",
    [
        parts("1", "6", "2025"),
        parts(" 01 ", "06", "2025"),
        parts("1", "June", "2025"),
        parts("1", "jun", "2025"),
        # A whole date typed into the day box.
        parts("1/6/2025"),
        parts("01/06/2025"),
        parts("1 June 2025"),
        parts("1st June, 2025"),
        parts("1-6-2025"),
        parts("2025-06-01"),
        # One value under the field's own name: the API, links, fuzzing and older clients.
        {"deadline": "2025-06-01"},
        {"deadline": "1/6/2025"},
        {"deadline": "1 June 2025"},
    ],
)
def test_the_date_is_read_from_its_parts_or_one_typed_value(data):
    assert cleaned(data) == datetime.date(2025, 6, 1)


@pytest.mark.parametrize(
    ("data", "message", "error_parts"),
    [
        (parts(), "Enter the deadline.", ("day", "month", "year")),
        ({}, "Enter the deadline.", ("day", "month", "year")),
        (parts("1", "", "2025"), "Deadline must include a month", ("month",)),
        (parts("", "6", "2025"), "Deadline must include a day", ("day",)),
        (parts("1"), "Deadline must include a month and year", ("month", "year")),
        (parts("31", "2", "2025"), "Deadline must be a real date", ("day",)),
        (parts("1", "13", "2025"), "Deadline must be a real date", ("month",)),
        (parts("1", "Juneish", "2025"), "Deadline must be a real date", ("month",)),
        (parts("x", "6", "y"), "Deadline must be a real date", ("day", "year")),
        (parts("1", "6", "25"), "Deadline year must include 4 numbers", ("year",)),
        (parts("31/2/2025"), "Deadline must be a real date", ("day",)),
        (parts("next Tuesday"), "Deadline must be a real date", ("day",)),
        (parts("99999999999999999999", "6", "2025"), "Deadline must be a real date", ("day",)),
        (parts("²", "6", "2025"), "Deadline must be a real date", ("day",)),
        ({"deadline": "2024-13-01T25:61"}, "Deadline must be a real date", ("day",)),
    ],
)
def test_errors_name_the_field_and_mark_the_parts_to_fix(data, message, error_parts):
    assert error(data) == ([message], error_parts)


def test_an_optional_date_left_empty_is_none_and_a_form_may_word_its_own_required_error():
    assert cleaned({"due_on_day": "", "due_on_month": "", "due_on_year": ""}, OptionalForm) is None

    class UntilForm(WorkspaceForm):
        until = GovukDateField(
            label="Watch until", error_messages={"required": "Enter the date to watch until."}
        )

    assert UntilForm({}).errors["until"] == ["Enter the date to watch until."]


def test_it_renders_govuk_date_input_markup_with_the_value_in_its_parts():
    html = DeadlineForm(initial={"deadline": datetime.date(2025, 6, 1)})["deadline"].as_widget()
    assert '<div class="govuk-date-input" id="id_deadline">' in html
    for part, value, width in (("day", "1", 2), ("month", "6", 2), ("year", "2025", 4)):
        assert (
            f'<label class="govuk-label govuk-date-input__label" for="id_deadline_{part}">'
            f"{part.capitalize()}</label>"
        ) in html
        assert (
            f'<input class="govuk-input govuk-date-input__input govuk-input--width-{width}" '
            f'id="id_deadline_{part}" name="deadline_{part}" type="text" inputmode="numeric" '
            f'value="{value}">'
        ) in html


def test_a_typed_date_shows_again_in_its_parts_and_a_refused_part_is_outlined():
    valid = DeadlineForm(parts("1 June 2025"))
    assert valid.is_valid()
    html = valid["deadline"].as_widget()
    assert 'name="deadline_month" type="text" inputmode="numeric" value="6"' in html

    refused = DeadlineForm(parts("1", "", "2025"))
    assert not refused.is_valid()
    html = refused["deadline"].as_widget()
    assert html.count("govuk-input--error") == 1
    assert 'govuk-input--width-2 govuk-input--error" id="id_deadline_month"' in html
    # The error summary links to the first part in error.
    assert refused["deadline"].id_for_label == "id_deadline_month"
    assert DeadlineForm()["deadline"].id_for_label == "id_deadline_day"


def test_typed_values_are_escaped():
    form = DeadlineForm(parts('"><script>alert(1)</script>', "6", "2025"))
    assert not form.is_valid()
    html = form["deadline"].as_widget()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_workspace_form_styles_a_select_subclass_as_a_govuk_select():
    class PlainSelect(forms.Select):
        pass

    class AreaForm(WorkspaceForm):
        area = forms.ChoiceField(choices=[("a", "A")], widget=PlainSelect)

    assert AreaForm()["area"].field.widget.attrs["class"] == "govuk-select"


class MeetingTimeForm(WorkspaceForm):
    starts_at = GovukDateTimeField(label="Date and time")


def at(hour, minute=0):
    return datetime.datetime(2024, 11, 14, hour, minute, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"starts_at": "2024-11-14T10:00"}, at(10)),
        ({"starts_at_day": "14", "starts_at_month": "11", "starts_at_year": "2024",
          "starts_at_time": "10:00"}, at(10)),
        ({"starts_at_day": "14 November 2024", "starts_at_time": "2.30pm"}, at(14, 30)),
        ({"starts_at_day": "14/11/2024", "starts_at_time": "12am"}, at(0)),
    ],
)  # fmt: skip
def test_a_date_and_time_is_read_in_uk_time(data, expected):
    assert cleaned(data, MeetingTimeForm) == expected


@pytest.mark.parametrize(
    ("time", "message"),
    [("", "Date and time must include a time"), ("25:00", "Date and time must be a real time")],
)
def test_a_missing_or_impossible_time_is_named(time, message):
    form = MeetingTimeForm({"starts_at_day": "14/11/2024", "starts_at_time": time})
    assert form.errors["starts_at"] == [message]
    assert form["starts_at"].id_for_label == "id_starts_at_time"


def test_a_date_and_time_shows_in_its_four_boxes_in_uk_time():
    summer = datetime.datetime(2025, 6, 1, 9, 30, tzinfo=datetime.UTC)
    html = MeetingTimeForm(initial={"starts_at": summer})["starts_at"].as_widget()
    assert 'name="starts_at_day" type="text" inputmode="numeric" value="1"' in html
    assert 'name="starts_at_time" type="text" inputmode="numeric" value="10:30"' in html


@pytest.mark.parametrize(
    ("initial", "shown"),
    [("2025-03-04", ["4", "3", "2025"]), ("1 June 2025", ["1", "June", "2025"])],
)
def test_an_initial_date_kept_as_text_shows_in_its_parts(initial, shown):
    assert GovukDateField().widget.decompress(initial) == shown
