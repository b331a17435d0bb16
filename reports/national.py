"""The national view: what offices have published, read across every office and force.

What counts as published, and which figures the national reader sees (the same as the public):
- An inspection is published when its office has switched its public progress page on, or has
  published a briefing pack (to the Panel or the public) with it on the agenda. Nothing else of
  an office reaches this page.
- With the progress page on, the public reads the live status of each finding (reports.progress:
  public_status), so this page counts the same, live, in one aggregate query. Otherwise the
  figures are those of the latest published pack that reported the inspection, frozen when it was
  generated (BriefingPack.figures: "findings"), because that is all the office has published.
- Only finding texts in their public wording (Finding.published_text), graded areas and their
  grades, force and office names: never action titles, descriptions, updates, evidence or people.

A fixed number of queries however many offices, forces, inspections or actions there are. The
recurring findings and directions of travel, which read every published inspection, are computed
by a Celery task every settings.NATIONAL_VIEW_REFRESH_MINUTES and whenever a pack is published or
a progress page switched (reports.services.national_figures_refresh); the page reads the stored
result.
"""

from collections import Counter, defaultdict

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from rapidfuzz import fuzz, process

from actions import repeats
from actions.grades import NO_EARLIER, compared_with_previous
from actions.models import (
    Action,
    ExternalStatus,
    Finding,
    FindingKind,
    Grade,
    GradedArea,
    Inspection,
    InspectionKind,
    Status,
)
from reports import progress
from reports.models import BriefingPack, NationalFigures

OPEN, COMPLETE, CLOSED = progress.OPEN, progress.COMPLETE, progress.CLOSED
RECURRING_LIMIT = 25
INSPECTIONS_PER_PAGE = 50


def _live_counts(inspection_ids):
    """The public status rule (progress.public_status) for these inspections' findings: one
    query giving each finding with whether it has actions and whether any is still open (each
    finding's actions looked at once), counted here. Counting in SQL, with the two checks
    repeated in each of five filtered counts, took half the page's time at national scale."""
    actions = Action.objects.filter(finding_id=OuterRef("pk"))
    rows = (
        Finding.objects.filter(inspection_id__in=inspection_ids)
        .annotate(
            any_action=Exists(actions), any_open=Exists(actions.exclude(status=Status.CLOSED))
        )
        .values_list("inspection_id", "kind", "external_status", "any_action", "any_open")
        .order_by()
    )
    counts = defaultdict(progress.empty_counts)
    for inspection_id, kind, external_status, any_action, any_open in rows:
        tally = counts[inspection_id]
        if external_status != ExternalStatus.OPEN:
            tally[CLOSED] += 1
            continue
        group = "afis" if kind == FindingKind.AFI else "recommendations"
        tally[group][COMPLETE if any_action and not any_open else OPEN] += 1
    return dict(counts)


def _latest_published_packs():
    """Each inspection's latest published pack, as (generated_at, pack id, that inspection's
    figures): one query reading only the small figures (a pack made before they held finding
    counts is read from its snapshot, once)."""
    latest = {}
    packs = BriefingPack.objects.published().order_by("generated_at", "pk")
    for pk, generated_at, figures in packs.values_list("pk", "generated_at", "figures"):
        for key, point in (figures or {}).items():
            latest[int(key)] = (generated_at, pk, point)
    return latest


def _counts_from_snapshot(pack_id, inspection_id):
    """A pack generated before its figures held finding counts: count from its snapshot."""
    snapshot = BriefingPack.objects.values_list("snapshot", flat=True).get(pk=pack_id)
    statuses = defaultdict(list)
    for row in snapshot.get("actions", []):
        statuses[row["finding_id"]].append(row["status"])
    labels = {label: value for value, label in FindingKind.choices}
    findings = [
        (f["id"], labels.get(f["kind"], f["kind"]), f["external_status"])
        for f in snapshot.get("findings", [])
        if f["inspection_id"] == inspection_id
    ]
    return progress.finding_counts(findings, statuses)


def published_inspections():
    """The published inspections with their force and office (one query, plus one for the
    packs): the page's list, without figures (with_counts adds them to a page of it)."""
    packs = _latest_published_packs()
    inspections = list(
        Inspection.objects.filter(Q(public_progress=True) | Q(pk__in=list(packs)))
        .select_related("force__office")
        .order_by("force__office__name", "force__name", "-published_on", "title")
    )
    for inspection in inspections:
        inspection.latest_pack = None if inspection.public_progress else packs[inspection.pk]
    return inspections


def with_counts(inspections):
    """Each inspection's findings open and complete, and where the figures come from: live
    (progress page on; one aggregate query for them all), or the pack and its generation day."""
    live = _live_counts([i.pk for i in inspections if i.public_progress])
    for inspection in inspections:
        if inspection.public_progress:
            inspection.counts = live.get(inspection.pk) or progress.empty_counts()
            inspection.as_at = None
            continue
        generated_at, pack_id, point = inspection.latest_pack
        counts = point.get("findings")
        if counts is None:
            counts = _counts_from_snapshot(pack_id, inspection.pk)
        inspection.counts, inspection.as_at = counts, generated_at
    return inspections


def public_page_url(office):
    """The office's public page, /public/<slug>/."""
    return reverse("reports:public_office", args=[office.slug])


def offices(inspections):
    """Every office that has published something, and its public page."""
    seen = {}
    for inspection in inspections:
        seen.setdefault(inspection.force.office_id, inspection.force.office)
    return [
        {"office": office, "public_url": public_page_url(office)}
        for office in sorted(seen.values(), key=lambda office: office.name)
    ]


def directions_by_area(inspections):
    """Direction of travel by graded area across forces: each force's latest published graded
    inspection against the one it follows (actions.grades, the rule the packs use). Three
    queries."""
    latest = {}
    for inspection in inspections:  # newest first within each force
        if inspection.force_id not in latest and inspection.kind == InspectionKind.PEEL:
            latest[inspection.force_id] = inspection
    # The inspection each follows, for these few only (a subquery a row: not for the whole list).
    chosen = list(
        Inspection.objects.filter(pk__in=[i.pk for i in latest.values()])
        .with_previous()
        .order_by("pk")
    )
    ids = {i.pk for i in chosen} | {i.previous_pk for i in chosen if i.previous_pk}
    areas = defaultdict(list)
    for area in GradedArea.objects.filter(inspection_id__in=ids).order_by("position", "name"):
        areas[area.inspection_id].append(area)
    published_on = dict(Inspection.objects.filter(pk__in=ids).values_list("pk", "published_on"))
    trends = defaultdict(Counter)
    for inspection in chosen:
        rows = compared_with_previous(
            areas[inspection.pk],
            areas.get(inspection.previous_pk, []),
            published_on=inspection.published_on,
            previous_published_on=published_on.get(inspection.previous_pk),
        )
        for row in rows:
            if row["area"].grade == Grade.UNGRADED:
                continue
            direction = row["direction"]
            if direction.trend:
                key = direction.trend
            else:
                key = "none" if direction.reason == NO_EARLIER else "not_comparable"
            trends[row["area"].name][key] += 1
    return [
        {
            "area": name,
            "forces": sum(counter.values()),
            "improved": counter["improved"],
            "same": counter["same"],
            "declined": counter["declined"],
            "not_comparable": counter["not_comparable"],
            "none": counter["none"],
        }
        for name, counter in sorted(trends.items())
    ]


def _published_texts(inspections):
    """(force name, public wording, how many findings) of the published inspections' findings,
    each distinct wording of a force once: one query."""
    ids = [inspection.pk for inspection in inspections]
    rows = (
        Finding.objects.filter(inspection_id__in=ids)
        .values_list("inspection__force__name", "public_text", "text")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(force, public_text or text, n) for force, public_text, text, n in rows]


def recurring(texts, *, threshold=None, limit=RECURRING_LIMIT):
    """Findings that recur across forces, by the repeat matching (actions.repeats: the same
    normalised words and rapidfuzz score): groups of published texts that match each other,
    raised in two or more forces, those in most forces first. `texts` are (force, wording,
    findings with it). Identical normalised texts are scored once, so a wording many forces
    share costs one row of the matrix."""
    threshold = settings.REPEAT_SUGGESTION_THRESHOLD if threshold is None else threshold
    forces, wording, findings = defaultdict(set), {}, Counter()
    for force, text, count in texts:
        key = repeats.normalise(text)
        if not key:
            continue
        forces[key].add(force)
        wording.setdefault(key, text)
        findings[key] += count
    keys = sorted(forces)
    if not keys:
        return []
    scores = process.cdist(
        keys, keys, scorer=fuzz.token_set_ratio, score_cutoff=threshold, workers=-1
    )
    matches = [[keys[col] for col in row.nonzero()[0]] for row in scores]
    # Each wording's theme: it and every wording it matches; the widest theme first, and each
    # wording in one theme only.
    themes = sorted(
        (
            (set().union(*(forces[k] for k in matched)), key, matched)
            for key, matched in zip(keys, matches, strict=True)
        ),
        key=lambda theme: (-len(theme[0]), -findings[theme[1]], theme[1]),
    )
    taken, result = set(), []
    for _, key, matched in themes:
        if key in taken:
            continue
        members = [k for k in matched if k not in taken] or [key]
        taken.update(members)
        names = set().union(*(forces[k] for k in members))
        if len(names) < 2:
            continue
        result.append(
            {
                "text": wording[key],
                "forces": sorted(names),
                "findings": sum(findings[k] for k in members),
                "wordings": len(members),
            }
        )
        if len(result) == limit:
            break
    return result


def figures_compute():
    """The expensive part of the page, across every published inspection: the findings that
    recur across forces (the matching grows with the square of the distinct wordings) and the
    directions of travel. Run by the Celery task (reports.tasks.refresh_national_figures), never
    in a request; JSON, with the inspections it read so the page can tell a withdrawn one."""
    inspections = published_inspections()
    return {
        "inspection_ids": sorted(inspection.pk for inspection in inspections),
        "recurring": recurring(_published_texts(inspections)),
        "directions": directions_by_area(inspections),
        "threshold": settings.REPEAT_SUGGESTION_THRESHOLD,
    }


def stored_figures(inspections):
    """The figures the task last stored (one query), or None when there are none yet, or when
    they read an inspection no longer published (its progress page switched off): those are
    never shown, and the next refresh drops them."""
    stored = NationalFigures.objects.filter(pk=NationalFigures.SINGLETON).first()
    if stored is None:
        return None
    published = {inspection.pk for inspection in inspections}
    if not set(stored.figures.get("inspection_ids", [])) <= published:
        return None
    return stored


def national_view(*, page_number=1):
    """The page: offices and the figures for one page of inspections, live (so their cost does
    not grow with the country); recurring findings and directions as the task last stored
    them ("figures": None while they are being prepared)."""
    inspections = published_inspections()
    page = Paginator(inspections, INSPECTIONS_PER_PAGE).get_page(page_number)
    stored = stored_figures(inspections)
    figures = stored.figures if stored else {}
    return {
        "page": page,
        "inspections": with_counts(list(page.object_list)),
        "offices": offices(inspections),
        "figures": stored,
        "computed_at": stored.computed_at if stored else None,
        "directions": figures.get("directions", []),
        "recurring": figures.get("recurring", []),
        "threshold": figures.get("threshold", settings.REPEAT_SUGGESTION_THRESHOLD),
    }
