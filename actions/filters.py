"""The action list's FilterSet: every filter lives in the URL, so a filtered list can be shared."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from actions.models import (
    OPEN_STATUSES,
    Action,
    FindingKind,
    Grade,
    GradedArea,
    Inspection,
    Rag,
    Status,
)
from tracker import roles
from tracker.models import User

YES_NO = [("yes", "Yes"), ("no", "No")]

# Sortable columns: URL value -> ORDER BY fields. Ties always break on deadline then id, so a
# page boundary never drops or repeats a row.
SORTS = {
    "deadline": ["deadline"],
    "title": ["title"],
    "reference": ["finding__reference"],
    "inspection": ["finding__inspection__title"],
    "status": ["status"],
    "rag": ["rag_rank"],
    "percent": ["percent_complete"],
    "owner": ["owner__last_name", "owner__first_name"],
}
SORT_CHOICES = [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="filter_search", help_text="Words in the action or finding"
    )
    inspection = django_filters.ModelChoiceFilter(
        field_name="finding__inspection", queryset=Inspection.objects.none(), empty_label="Any"
    )
    area = django_filters.ChoiceFilter(
        label="Graded area", field_name="finding__area__name", empty_label="Any"
    )
    grade = django_filters.ChoiceFilter(
        label="Grade", field_name="finding__area__grade", choices=Grade.choices, empty_label="Any"
    )
    kind = django_filters.ChoiceFilter(
        label="Finding type",
        field_name="finding__kind",
        choices=FindingKind.choices,
        empty_label="Any",
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    rag = django_filters.MultipleChoiceFilter(
        label="RAG",
        field_name="effective_rag_db",
        choices=Rag.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.none(), empty_label="Anyone")
    opcc_lead = django_filters.ModelChoiceFilter(
        label="OPCC lead", queryset=User.objects.none(), empty_label="Anyone"
    )
    overdue = django_filters.ChoiceFilter(
        label="Overdue", choices=YES_NO, method="filter_overdue", empty_label="Either"
    )
    stale = django_filters.ChoiceFilter(
        label="No update for 30 days", choices=YES_NO, method="filter_stale", empty_label="Either"
    )
    mine = django_filters.BooleanFilter(
        label="Only actions I own or am delegated",
        method="filter_mine",
        widget=forms.CheckboxInput,
    )
    deadline_from = django_filters.DateFilter(
        label="Deadline from",
        field_name="deadline",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    deadline_to = django_filters.DateFilter(
        label="Deadline to",
        field_name="deadline",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=SORT_CHOICES, method="filter_sort", empty_label="Deadline"
    )

    class Meta:
        model = Action
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        inspections = Inspection.objects.visible_to(user).order_by("-published_on", "title")
        self.filters["inspection"].queryset = inspections
        area_names = (
            GradedArea.objects.filter(inspection__in=inspections)
            .order_by("name")
            .values_list("name", flat=True)
            .distinct()
        )
        self.filters["area"].extra["choices"] = lambda: [(name, name) for name in area_names]
        owners = User.objects.filter(groups__name=roles.ACTION_OWNER, is_active=True)
        if not roles.is_opcc_staff(user):
            owners = owners.filter(force_id=user.force_id)
        self.filters["owner"].queryset = owners
        self.filters["opcc_lead"].queryset = User.objects.filter(
            groups__name=roles.OPCC_STAFF, is_active=True
        )

    def filter_search(self, queryset, name, value):
        for word in value.split()[:10]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(finding__text__icontains=word)
                | Q(finding__reference__icontains=word)
            )
        return queryset

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        if value == "yes":
            return queryset.overdue(today)
        return queryset.exclude(status__in=OPEN_STATUSES, deadline__lt=today)

    def filter_stale(self, queryset, name, value):
        stale = Action.objects.stale().values("pk")
        if value == "yes":
            return queryset.filter(pk__in=stale)
        return queryset.exclude(pk__in=stale)

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(owner=self.user) | Q(delegate=self.user))

    def filter_sort(self, queryset, name, value):
        # The sort is applied in the selector, after every filter; see sort_fields().
        return queryset

    def sort_fields(self):
        value = self.form.cleaned_data.get("sort") if self.is_valid() else ""
        key = (value or "deadline").lstrip("-")
        fields = SORTS.get(key, SORTS["deadline"])
        if value and value.startswith("-"):
            fields = [f"-{field}" for field in fields]
        return [*fields, "deadline", "pk"]
