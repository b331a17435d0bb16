"""Reads for meetings and packs, and a pack's snapshot shaped for one audience.

Two audiences see a pack: signed-in OPCC staff ("staff": owners' names and the inspectorate's
own wording) and everyone else allowed to read it, the Panel and the public ("published": role
titles only, and a finding's public wording where OPCC staff set one).
"""

import datetime
from collections import defaultdict
from itertools import zip_longest

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from actions.models import Action
from reports.models import BriefingPack, Meeting, Question
from tracker import roles
from tracker.models import Office, User

STAFF = "staff"
PUBLISHED = "published"


def audience_for(user):
    """Which version of a pack this reader gets: names for OPCC staff, role titles otherwise."""
    return STAFF if roles.sees_personal_names(user) else PUBLISHED


def meeting_lists(*, user, now=None):
    """The meetings page: the meetings of the user's office (Meeting.objects.visible_to)."""
    now = now or timezone.now()
    meetings = Meeting.objects.visible_to(user).annotate(
        pack_count=Count("packs", distinct=True),
        published_count=Count(
            "packs", filter=Q(packs__status=BriefingPack.Status.PUBLISHED), distinct=True
        ),
        inspection_count=Count("inspections", distinct=True),
    )
    return {"upcoming": meetings.upcoming(now), "past": meetings.past(now)}


def meeting_for(*, user, pk):
    """A meeting the user may see, alone, for the forms and actions that need nothing else;
    another office's is 404, as a missing one is."""
    return get_object_or_404(Meeting.objects.visible_to(user), pk=pk)


def meeting_detail(*, user, pk):
    return get_object_or_404(
        Meeting.objects.visible_to(user).prefetch_related(
            "inspections",
            Prefetch("questions", queryset=Question.objects.select_related("owner")),
            Prefetch(
                "packs",
                queryset=BriefingPack.objects.select_related("generated_by", "published_by")
                .defer("snapshot")
                .order_by("-version"),
            ),
        ),
        pk=pk,
    )


def question_detail(*, user, pk):
    return get_object_or_404(
        Question.objects.visible_to(user).select_related("meeting", "owner"), pk=pk
    )


def readable_packs(user):
    """Packs this user may read: their office's for OPCC staff, its published ones for the
    Panel, and for an
    action owner the published papers of meetings whose agenda is their force's alone (a paper
    with another force's inspection on it would show that force's actions)."""
    packs = BriefingPack.objects.all()
    if roles.is_opcc_staff(user):
        return packs.filter(meeting__office_id=roles.office_id_of(user))
    packs = packs.published()
    if roles.is_panel_member(user):
        return packs.filter(meeting__office_id=roles.office_id_of(user))
    if roles.is_action_owner(user):
        return packs.filter(meeting__in=Meeting.objects.of_force_only(user.force_id))
    return packs.none()


def panel_members_of(meeting):
    """The Panel members to tell of the meeting's papers: the meeting's office's, those of a
    force on its agenda and those with no force set; never another force's or office's Panel."""
    forces = meeting.inspections.values("force_id")
    return (
        User.objects.reachable()
        .in_office(meeting.office_id)
        .filter(groups__name=roles.PANEL_MEMBER)
        .filter(Q(force__isnull=True) | Q(force__in=forces))
        .distinct()
    )


def pack_for(*, user, pk):
    """A pack this signed-in user may read (readable_packs); anything else is 404, a draft
    exactly as if it did not exist. Roles that read no packs are refused (403) by the view."""
    packs = readable_packs(user).select_related("meeting__office", "generated_by", "published_by")
    return get_object_or_404(packs, pk=pk)


# The public pages: /public/<office>/ and the office's public papers under it.


def public_offices():
    """The offices of this deployment, for /public/ (which, with one, goes straight to it)."""
    return Office.objects.order_by("name")


def public_office(*, slug):
    return get_object_or_404(Office, slug=slug)


def public_pack(*, office_slug, uuid):
    """A published pack marked public, of the office at /public/<office_slug>/; anything else
    (a draft, a pack not public, another office's) is 404."""
    packs = BriefingPack.objects.public().select_related("meeting__office")
    return get_object_or_404(packs, meeting__office__slug=office_slug, uuid=uuid)


def moved_public_pack(*, uuid):
    """A public pack found by its older address (/public/packs/<uuid>/), to redirect to its
    office's; 404 for anything not public, as before."""
    packs = BriefingPack.objects.public().select_related("meeting__office")
    return get_object_or_404(packs, uuid=uuid)


def public_packs(*, office):
    """The office's public papers, newest meeting first."""
    return _newest_first(BriefingPack.objects.public().of_office(office.pk))


def other_public_papers(pack, *, limit=20):
    """The office's other papers on the public pages, newest first, for a public paper's page."""
    return list(public_packs(office=pack.meeting.office).exclude(pk=pack.pk)[:limit])


def published_packs(*, user):
    """The published packs `user` may read (readable_packs), newest meeting first: the Panel's
    home page and list, and the API."""
    return _newest_first(readable_packs(user).published())


def _newest_first(packs):
    return (
        packs.select_related("meeting__office")
        .defer("snapshot")
        .order_by("-meeting__starts_at", "-version", "pk")
    )


def pack_pdf_for(pack):
    if not pack.pdf or pack.pdf_status != BriefingPack.PdfStatus.READY:
        raise Http404("The PDF is not ready.")
    return pack.pdf


# A pack's snapshot for one audience


def _owner(row, audience, name_key="owner_name", title_key="owner_role_title"):
    name, title = row.get(name_key, ""), row.get(title_key, "")
    if audience == STAFF:
        if name and title:
            return f"{name} ({title})"
        return name or title or "Not assigned"
    return title or ("Role not recorded" if name else "Not assigned")


def _slipped(row):
    """Action.has_slipped for a row of an older pack, which did not record it."""
    deadline, original = (row[key] for key in ("deadline", "original_deadline"))
    action = Action(
        deadline=datetime.date.fromisoformat(deadline),
        original_deadline=datetime.date.fromisoformat(original),
    )
    return action.has_slipped


# A pack generated before schema 4 said "met" or "late" about every source as an s.55 response:
# it is read in the neutral words of Inspection.response_state.
OLDER_RESPONSE_STATES = {
    "met": "recorded",
    "late": "recorded",
    "not_recorded": "overdue",
    "not_yet_due": "due",
}


def _older_statutory(statutory):
    return {
        **statutory,
        "response_due_label": "PCC's s.55 response due",
        "response_state": (
            OLDER_RESPONSE_STATES.get(statutory.get("response"))
            if statutory.get("response_due") or statutory.get("response_published_on")
            else None
        ),
    }


def action_rows(snapshot, audience):
    """The pack's action rows, with the owner, finding wording, latest update and reasons this
    audience may see: the Panel and the public get only words written for the public."""
    rows = []
    for row in snapshot["actions"]:
        shown = dict(row)
        if "slipped" not in row:  # a pack generated before schema 3
            shown["slipped"] = _slipped(row)
        shown["owner"] = _owner(row, audience)
        shown["finding"] = row["finding_text"] if audience == STAFF else row["finding_public_text"]
        if audience == STAFF:
            shown["latest"] = row.get("latest_update", "")
            shown["latest_on"] = row.get("latest_update_on")
        else:
            for key in ("owner_name", "opcc_lead", "finding_text", "latest_update"):
                shown.pop(key, None)
            public = row.get("latest_public_update", "")
            shown["latest"] = public
            shown["latest_on"] = row.get("latest_public_update_on")
            # A reason typed for a deadline move or a reopening is internal; the public read
            # the latest narrative written for them, or are told there is none.
            shown["reasons"] = [
                {"label": reason["label"], "text": public} for reason in row.get("reasons", [])
            ]
        rows.append(shown)
    return rows


def _findings_by_area(snapshot, actions, audience):
    """Each area key's findings, each with its wording for this audience and its actions."""
    by_area = defaultdict(list)
    for finding in snapshot.get("findings", []):
        shown = {
            **finding,
            "shown": finding["text"] if audience == STAFF else finding["public_text"],
            "actions": [actions[pk] for pk in finding["action_ids"]],
        }
        if audience != STAFF:
            del shown["text"]  # the inspectorate's own wording, when a public one was set
        by_area[finding["area_key"]].append(shown)
    return by_area


def _belongs(area, inspection):
    # Packs generated before areas kept their inspection's id (schema 1) match on the title.
    if "inspection_id" in area:
        return area["inspection_id"] == inspection["id"]
    return area["inspection"] == inspection["title"]


def _grid_rows(grid):
    """The Panel's grades grid, row by row: each grade's column lists its areas downwards."""
    columns = [column["areas"] for column in grid["columns"]]
    return [list(row) for row in zip_longest(*columns, fillvalue="")]


def _change_lines(snapshot, actions, audience):
    lines = []
    for line in snapshot["changes"] if isinstance(snapshot["changes"], list) else []:
        events = line["events"]
        if audience != STAFF:
            events = [{**event, "reason": ""} for event in events]
        lines.append({**line, "events": events, "action": actions[line["action_id"]]})
    return lines


def paper_heading(meeting):
    """ "Report to Police & Crime Panel: <title>", without saying the kind twice when the
    meeting's title already starts with it."""
    kind, title = meeting["kind"], meeting["title"]
    if title.lower().startswith(kind.lower()):
        return f"Report to {title}"
    return f"Report to {kind}: {title}"


def _joined(items, actions):
    return [{**item, "action": actions[item["action_id"]]} for item in items]


def pack_view(pack, *, audience):
    """Everything a pack page, PDF or spreadsheet shows, for this audience."""
    snapshot = pack.snapshot
    rows = action_rows(snapshot, audience)
    actions = {row["id"]: row for row in rows}
    narratives = pack.narratives or {}
    findings = _findings_by_area(snapshot, actions, audience)
    areas = [
        {
            **area,
            "narrative": narratives.get(area["key"], ""),
            "finding_rows": findings.get(area["key"], []),
        }
        for area in snapshot["areas"]
    ]
    exceptions = snapshot["exceptions"]
    inspections = []
    for inspection in snapshot["inspections"]:
        statutory = dict(inspection["statutory"])
        if "response_state" not in statutory:  # a pack generated before schema 4
            statutory = _older_statutory(statutory)
        statutory["needing_response"] = [
            {**finding, "shown": finding["text"] if audience == STAFF else finding["public_text"]}
            for finding in statutory["needing_response"]
        ]
        grid = inspection.get("grades", {}).get("grid")
        series = inspection.get("series", [])
        inspections.append(
            {
                **inspection,
                # The figures of the paper published before this one: what changed since.
                "previous_point": series[-2] if len(series) > 1 else None,
                "title_names_force": inspection.get("force", "") in inspection["title"],
                "grid_rows": _grid_rows(grid) if grid else [],
                "statutory": statutory,
                "areas": [a for a in areas if _belongs(a, inspection)],
            }
        )
    questions = [
        {**question, "owner": _owner(question, audience)} for question in snapshot["questions"]
    ]
    changes = _change_lines(snapshot, actions, audience)
    return {
        "pack": pack,
        "audience": audience,
        "snapshot": snapshot,
        "paper": pack.paper(),
        "heading": paper_heading(snapshot["meeting"]),
        "has_inspector_summary": any(i.get("inspector_summary") for i in inspections),
        "forces": sorted({i["force"] for i in inspections if i.get("force")}),
        "overall": narratives.get("overall", ""),
        "inspections": inspections,
        "totals": snapshot["totals"],
        "areas": areas,
        "exceptions": {
            "overdue": _joined(exceptions["overdue"], actions),
            "slipped": _joined(exceptions["slipped"], actions),
            "blocked": _joined(exceptions["blocked"], actions),
            "no_update": _joined(exceptions["no_update"], actions),
            "no_update_since": exceptions["no_update_since"],
            "no_update_basis": exceptions["no_update_basis"],
        },
        # Evidence titles can name people or operations, so the Panel and public get its kind.
        "evidence": [
            {**row, "title": row["title"] if audience == STAFF else ""}
            for row in _joined(snapshot["evidence_assured"], actions)
        ],
        "changes": changes,
        "change_count": len(changes),
        "questions": questions,
        "progress_over_time": snapshot["progress_over_time"],
        "charts": snapshot["charts"],
        "actions": rows,
        # Other offices' actions shared with this office's forces (none in older packs).
        "collaborations": action_rows({"actions": snapshot.get("collaborations", [])}, audience),
    }
