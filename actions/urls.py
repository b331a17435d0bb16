"""Workspace URLs: dashboard, action list and exports, inspections, findings, actions, evidence."""

from django.urls import path

from actions import (
    bulk_views,
    collaboration_views,
    evidence_views,
    extension_views,
    inspection_views,
    views,
)
from actions.inspection_import import views as report_import_views

app_name = "actions"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("actions/", views.action_list, name="list"),
    path("actions/export.csv", views.action_export, {"extension": "csv"}, name="export_csv"),
    path("actions/export.xlsx", views.action_export, {"extension": "xlsx"}, name="export_xlsx"),
    path("actions/bulk-assign/", bulk_views.action_bulk_assign, name="bulk_assign"),
    path(
        "actions/bulk-request-update/",
        bulk_views.action_bulk_request_update,
        name="bulk_request_update",
    ),
    path("actions/bulk-deadline/", bulk_views.action_bulk_deadline, name="bulk_deadline"),
    path("actions/<int:pk>/", views.action_detail, name="detail"),
    path("actions/<int:pk>/history/", views.action_history, name="history"),
    path("actions/<int:pk>/edit/", views.action_edit, name="edit"),
    path("actions/<int:pk>/assign/", views.action_assign, name="assign"),
    path("actions/<int:pk>/deadline/", views.action_deadline, name="deadline"),
    path("actions/<int:pk>/share/", collaboration_views.action_share, name="share"),
    path("actions/<int:pk>/unshare/", collaboration_views.action_unshare, name="unshare"),
    path(
        "actions/<int:pk>/extension/", extension_views.extension_request, name="extension_request"
    ),
    path("extensions/<int:pk>/decide/", extension_views.extension_decide, name="extension_decide"),
    path("actions/<int:pk>/update/", views.action_update, name="update"),
    path("actions/<int:pk>/propose-closure/", views.action_propose, name="propose"),
    path("actions/<int:pk>/close/", views.action_close, name="close"),
    path("actions/<int:pk>/sustain/", views.action_sustain, name="sustain"),
    path("actions/<int:pk>/reopen/", views.action_reopen, name="reopen"),
    path("actions/<int:pk>/return/", views.action_return, name="return"),
    path("actions/<int:pk>/evidence/add/", evidence_views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/assure/", evidence_views.evidence_assure, name="evidence_assure"),
    path("evidence/<int:pk>/return/", evidence_views.evidence_return, name="evidence_return"),
    path("evidence/<int:pk>/download/", evidence_views.evidence_download, name="evidence_download"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/", inspection_views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/edit/", inspection_views.inspection_edit, name="inspection_edit"),
    path(
        "inspections/<int:pk>/response/",
        inspection_views.inspection_response,
        name="inspection_response",
    ),
    path(
        "inspections/<int:inspection_pk>/findings/new/",
        views.finding_create,
        name="finding_create",
    ),
    path("areas/<int:pk>/predecessor/", views.area_predecessor, name="area_predecessor"),
    path("findings/<int:pk>/", report_import_views.finding_detail, name="finding"),
    path("findings/<int:pk>/share/", collaboration_views.finding_share, name="finding_share"),
    path("findings/<int:pk>/unshare/", collaboration_views.finding_unshare, name="finding_unshare"),
    path("findings/<int:pk>/edit/", views.finding_edit, name="finding_edit"),
    path(
        "findings/<int:pk>/external-status/",
        views.finding_external_status,
        name="finding_external_status",
    ),
    path("findings/<int:pk>/repeats/", report_import_views.finding_repeat, name="finding_repeat"),
    path("findings/<int:finding_pk>/actions/new/", views.action_create, name="action_create"),
    path("inspections/import/", report_import_views.import_start, name="import_start"),
    path("inspections/import/review/", report_import_views.import_review, name="import_review"),
    path("inspections/import/discard/", report_import_views.import_discard, name="import_discard"),
]
