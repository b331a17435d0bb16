"""URLs of the action-plan import (OPCC staff only), under /imports/."""

from django.urls import path

from actions.plan_import import views as import_views

app_name = "imports"

urlpatterns = [
    path("", import_views.import_start, name="start"),
    path("template.csv", import_views.import_template, {"extension": "csv"}, name="template_csv"),
    path(
        "template.xlsx",
        import_views.import_template,
        {"extension": "xlsx"},
        name="template_xlsx",
    ),
    path("<slug:token>/columns/", import_views.import_columns, name="columns"),
    path("<slug:token>/preview/", import_views.import_preview, name="preview"),
    path("<slug:token>/confirm/", import_views.import_confirm, name="confirm"),
    path("<slug:token>/done/", import_views.import_done, name="done"),
    path("<slug:token>/skipped.csv", import_views.import_skipped, name="skipped"),
]
