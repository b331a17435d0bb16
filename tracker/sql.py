"""Filters the ORM would write in a form PostgreSQL's planner answers slowly."""

from django.db import connection
from django.db.models import BooleanField, F, Func, Q


def in_subquery(field, subquery):
    """`field` IN (`subquery`). On PostgreSQL written `field = ANY(ARRAY(subquery))`: the planner
    computes the array once, before the rest of the query, and looks its values up in an index,
    beside an OR too. As `IN (subquery)` it is a semi-join, or under an OR a check of every row
    the rest of the query reads."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": subquery})
    from django.contrib.postgres.expressions import ArraySubquery

    return Q(
        Func(
            F(field),
            ArraySubquery(subquery),
            arg_joiner=" = ANY(",
            template="%(expressions)s)",
            output_field=BooleanField(),
        )
    )
