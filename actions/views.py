"""Workspace pages for OPCC staff and action owners.

Each view checks permission first (the order and status codes are in tracker/roles.py), binds a
form or FilterSet, calls one selector or service, and renders or redirects.
"""

from django.shortcuts import render
from django.urls import reverse

from actions import (
    collaboration_selectors,
    evidence_services,
    exports,
    finding_selectors,
    finding_services,
    forms,
    history,
    selectors,
    services,
)
from actions.filters import SORTS
from actions.models import Status
from tracker import roles, security
from tracker.web import allow, bound_form_data, form_page, workspace

PAGE_SIZE = 50
# Pages deeper than this are not drawn: reading past tens of thousands of rows to show fifty is
# slow, and nobody pages that far. Filters, or the other sort direction, reach any row.
MAX_PAGE = 100


# Dashboard, list and exports


@workspace
def dashboard(request):
    context = selectors.dashboard(user=request.user)
    return render(request, "actions/dashboard.html", context)


def _sort_headers(filterset):
    current = filterset.form.cleaned_data.get("sort") or "deadline"
    headers = {}
    for key in SORTS:
        direction = {key: "ascending", f"-{key}": "descending"}.get(current)
        headers[key] = {
            "aria_sort": direction,
            "next": f"-{key}" if direction == "ascending" else key,
        }
    return headers


@workspace
def action_list(request):
    filterset = selectors.action_filterset(user=request.user, data=request.GET)
    paginator = selectors.action_pages(filterset=filterset, per_page=PAGE_SIZE)
    number = request.GET.get("page", "")
    too_deep = number.isdigit() and int(number) > MAX_PAGE and paginator.num_pages > MAX_PAGE
    page = paginator.page(1) if too_deep else paginator.get_page(number)
    context = {
        "filterset": filterset,
        "page": page,
        "too_deep": too_deep,
        "max_page": MAX_PAGE,
        "search_limit": f"{selectors.SEARCH_COUNT_LIMIT:,}",
        "sort": _sort_headers(filterset),
        "can_manage": roles.can_manage_actions(request.user),
    }
    # The bulk forms only when a row on the page can be ticked: a collaboration another office
    # manages cannot (a partner office's officer may see a page of nothing else).
    context["selectable"] = context["can_manage"] and any(
        not action.collaboration_of for action in page.object_list
    )
    if context["selectable"]:
        # Its own ids: the filter form on the same page has fields of the same names.
        context["bulk_form"] = forms.BulkAssignForm(user=request.user, auto_id="bulk-%s")
        context["bulk_update_form"] = forms.BulkRequestUpdateForm(
            user=request.user, auto_id="bulk-%s"
        )
        context["bulk_deadline_form"] = forms.BulkDeadlineForm(user=request.user, auto_id="bulk-%s")
    return render(request, "actions/action_list.html", context)


@workspace
def action_export(request, extension):
    filterset = selectors.action_filterset(user=request.user, data=request.GET)
    actions = selectors.action_export_rows(filterset=filterset)
    detail = f"{extension.upper()} of actions filtered by: {request.GET.urlencode() or 'none'}"
    security.record(security.Kind.EXPORT, request=request, detail=detail)
    if extension == "csv":
        return exports.csv_response(actions)
    return exports.actions_xlsx_response(actions)


# Inspections and findings


@workspace
def inspection_list(request):
    inspections = selectors.inspection_list(user=request.user)
    context = {"inspections": inspections, "can_import": roles.can_manage_actions(request.user)}
    return render(request, "actions/inspection_list.html", context)


@workspace
def inspection_detail(request, pk):
    context = selectors.inspection_detail(user=request.user, pk=pk)
    context["can_manage"] = roles.can_manage_actions(request.user)
    return render(request, "actions/inspection_detail.html", context)


@workspace
def finding_create(request, inspection_pk):
    inspection = selectors.inspection_for(user=request.user, pk=inspection_pk)
    allow(roles.can_manage_actions(request.user))
    form = forms.FindingForm(*bound_form_data(request), inspection=inspection)

    def change(data):
        return finding_services.finding_create(by=request.user, inspection=inspection, **data)

    return form_page(
        request,
        form,
        "actions/finding_form.html",
        {"inspection": inspection},
        change=change,
        done=inspection_url(inspection),
        success="Finding added.",
    )


@workspace
def finding_edit(request, pk):
    finding = selectors.finding_detail(user=request.user, pk=pk)
    allow(roles.can_change_finding(request.user, finding))
    initial = {name: getattr(finding, name) for name in forms.FindingForm.base_fields}
    form = forms.FindingForm(
        *bound_form_data(request), initial=initial, inspection=finding.inspection, finding=finding
    )

    def change(data):
        return finding_services.finding_edit(by=request.user, finding=finding, **data)

    return form_page(
        request,
        form,
        "actions/finding_form.html",
        {"inspection": finding.inspection, "finding": finding},
        change=change,
        done=inspection_url(finding.inspection),
        success="Finding saved.",
    )


@workspace
def finding_external_status(request, pk):
    finding = selectors.finding_detail(user=request.user, pk=pk)
    allow(roles.can_change_finding(request.user, finding))
    initial = {"status": finding.external_status, "on": finding.external_status_on}
    form = forms.ExternalStatusForm(*bound_form_data(request), initial=initial)

    def change(data):
        return finding_services.finding_set_external_status(
            by=request.user, finding=finding, **data
        )

    return form_page(
        request,
        form,
        "actions/finding_external_status.html",
        {"inspection": finding.inspection, "finding": finding},
        change=change,
        done=inspection_url(finding.inspection),
        success=f"Status with the inspectorate recorded for {finding.reference}.",
    )


@workspace
def area_predecessor(request, pk):
    area, previous, previous_areas = selectors.graded_area_for(user=request.user, pk=pk)
    allow(roles.can_manage_actions(request.user))
    form = forms.PredecessorForm(
        *bound_form_data(request),
        previous_areas=previous_areas,
        initial={"predecessor": area.predecessor_among(previous_areas)},
    )

    def change(data):
        return finding_services.graded_area_set_predecessor(by=request.user, area=area, **data)

    return form_page(
        request,
        form,
        "actions/area_predecessor.html",
        {"inspection": area.inspection, "area": area, "previous": previous},
        change=change,
        done=inspection_url(area.inspection),
        success=f"Recorded the area {area.name} follows.",
    )


def inspection_url(inspection):
    return reverse("actions:inspection", args=[inspection.pk])


@workspace
def action_create(request, finding_pk):
    finding = selectors.finding_detail(user=request.user, pk=finding_pk)
    allow(roles.can_change_finding(request.user, finding))
    form = forms.ActionForm(
        *bound_form_data(request),
        force_id=finding.inspection.force_id,
        partner_force_ids=roles.finding_partner_force_ids(finding),
    )

    def change(data):
        return services.action_create(by=request.user, finding=finding, **data)

    return form_page(
        request,
        form,
        "actions/action_create.html",
        {"finding": finding, "inspection": finding.inspection},
        change=change,
        done=action_url,
        success="Action added.",
    )


# One action: its page, history, and the forms that change it


def action_url(action):
    return reverse("actions:detail", args=[action.pk])


def next_steps(user, action):
    """Which of the action's forms this user can use now (the services check again)."""
    can_work = roles.can_work_on_action(user, action)
    can_manage = roles.can_change_action(user, action)
    moves = services.TRANSITIONS[action.status]
    return {
        "can_work": can_work,
        "can_manage": can_manage,
        "can_update": can_work and bool(moves - services.OPCC_ONLY),
        "can_propose": can_work and Status.PROPOSED in moves,
        "can_add_evidence": can_work and action.status != Status.CLOSED,
        "can_close": can_manage and Status.CLOSED in moves,
        "can_sustain": can_manage and Status.SUSTAINING in moves,
        "can_reopen": can_manage and Status.REOPENED in moves,
        "can_return": can_manage and action.status == Status.PROPOSED,
        "can_request_extension": roles.can_request_extension(user, action),
    }


@workspace
def action_detail(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    steps = next_steps(request.user, action)
    sees_evidence = roles.can_see_evidence(request.user, action)
    context = {
        "action": action,
        "tab": "overview",
        "links": finding_selectors.finding_links(user=request.user, finding=action.finding),
        **collaboration_selectors.sharing(action=action),
        "reopened": selectors.reopen_reason(action=action),
        "extension": selectors.extension_requests(user=request.user, action=action).first(),
        # Each piece of evidence, with why this user may not assure it ("" if they may); none
        # for a partner force's owner not assigned the collaboration (roles.can_see_evidence).
        "evidence_rows": [
            (evidence, evidence.assurance_refusal(request.user) if steps["can_manage"] else "")
            for evidence in (action.evidence.all() if sees_evidence else [])
        ],
        **steps,
    }
    return render(request, "actions/action_detail.html", context)


@workspace
def action_history(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    context = {
        "action": action,
        "tab": "history",
        "entries": history.action_history(
            action=action, with_evidence=roles.can_see_evidence(request.user, action)
        ),
    }
    return render(request, "actions/action_history.html", context)


def action_form_page(request, action, form, *, change, title, submit, success):
    context = {"action": action, "page_title": title, "submit": submit}
    return form_page(
        request,
        form,
        "actions/action_form.html",
        context,
        change=change,
        done=action_url(action),
        success=success,
    )


@workspace
def action_edit(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_change_action(request.user, action))
    initial = {"title": action.title, "description": action.description}
    form = forms.ActionEditForm(*bound_form_data(request), initial=initial)
    return action_form_page(
        request,
        action,
        form,
        change=lambda data: services.action_edit(by=request.user, action=action, **data),
        title="Edit action",
        submit="Save changes",
        success="Action saved.",
    )


@workspace
def action_assign(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_change_action(request.user, action))
    initial = {
        "owner": action.owner_id,
        "owner_role_title": action.owner_role_title,
        "delegate": action.delegate_id,
        "opcc_lead": action.opcc_lead_id,
    }
    form = forms.AssignForm(
        *bound_form_data(request),
        initial=initial,
        force_ids=roles.assignable_force_ids(action),
        lead_force_id=roles.owning_force_id(action),
    )
    return action_form_page(
        request,
        action,
        form,
        change=lambda data: services.action_assign(by=request.user, action=action, **data),
        title="Assign owner and OPCC lead",
        submit="Save assignment",
        success="Assignment saved.",
    )


@workspace
def action_deadline(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_change_action(request.user, action))
    form = forms.DeadlineForm(*bound_form_data(request), initial={"deadline": action.deadline})
    return action_form_page(
        request,
        action,
        form,
        change=lambda data: services.action_change_deadline(by=request.user, action=action, **data),
        title="Change the deadline",
        submit="Change deadline",
        success="Deadline changed.",
    )


@workspace
def action_update(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_work_on_action(request.user, action))
    initial = {
        "status": action.status,
        "rag": action.rag,
        "percent_complete": action.percent_complete,
    }
    form = forms.UpdateForm(*bound_form_data(request), initial=initial, action=action)
    return action_form_page(
        request,
        action,
        form,
        change=lambda data: services.action_post_update(by=request.user, action=action, **data),
        title="Post a progress update",
        submit="Post update",
        success="Update posted.",
    )


@workspace
def action_propose(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_work_on_action(request.user, action))
    form = forms.ProposeClosureForm(*bound_form_data(request))
    return action_form_page(
        request,
        action,
        form,
        change=lambda data: services.action_propose_closure(by=request.user, action=action, **data),
        title="Propose closure",
        submit="Propose closure",
        success="Closure proposed. OPCC staff will assure the evidence before closing it.",
    )


@workspace
def action_close(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_change_action(request.user, action))
    form = forms.CloseForm(*bound_form_data(request))
    return action_form_page(
        request,
        action,
        form,
        change=lambda data: services.action_close(by=request.user, action=action, **data),
        title="Close the action",
        submit="Close action",
        success="Action closed.",
    )


@workspace
def action_sustain(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_change_action(request.user, action))
    form = forms.SustainForm(*bound_form_data(request))
    return action_form_page(
        request,
        action,
        form,
        change=lambda data: services.action_sustain(by=request.user, action=action, **data),
        title="Hold in a sustaining period",
        submit="Start sustaining period",
        success="The action is now in a sustaining period.",
    )


@workspace
def action_reopen(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_change_action(request.user, action))
    form = forms.ReopenForm(
        *bound_form_data(request),
        initial={"rag": action.rag, "percent_complete": action.percent_complete},
    )
    return action_form_page(
        request,
        action,
        form,
        change=lambda data: services.action_reopen(by=request.user, action=action, **data),
        title="Reopen the action",
        submit="Reopen action",
        success="Action reopened.",
    )


@workspace
def action_return(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_change_action(request.user, action))
    form = forms.ReturnForm(*bound_form_data(request))
    return action_form_page(
        request,
        action,
        form,
        change=lambda data: evidence_services.action_return(by=request.user, action=action, **data),
        title="Return for more evidence",
        submit="Return to the owner",
        success="Returned to the owner for more evidence.",
    )
