"""Writes to meetings, questions and briefing packs, audited like the actions app's services."""

import logging
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from actions.models import Inspection
from actions.reminders.outbox import notify_published
from reports import national
from reports.models import BriefingPack, Meeting, NationalFigures, Question
from reports.selectors import panel_members_of
from reports.snapshot import pack_snapshot
from tracker import roles
from tracker.audit import (
    WorkflowError,
    apply_changes,
    audited_save,
    require_opcc_staff,
    require_text,
)
from tracker.celery import app
from tracker.system import is_system_user, system_user

# Queued by name through Celery's registry (reports/apps.py registers the task at start-up):
# reports/tasks.py calls these services, so this module must not import it.
RENDER_PDF_TASK = "reports.tasks.render_pack_pdf"
NATIONAL_FIGURES_TASK = "reports.tasks.refresh_national_figures"
# Set while a refresh of the national figures is queued, so a page finding none queues one once.
NATIONAL_REFRESH_QUEUED = "national:refresh-queued"

logger = logging.getLogger(__name__)


def queue_pack_pdf(pack_id):
    """Queue the PDF render (run inline when there is no broker)."""
    app.signature(RENDER_PDF_TASK, args=[pack_id]).delay()


def _require_office_agenda(*, by, inspections):
    """A meeting's agenda holds only inspections `by` may see (their office's forces'): the form
    offers no others, and a forged post is refused here (its lead: _check_lead)."""
    wanted = {inspection.pk for inspection in inspections}
    seen = set(Inspection.objects.visible_to(by).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - seen:
        raise WorkflowError("Only your office's inspections can be on its meetings' agendas.")


@transaction.atomic
def meeting_create(
    *, by, kind, title, starts_at, inspections=(), location="", webcast_url="", opcc_lead=None
):
    require_opcc_staff(by)
    office_id = roles.office_id_of(by)
    if office_id is None:
        raise WorkflowError("You are not in an office: an administrator must set yours.")
    _require_office_agenda(by=by, inspections=inspections)
    meeting = Meeting(
        office_id=office_id,
        kind=kind,
        title=title,
        starts_at=starts_at,
        location=location,
        webcast_url=webcast_url,
        opcc_lead=opcc_lead,
    )
    _check_lead(meeting)
    meeting = audited_save(meeting, by=by, reason="Created")
    meeting.inspections.set(inspections)
    return meeting


def _check_lead(meeting):
    lead = meeting.opcc_lead
    if lead is not None and not roles.can_lead_meeting(lead, meeting):
        raise WorkflowError(
            f"{lead} cannot lead this meeting: they are not OPCC staff of {meeting.office}."
        )


MEETING_FIELDS = ["kind", "title", "starts_at", "location", "webcast_url", "opcc_lead"]


@transaction.atomic
def meeting_edit(*, by, meeting, inspections, **fields):
    require_opcc_staff(by)
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise WorkflowError(f"These cannot be edited here: {', '.join(sorted(unknown))}.")
    if not roles.in_office(by, meeting.office_id):
        raise WorkflowError("Only the meeting's office can change it.")
    _require_office_agenda(by=by, inspections=inspections)
    changed = apply_changes(meeting, fields)
    _check_lead(meeting)
    if changed:
        audited_save(meeting, by=by, reason="Edited", update_fields=changed)
    meeting.inspections.set(inspections)
    return meeting


# Questions and commitments


def _question_owner_title(owner, owner_role_title):
    return (owner_role_title or "").strip() or (owner.role_title if owner else "")


@transaction.atomic
def question_create(
    *, by, meeting, text, kind=Question.Kind.QUESTION, owner=None, owner_role_title="", due_on=None
):
    require_opcc_staff(by)
    question = Question(
        meeting=meeting,
        kind=kind,
        text=require_text(text, "The question or commitment"),
        owner=owner,
        owner_role_title=_question_owner_title(owner, owner_role_title),
        due_on=due_on,
        created_at=timezone.now(),
    )
    return audited_save(question, by=by, reason="Raised")


@transaction.atomic
def question_edit(*, by, question, text, kind, owner, owner_role_title, due_on, answer):
    """Change a question; giving an answer records when, and clearing it reopens the question."""
    require_opcc_staff(by)
    question.text = require_text(text, "The question or commitment")
    question.kind = kind
    question.owner = owner
    question.owner_role_title = _question_owner_title(owner, owner_role_title)
    question.due_on = due_on
    answer = (answer or "").strip()
    reason = "Edited"
    if answer and not question.answer:
        question.answered_at = timezone.now()
        reason = "Answered"
    elif not answer and question.answer:
        question.answered_at = None
        reason = "Answer withdrawn"
    question.answer = answer
    return audited_save(
        question,
        by=by,
        reason=reason,
        update_fields=[
            "text",
            "kind",
            "owner",
            "owner_role_title",
            "due_on",
            "answer",
            "answered_at",
        ],
    )


# Briefing packs


@transaction.atomic
def pack_generate(*, by, meeting, now=None, pdf=True):
    """A new version of the meeting's pack, frozen from the database as it is now.

    `by` is an OPCC officer, or the system user for the scheduled command. The PDF is rendered
    afterwards by a Celery task.
    """
    if not is_system_user(by):
        require_opcc_staff(by)
    # Lock the meeting so two people generating at once get versions n and n+1, not a clash.
    Meeting.objects.select_for_update().get(pk=meeting.pk)
    now = now or timezone.now()
    previous = meeting.packs.order_by("-version").first()
    version = previous.version + 1 if previous else 1
    snapshot = pack_snapshot(meeting, now=now)
    pack = BriefingPack(
        meeting=meeting,
        version=version,
        generated_at=now,
        generated_by=by,
        snapshot=snapshot,
        figures=snapshot["figures"],
    )
    _start_narrative(pack, previous)
    reason = f"Generated version {version}"
    if previous:
        reason += f", narrative carried forward from version {previous.version}"
    pack = audited_save(pack, by=by, reason=reason)
    if pdf:
        pack_request_pdf(by=by, pack=pack)
    return pack


def _start_narrative(pack, previous):
    """A new version starts from the previous version's paper and area narratives, so nothing
    written is lost; the first starts from the office's defaults (Office.paper_defaults). An area
    narrative whose area is no longer in the pack is kept aside, by area name, for the page to
    show with a warning."""
    if previous is None:
        for name, value in pack.meeting.office.paper_defaults().items():
            setattr(pack, name, value)
        return
    for name in BriefingPack.PAPER_FIELDS:
        setattr(pack, name, getattr(previous, name))
    pack.carried_from = previous.version
    keys = {area["key"] for area in pack.snapshot["areas"]} | {"overall"}
    narratives = previous.narratives or {}
    pack.narratives = {key: text for key, text in narratives.items() if key in keys}
    names = {area["key"]: area["area"] for area in previous.snapshot.get("areas", [])}
    pack.dropped_narratives = {
        names.get(key, key): text for key, text in narratives.items() if key not in keys
    }


def _require_draft(pack):
    if pack.is_published:
        raise WorkflowError("This pack is published, so it can no longer change.")


@transaction.atomic
def pack_save_narratives(*, by, pack, narratives, paper=None):
    """The Panel paper's words: a narrative per area key of the pack (and "overall", the
    summary), and in `paper` the front matter, response, next steps and recommendation."""
    require_opcc_staff(by)
    pack = BriefingPack.objects.select_for_update().get(pk=pack.pk)
    _require_draft(pack)
    known = {area["key"] for area in pack.snapshot["areas"]} | {"overall"}
    unknown = set(narratives) - known
    if unknown:
        raise WorkflowError("Narratives can only be written for the areas in this pack.")
    paper = paper or {}
    unknown = set(paper) - set(BriefingPack.PAPER_FIELDS)
    if unknown:
        raise WorkflowError(f"These cannot be edited here: {', '.join(sorted(unknown))}.")
    pack.narratives = {key: text.strip() for key, text in narratives.items() if text.strip()}
    changed = apply_changes(pack, {name: value.strip() for name, value in paper.items()})
    audited_save(pack, by=by, reason="Panel paper edited", update_fields=["narratives", *changed])
    pack_request_pdf(by=by, pack=pack)
    return pack


@transaction.atomic
def pack_publish(*, by, pack, public):
    """Publish for the Panel, and for everyone if `public`. A published pack no longer changes."""
    require_opcc_staff(by)
    pack = BriefingPack.objects.select_for_update().get(pk=pack.pk)
    _require_draft(pack)
    pack.status = BriefingPack.Status.PUBLISHED
    pack.is_public = public
    pack.published_at = timezone.now()
    pack.published_by = by
    audited_save(
        pack,
        by=by,
        reason="Published to the Panel and the public" if public else "Published to the Panel",
        update_fields=["status", "is_public", "published_at", "published_by"],
    )
    pack_request_pdf(by=by, pack=pack)
    notify_published(pack=pack, recipients=panel_members_of(pack.meeting))
    transaction.on_commit(queue_national_refresh)
    return pack


@transaction.atomic
def pack_set_public(*, by, pack, public, reason):
    """Put a published pack on, or take it off, the public pages."""
    require_opcc_staff(by)
    pack = BriefingPack.objects.select_for_update().get(pk=pack.pk)
    if not pack.is_published:
        raise WorkflowError("Publish the pack before making it public.")
    reason = require_text(reason, "A reason")
    pack.is_public = public
    prefix = "Made public" if public else "Withdrawn from the public pages"
    return audited_save(pack, by=by, reason=f"{prefix}: {reason}", update_fields=["is_public"])


def pack_request_pdf(*, by, pack, force=False):
    """Mark the PDF as being generated and queue the task once this transaction commits.

    A task already waiting renders the pack as it is when it runs, so no second one is queued
    (`force` queues one anyway, for the "make the PDF" button if a worker lost the first).
    """
    if pack.pdf_status == BriefingPack.PdfStatus.PENDING and not force:
        return
    pack.pdf_status = BriefingPack.PdfStatus.PENDING
    audited_save(pack, by=by, reason="PDF requested", update_fields=["pdf_status"])
    transaction.on_commit(partial(queue_pack_pdf, pack.pk))


def pdf_inputs(pack):
    """What the PDF shows beyond the frozen snapshot; if these change mid-render, render again."""
    return {
        "narratives": pack.narratives,
        "paper": pack.paper(),
        "status": pack.status,
        "is_public": pack.is_public,
    }


@transaction.atomic
def pack_store_pdf(*, pack_id, content, rendered_from, by=None):
    """Store a rendered PDF in private storage (called by the task: the history records the
    system user unless `by` is given).

    If the Panel paper or publication changed while it rendered, the PDF is stale: it is not
    stored, and the pack is rendered again.
    """
    pack = BriefingPack.objects.select_for_update().get(pk=pack_id)
    if pdf_inputs(pack) != rendered_from:
        transaction.on_commit(partial(queue_pack_pdf, pack.pk))
        return pack
    old = pack.pdf.name if pack.pdf else ""
    pack.pdf.save(f"v{pack.version}.pdf", ContentFile(content), save=False)
    pack.pdf_status = BriefingPack.PdfStatus.READY
    pack.pdf_generated_at = timezone.now()
    audited_save(
        pack,
        by=by or system_user(),
        reason="PDF generated",
        update_fields=["pdf", "pdf_status", "pdf_generated_at"],
    )
    if old and old != pack.pdf.name:
        transaction.on_commit(lambda: pack.pdf.storage.delete(old))
    return pack


@transaction.atomic
def pack_pdf_failed(*, pack_id, by=None):
    pack = BriefingPack.objects.select_for_update().get(pk=pack_id)
    pack.pdf_status = BriefingPack.PdfStatus.FAILED
    return audited_save(
        pack, by=by or system_user(), reason="PDF generation failed", update_fields=["pdf_status"]
    )


# The live public progress page of an inspection


@transaction.atomic
def inspection_edit_for_public(*, by, inspection, public_progress, inspector_summary):
    """What the Panel paper and the public read about an inspection beyond its findings: its
    live public progress page, on or off, and HM Inspector's summary (the paper's appendix)."""
    require_opcc_staff(by)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    changed = apply_changes(
        inspection,
        {"public_progress": public_progress, "inspector_summary": inspector_summary.strip()},
    )
    if not changed:
        return inspection
    reasons = []
    if "public_progress" in changed:
        reasons.append(f"Public progress page switched {'on' if public_progress else 'off'}")
        transaction.on_commit(queue_national_refresh)
    if "inspector_summary" in changed:
        reasons.append("HM Inspector's summary edited")
    return audited_save(inspection, by=by, reason="; ".join(reasons), update_fields=changed)


# The national view's stored figures (reports/national.py)


def queue_national_refresh():
    """Queue a refresh of the national figures (run inline when there is no broker). Returns
    whether it was queued. Never raises: the schedule refreshes them anyway."""
    try:
        app.signature(NATIONAL_FIGURES_TASK).delay()
    except Exception:
        logger.exception("National figures: refresh not queued; the schedule refreshes them")
        return False
    return True


def national_figures_request():
    """The page found no figures to show: queue their computation, once until they are stored
    (or the refresh interval passes, if a worker lost the task). Returns whether it queued."""
    timeout = settings.NATIONAL_VIEW_REFRESH_MINUTES * 60
    if not cache.add(NATIONAL_REFRESH_QUEUED, True, timeout):
        return False
    return queue_national_refresh()


def national_figures_refresh(*, now=None):
    """Compute the national view's figures from published data and store them (the task's job):
    one row, replaced whole. The stored figures are derived, so they carry no history."""
    figures = national.figures_compute()
    stored, _ = NationalFigures.objects.update_or_create(
        pk=NationalFigures.SINGLETON,
        defaults={"computed_at": now or timezone.now(), "figures": figures},
    )
    cache.delete(NATIONAL_REFRESH_QUEUED)
    return stored
