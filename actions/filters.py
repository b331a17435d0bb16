"""The action list's FilterSet: every filter lives in the URL, so a filtered list can be shared."""

import datetime
from html import escape
from typing import NamedTuple
from urllib.parse import urlencode

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe

from actions.models import (
    Action,
    FindingKind,
    Grade,
    GradedArea,
    Inspection,
    Rag,
    Status,
)
from tracker.forms import DATE_PARTS, GovukDateField, WorkspaceForm

YES_NO = [("yes", "Yes"), ("no", "No")]

# Sortable columns: URL value -> ORDER BY fields; RAG by severity, red first (rag_severity, from
# Action.objects.with_rag_severity). Ties always break on deadline then id, so a page boundary
# never drops or repeats a row.
SORTS = {
    "deadline": ["deadline"],
    "title": ["title"],
    "reference": ["finding__reference"],
    "inspection": ["finding__inspection__title"],
    "status": ["status"],
    "rag": ["rag_severity"],
    "percent": ["percent_complete"],
    "owner": ["owner__last_name", "owner__first_name"],
}
SORT_CHOICES = [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]


class PlainSelect(forms.Select):
    """A select drawn without a template per option: the same HTML, fast at thousands of options."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        # Plain string joins with the standard library's escape: thousands of format_html calls
        # were a third of the list page's time.
        options = "".join(
            f'<option value="{escape(str(key))}"'
            f"{' selected' if str(key) in selected else ''}>{escape(str(label))}</option>"
            for key, label in self.choices
        )
        return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")  # noqa: S308 (escaped)


def area_choices(user):
    """The graded-area dropdown: each area name once (PEEL's areas recur in every inspection)."""
    names = (
        GradedArea.objects.visible_to(user)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )
    return [(name, name) for name in names]


def stale_label():
    return f"No update for {settings.STALE_DAYS} working days"


class DateFilter(django_filters.Filter):
    """A date from the GOV.UK date input; one ISO value under the filter's name works too."""

    field_class = GovukDateField


class FilterTag(NamedTuple):
    """A filter in use, shown above the list with a link that removes just that filter."""

    label: str
    remove_query: str


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="filter_search", help_text="Words in the action or finding"
    )
    # Typed, like the people below: a national deployment has thousands of inspections. Links
    # (the dashboard's) name one by id, kept in a hidden field when the filters are changed.
    inspection = django_filters.CharFilter(
        label="Inspection",
        method="filter_inspection",
        help_text="Words in its title",
    )
    # A whole number within the database's ids: anything else is refused, not a server error.
    inspection_id = django_filters.NumberFilter(
        field_name="finding__inspection_id",
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**63 - 1,
    )
    area = django_filters.ChoiceFilter(
        label="Graded area", field_name="finding__area__name", empty_label="Any", widget=PlainSelect
    )
    grade = django_filters.ChoiceFilter(
        label="Grade", field_name="finding__area__grade", choices=Grade.choices, empty_label="Any"
    )
    kind = django_filters.ChoiceFilter(
        label="Finding type",
        field_name="finding_kind",
        choices=FindingKind.choices,
        empty_label="Any",
    )
    # distinct=False: these are columns of the action itself, so no row can repeat, and a
    # SELECT DISTINCT over every column would make the count and the page slow at scale.
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    rag = django_filters.MultipleChoiceFilter(
        label="RAG",
        field_name="effective_rag_db",
        choices=Rag.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    # People are typed, not chosen from a list of every user (a national deployment has
    # thousands). A number is a user id, as in links made elsewhere.
    owner = django_filters.CharFilter(
        label="Owner", method="filter_person", help_text="Name, username or email"
    )
    opcc_lead = django_filters.CharFilter(
        label="OPCC lead", method="filter_person", help_text="Name, username or email"
    )
    overdue = django_filters.ChoiceFilter(
        label="Overdue", choices=YES_NO, method="filter_overdue", empty_label="Either"
    )
    # Labelled from settings.STALE_DAYS in __init__.
    stale = django_filters.ChoiceFilter(choices=YES_NO, method="filter_stale", empty_label="Either")
    mine = django_filters.BooleanFilter(
        label="Only actions I own or am delegated",
        method="filter_mine",
        widget=forms.CheckboxInput,
    )
    deadline_from = DateFilter(label="Deadline from", field_name="deadline", lookup_expr="gte")
    deadline_to = DateFilter(label="Deadline to", field_name="deadline", lookup_expr="lte")
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=SORT_CHOICES, method="filter_sort", empty_label="Deadline"
    )

    class Meta:
        model = Action
        fields = []
        form = WorkspaceForm

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Read once, when the form is shown or checked.
        self.filters["area"].extra["choices"] = lambda: area_choices(user)
        stale = self.filters["stale"]
        stale.label = stale_label()
        # The copy of the class's filter may carry a form field built earlier (the API schema
        # builds them) with the label of that time: build it again with this one.
        stale.__dict__.pop("_field", None)

    def filter_search(self, queryset, name, value):
        # Every word must be in the action's title or description, or its finding's reference
        # or text (copied onto the action, so each is a trigram-indexed column on PostgreSQL).
        for word in value.split()[:10]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(finding_search_text__icontains=word)
            )
        return queryset

    def filter_inspection(self, queryset, name, value):
        for word in value.split()[:10]:
            queryset = queryset.filter(finding__inspection__title__icontains=word)
        return queryset

    def filter_person(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return (
                queryset.filter(**{f"{name}_id": int(value)})
                if len(value) < 19
                else queryset.none()
            )
        for word in value.split()[:4]:
            queryset = queryset.filter(
                Q(**{f"{name}__first_name__icontains": word})
                | Q(**{f"{name}__last_name__icontains": word})
                | Q(**{f"{name}__username__iexact": word})
                | Q(**{f"{name}__email__iexact": word})
            )
        return queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value == "yes" else queryset.not_overdue()

    def filter_stale(self, queryset, name, value):
        stale = Action.objects.stale().values("pk")
        if value == "yes":
            return queryset.filter(pk__in=stale)
        return queryset.exclude(pk__in=stale)

    def filter_mine(self, queryset, name, value):
        return queryset.assigned_to(self.user) if value else queryset

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

    # The tags above the list (the GOV.UK / MOJ "filter a list" pattern).

    def tags(self):
        """A FilterTag per filter value in use, in the panel's order: choices by their labels,
        people and inspections named, dates written out. The sort is not a filter."""
        self.is_valid()  # cleaned_data holds every valid filter even when another is refused
        cleaned = self.form.cleaned_data
        tags = []
        for name, field in self.form.fields.items():
            value = cleaned.get(name)
            if name == "sort" or name in self.form.errors or value in (None, "", [], False):
                continue
            label = "Inspection" if name == "inspection_id" else field.label
            for one in value if isinstance(value, list) else [value]:
                text = self.tag_text(name, field, one)
                tags.append(
                    FilterTag(f"{label}: {text}" if text else label, self.query_without(name, one))
                )
        return tags

    def tag_text(self, name, field, value):
        if isinstance(value, datetime.date):
            return f"{value.day} {value:%B %Y}"
        if value is True:
            return ""
        if name == "inspection_id":
            title = Inspection.objects.visible_to(self.user).filter(pk=value).values("title")
            return next((row["title"] for row in title), str(int(value)))
        if name in ("owner", "opcc_lead") and value.strip().isdigit() and len(value) < 19:
            # A user id, from a link: named only if they hold one of the actions this user sees.
            action = self.queryset.filter(**{f"{name}_id": int(value)}).first()
            return str(getattr(action, name)) if action else value
        if name == "area":
            return value  # its choices are the names themselves (read again, they cost a query)
        choices = dict(getattr(field, "choices", ()))
        return str(choices.get(value, value))

    def query_without(self, name, value):
        """This list's query string without one filter value (and on page 1)."""
        data = self.data.copy()
        data.pop("page", None)
        if isinstance(self.form.fields[name].widget, forms.CheckboxSelectMultiple):
            data.setlist(name, [kept for kept in data.getlist(name) if kept != value])
        else:
            for key in [name, *(f"{name}_{part}" for part in DATE_PARTS)]:
                data.pop(key, None)
        return f"?{data.urlencode()}" if data else ""

    def clear_query(self):
        """No filters, keeping the sort."""
        sort = self.data.get("sort")
        return f"?{urlencode({'sort': sort})}" if sort else ""
