"""The pack's date filter: `|iso_date:fmt` shows exactly what `|iso|date:fmt` showed."""

import pytest
from django.template import Context, Template
from django.utils import translation


def rendered(source, value):
    return Template("{% load packs %}" + source).render(Context({"value": value}))


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-29",  # a day (a deadline)
        "2026-06-30T23:30:00+00:00",  # a datetime in summer time: 1 July in London
        "2026-12-31T23:30:00+00:00",  # in winter: still 31 December
        None,
        "",
    ],
)
@pytest.mark.parametrize("fmt", ["j M Y", "j F Y", "F Y"])
def test_iso_date_shows_what_iso_then_date_showed(value, fmt):
    assert rendered(f'{{{{ value|iso_date:"{fmt}" }}}}', value) == rendered(
        f'{{{{ value|iso|date:"{fmt}" }}}}', value
    )


def test_iso_date_turns_a_london_evening_into_the_next_day_in_summer():
    assert rendered('{{ value|iso_date:"j M Y" }}', "2026-06-30T23:30:00+00:00") == "1 Jul 2026"


def test_iso_date_formats_a_day_in_the_active_language():
    with translation.override("de"):
        german = rendered('{{ value|iso_date:"j F Y" }}', "2026-03-02")
    assert german == "2 März 2026"
    assert rendered('{{ value|iso_date:"j F Y" }}', "2026-03-02") == "2 March 2026"


def test_an_empty_date_falls_back_to_default():
    assert rendered('{{ value|iso_date:"j F Y"|default:"Not recorded" }}', None) == "Not recorded"
