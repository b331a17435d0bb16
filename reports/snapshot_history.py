"""The briefing pack's reading of action history (reports/snapshot.py): why an action is
blocked, slipped, overdue or reopened; what changed since the last meeting; progress by month;
and each inspection's figures across the packs of earlier meetings.

History rows are read once, in one query, as tuples (when, type, status, deadline, percent, why)
per action, oldest first; everything here works on those tuples in Python.
"""

import bisect
import datetime
from collections import defaultdict

from django.utils import timezone

from actions.evidence_services import RETURNED
from actions.extension_services import EXTENSION_APPROVED
from actions.models import Action, Status
from reports.models import BriefingPack

STATUS_LABELS = dict(Status.choices)
PROGRESS_POINTS = 12


def iso(value):
    return value.isoformat() if value is not None else None


def _after_prefix(reason):
    """The words someone typed, without the service's "Reopened: " or "Deadline moved from ...
    to ...: " in front, so a page that says "reopened" does not say it twice."""
    for prefix in ("Reopened: ", "Deadline moved from ", "Deadline corrected from "):
        if reason.startswith(prefix):
            return reason.partition(": ")[2].strip()
    return reason.strip()


def _last_reason(records, changed):
    """The change reason of the latest history row for which changed(previous, row) holds."""
    for before, after in zip(reversed(records[:-1]), reversed(records[1:]), strict=True):
        if changed(before, after):
            return _after_prefix(after[5] or "")
    return ""


def add_reasons(rows, history):
    """Why each blocked, slipped, overdue or reopened action is so: the reason typed when the
    deadline moved or the action was reopened, else the latest update's narrative."""
    for row in rows:
        records = history.get(row["id"], [])
        reasons = []
        if row["status"] == Status.BLOCKED:
            reasons.append({"label": "Blocked", "text": row["latest_update"]})
        if row["status"] == Status.REOPENED:
            text = _last_reason(records, lambda b, a: b[2] != a[2] and a[2] == Status.REOPENED)
            reasons.append({"label": "Reopened", "text": text})
        if row["slipped"]:
            text = _last_reason(records, lambda b, a: b[3] != a[3])
            reasons.append({"label": "Deadline moved", "text": text})
        if row["overdue"]:
            reasons.append({"label": "Overdue", "text": row["latest_update"]})
        row["reasons"] = reasons


def history_by_action(actions):
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


def deadline_moves(records):
    return sum(
        1 for before, after in zip(records, records[1:], strict=False) if before[3] != after[3]
    )


def _label(status):
    return STATUS_LABELS.get(status, status)


def _change_line(pk, before, window):
    """One action's changes in the period, as one line: where its status and deadline started
    and ended, and whether it was added, closed or reopened on the way."""
    last = window[-1]
    new = window[0][1] == "+"
    start = window[0] if new else before
    line = {"action_id": pk, "new": new, "when": iso(last[0]), "events": []}
    if start[2] != last[2]:
        line["status_from"], line["status_to"] = _label(start[2]), _label(last[2])
    if start[3] != last[3]:
        line["deadline_from"], line["deadline_to"] = iso(start[3]), iso(last[3])
    if start[4] != last[4]:
        line["percent_from"], line["percent_to"] = start[4], last[4]
    previous = start
    for record in window:
        if (record[5] or "").startswith(RETURNED):
            # The reason is for the owner: the pack says only that it happened.
            line["events"].append(
                {"event": "returned for more evidence", "when": iso(record[0]), "reason": ""}
            )
        elif record[3] != previous[3] and _after_prefix(record[5] or "").startswith(
            EXTENSION_APPROVED
        ):
            # The move itself is the line's deadline_from/to; this says it was asked for.
            line["events"].append(
                {"event": "deadline extension approved", "when": iso(record[0]), "reason": ""}
            )
        elif record[2] != previous[2] and record[2] in (Status.CLOSED, Status.REOPENED):
            line["events"].append(
                {
                    "event": "closed" if record[2] == Status.CLOSED else "reopened",
                    "when": iso(record[0]),
                    "reason": _after_prefix(record[5] or "")
                    if record[2] == Status.REOPENED
                    else "",
                }
            )
        previous = record
    moved = any(key in line for key in ("status_from", "deadline_from", "percent_from"))
    return line if new or moved or line["events"] else None


def changes_since(history, since, now):
    """What changed in (since, now], one line per action that changed, oldest change first."""
    if since is None:
        return []
    lines = []
    for pk, records in history.items():
        before = [record for record in records if record[0] <= since]
        window = [record for record in records if since < record[0] <= now]
        if window and (before or window[0][1] == "+"):
            line = _change_line(pk, before[-1] if before else None, window)
            if line:
                lines.append(line)
    return sorted(lines, key=lambda line: (line["when"], line["action_id"]))


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


def progress_over_time(history, now):
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
                "date": iso(day if point == now else day - datetime.timedelta(days=1)),
                "actions": existing,
                "closed": closed,
                "closed_percent": round(100 * closed / existing) if existing else 0,
                "average_percent": round(percent / existing) if existing else 0,
            }
        )
    return series


def meeting_series(meeting, inspections, figures):
    """For each inspection: its figures in the latest published pack of each of the office's
    earlier meetings that had it on the agenda, then this pack's. One query, reading only the
    small figures."""
    earlier = (
        BriefingPack.objects.published()
        .filter(
            meeting__office_id=meeting.office_id,
            meeting__starts_at__lt=meeting.starts_at,
            meeting__inspections__in=[inspection.pk for inspection in inspections],
        )
        .order_by("meeting__starts_at", "meeting_id", "-version")
        .values_list("meeting_id", "meeting__title", "meeting__starts_at", "figures")
        .distinct()
    )
    series = {inspection.pk: [] for inspection in inspections}
    seen = set()
    for meeting_id, title, starts_at, pack_figures in earlier:
        if meeting_id in seen:
            continue  # an older version of a meeting already counted
        seen.add(meeting_id)
        for inspection in inspections:
            point = (pack_figures or {}).get(str(inspection.pk))
            if point:
                series[inspection.pk].append(_point(title, starts_at, point, current=False))
    for inspection in inspections:
        point = figures[str(inspection.pk)]
        series[inspection.pk].append(_point(meeting.title, meeting.starts_at, point, current=True))
    return series


def _point(title, starts_at, figures, *, current):
    return {
        "meeting": title,
        "date": iso(timezone.localtime(starts_at).date()),
        "current": current,
        **figures,
    }
