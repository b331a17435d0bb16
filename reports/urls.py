"""Meetings, briefing packs, the Panel's published packs and the public pack pages."""

from django.urls import path

from reports import feeds, views

app_name = "reports"

urlpatterns = [
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:meeting_pk>/questions/new/", views.question_create, name="question_create"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("meetings/<int:meeting_pk>/packs/new/", views.pack_generate, name="pack_generate"),
    path("packs/", views.published_pack_list, name="published"),
    path("national/", views.national_view, name="national"),
    path("packs/<int:pk>/", views.pack_detail, name="pack"),
    path("packs/<int:pk>/summary/", views.pack_narratives, name="pack_narratives"),
    path("packs/<int:pk>/publish/", views.pack_publish, name="pack_publish"),
    path("packs/<int:pk>/public/", views.pack_public, name="pack_public"),
    path("packs/<int:pk>/pdf/retry/", views.pack_retry_pdf, name="pack_retry_pdf"),
    path("packs/<int:pk>/pack.pdf", views.pack_pdf, name="pack_pdf"),
    path("packs/<int:pk>/actions.csv", views.pack_export, {"extension": "csv"}, name="pack_csv"),
    path("packs/<int:pk>/actions.xlsx", views.pack_export, {"extension": "xlsx"}, name="pack_xlsx"),
    path(
        "inspections/<int:pk>/public-progress/",
        views.inspection_public_progress,
        name="inspection_public_progress",
    ),
    # The public pages. /public/ goes to the one office's page or lists the offices; the older
    # addresses (before offices) redirect to the office's. Office slugs never take "packs" or
    # "progress" (tracker.models.RESERVED_PUBLIC_SLUGS), so the two never meet.
    path("public/", views.public_home, name="public_list"),
    path("public/packs/", views.public_home, name="moved_public_list"),
    *[
        path(f"public/packs/<uuid:uuid>/{tail}", views.moved_public_pack, {"to": to}, name=name)
        for tail, to, name in [
            ("", "reports:public_pack", "moved_public_pack"),
            ("pack.pdf", "reports:public_pack_pdf", "moved_public_pack_pdf"),
            ("actions.csv", "reports:public_pack_csv", "moved_public_pack_csv"),
            ("actions.xlsx", "reports:public_pack_xlsx", "moved_public_pack_xlsx"),
        ]
    ],
    *[
        path(f"public/progress/<int:pk>/{tail}", views.moved_public_progress, {"to": to}, name=name)
        for tail, to, name in [
            ("", "reports:public_progress", "moved_public_progress"),
            ("history/", "reports:public_progress_history", "moved_public_progress_history"),
            ("feed/", "reports:public_progress_feed", "moved_public_progress_feed"),
        ]
    ],
    path("public/<slug:office>/", views.public_office, name="public_office"),
    path("public/<slug:office>/progress/<int:pk>/", views.public_progress, name="public_progress"),
    path(
        "public/<slug:office>/progress/<int:pk>/history/",
        views.public_progress_history,
        name="public_progress_history",
    ),
    path(
        "public/<slug:office>/progress/<int:pk>/feed/",
        feeds.PublicProgressFeed(),
        name="public_progress_feed",
    ),
    path("public/<slug:office>/packs/<uuid:uuid>/", views.public_pack, name="public_pack"),
    path(
        "public/<slug:office>/packs/<uuid:uuid>/pack.pdf",
        views.public_pack_pdf,
        name="public_pack_pdf",
    ),
    path(
        "public/<slug:office>/packs/<uuid:uuid>/actions.csv",
        views.public_pack_export,
        {"extension": "csv"},
        name="public_pack_csv",
    ),
    path(
        "public/<slug:office>/packs/<uuid:uuid>/actions.xlsx",
        views.public_pack_export,
        {"extension": "xlsx"},
        name="public_pack_xlsx",
    ),
]
