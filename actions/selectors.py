"""Reads: the querysets the workspace, exports and later reports share, each a constant number
of queries however many rows there are."""

import datetime
from collections import OrderedDict
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property

from actions.filters import ActionFilter, stale_label
from actions.finding_selectors import linked_findings
from actions.grades import compared_with_previous
from actions.models import (
    OPEN_STATUSES,
    Action,
    Evidence,
    ExtensionRequest,
    Finding,
    Force,
    GradedArea,
    Inspection,
    Rag,
    Status,
    Update,
    assigned_condition,
    overdue_condition,
)
from tracker import roles
from tracker.sql import in_subquery

DASHBOARD_ROWS = 10
# The dashboard's per-inspection counts cover the most recent inspections with open actions;
# the Inspections page lists them all (a national deployment has thousands).
DASHBOARD_INSPECTIONS = 30
# The OPCC dashboard's "Responses due": responses due this many days ahead, and those overdue.
RESPONSES_DUE_DAYS = 28
# A text search stops counting here ("more than 1,000 actions"); its pages end here too.
SEARCH_COUNT_LIMIT = 1000


def action_rows(queryset):
    """Actions with everything a list row shows joined in, and the RAG as it should be shown."""
    return queryset.select_related(
        "finding__inspection__force", "finding__area", "owner", "opcc_lead"
    ).with_rag_severity()


# The columns a row of the action list shows (templates/actions/action_list.html): a page reads
# only these, not the long texts and every column of six joined tables.
PERSON_COLUMNS = ["first_name", "last_name", "username"]
LIST_ROW_COLUMNS = [
    "title",
    "deadline",
    "original_deadline",
    "status",
    "rag",
    "percent_complete",
    "finding__reference",
    "finding__inspection__title",
    "finding__area__name",
    *(f"owner__{column}" for column in PERSON_COLUMNS),
    *(f"opcc_lead__{column}" for column in PERSON_COLUMNS),
]


def action_filterset(*, user, data):
    """The action list's FilterSet, bound to the query string and limited to what user may see."""
    return ActionFilter(data, queryset=action_rows(Action.objects.visible_to(user)), user=user)


def action_list(*, filterset):
    """Exactly the filtered rows, in the order the list shows them (used by exports too)."""
    return filterset.qs.order_by(*filterset.sort_fields())


def action_export_rows(*, filterset):
    """action_list's rows with their latest update's text and time (the update the plan import
    compares with), read in the same query however many rows there are, and their partners
    (one more query per thousand rows)."""
    latest = Update.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        action_list(filterset=filterset)
        .with_partners()
        .annotate(
            latest_update_narrative=Subquery(latest.values("narrative")[:1]),
            latest_update_at=Subquery(latest.values("created_at")[:1]),
        )
    )


class ActionPaginator(Paginator):
    """Pages of action_list rows read in one query that first picks the page's ids (sorting
    narrow rows) and only then joins those fifty to their finding, inspection and people. Sorting
    every match with all its joined columns is what makes a search or a deep page slow.

    With count_limit the count stops at that many rows and `capped` says it did: a search for a
    common word matches tens of thousands of actions, and counting every one of them was most
    of the page's time. The pages then end at the limit, and the count and the page both come
    from one read of the matching ids in list order (`limited_ids`): a search matches through
    the trigram indexes, and doing that twice (once to count, once for the page) was half of
    an office's search."""

    def __init__(self, object_list, per_page, *, user, count_limit=None):
        super().__init__(object_list, per_page)
        self.user = user
        self.count_limit = count_limit

    @cached_property
    def limited_ids(self):
        """With count_limit: the matching rows' ids in list order, one past the limit."""
        return list(self.object_list.values_list("pk", flat=True)[: self.count_limit + 1])

    @cached_property
    def matched(self):
        """The matching rows counted, stopping one past count_limit."""
        if self.count_limit is not None:
            return len(self.limited_ids)
        return self.object_list.order_by().values("pk").count()

    @property
    def capped(self):
        return self.count_limit is not None and self.matched > self.count_limit

    @cached_property
    def count(self):
        return self.count_limit if self.capped else self.matched

    def page(self, number):
        number = self.validate_number(number)
        return self._get_page(self.rows(number), number, self)

    def rows(self, number):
        """One page's rows, from its ids, with only the columns a row shows."""
        bottom = (number - 1) * self.per_page
        if self.count_limit is not None:
            page = Q(pk__in=self.limited_ids[bottom : bottom + self.per_page])
        else:
            page = pk_in_page(self.object_list.values("pk")[bottom : bottom + self.per_page])
        return (
            Action.objects.filter(page)
            .select_related("finding__inspection", "finding__area", "owner", "opcc_lead")
            .only(*LIST_ROW_COLUMNS)
            .with_rag_severity()
            .with_collaboration(self.user)
            .order_by(*self.object_list.query.order_by)
        )


def pk_in_page(ids):
    """pk IN (the page's ids, a sliced subquery), written so that PostgreSQL reads the fifty ids
    first and fetches those rows by key (tracker.sql.in_subquery): as `IN (...)`, with the row's
    nine joined tables, more than its join_collapse_limit (8), it joined every action in the
    table before picking the fifty (400 ms instead of 4 ms at 100,000 actions)."""
    return in_subquery("pk", ids)


def action_pages(*, filterset, per_page):
    """The list's paginator. A text search counts at most SEARCH_COUNT_LIMIT matches."""
    searching = filterset.is_valid() and filterset.form.cleaned_data.get("q")
    return ActionPaginator(
        action_list(filterset=filterset),
        per_page,
        user=filterset.user,
        count_limit=SEARCH_COUNT_LIMIT if searching else None,
    )


def actions_visible_by_id(*, user, ids):
    return action_rows(Action.objects.visible_to(user)).filter(pk__in=ids)


def action_detail(*, user, pk):
    """One action the user may see (404 otherwise), with its people, updates and evidence."""
    queryset = action_rows(Action.objects.visible_to(user).with_collaboration(user))
    queryset = queryset.select_related("delegate", "proposed_by", "closed_by")
    return get_object_or_404(
        queryset.prefetch_related(
            Prefetch("updates", queryset=Update.objects.select_related("author")),
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related(
                    "submitted_by", "assured_by", "returned_by"
                ),
            ),
        ),
        pk=pk,
    )


def extension_requests(*, user, action=None):
    """Extension requests waiting for a decision, oldest first, that the user may see."""
    pending = ExtensionRequest.objects.pending().visible_to(user)
    if action is not None:
        pending = pending.filter(action=action)
    return pending.select_related(
        "action__finding__inspection", "requested_by", "action__owner"
    ).order_by("requested_at", "pk")


def extension_detail(*, user, pk):
    return get_object_or_404(
        ExtensionRequest.objects.visible_to(user).select_related(
            "action__finding__inspection__force", "action__owner", "requested_by", "decided_by"
        ),
        pk=pk,
    )


def reopen_reason(*, action):
    """For an action reopened and not closed since: who reopened it, when and why (the history
    row of the reopening, as history_user, history_date and reason), else None."""
    if action.status in (Status.CLOSED, Status.SUSTAINING) or action.closed_at is not None:
        return None
    latest = (
        action.history.filter(
            Q(history_change_reason__startswith="Reopened: ")
            | Q(history_change_reason__startswith="Closed: ")
        )
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if latest is None or not latest.history_change_reason.startswith("Reopened: "):
        return None
    return {
        "by": latest.history_user,
        "on": latest.history_date,
        "reason": latest.history_change_reason.removeprefix("Reopened: "),
    }


def evidence_detail(*, user, pk):
    """Evidence the user may see (roles.can_see_evidence; 404 otherwise)."""
    return get_object_or_404(
        Evidence.objects.visible_to(user).select_related("action__finding__inspection"), pk=pk
    )


def finding_detail(*, user, pk):
    return get_object_or_404(
        Finding.objects.visible_to(user).select_related("inspection", "area", "parent"), pk=pk
    )


def inspection_for(*, user, pk):
    return get_object_or_404(
        Inspection.objects.visible_to(user).select_related("force__office"), pk=pk
    )


def graded_area_for(*, user, pk):
    """An area the user may see, with its inspection and the areas it may follow."""
    area = get_object_or_404(
        GradedArea.objects.visible_to(user).select_related("inspection__force", "predecessor"),
        pk=pk,
    )
    previous = area.inspection.previous_inspection()
    return area, previous, list(previous.graded_areas.all()) if previous else []


def inspection_already_imported(*, user, force, title, sha256):
    """The inspection a report to import is already in the user's office's register as (the
    same text, or the same force and title), or None. Another office's copy of the same report
    does not count (a national thematic report is imported by every office it concerns) and is
    never named or linked to."""
    found = Inspection.objects.visible_to(user).same_report(force=force, title=title, sha256=sha256)
    return found.select_related("force").order_by("pk").first()


def inspection_add_suggestion(*, user):
    """Where the user can choose only one force (the usual office): that force and its latest
    PEEL inspection, the one a new PEEL inspection follows unless another is chosen; else
    (None, None)."""
    forces = list(Force.objects.filter(roles.force_scope(user, "pk"))[:2])
    if len(forces) != 1:
        return None, None
    previous = Inspection.objects.visible_to(user).latest_earlier(
        force_id=forces[0].pk, kind=Inspection.Kind.PEEL
    )
    return forces[0], previous


def inspection_list(*, user):
    return (
        Inspection.objects.visible_to(user)
        .select_related("force")
        .annotate(
            finding_count=Count("findings", distinct=True),
            open_count=Count(
                "findings__actions", filter=Q(findings__actions__status__in=OPEN_STATUSES)
            ),
        )
        .order_by("-published_on", "title")
    )


def inspection_detail(*, user, pk):
    """The inspection page: grades with trend, findings by area with actions, s.55 status."""
    inspection = get_object_or_404(
        Inspection.objects.visible_to(user).select_related("force__office", "previous"), pk=pk
    )
    previous = inspection.previous_inspection()
    areas = list(inspection.graded_areas.all())
    grades = compared_with_previous(
        areas,
        list(previous.graded_areas.all()) if previous else [],
        published_on=inspection.published_on,
        previous_published_on=previous.published_on if previous else None,
    )
    linked = linked_findings()
    findings = inspection.findings.select_related("area", "parent").prefetch_related(
        Prefetch("repeats", queryset=linked),
        Prefetch("repeated_by", queryset=linked),
        Prefetch(
            "actions",
            queryset=Action.objects.with_effective_rag()
            .select_related("owner")
            .order_by("deadline", "pk"),
        ),
    )
    by_area = OrderedDict((area.pk, {"area": area, "findings": []}) for area in areas)
    unlinked = {"area": None, "findings": []}
    for finding in findings:
        by_area.get(finding.area_id, unlinked)["findings"].append(finding)
    sections = [section for section in by_area.values() if section["findings"]]
    if unlinked["findings"]:
        sections.append(unlinked)
    return {
        "inspection": inspection,
        "previous": previous,
        "grades": grades,
        "sections": sections,
        "needing_response": list(inspection.findings.needing_response()),
    }


def dashboard(*, user, today=None):
    """The dashboard's four groups (first rows, total, list link) and counts per inspection.

    OPCC staff see every action; an owner the actions assigned to them (owned or delegated)."""
    today = today or timezone.localdate()
    mine_only = not roles.is_opcc_staff(user)
    actions = action_rows(Action.objects.visible_to(user).with_collaboration(user))
    if mine_only:
        actions = actions.assigned_to(user)
    # A subquery, not a join: it is worked out for the ten rows shown, not grouped over every
    # proposed action with all its columns.
    assured = Coalesce(
        Subquery(
            Evidence.objects.filter(action=OuterRef("pk"), assured_at__isnull=False)
            .order_by()
            .values("action")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )
    due_soon_days = settings.DUE_SOON_DAYS
    open_statuses = [("status", status.value) for status in OPEN_STATUSES]
    due_soon_to = today + datetime.timedelta(days=due_soon_days)
    groups = [
        ("overdue", "Overdue", actions.overdue(today), [("overdue", "yes")]),
        (
            "due_soon",
            f"Due in the next {due_soon_days} days",
            actions.due_soon(today),
            [("deadline_from", today), ("deadline_to", due_soon_to), *open_statuses],
        ),
        (
            "proposed",
            "Proposed for closure, awaiting assurance",
            actions.filter(status=Status.PROPOSED).annotate(assured_count=assured),
            [("status", Status.PROPOSED.value)],
        ),
        (
            "stale",
            stale_label(),
            actions.stale(today),
            [("stale", "yes")],
        ),
    ]
    mine = [("mine", "on")] if mine_only else []
    counts = inspection_counts(user=user, today=today)
    # Only those the user may decide: a collaboration's requests are its managing office's.
    extensions = (
        None
        if mine_only
        else extension_requests(user=user).filter(
            action__in=Action.objects.managed_by(user).values("pk")
        )
    )
    return {
        "mine_only": mine_only,
        "extensions": list(extensions[:DASHBOARD_ROWS]) if extensions is not None else None,
        "extensions_total": extensions.count() if extensions is not None else 0,
        "responses_due": None if mine_only else responses_due(user=user, today=today),
        "groups": [
            {
                "key": key,
                "title": title,
                "rows": list(queryset.order_by("deadline", "pk")[:DASHBOARD_ROWS]),
                "total": queryset.count(),
                "query": urlencode(query + mine),
                "show_assured": key == "proposed",
            }
            for key, title, queryset, query in groups
        ],
        "inspections": counts[:DASHBOARD_INSPECTIONS],
        "more_inspections": len(counts) > DASHBOARD_INSPECTIONS,
        "inspection_limit": DASHBOARD_INSPECTIONS,
    }


def responses_due(*, user, today):
    """The user's office's sources with no response recorded: due in the next
    RESPONSES_DUE_DAYS days (soonest first) and those whose due date has passed (most recent
    first), with how many of each."""
    unrecorded = (
        Inspection.objects.visible_to(user)
        .response_unrecorded_due_by(today + datetime.timedelta(days=RESPONSES_DUE_DAYS))
        .select_related("force")
    )
    upcoming = unrecorded.filter(response_due_db__gte=today).order_by("response_due_db", "pk")
    passed = unrecorded.filter(response_due_db__lt=today).order_by("-response_due_db", "-pk")
    totals = unrecorded.aggregate(
        upcoming=Count("pk", filter=Q(response_due_db__gte=today)),
        passed=Count("pk", filter=Q(response_due_db__lt=today)),
    )
    return {
        "days": RESPONSES_DUE_DAYS,
        "upcoming": list(upcoming[:DASHBOARD_ROWS]),
        "upcoming_total": totals["upcoming"],
        "passed": list(passed[:DASHBOARD_ROWS]),
        "passed_total": totals["passed"],
    }


def inspection_counts(*, user, today=None):
    """Per inspection with open actions (the most recent DASHBOARD_INSPECTIONS + 1, so the
    dashboard can say there are more): how many actions in each status and each RAG."""
    today = today or timezone.localdate()
    # The action rules' own conditions, read through the join from the inspection.
    path = "findings__actions__"
    mine = Q() if roles.is_opcc_staff(user) else assigned_condition(user, path)
    overdue = overdue_condition(today, path)
    counts = {
        f"status_{status.value}": Count(
            "findings__actions", filter=mine & Q(findings__actions__status=status)
        )
        for status in Status
    }
    counts["rag_red"] = Count(
        "findings__actions", filter=mine & (Q(findings__actions__rag=Rag.RED) | overdue)
    )
    for rag in (Rag.AMBER, Rag.GREEN):
        counts[f"rag_{rag.value}"] = Count(
            "findings__actions", filter=mine & Q(findings__actions__rag=rag) & ~overdue
        )
    counts["total"] = Count("findings__actions", filter=mine)
    counts["open_total"] = Count(
        "findings__actions", filter=mine & Q(findings__actions__status__in=OPEN_STATUSES)
    )
    open_actions = Action.objects.filter(finding__inspection=OuterRef("pk")).open()
    if not roles.is_opcc_staff(user):
        open_actions = open_actions.assigned_to(user)
    latest = (
        Inspection.objects.visible_to(user)
        .filter(Exists(open_actions))
        .order_by("-published_on", "title")
        .values("pk")[: DASHBOARD_INSPECTIONS + 1]
    )
    rows = (
        Inspection.objects.filter(pk__in=latest)
        .annotate(**counts)
        .filter(open_total__gt=0)
        .order_by("-published_on", "title")
    )
    return [
        {
            "inspection": row,
            "statuses": [(status, getattr(row, f"status_{status.value}")) for status in Status],
            "rags": [(rag, getattr(row, f"rag_{rag.value}")) for rag in Rag],
            "total": row.total,
        }
        for row in rows
    ]
