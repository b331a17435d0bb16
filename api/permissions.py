"""Who may call which endpoint: the rules are tracker.roles; these only ask them."""

from rest_framework.permissions import BasePermission

from tracker import roles


class UsesWorkspace(BasePermission):
    """Inspections, graded areas, findings and actions: OPCC staff and action owners."""

    message = "Your role cannot read inspections, findings or actions."

    def has_permission(self, request, view):
        return roles.can_use_workspace(request.user)


class SeesMeetings(BasePermission):
    message = "Your role cannot read meetings."

    def has_permission(self, request, view):
        return roles.can_see_meetings(request.user)


class ReadsPacks(BasePermission):
    """Published briefing packs: OPCC staff and Panel members, as on the pages."""

    message = "Your role cannot read briefing packs."

    def has_permission(self, request, view):
        return roles.can_read_packs(request.user)
