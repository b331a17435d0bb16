"""Sharing an action or a finding with partner forces: the owning office's OPCC staff share and
unshare it.

As in actions/views.py: permission first (tracker/roles.py), then one selector or service.
"""

from django.urls import reverse

from actions import collaboration_forms, collaboration_selectors, collaboration_services, selectors
from actions.views import action_url
from tracker import roles
from tracker.web import allow, bound_form_data, form_page, workspace

SHARE = {"page_title": "Share with a partner force"}
UNSHARE = {"page_title": "Stop sharing with a partner force", "submit": "Stop sharing"}


def _action_page(request, pk, *, form_class, choices, service, success, **text):
    """A share or unshare form for an action, with its partners and sharing history below."""
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_change_action(request.user, action))
    form = form_class(*bound_form_data(request), forces=choices(action=action))
    back = action_url(action)
    return form_page(
        request,
        form,
        "actions/action_share.html",
        {"action": action, "back_url": back, **collaboration_selectors.sharing(action=action)}
        | text,
        change=lambda data: service(by=request.user, action=action, **data),
        done=back,
        success=success,
    )


def _finding_page(request, pk, *, form_class, choices, service, success, **text):
    """The same for a finding (whose actions are shared and unshared with it)."""
    finding = selectors.finding_detail(user=request.user, pk=pk)
    allow(roles.can_change_finding(request.user, finding))
    form = form_class(*bound_form_data(request), forces=choices(finding=finding), what="finding")
    back = reverse("actions:finding", args=[finding.pk])
    return form_page(
        request,
        form,
        "actions/finding_share.html",
        {"finding": finding, "back_url": back}
        | collaboration_selectors.finding_sharing(finding=finding)
        | text,
        change=lambda data: service(by=request.user, finding=finding, **data),
        done=back,
        success=success,
    )


@workspace
def action_share(request, pk):
    return _action_page(
        request,
        pk,
        form_class=collaboration_forms.ShareForm,
        choices=collaboration_selectors.share_choices,
        service=collaboration_services.action_share,
        success=lambda partner: f"Shared with {partner.force}.",
        submit="Share the action",
        **SHARE,
    )


@workspace
def action_unshare(request, pk):
    return _action_page(
        request,
        pk,
        form_class=collaboration_forms.UnshareForm,
        choices=collaboration_selectors.partner_choices,
        service=collaboration_services.action_unshare,
        success=lambda partner: f"No longer shared with {partner.force}.",
        **UNSHARE,
    )


@workspace
def finding_share(request, pk):
    return _finding_page(
        request,
        pk,
        form_class=collaboration_forms.ShareForm,
        choices=collaboration_selectors.finding_share_choices,
        service=collaboration_services.finding_share,
        success=lambda partner: f"Shared with {partner.force}, with the finding's actions.",
        submit="Share the finding",
        **SHARE,
    )


@workspace
def finding_unshare(request, pk):
    return _finding_page(
        request,
        pk,
        form_class=collaboration_forms.UnshareForm,
        choices=collaboration_selectors.finding_partner_choices,
        service=collaboration_services.finding_unshare,
        success=lambda partner: f"No longer shared with {partner.force}.",
        **UNSHARE,
    )
