"""Project URLs: sign-in and password reset, the landing page, admin, and the workspace."""

from django.contrib import admin
from django.urls import include, path

from tracker import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("actions.urls")),
    path("", include("reports.urls")),
]
