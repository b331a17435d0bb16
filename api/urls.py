"""API, OpenAPI schema, calendar feed and token page URLs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from api import views

app_name = "api"

router = SimpleRouter()
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("graded-areas", views.GradedAreaViewSet, basename="graded-area")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("actions", views.ActionViewSet, basename="action")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("packs", views.PackViewSet, basename="pack")

urlpatterns = [
    path("api/", include(router.urls)),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="schema",
    ),
    path(
        "calendar/<str:secret>/mine.ics",
        views.calendar_feed,
        {"scope": "mine"},
        name="calendar_mine",
    ),
    path(
        "calendar/<str:secret>/opcc.ics",
        views.calendar_feed,
        {"scope": "opcc"},
        name="calendar_opcc",
    ),
    path("account/access/", views.access, name="access"),
    path("account/access/<str:kind>/new/", views.access_issue, name="access_issue"),
    path("account/access/<str:kind>/revoke/", views.access_revoke, name="access_revoke"),
]
