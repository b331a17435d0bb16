"""Project URLs: sign-in and password reset, the landing page, admin, and the workspace."""

from django.contrib import admin
from django.urls import include, path

from tracker import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", health.health, name="health"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/", views.account, name="account"),
    path("account/email/", views.email_preferences, name="email_preferences"),
    path("account/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("admin/", admin.site.urls),
    path("", include("actions.urls")),
    path("imports/", include("actions.plan_import.urls")),
    path("", include("api.urls")),
    path("", include("reports.urls")),
]

handler403 = "tracker.views.permission_denied"
