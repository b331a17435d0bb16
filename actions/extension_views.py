"""Deadline extension pages: the owner's request, and OPCC staff's decision.

As in actions/views.py: permission first, then one selector or service.
"""

from actions import extension_services, forms, selectors, views
from tracker import roles
from tracker.web import allow, bound_form_data, form_page, workspace


@workspace
def extension_request(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_request_extension(request.user, action))
    form = forms.ExtensionRequestForm(*bound_form_data(request))
    return views.action_form_page(
        request,
        action,
        form,
        change=lambda data: extension_services.extension_request(
            by=request.user, action=action, **data
        ),
        title="Ask for a later deadline",
        submit="Send the request",
        success="Extension requested. OPCC staff will approve or decline it.",
    )


@workspace
def extension_decide(request, pk):
    extension = selectors.extension_detail(user=request.user, pk=pk)
    allow(roles.can_change_action(request.user, extension.action))
    form = forms.ExtensionDecisionForm(*bound_form_data(request))

    def change(data):
        if data["decision"] == "approve":
            return extension_services.extension_approve(
                by=request.user, request=extension, decision_reason=data["decision_reason"]
            )
        return extension_services.extension_decline(
            by=request.user, request=extension, decision_reason=data["decision_reason"]
        )

    context = {
        "action": extension.action,
        "extension": extension,
        "refusal": extension.decision_refusal(request.user),
    }
    return form_page(
        request,
        form,
        "actions/extension_decide.html",
        context,
        change=change,
        done=views.action_url(extension.action),
        success=lambda decided: f"Extension request {decided.get_status_display().lower()}.",
    )
