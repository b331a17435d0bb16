"""The frozen content of a briefing pack: every figure and row, computed from the database once.

`pack_snapshot(meeting)` returns plain JSON (dates as ISO strings) that is stored on the pack, so
a later edit to an action never changes what a generated pack reported. It runs a fixed number
of queries per inspection on the agenda, however many actions, updates or history rows there
are: actions, findings, history and evidence are each read in one query and grouped in Python.
"""

import bisect
import datetime
from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from actions.models import (
    OPEN_STATUSES,
    Action,
    Evidence,
    Finding,
    Grade,
    GradedArea,
    Inspection,
    Rag,
    Status,
)
from actions.selectors import STALE_DAYS
from reports import charts
from reports.models import Question

SCHEMA_VERSION = 1
GRADE_LABELS = dict(Grade.choices)
STATUS_LABELS = dict(Status.choices)
PROGRESS_POINTS = 12


def _iso(value):
    return value.isoformat() if value is not None else None


def _area_key(inspection_id, area_id):
    return f"{inspection_id}-{area_id or 'none'}"


def _grades(areas, previous_title, before):
    return {
        "previous_title": previous_title,
        "rows": [
            {
                "area": area.name,
                "grade": area.get_grade_display(),
                "previous_grade": GRADE_LABELS.get(before.get(area.name), ""),
                "trend": area.trend(before.get(area.name)),
            }
            for area in areas
        ],
    }


def _previous_grades(inspections):
    """The titles of the inspections these follow, and their grades by area name: two queries
    however many inspections are on the agenda."""
    ids = {inspection.previous_pk for inspection in inspections if inspection.previous_pk}
    titles = dict(Inspection.objects.filter(pk__in=ids).values_list("pk", "title"))
    grades = defaultdict(dict)
    for inspection_id, name, grade in GradedArea.objects.filter(inspection_id__in=ids).values_list(
        "inspection_id", "name", "grade"
    ):
        grades[inspection_id][name] = grade
    return titles, grades


def _statutory(inspection, needing):
    met = inspection.response_met
    return {
        "published_on": _iso(inspection.published_on),
        "response_due": _iso(inspection.response_due),
        "response_published_on": _iso(inspection.response_published_on),
        "response": {True: "met", False: "late"}.get(met, "not_yet_due"),
        "revisit_on": _iso(inspection.revisit_on),
        "force": inspection.force.name,
        "monitoring_phase": inspection.force.get_monitoring_phase_display(),
        "monitoring_phase_since": _iso(inspection.force.monitoring_phase_since),
        "needing_response": [
            {
                "reference": finding.reference,
                "kind": finding.get_kind_display(),
                "text": finding.text,
                "public_text": finding.published_text,
            }
            for finding in needing
        ],
    }


def _action_row(action, today):
    finding, area = action.finding, action.finding.area
    overdue = action.status in OPEN_STATUSES and action.deadline < today
    rag = Rag.RED if overdue else action.rag
    return {
        "id": action.pk,
        "inspection_id": finding.inspection_id,
        "inspection": finding.inspection.title,
        "area_key": _area_key(finding.inspection_id, finding.area_id),
        "area": area.name if area else "",
        "grade": area.get_grade_display() if area else "",
        "finding_reference": finding.reference,
        "finding_kind": finding.get_kind_display(),
        "finding_text": finding.text,
        "finding_public_text": finding.published_text,
        "title": action.title,
        "owner_name": str(action.owner) if action.owner else "",
        "owner_role_title": action.owner_role_title,
        "opcc_lead": str(action.opcc_lead) if action.opcc_lead else "",
        "deadline": _iso(action.deadline),
        "original_deadline": _iso(action.original_deadline),
        "overdue": overdue,
        "days_overdue": (today - action.deadline).days if overdue else 0,
        "status": action.status,
        "status_label": action.get_status_display(),
        "rag": rag,
        "rag_label": Rag(rag).label,
        "percent_complete": action.percent_complete,
        "last_update_at": _iso(action.last_update_at),
        "created_at": _iso(action.created_at),
    }


def _history_by_action(actions):
    """Each action's history rows, oldest first: (when, type, status, deadline, percent, why)."""
    rows = (
        Action.history.filter(id__in=actions.values("pk"))
        .order_by("id", "history_date", "history_id")
        .values_list(
            "id",
            "history_date",
            "history_type",
            "status",
            "deadline",
            "percent_complete",
            "history_change_reason",
        )
    )
    history = defaultdict(list)
    for pk, *rest in rows.iterator(chunk_size=2000):
        history[pk].append(rest)
    return history


def _deadline_moves(records):
    return sum(
        1 for before, after in zip(records, records[1:], strict=False) if before[3] != after[3]
    )


def _changes_since(history, since, now):
    """Status changes, closures, reopenings, deadline moves and new actions in (since, now]."""
    changes = {"new": [], "closures": [], "reopenings": [], "status": [], "deadline_moves": []}
    if since is None:
        return changes
    for pk, records in history.items():
        previous = None
        for record in records:
            when, kind, status, deadline, _percent, reason = record
            if since < when <= now:
                base = {"action_id": pk, "when": _iso(when), "reason": reason or ""}
                if kind == "+":
                    changes["new"].append(base)
                elif previous is not None and previous[2] != status:
                    row = {
                        **base,
                        "from": STATUS_LABELS.get(previous[2], previous[2]),
                        "to": STATUS_LABELS.get(status, status),
                    }
                    if status == Status.CLOSED:
                        changes["closures"].append(row)
                    elif status == Status.REOPENED:
                        changes["reopenings"].append(row)
                    else:
                        changes["status"].append(row)
                if previous is not None and kind != "+" and previous[3] != deadline:
                    changes["deadline_moves"].append(
                        {**base, "from": _iso(previous[3]), "to": _iso(deadline)}
                    )
            previous = record
    for rows in changes.values():
        rows.sort(key=lambda row: (row["when"], row["action_id"]))
    return changes


def _month_ends(start, now, count):
    """Up to `count` month ends from `start`'s month to before now, then now itself."""
    points = []
    day = timezone.localtime(start).date().replace(day=1)
    while True:
        next_month = (day + datetime.timedelta(days=32)).replace(day=1)
        end = timezone.make_aware(datetime.datetime.combine(next_month, datetime.time.min))
        if end >= now:
            break
        points.append(end)
        day = next_month
    return [*points[-(count - 1) :], now]


def _progress_over_time(history, now):
    """At each month end: how many actions existed, how many were closed, average % complete."""
    if not history:
        return []
    first = min(records[0][0] for records in history.values())
    points = _month_ends(first, now, PROGRESS_POINTS)
    series = []
    dated = {pk: [record[0] for record in records] for pk, records in history.items()}
    for point in points:
        existing = closed = percent = 0
        for pk, records in history.items():
            index = bisect.bisect_right(dated[pk], point) - 1
            if index < 0:
                continue
            _when, _kind, status, _deadline, pct, _why = records[index]
            existing += 1
            closed += status == Status.CLOSED
            percent += pct
        # A month-end point is midnight starting the next month: label it the month's last day.
        day = timezone.localtime(point).date()
        series.append(
            {
                "date": _iso(day if point == now else day - datetime.timedelta(days=1)),
                "actions": existing,
                "closed": closed,
                "closed_percent": round(100 * closed / existing) if existing else 0,
                "average_percent": round(percent / existing) if existing else 0,
            }
        )
    return series


def _area_progress(inspections, areas_by_inspection, finding_counts, rows):
    by_area = defaultdict(list)
    for row in rows:
        by_area[row["area_key"]].append(row)
    progress = []
    for inspection in inspections:
        keyed = [
            (_area_key(inspection.pk, a.pk), a.name, a.get_grade_display())
            for a in areas_by_inspection[inspection.pk]
        ]
        if finding_counts.get(_area_key(inspection.pk, None)):
            keyed.append((_area_key(inspection.pk, None), "Not linked to a graded area", ""))
        for key, name, grade in keyed:
            area_rows = by_area.get(key, [])
            statuses = Counter(row["status"] for row in area_rows)
            rags = Counter(row["rag"] for row in area_rows)
            count = len(area_rows)
            progress.append(
                {
                    "key": key,
                    "inspection": inspection.title,
                    "area": name,
                    "grade": grade,
                    "findings": finding_counts.get(key, 0),
                    "actions": count,
                    "statuses": [
                        {"status": s.value, "label": s.label, "count": statuses.get(s.value, 0)}
                        for s in Status
                    ],
                    "closed": statuses.get(Status.CLOSED, 0),
                    "percent_complete": (
                        round(sum(row["percent_complete"] for row in area_rows) / count)
                        if count
                        else 0
                    ),
                    "rag": {rag.value: rags.get(rag.value, 0) for rag in Rag},
                    "overdue": sum(row["overdue"] for row in area_rows),
                }
            )
    return progress


def _totals(rows):
    statuses = Counter(row["status"] for row in rows)
    rags = Counter(row["rag"] for row in rows)
    count = len(rows)
    return {
        "actions": count,
        "open": sum(statuses.get(s, 0) for s in OPEN_STATUSES),
        "closed": statuses.get(Status.CLOSED, 0),
        "overdue": sum(row["overdue"] for row in rows),
        "slipped": sum(row["deadline"] > row["original_deadline"] for row in rows),
        "blocked": statuses.get(Status.BLOCKED, 0),
        "percent_complete": (
            round(sum(row["percent_complete"] for row in rows) / count) if count else 0
        ),
        "statuses": [
            {"status": s.value, "label": s.label, "count": statuses.get(s.value, 0)} for s in Status
        ],
        "rag": {rag.value: rags.get(rag.value, 0) for rag in Rag},
    }


def _exceptions(rows, history, since, now):
    open_rows = [row for row in rows if row["status"] in OPEN_STATUSES]
    slipped = []
    for row in rows:
        if row["deadline"] > row["original_deadline"]:
            slipped.append(
                {
                    "action_id": row["id"],
                    "original_deadline": row["original_deadline"],
                    "deadline": row["deadline"],
                    "moves": _deadline_moves(history.get(row["id"], [])),
                }
            )
    cutoff = since or now - datetime.timedelta(days=STALE_DAYS)
    # No update since the cutoff: the last update is older, or there is none and the action
    # itself is older.
    no_update = [
        {"action_id": row["id"], "last_update_at": row["last_update_at"]}
        for row in open_rows
        if datetime.datetime.fromisoformat(row["last_update_at"] or row["created_at"]) < cutoff
    ]
    return {
        "overdue": [
            {"action_id": row["id"], "days_overdue": row["days_overdue"]}
            for row in sorted(open_rows, key=lambda r: (-r["days_overdue"], r["id"]))
            if row["overdue"]
        ],
        "slipped": sorted(slipped, key=lambda r: (-r["moves"], r["action_id"])),
        "blocked": [{"action_id": row["id"]} for row in open_rows if row["status"] == "blocked"],
        "no_update": no_update,
        "no_update_since": _iso(cutoff),
        "no_update_basis": "previous_meeting" if since else f"{STALE_DAYS}_days",
    }


def _evidence_assured(actions, since):
    evidence = Evidence.objects.filter(action__in=actions.values("pk"), assured_at__isnull=False)
    if since is not None:
        evidence = evidence.filter(assured_at__gt=since)
    return [
        {
            "action_id": pk,
            "title": title,
            "kind": dict(Evidence.Kind.choices).get(kind, kind),
            "assured_at": _iso(assured_at),
        }
        for pk, title, kind, assured_at in evidence.order_by("assured_at", "pk").values_list(
            "action_id", "title", "kind", "assured_at"
        )
    ]


def _questions(meeting, since):
    """Questions and commitments from earlier meetings still open at the last one."""
    questions = Question.objects.filter(meeting__starts_at__lt=meeting.starts_at).select_related(
        "meeting", "owner"
    )
    if since is not None:
        questions = questions.filter(Q(answered_at__isnull=True) | Q(answered_at__gt=since))
    return [
        {
            "id": question.pk,
            "kind": question.get_kind_display(),
            "text": question.text,
            "meeting": question.meeting.title,
            "meeting_on": _iso(timezone.localtime(question.meeting.starts_at).date()),
            "owner_name": str(question.owner) if question.owner else "",
            "owner_role_title": question.owner_role_title,
            "due_on": _iso(question.due_on),
            "overdue": question.is_overdue,
            "answered": question.is_answered,
            "answer": question.answer,
            "answered_at": _iso(question.answered_at),
        }
        for question in questions.order_by("meeting__starts_at", "created_at", "pk")
    ]


def pack_snapshot(meeting, *, now=None):
    """Everything a briefing pack for `meeting` reports, as at `now` (default: this moment)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    previous_meeting = meeting.previous_of_same_kind()
    since = previous_meeting.starts_at if previous_meeting else None
    inspections = list(
        meeting.inspections.with_previous()
        .select_related("force")
        .order_by("-published_on", "title")
    )
    ids = [inspection.pk for inspection in inspections]
    previous_titles, previous_grades = _previous_grades(inspections)
    areas_by_inspection = defaultdict(list)
    for area in GradedArea.objects.filter(inspection_id__in=ids).order_by("position", "name"):
        areas_by_inspection[area.inspection_id].append(area)
    finding_counts = {
        _area_key(inspection_id, area_id): count
        for inspection_id, area_id, count in Finding.objects.filter(inspection_id__in=ids)
        .values("inspection_id", "area_id")
        .annotate(count=Count("pk"))
        .values_list("inspection_id", "area_id", "count")
    }
    needing = defaultdict(list)
    for finding in Finding.objects.filter(inspection_id__in=ids).needing_response():
        needing[finding.inspection_id].append(finding)
    actions = Action.objects.filter(finding__inspection_id__in=ids)
    rows = [
        _action_row(action, today)
        for action in actions.select_related(
            "finding__inspection", "finding__area", "owner", "opcc_lead"
        ).order_by(
            "finding__inspection__title",
            "finding__area__position",
            "finding__position",
            "finding__reference",
            "deadline",
            "pk",
        )
    ]
    history = _history_by_action(actions)
    progress = _area_progress(inspections, areas_by_inspection, finding_counts, rows)
    over_time = _progress_over_time(history, now)
    return {
        "schema": SCHEMA_VERSION,
        "generated_at": _iso(now),
        "as_at": _iso(today),
        "meeting": {
            "id": meeting.pk,
            "title": meeting.title,
            "kind": meeting.get_kind_display(),
            "starts_at": _iso(meeting.starts_at),
            "location": meeting.location,
            "webcast_url": meeting.webcast_url,
        },
        "previous_meeting": {
            "title": previous_meeting.title,
            "starts_at": _iso(previous_meeting.starts_at),
        }
        if previous_meeting
        else None,
        "since": _iso(since),
        "inspections": [
            {
                "id": inspection.pk,
                "title": inspection.title,
                "kind": inspection.get_kind_display(),
                "link": inspection.link,
                "grades": _grades(
                    areas_by_inspection[inspection.pk],
                    previous_titles.get(inspection.previous_pk),
                    previous_grades[inspection.previous_pk],
                ),
                "statutory": _statutory(inspection, needing[inspection.pk]),
            }
            for inspection in inspections
        ],
        "totals": _totals(rows),
        "areas": progress,
        "exceptions": _exceptions(rows, history, since, now),
        "evidence_assured": _evidence_assured(actions, since),
        "changes": _changes_since(history, since, now),
        "questions": _questions(meeting, since),
        "progress_over_time": over_time,
        "charts": _charts(progress, over_time),
        "actions": rows,
    }


def _charts(progress, over_time):
    return {
        "status_by_area": charts.status_by_area(progress),
        "progress_over_time": charts.progress_over_time(over_time),
    }
