"""The read-only JSON API, the calendar feeds, and the page where a user manages their tokens.

API views authenticate the API token and ask tracker.roles (via api.permissions) first; their
querysets are the visible_to selectors, so another force's id is a 404 as in the workspace.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination

from actions.filters import ActionFilter
from api import calendars, filters, permissions, selectors, serializers
from tracker import roles, services
from tracker.models import AccessToken


class Pagination(PageNumberPagination):
    # The HTML list shows 50 a page; callers may ask for up to 200.
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = Pagination
    permission_classes = [permissions.UsesWorkspace]
    selector = None

    def get_queryset(self):
        return type(self).selector(user=self.request.user)


class InspectionViewSet(ReadOnlyViewSet):
    """Inspections of your force (OPCC staff: every force), newest first."""

    serializer_class = serializers.InspectionSerializer
    filterset_class = filters.InspectionFilter
    selector = selectors.inspections


class GradedAreaViewSet(ReadOnlyViewSet):
    """The graded areas of the inspections you may see."""

    serializer_class = serializers.GradedAreaSerializer
    filterset_class = filters.GradedAreaFilter
    selector = selectors.graded_areas


class FindingViewSet(ReadOnlyViewSet):
    """Causes of concern, recommendations and areas for improvement."""

    serializer_class = serializers.FindingSerializer
    filterset_class = filters.FindingFilter
    selector = selectors.findings


class ActionViewSet(ReadOnlyViewSet):
    """Actions, filtered and sorted with the action list page's query string."""

    serializer_class = serializers.ActionSerializer
    filterset_class = ActionFilter
    filter_backends = [filters.ActionFilterBackend]
    selector = selectors.actions


class MeetingViewSet(ReadOnlyViewSet):
    """Meetings you may see (tracker.roles.can_see_meeting), newest first: OPCC staff all;
    Panel members APMs and Panel meetings; owners those of them with their force's inspections on
    the agenda."""

    serializer_class = serializers.MeetingSerializer
    filterset_class = filters.MeetingFilter
    permission_classes = [permissions.SeesMeetings]
    selector = selectors.meetings


class PackViewSet(ReadOnlyViewSet):
    """Published briefing packs (OPCC staff and Panel members): the list gives when and where;
    one pack gives its frozen figures, Panel summary and action rows."""

    serializer_class = serializers.PackSerializer
    permission_classes = [permissions.ReadsPacks]
    selector = selectors.packs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.PackDetailSerializer
        return serializers.PackSerializer

    def get_queryset(self):
        packs = super().get_queryset()
        return packs.defer(None) if self.action == "retrieve" else packs


# Calendar feeds: no session, the secret in the URL is the credential.


@require_safe
def calendar_feed(request, secret, scope):
    """A wrong, revoked or not-allowed token is a plain 404, the same as a URL that never was."""
    token = AccessToken.objects.for_secret(AccessToken.Kind.CALENDAR, secret)
    user = token.user if token else None
    if user is None or not roles.can_have_access_tokens(user):
        raise Http404
    if scope == "opcc":
        if not roles.can_see_opcc_calendar(user):
            raise Http404
        body = calendars.opcc_feed(user)
    else:
        body = calendars.personal_feed(user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{scope}.ics"'
    # The feed answers one user's secret: kept by no cache, like every signed-in response.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# The signed-in user's "Calendar and API access" page.


def _kind(kind):
    if kind not in AccessToken.Kind.values:
        raise Http404
    return AccessToken.Kind(kind)


def feed_urls(request, secret):
    scopes = ["mine", "opcc"] if roles.can_see_opcc_calendar(request.user) else ["mine"]
    names = {"mine": "My deadlines and meetings", "opcc": "OPCC calendar (all forces)"}
    return [
        (names[scope], request.build_absolute_uri(reverse(f"api:calendar_{scope}", args=[secret])))
        for scope in scopes
    ]


def _access_page(request, **extra):
    tokens = {token.kind: token for token in AccessToken.objects.filter(user=request.user)}
    context = {
        "allowed": roles.can_have_access_tokens(request.user),
        "calendar_token": tokens.get(AccessToken.Kind.CALENDAR),
        "api_token": tokens.get(AccessToken.Kind.API),
        "opcc_calendar": roles.can_see_opcc_calendar(request.user),
        "api_workspace": roles.can_use_workspace(request.user),
        **extra,
    }
    return render(request, "api/access.html", context)


@login_required
def access(request):
    return _access_page(request)


@login_required
@require_POST
def access_issue(request, kind):
    """Make a new secret (replacing the old one) and show it on this response only."""
    kind = _kind(kind)
    if not roles.can_have_access_tokens(request.user):
        raise PermissionDenied
    secret = services.access_token_issue(user=request.user, kind=kind)
    new = {"kind": kind, "secret": secret}
    if kind == AccessToken.Kind.CALENDAR:
        new["feeds"] = feed_urls(request, secret)
    return _access_page(request, new=new)


@login_required
@require_POST
def access_revoke(request, kind):
    kind = _kind(kind)
    if services.access_token_revoke(user=request.user, kind=kind):
        messages.success(request, f"{kind.label} token revoked. Its old address no longer works.")
    return redirect("api:access")
