"""The frozen content of a briefing pack: every figure and row, computed from the database once.

`pack_snapshot(meeting)` returns plain JSON (dates as ISO strings) that is stored on the pack, so
a later edit to an action never changes what a generated pack reported. It runs a fixed number
of queries per inspection on the agenda, however many actions, updates or history rows there
are: actions, findings, history and evidence are each read in one query and grouped in Python.
"""

import datetime
from collections import Counter, defaultdict

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from actions.grades import compared_with_previous
from actions.models import (
    OPEN_STATUSES,
    Action,
    Evidence,
    Finding,
    FindingKind,
    Grade,
    GradedArea,
    Inspection,
    Rag,
    Status,
    stale_cutoff,
)
from reports import charts, progress, snapshot_collaborations, snapshot_history
from reports.models import Question
from reports.snapshot_history import iso

# 3: action rows say whether they slipped and are stale; 4: each source's response clock and state.
SCHEMA_VERSION = 4
# Labels from dicts: get_FOO_display() rebuilds its choices dict on every call, for every row.
GRADE_LABELS = dict(Grade.choices)
KIND_LABELS = dict(FindingKind.choices)
STATUS_LABELS = dict(Status.choices)


def _area_key(inspection_id, area_id):
    return f"{inspection_id}-{area_id or 'none'}"


# The Panel's five columns, best first; ungraded areas are listed under the grid.
GRID_GRADES = [grade for grade in Grade if grade != Grade.UNGRADED]


def _grid(areas):
    return {
        "columns": [
            {"grade": grade.label, "areas": [a.name for a in areas if a.grade == grade]}
            for grade in GRID_GRADES
        ],
        "ungraded": [a.name for a in areas if a.grade == Grade.UNGRADED],
    }


def _grade_summary(grades):
    """ "2x Good, 5x Adequate and 1x Requires improvement", as the Panel paper puts it."""
    counts = Counter(grades)
    parts = [f"{counts[g.value]}x {g.label}" for g in GRID_GRADES if counts.get(g.value)]
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _grades(inspection, areas, previous, previous_areas):
    previous_title, previous_published_on = previous or (None, None)
    rows = compared_with_previous(
        areas,
        previous_areas,
        published_on=inspection.published_on,
        previous_published_on=previous_published_on,
    )
    return {
        "previous_title": previous_title,
        "previous_published_on": iso(previous_published_on),
        "previous_summary": _grade_summary(area.grade for area in previous_areas),
        "grid": _grid(areas),
        "rows": [
            {
                "area": row["area"].name,
                "grade": row["area"].get_grade_display(),
                "previous_area": row["previous_area"].name if row["previous_area"] else "",
                "previous_grade": GRADE_LABELS.get(row["previous_area"].grade, "")
                if row["previous_area"]
                else "",
                "trend": row["direction"].trend,
                "trend_label": row["direction"].label,
            }
            for row in rows
        ],
    }


def _previous_areas(inspections):
    """The titles of the inspections these follow, and their areas: two queries however many
    inspections are on the agenda."""
    ids = {inspection.previous_pk for inspection in inspections if inspection.previous_pk}
    titles = {
        pk: (title, published_on)
        for pk, title, published_on in Inspection.objects.filter(pk__in=ids).values_list(
            "pk", "title", "published_on"
        )
    }
    areas = defaultdict(list)
    for area in GradedArea.objects.filter(inspection_id__in=ids).order_by("position", "name"):
        areas[area.inspection_id].append(area)
    return titles, areas


def _statutory(inspection, needing, today):
    """The source's response clock in its own words (Inspection.response_due_label and
    response_rule) and its state on the pack's day: recorded, due, or no response recorded by
    a date that has passed. Never met, late or missed: the office may have responded elsewhere."""
    extended = inspection.response_extended_to and inspection.statutory_response_due
    return {
        "published_on": iso(inspection.published_on),
        "source": inspection.get_source_type_display(),
        "response_due_label": inspection.response_due_label,
        "response_rule": inspection.response_rule,
        "response_due": iso(inspection.response_due),
        "response_extended_from": iso(inspection.statutory_response_due) if extended else None,
        "response_extension_reason": inspection.response_extension_reason if extended else "",
        "response_published_on": iso(inspection.response_published_on),
        "response_state": inspection.response_state_on(today),
        "revisit_on": iso(inspection.revisit_on),
        "force": inspection.force.name,
        "monitoring_phase": inspection.force.get_monitoring_phase_display(),
        "monitoring_phase_since": iso(inspection.force.monitoring_phase_since),
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
    """One action as the pack reports it; each rule (overdue, slipped, stale, effective RAG)
    is the model's own, applied on the pack's day."""
    finding, area = action.finding, action.finding.area
    overdue = action.is_overdue_on(today)
    rag = action.effective_rag_on(today)
    return {
        "id": action.pk,
        "finding_id": finding.pk,
        "inspection_id": finding.inspection_id,
        "inspection": finding.inspection.title,
        "area_key": _area_key(finding.inspection_id, finding.area_id),
        "area": area.name if area else "",
        "grade": GRADE_LABELS.get(area.grade, area.grade) if area else "",
        "finding_reference": finding.reference,
        "finding_kind": KIND_LABELS.get(finding.kind, finding.kind),
        "finding_text": finding.text,
        "finding_public_text": finding.published_text,
        "title": action.title,
        "owner_name": str(action.owner) if action.owner else "",
        "owner_role_title": action.owner_role_title,
        "opcc_lead": str(action.opcc_lead) if action.opcc_lead else "",
        "deadline": iso(action.deadline),
        "original_deadline": iso(action.original_deadline),
        "overdue": overdue,
        "days_overdue": (today - action.deadline).days if overdue else 0,
        "slipped": action.has_slipped,
        "stale": action.is_stale_on(today),
        "status": action.status,
        "status_label": STATUS_LABELS.get(action.status, action.status),
        "rag": rag,
        "rag_label": Rag(rag).label,
        "percent_complete": action.percent_complete,
        "last_update_at": iso(action.last_update_at),
        "created_at": iso(action.created_at),
        "latest_update": action.latest_narrative or "",
        "latest_update_on": iso(action.latest_update_on),
        "latest_public_update": action.latest_public_narrative or "",
        "latest_public_update_on": iso(action.latest_public_on),
        "reasons": [],
    }


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
                    "inspection_id": inspection.pk,
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
        "slipped": sum(row["slipped"] for row in rows),
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
        if row["slipped"]:
            slipped.append(
                {
                    "action_id": row["id"],
                    "original_deadline": row["original_deadline"],
                    "deadline": row["deadline"],
                    "moves": snapshot_history.deadline_moves(history.get(row["id"], [])),
                }
            )
    if since is not None:
        # Since the last meeting: the last update (or, with none, the action) is older.
        cutoff, basis = since, "previous_meeting"
        no_update = [
            row
            for row in open_rows
            if datetime.datetime.fromisoformat(row["last_update_at"] or row["created_at"]) < since
        ]
    else:
        # No earlier meeting: the stale rule (Action.is_stale), on the pack's day.
        today = timezone.localtime(now).date()
        cutoff, basis = stale_cutoff(today), f"{settings.STALE_DAYS}_working_days"
        no_update = [row for row in open_rows if row["stale"]]
    return {
        "overdue": [
            {"action_id": row["id"], "days_overdue": row["days_overdue"]}
            for row in sorted(open_rows, key=lambda r: (-r["days_overdue"], r["id"]))
            if row["overdue"]
        ],
        "slipped": sorted(slipped, key=lambda r: (-r["moves"], r["action_id"])),
        "blocked": [{"action_id": row["id"]} for row in open_rows if row["status"] == "blocked"],
        "no_update": [
            {"action_id": row["id"], "last_update_at": row["last_update_at"]} for row in no_update
        ],
        "no_update_since": iso(cutoff),
        "no_update_basis": basis,
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
            "assured_at": iso(assured_at),
        }
        for pk, title, kind, assured_at in evidence.order_by("assured_at", "pk").values_list(
            "action_id", "title", "kind", "assured_at"
        )
    ]


def _questions(meeting, since):
    """Questions and commitments from the office's earlier meetings still open at the last one."""
    questions = Question.objects.filter(
        meeting__office_id=meeting.office_id, meeting__starts_at__lt=meeting.starts_at
    ).select_related("meeting", "owner")
    if since is not None:
        questions = questions.filter(Q(answered_at__isnull=True) | Q(answered_at__gt=since))
    return [
        {
            "id": question.pk,
            "kind": question.get_kind_display(),
            "text": question.text,
            "meeting": question.meeting.title,
            "meeting_on": iso(timezone.localtime(question.meeting.starts_at).date()),
            "owner_name": str(question.owner) if question.owner else "",
            "owner_role_title": question.owner_role_title,
            "due_on": iso(question.due_on),
            "overdue": question.is_overdue,
            "answered": question.is_answered,
            "answer": question.answer,
            "answered_at": iso(question.answered_at),
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
    previous_titles, previous_areas = _previous_areas(inspections)
    areas_by_inspection = defaultdict(list)
    for area in GradedArea.objects.filter(inspection_id__in=ids).order_by("position", "name"):
        areas_by_inspection[area.inspection_id].append(area)
    findings = _findings(ids)
    finding_counts = Counter(finding["area_key"] for finding in findings)
    needing = defaultdict(list)
    for finding in Finding.objects.filter(inspection_id__in=ids).needing_response():
        needing[finding.inspection_id].append(finding)
    actions = Action.objects.filter(finding__inspection_id__in=ids)
    rows = [
        _action_row(action, today)
        for action in actions.with_latest_updates()
        .select_related("finding__inspection", "finding__area", "owner", "opcc_lead")
        .order_by(
            "finding__inspection__title",
            "finding__area__position",
            "finding__position",
            "finding__reference",
            "deadline",
            "pk",
        )
    ]
    history = snapshot_history.history_by_action(actions)
    snapshot_history.add_reasons(rows, history)
    action_ids = defaultdict(list)
    for row in rows:
        action_ids[row["finding_id"]].append(row["id"])
    for finding in findings:
        finding["action_ids"] = action_ids[finding["id"]]
    progress = _area_progress(inspections, areas_by_inspection, finding_counts, rows)
    over_time = snapshot_history.progress_over_time(history, now)
    figures = inspection_figures(inspections, rows, findings)
    series = snapshot_history.meeting_series(meeting, inspections, figures)
    return {
        "schema": SCHEMA_VERSION,
        "generated_at": iso(now),
        "as_at": iso(today),
        "meeting": {
            "id": meeting.pk,
            "title": meeting.title,
            "kind": meeting.get_kind_display(),
            "starts_at": iso(meeting.starts_at),
            "location": meeting.location,
            "webcast_url": meeting.webcast_url,
        },
        "previous_meeting": {
            "title": previous_meeting.title,
            "starts_at": iso(previous_meeting.starts_at),
        }
        if previous_meeting
        else None,
        "since": iso(since),
        "inspections": [
            {
                "id": inspection.pk,
                "title": inspection.title,
                "kind": inspection.get_kind_display(),
                "link": inspection.link,
                "grades": _grades(
                    inspection,
                    areas_by_inspection[inspection.pk],
                    previous_titles.get(inspection.previous_pk),
                    previous_areas[inspection.previous_pk],
                ),
                "statutory": _statutory(inspection, needing[inspection.pk], today),
                "force": inspection.force.name,
                "published_on": iso(inspection.published_on),
                "fieldwork_start": iso(inspection.fieldwork_start),
                "fieldwork_end": iso(inspection.fieldwork_end),
                "inspector_summary": inspection.inspector_summary,
                "figures": figures[str(inspection.pk)],
                "series": series[inspection.pk],
                "series_chart": charts.meeting_series(inspection.title, series[inspection.pk]),
            }
            for inspection in inspections
        ],
        "findings": findings,
        "figures": figures,
        "totals": _totals(rows),
        "areas": progress,
        "exceptions": _exceptions(rows, history, since, now),
        "evidence_assured": _evidence_assured(actions, since),
        "changes": snapshot_history.changes_since(history, since, now),
        "questions": _questions(meeting, since),
        "progress_over_time": over_time,
        "charts": _charts(progress, over_time),
        "actions": rows,
        "collaborations": snapshot_collaborations.collaboration_rows(meeting, today, _action_row),
    }


def _findings(ids):
    """Every finding of the inspections on the agenda, with those it repeats: two queries."""
    raised_before = defaultdict(list)
    links = Finding.repeats.through.objects.filter(from_finding__inspection_id__in=ids)
    for pk, title, reference in links.order_by(
        "to_finding__inspection__published_on", "to_finding__reference"
    ).values_list("from_finding_id", "to_finding__inspection__title", "to_finding__reference"):
        raised_before[pk].append({"inspection": title, "reference": reference})
    return [
        {
            "id": finding.pk,
            "inspection_id": finding.inspection_id,
            "area_key": _area_key(finding.inspection_id, finding.area_id),
            "reference": finding.reference,
            "kind": finding.get_kind_display(),
            "text": finding.text,
            "public_text": finding.published_text,
            "external_status": finding.external_status,
            "external_status_label": finding.get_external_status_display(),
            "raised_before": raised_before[finding.pk],
        }
        for finding in Finding.objects.filter(inspection_id__in=ids).order_by(
            "inspection_id", "position", "reference"
        )
    ]


def inspection_figures(inspections, rows, findings=()):
    """Each inspection's open, closed and overdue actions and average percent complete: kept on
    the pack (BriefingPack.figures) so later packs draw a series across meetings from them; and
    its findings open and complete by the public status rule, which the national view reads."""
    by_inspection = defaultdict(list)
    statuses = defaultdict(list)
    for row in rows:
        by_inspection[row["inspection_id"]].append(row)
        statuses[row["finding_id"]].append(row["status"])
    kinds = {label: value for value, label in KIND_LABELS.items()}
    findings_by_inspection = defaultdict(list)
    for finding in findings:
        findings_by_inspection[finding["inspection_id"]].append(
            (finding["id"], kinds.get(finding["kind"]), finding["external_status"])
        )
    figures = {}
    for inspection in inspections:
        totals = _totals(by_inspection[inspection.pk])
        figures[str(inspection.pk)] = {
            key: totals[key] for key in ("actions", "open", "closed", "overdue", "percent_complete")
        }
        figures[str(inspection.pk)]["findings"] = progress.finding_counts(
            findings_by_inspection[inspection.pk], statuses
        )
    return figures


def _charts(progress, over_time):
    return {
        "status_by_area": charts.status_by_area(progress),
        "progress_over_time": charts.progress_over_time(over_time),
    }
