"""Meetings, questions and briefing packs; the Panel's published packs; the public pages.

Status codes (tracker/roles.py): signed out -> sign-in (302) on every page but /public/; a role
that may not use the page -> 403; another office's meeting or pack, a draft pack to the Panel,
or a pack not marked public (or another office's) on /public/<office>/ -> 404, exactly as if it
did not exist.
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from actions import selectors as action_selectors
from reports import documents, forms, national, progress, selectors, services
from tracker import roles
from tracker.web import bound_form_data, form_page, opcc_only, role_required

pack_reader = role_required(roles.can_read_force_papers)


def meeting_url(meeting):
    return reverse("reports:meeting_detail", args=[meeting.pk])


def pack_url(pack):
    return reverse("reports:pack", args=[pack.pk])


# Meetings and questions


@pack_reader
def meeting_list(request):
    """OPCC staff run meetings here; the Panel and action owners get the published papers of
    the meetings they may read."""
    if not roles.can_manage_meetings(request.user):
        return published_pack_list(request)
    return render(request, "reports/meeting_list.html", selectors.meeting_lists(user=request.user))


@opcc_only
def meeting_detail(request, pk):
    meeting = selectors.meeting_detail(user=request.user, pk=pk)
    return render(request, "reports/meeting_detail.html", {"meeting": meeting})


@opcc_only
def meeting_create(request):
    form = forms.MeetingForm(*bound_form_data(request), user=request.user)
    return form_page(
        request,
        form,
        "reports/meeting_form.html",
        {"page_title": "Add a meeting"},
        change=lambda data: services.meeting_create(by=request.user, **data),
        done=meeting_url,
        success="Meeting added.",
    )


@opcc_only
def meeting_edit(request, pk):
    meeting = selectors.meeting_for(user=request.user, pk=pk)
    initial = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
    initial["inspections"] = list(meeting.inspections.all())
    form = forms.MeetingForm(*bound_form_data(request), initial=initial, user=request.user)
    return form_page(
        request,
        form,
        "reports/meeting_form.html",
        {"page_title": "Edit the meeting", "meeting": meeting},
        change=lambda data: services.meeting_edit(by=request.user, meeting=meeting, **data),
        done=meeting_url,
        success="Meeting saved.",
    )


@opcc_only
def question_create(request, meeting_pk):
    meeting = selectors.meeting_for(user=request.user, pk=meeting_pk)
    form = forms.QuestionForm(
        *bound_form_data(request), initial={"kind": "question"}, user=request.user
    )
    return form_page(
        request,
        form,
        "reports/question_form.html",
        {"page_title": "Record a question or commitment", "meeting": meeting},
        change=lambda data: services.question_create(by=request.user, meeting=meeting, **data),
        done=meeting_url(meeting),
        success="Question recorded.",
    )


@opcc_only
def question_edit(request, pk):
    question = selectors.question_detail(user=request.user, pk=pk)
    fields = ["kind", "text", "owner", "owner_role_title", "due_on", "answer"]
    initial = {name: getattr(question, name) for name in fields}
    form = forms.QuestionEditForm(*bound_form_data(request), initial=initial, user=request.user)
    return form_page(
        request,
        form,
        "reports/question_form.html",
        {
            "page_title": "Update the question or record its answer",
            "meeting": question.meeting,
            "question": question,
        },
        change=lambda data: services.question_edit(by=request.user, question=question, **data),
        done=meeting_url(question.meeting),
        success="Question saved.",
    )


# Briefing packs: generating, the Panel paper, publishing


@opcc_only
@require_POST
def pack_generate(request, meeting_pk):
    meeting = selectors.meeting_for(user=request.user, pk=meeting_pk)
    pack = services.pack_generate(by=request.user, meeting=meeting)
    carried = (
        f" Its words were carried forward from version {pack.carried_from}."
        if pack.carried_from
        else ""
    )
    messages.success(request, f"Briefing pack version {pack.version} generated.{carried}")
    return redirect(pack_url(pack))


@opcc_only
def pack_narratives(request, pk):
    pack = selectors.pack_for(user=request.user, pk=pk)
    form = forms.NarrativesForm(*bound_form_data(request), pack=pack)
    return form_page(
        request,
        form,
        "reports/pack_narratives.html",
        {"pack": pack, "areas": pack.snapshot["areas"]},
        change=lambda _data: services.pack_save_narratives(
            by=request.user, pack=pack, **form.split()
        ),
        done=pack_url(pack),
        success="Panel paper saved.",
    )


@opcc_only
def pack_publish(request, pk):
    pack = selectors.pack_for(user=request.user, pk=pk)
    form = forms.PublishForm(*bound_form_data(request))
    return form_page(
        request,
        form,
        "reports/pack_publish.html",
        {"pack": pack},
        change=lambda data: services.pack_publish(by=request.user, pack=pack, **data),
        done=pack_url(pack),
        success="Briefing pack published.",
    )


@opcc_only
def pack_public(request, pk):
    pack = selectors.pack_for(user=request.user, pk=pk)
    form = forms.PublicForm(*bound_form_data(request), initial={"public": pack.is_public})
    return form_page(
        request,
        form,
        "reports/pack_public.html",
        {"pack": pack},
        change=lambda data: services.pack_set_public(by=request.user, pack=pack, **data),
        done=pack_url(pack),
        success="Public pages updated.",
    )


@opcc_only
@require_POST
def pack_retry_pdf(request, pk):
    pack = selectors.pack_for(user=request.user, pk=pk)
    services.pack_request_pdf(by=request.user, pack=pack, force=True)
    return redirect(pack_url(pack))


# Reading a pack: OPCC staff (any version, with names) and the Panel (published, role titles)


@pack_reader
def pack_detail(request, pk):
    pack = selectors.pack_for(user=request.user, pk=pk)
    context = selectors.pack_view(pack, audience=selectors.audience_for(request.user))
    context["can_manage"] = roles.can_manage_meetings(request.user)
    context["downloads"] = {
        "pdf": reverse("reports:pack_pdf", args=[pack.pk]),
        "csv": reverse("reports:pack_csv", args=[pack.pk]),
        "xlsx": reverse("reports:pack_xlsx", args=[pack.pk]),
    }
    return render(request, "reports/pack_detail.html", context)


def _pdf_response(pack):
    pdf = selectors.pack_pdf_for(pack)
    try:
        handle = pdf.open("rb")
    except FileNotFoundError:
        raise Http404("The PDF is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=documents.filename(pack, "pdf"),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@pack_reader
def pack_pdf(request, pk):
    response = _pdf_response(selectors.pack_for(user=request.user, pk=pk))
    response["Cache-Control"] = "private, no-store"
    return response


@pack_reader
def pack_export(request, pk, extension):
    pack = selectors.pack_for(user=request.user, pk=pk)
    export = documents.csv_response if extension == "csv" else documents.xlsx_response
    return export(pack, selectors.audience_for(request.user))


@pack_reader
def published_pack_list(request):
    packs = selectors.published_packs(user=request.user)
    return render(request, "reports/published_list.html", {"packs": packs})


@role_required(roles.can_see_national_view)
def national_view(request):
    """What every office has published, across offices: for national readers. With no figures
    stored yet, their computation is queued once (and, run inline with no broker, read back)."""
    page_number = request.GET.get("page")
    context = national.national_view(page_number=page_number)
    if context["figures"] is None and services.national_figures_request():
        context = national.national_view(page_number=page_number)
    return render(request, "reports/national.html", context)


# The public pages: no sign-in; each office's at /public/<office>/, with only its published
# packs marked public and its live progress pages. The older addresses (/public/packs/...,
# /public/progress/...), in emails and bookmarks, redirect to the office's.


def public_home(request):
    """/public/ (and the older /public/packs/): the one office's page, or the list of offices."""
    offices = list(selectors.public_offices())
    if len(offices) == 1:
        return redirect("reports:public_office", offices[0].slug)
    return render(request, "reports/public_offices.html", {"offices": offices})


def public_office(request, office):
    office = selectors.public_office(slug=office)
    context = {
        "office": office,
        "packs": selectors.public_packs(office=office),
        "live": progress.public_inspections(office=office),
    }
    return render(request, "reports/public_office.html", context)


def public_pack(request, office, uuid):
    pack = selectors.public_pack(office_slug=office, uuid=uuid)
    context = selectors.pack_view(pack, audience=selectors.PUBLISHED)
    context["public"] = True
    context["office"] = pack.meeting.office
    context["other_papers"] = selectors.other_public_papers(pack)
    args = [office, pack.uuid]
    context["downloads"] = {
        "pdf": reverse("reports:public_pack_pdf", args=args),
        "csv": reverse("reports:public_pack_csv", args=args),
        "xlsx": reverse("reports:public_pack_xlsx", args=args),
    }
    return render(request, "reports/pack_detail.html", context)


def public_pack_pdf(request, office, uuid):
    return _pdf_response(selectors.public_pack(office_slug=office, uuid=uuid))


def public_pack_export(request, office, uuid, extension):
    pack = selectors.public_pack(office_slug=office, uuid=uuid)
    export = documents.csv_response if extension == "csv" else documents.xlsx_response
    return export(pack, selectors.PUBLISHED)


def moved_public_pack(request, uuid, to):
    """A public pack's older address: to the same page (`to`) under its office's."""
    pack = selectors.moved_public_pack(uuid=uuid)
    return redirect(to, pack.meeting.office.slug, pack.uuid)


def moved_public_progress(request, pk, to):
    """A live progress page's older address: to the same page (`to`) under its office's."""
    inspection = progress.public_inspection(pk=pk)
    return redirect(to, inspection.force.office.slug, inspection.pk)


# The live public progress page of an inspection: switched on by OPCC staff, read by anyone


@opcc_only
def inspection_public_progress(request, pk):
    inspection = action_selectors.inspection_for(user=request.user, pk=pk)
    initial = {
        "public_progress": inspection.public_progress,
        "inspector_summary": inspection.inspector_summary,
    }
    form = forms.PublicProgressForm(*bound_form_data(request), initial=initial)
    return form_page(
        request,
        form,
        "reports/public_progress_switch.html",
        {"inspection": inspection},
        change=lambda data: services.inspection_edit_for_public(
            by=request.user, inspection=inspection, **data
        ),
        done=reverse("actions:inspection", args=[inspection.pk]),
        success="Saved.",
    )


def public_progress(request, office, pk):
    inspection = progress.public_inspection(office_slug=office, pk=pk)
    return render(request, "reports/public_progress.html", progress.progress_page(inspection))


def public_progress_history(request, office, pk):
    inspection = progress.public_inspection(office_slug=office, pk=pk)
    return render(
        request, "reports/public_progress_history.html", progress.history_page(inspection)
    )
