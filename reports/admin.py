"""Admin for meetings."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import Meeting


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "starts_at"]
    list_filter = ["kind"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["inspections"]
