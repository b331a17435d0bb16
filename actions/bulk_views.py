"""The action list's bulk form: assign, ask owners for an update, move deadlines (OPCC staff).

One form on the list page; each button posts it to one of these views. A form with errors is
shown again on a page of its own with the ticked actions.
"""

from django.contrib import messages
from django.urls import reverse
from django.views.decorators.http import require_POST

from actions import bulk_services, forms, selectors, services
from tracker import roles
from tracker.web import allow, form_page, workspace


def _plural(count, word, plural=None):
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _bulk_page(request, form, *, title, submit, change, success):
    back = reverse("actions:list") + "?" + request.POST.get("return_query", "")
    context = {
        "selected": selectors.actions_visible_by_id(
            # Digits within the database's integer range: anything else is no action.
            user=request.user,
            ids=[i for i in request.POST.getlist("actions") if i.isdigit() and int(i) < 2**63],
        ),
        "back": back,
        "page_title": title,
        "submit": submit,
        "fields": [field for field in form if field.name != "actions"],
    }

    def said(result):
        if getattr(result, "refused", None):
            refused = "; ".join(
                f"{action.finding.reference} {action.title} ({why})"
                for action, why in result.refused
            )
            messages.warning(request, f"Left alone: {refused}")
        return success(result)

    return form_page(
        request, form, "actions/bulk_form.html", context, change=change, done=back, success=said
    )


@workspace
@require_POST
def action_bulk_assign(request):
    allow(roles.can_manage_actions(request.user))
    form = forms.BulkAssignForm(request.POST, user=request.user)
    return _bulk_page(
        request,
        form,
        title="Assign actions",
        submit="Assign selected actions",
        change=lambda data: services.action_bulk_assign(
            by=request.user,
            actions=data["actions"],
            owner=data["owner"],
            opcc_lead=data["opcc_lead"],
        ),
        success=lambda changed: f"{_plural(len(changed), 'action')} assigned.",
    )


@workspace
@require_POST
def action_bulk_request_update(request):
    allow(roles.can_manage_actions(request.user))
    form = forms.BulkRequestUpdateForm(request.POST, user=request.user)
    return _bulk_page(
        request,
        form,
        title="Ask owners for an update",
        submit="Ask the owners",
        change=lambda data: bulk_services.action_bulk_request_update(
            by=request.user, actions=data["actions"], message=data["message"]
        ),
        success=lambda result: f"{_plural(len(result.done), 'owner')} asked for an update.",
    )


@workspace
@require_POST
def action_bulk_deadline(request):
    allow(roles.can_manage_actions(request.user))
    form = forms.BulkDeadlineForm(request.POST, user=request.user)
    return _bulk_page(
        request,
        form,
        title="Move deadlines",
        submit="Move the deadlines",
        change=lambda data: bulk_services.action_bulk_change_deadline(
            by=request.user,
            actions=data["actions"],
            deadline=data["deadline"],
            reason=data["reason"],
        ),
        success=lambda result: f"{_plural(len(result.done), 'deadline')} moved.",
    )
