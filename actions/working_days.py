"""Working days: weekdays that are not bank holidays in England and Wales (the `holidays`
package, REMINDER_HOLIDAYS_SUBDIVISION). The stale rule (actions/models.py) and the reminders'
nudges and escalations (actions/reminders/due.py) count them."""

import datetime
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=32)
def _bank_holidays(subdivision, year):
    return holidays.country_holidays("GB", subdiv=subdivision, years=year)


def is_working_day(day):
    return day.weekday() < 5 and day not in _bank_holidays(
        settings.REMINDER_HOLIDAYS_SUBDIVISION, day.year
    )


def working_days_before(day, count):
    """The date `count` working days before `day`, skipping weekends and bank holidays."""
    return _working_days_before(day, count, settings.REMINDER_HOLIDAYS_SUBDIVISION)


@lru_cache(maxsize=256)
def _working_days_before(day, count, subdivision):
    # Cached: the stale rule asks it for the same day once per action (a pack, the sweep).
    while count > 0:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5 and day not in _bank_holidays(subdivision, day.year):
            count -= 1
    return day


def working_day_on_or_before(day):
    """`day` if it is a working day, else the working day before it: when a nudge due on a
    weekend or a bank holiday goes."""
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


@lru_cache(maxsize=4096)
def working_days_since(day, today):
    """How many working days from `day` up to `today`, `day` included and `today` not: an
    action last updated on Friday has had one working day without one by Monday morning.
    Counted by whole weeks, then bank holidays falling on weekdays: a sweep asks for
    thousands of actions."""
    if day >= today:
        return 0
    weeks, rest = divmod((today - day).days, 7)
    count = weeks * 5 + sum((day.weekday() + i) % 7 < 5 for i in range(rest))
    for year in range(day.year, today.year + 1):
        for holiday in _bank_holidays(settings.REMINDER_HOLIDAYS_SUBDIVISION, year):
            count -= day <= holiday < today and holiday.weekday() < 5
    return count
