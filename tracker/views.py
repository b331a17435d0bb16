"""The landing page: each role starts where its work is."""

from django.shortcuts import redirect, render

from reports.selectors import published_packs
from tracker import roles


def home(request):
    """OPCC staff and owners go to their dashboard; others get a page saying what they can do."""
    if roles.can_use_workspace(request.user):
        return redirect("actions:dashboard")
    role = roles.primary_role(request.user)
    # Panel members land on the list of published packs, the one thing they read here.
    packs = published_packs() if role == roles.PANEL_MEMBER else None
    return render(request, "home.html", {"role": role, "packs": packs})
