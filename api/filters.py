"""API filters. Actions use the HTML list's own FilterSet (actions/filters.py), so a query string
filters the API exactly as it filters the list page, sort included."""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from actions import selectors
from actions.models import ExternalStatus, Finding, FindingKind, Grade, GradedArea, Inspection
from reports.models import Meeting


class ActionFilterBackend(DjangoFilterBackend):
    """The list page's ActionFilter, bound to the caller, and its sort applied after filtering."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "user": request.user}

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)  # 400, naming each bad value
        return selectors.action_list(filterset=filterset)


@extend_schema_field({"type": "integer", "minimum": 1})
class IdFilter(django_filters.NumberFilter):
    """A whole-number id in the database's range; anything else is a 400, not a server error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=2**63 - 1, **kwargs)


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date and time, turned into UTC before it reaches the database (PostgreSQL
    refuses some offsets that parse, e.g. -23:26, and some dates cannot be moved at all)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError("Enter a date and time between the years 1 and 9999.") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class InspectionFilter(django_filters.FilterSet):
    force = IdFilter(field_name="force_id")
    kind = django_filters.ChoiceFilter(choices=Inspection.Kind.choices)
    source_type = django_filters.ChoiceFilter(choices=Inspection.SourceType.choices)
    published_from = django_filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_to = django_filters.DateFilter(field_name="published_on", lookup_expr="lte")

    class Meta:
        model = Inspection
        fields = []


class GradedAreaFilter(django_filters.FilterSet):
    inspection = IdFilter(field_name="inspection_id")
    grade = django_filters.ChoiceFilter(choices=Grade.choices)

    class Meta:
        model = GradedArea
        fields = []


class FindingFilter(django_filters.FilterSet):
    inspection = IdFilter(field_name="inspection_id")
    area = IdFilter(field_name="area_id")
    kind = django_filters.ChoiceFilter(choices=FindingKind.choices)
    external_status = django_filters.ChoiceFilter(choices=ExternalStatus.choices)

    class Meta:
        model = Finding
        fields = []


class MeetingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices)
    starts_from = UtcDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_to = UtcDateTimeFilter(field_name="starts_at", lookup_expr="lte")

    class Meta:
        model = Meeting
        fields = []
