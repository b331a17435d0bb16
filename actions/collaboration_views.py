"""Sharing an action or a finding with partner forces: the owning office's OPCC staff share and
unshare it.

As in actions/views.py: permission first (tracker/roles.py), then one selector or service.
"""

from django.urls import reverse

from actions import collaboration_forms, collaboration_selectors, collaboration_services, selectors
from actions.views import action_url
from tracker import roles
from tracker.web import allow, bound_form_data, form_page, workspace


def _page(request, form, *, template, context, done, change, title, submit, success):
    """A share or unshare form, with the partners and sharing history below it."""
    return form_page(
        request,
        form,
        template,
        {**context, "page_title": title, "submit": submit},
        change=change,
        done=done,
        success=success,
    )


@workspace
def action_share(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_change_action(request.user, action))
    form = collaboration_forms.ShareForm(
        *bound_form_data(request), forces=collaboration_selectors.share_choices(action=action)
    )
    return _page(
        request,
        form,
        template="actions/action_share.html",
        context={"action": action, **collaboration_selectors.sharing(action=action)},
        done=action_url(action),
        change=lambda data: collaboration_services.action_share(
            by=request.user, action=action, **data
        ),
        title="Share with a partner force",
        submit="Share the action",
        success=lambda partner: f"Shared with {partner.force}.",
    )


@workspace
def action_unshare(request, pk):
    action = selectors.action_detail(user=request.user, pk=pk)
    allow(roles.can_change_action(request.user, action))
    form = collaboration_forms.UnshareForm(
        *bound_form_data(request), forces=collaboration_selectors.partner_choices(action=action)
    )
    return _page(
        request,
        form,
        template="actions/action_share.html",
        context={"action": action, **collaboration_selectors.sharing(action=action)},
        done=action_url(action),
        change=lambda data: collaboration_services.action_unshare(
            by=request.user, action=action, **data
        ),
        title="Stop sharing with a partner force",
        submit="Stop sharing",
        success=lambda partner: f"No longer shared with {partner.force}.",
    )


@workspace
def finding_share(request, pk):
    finding = selectors.finding_detail(user=request.user, pk=pk)
    allow(roles.can_change_finding(request.user, finding))
    form = collaboration_forms.ShareForm(
        *bound_form_data(request),
        forces=collaboration_selectors.finding_share_choices(finding=finding),
        what="finding",
    )
    return _page(
        request,
        form,
        template="actions/finding_share.html",
        context={"finding": finding, **collaboration_selectors.finding_sharing(finding=finding)},
        done=reverse("actions:finding", args=[finding.pk]),
        change=lambda data: collaboration_services.finding_share(
            by=request.user, finding=finding, **data
        ),
        title="Share with a partner force",
        submit="Share the finding",
        success=lambda partner: f"Shared with {partner.force}, with the finding's actions.",
    )


@workspace
def finding_unshare(request, pk):
    finding = selectors.finding_detail(user=request.user, pk=pk)
    allow(roles.can_change_finding(request.user, finding))
    form = collaboration_forms.UnshareForm(
        *bound_form_data(request),
        forces=collaboration_selectors.finding_partner_choices(finding=finding),
        what="finding",
    )
    return _page(
        request,
        form,
        template="actions/finding_share.html",
        context={"finding": finding, **collaboration_selectors.finding_sharing(finding=finding)},
        done=reverse("actions:finding", args=[finding.pk]),
        change=lambda data: collaboration_services.finding_unshare(
            by=request.user, finding=finding, **data
        ),
        title="Stop sharing with a partner force",
        submit="Stop sharing",
        success=lambda partner: f"No longer shared with {partner.force}.",
    )
