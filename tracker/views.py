"""The landing page: each role starts where its work is."""

from django.shortcuts import redirect, render

from tracker import roles


def home(request):
    """OPCC staff and owners go to their dashboard; others get a page saying what they can do."""
    if roles.can_use_workspace(request.user):
        return redirect("actions:dashboard")
    return render(request, "home.html", {"role": roles.primary_role(request.user)})
