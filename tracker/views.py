"""The landing page: each role starts where its work is."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from tracker import roles, security
from tracker.forms import EmailPreferencesForm


def home(request):
    """OPCC staff and owners go to their dashboard; others get a page saying what they can do."""
    if roles.can_use_workspace(request.user):
        return redirect("actions:dashboard")
    return render(request, "home.html", {"role": roles.primary_role(request.user)})


@login_required
def email_preferences(request):
    """A signed-in user's choice of reminder emails (escalations cannot be turned off)."""
    data = request.POST if request.method == "POST" else None  # unticking both posts nothing
    form = EmailPreferencesForm(data, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your email preferences have been saved.")
        return redirect("email_preferences")
    return render(request, "account/email_preferences.html", {"form": form})


def permission_denied(request, exception=None):
    """The 403 page; every refusal is written to the security event log."""
    security.record(security.Kind.PERMISSION_DENIED, request=request)
    return render(request, "403.html", status=403)
