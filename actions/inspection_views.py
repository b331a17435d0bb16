"""OPCC staff pages that add and edit a source of findings and record its response."""

from django.urls import reverse

from actions import finding_services, inspection_forms, selectors
from tracker.web import bound_form_data, form_page, opcc_only


def inspection_url(inspection):
    return reverse("actions:inspection", args=[inspection.pk])


@opcc_only
def inspection_create(request):
    force, suggested = selectors.inspection_add_suggestion(user=request.user)
    form = inspection_forms.InspectionForm(
        *bound_form_data(request),
        initial={"source_type": "hmicfrs", "kind": "peel", "force": force},
        user=request.user,
        suggested_previous=suggested,
    )
    return form_page(
        request,
        form,
        "actions/inspection_form.html",
        {},
        change=lambda data: finding_services.inspection_create(
            by=request.user, reason="Source added by hand", **data
        ),
        done=inspection_url,
        success="Source added. Add its findings below.",
    )


@opcc_only
def inspection_edit(request, pk):
    inspection = selectors.inspection_for(user=request.user, pk=pk)
    fields = inspection_forms.InspectionForm.base_fields
    initial = {name: getattr(inspection, name) for name in fields if hasattr(inspection, name)}
    form = inspection_forms.InspectionForm(
        *bound_form_data(request), initial=initial, inspection=inspection
    )
    return form_page(
        request,
        form,
        "actions/inspection_form.html",
        {"inspection": inspection},
        change=lambda data: finding_services.inspection_edit(
            by=request.user, inspection=inspection, **data
        ),
        done=inspection_url(inspection),
        success="Source saved.",
    )


@opcc_only
def inspection_response(request, pk):
    inspection = selectors.inspection_for(user=request.user, pk=pk)
    initial = {"published_on": inspection.response_published_on, "link": inspection.response_link}
    form = inspection_forms.ResponseForm(*bound_form_data(request), initial=initial)
    return form_page(
        request,
        form,
        "actions/inspection_response.html",
        {"inspection": inspection},
        change=lambda data: finding_services.inspection_record_response(
            by=request.user, inspection=inspection, **data
        ),
        done=inspection_url(inspection),
        success="Response recorded.",
    )
