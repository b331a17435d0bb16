"""Evidence pages: adding it, assuring it or returning it as not enough, and the private download.

As in actions/views.py: permission first, then one selector or service.
"""

from django.http import FileResponse, Http404

from actions import evidence_services, forms, selectors, views
from actions.models import Evidence
from tracker import files, roles, security
from tracker.web import allow, bound_form_data, form_page, workspace


@workspace
def evidence_add(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_work_on_action(request.user, action))
    form = forms.EvidenceForm(*bound_form_data(request))

    def change(data):
        upload = data["file"] if data["kind"] == Evidence.Kind.DOCUMENT else None
        return evidence_services.evidence_add(
            by=request.user,
            action=action,
            kind=data["kind"],
            title=data["title"],
            file=upload,
            url=data["url"] if data["kind"] == Evidence.Kind.LINK else "",
            note=data["note"] if data["kind"] == Evidence.Kind.NOTE else "",
            original_filename=files.safe_filename(upload.name) if upload else "",
            content_type=data.get("content_type", ""),
        )

    return views.action_form_page(
        request,
        action,
        form,
        change=change,
        title="Add evidence",
        submit="Add evidence",
        success="Evidence added.",
    )


@workspace
def evidence_assure(request, pk):
    evidence = selectors.evidence_detail(user=request.user, pk=pk)
    allow(roles.can_change_action(request.user, evidence.action))
    form = forms.AssureForm(*bound_form_data(request))
    context = {
        "action": evidence.action,
        "evidence": evidence,
        "refusal": evidence.assurance_refusal(request.user),
    }
    return form_page(
        request,
        form,
        "actions/evidence_assure.html",
        context,
        change=lambda data: evidence_services.evidence_assure(
            by=request.user, evidence=evidence, **data
        ),
        done=views.action_url(evidence.action),
        success="Evidence assured.",
    )


@workspace
def evidence_return(request, pk):
    evidence = selectors.evidence_detail(user=request.user, pk=pk)
    allow(roles.can_change_action(request.user, evidence.action))
    form = forms.ReturnForm(*bound_form_data(request))
    context = {"action": evidence.action, "evidence": evidence}
    return form_page(
        request,
        form,
        "actions/evidence_return.html",
        context,
        change=lambda data: evidence_services.evidence_return(
            by=request.user, evidence=evidence, **data
        ),
        done=views.action_url(evidence.action),
        success="Evidence returned to the owner.",
    )


@workspace
def evidence_download(request, pk):
    evidence = selectors.evidence_detail(user=request.user, pk=pk)
    if evidence.kind != Evidence.Kind.DOCUMENT or not evidence.file:
        raise Http404("This evidence has no file.")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    security.record(
        security.Kind.EVIDENCE_DOWNLOAD,
        request=request,
        detail=f"Evidence {evidence.pk} of action {evidence.action_id}",
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_filename or "evidence",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
