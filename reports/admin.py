"""Admin for meetings, questions and briefing packs (a pack's snapshot is read-only here)."""

from django.contrib import admin

from actions.admin import AuditedAdmin
from reports.models import BriefingPack, Meeting, Question


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ["title", "kind", "starts_at"]
    list_filter = ["kind"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["inspections"]


@admin.register(Question)
class QuestionAdmin(AuditedAdmin):
    list_display = ["text", "kind", "meeting", "owner", "due_on", "answered_at"]
    list_filter = ["kind"]
    list_select_related = ["meeting", "owner"]
    search_fields = ["text", "answer"]
    raw_id_fields = ["meeting", "owner"]


@admin.register(BriefingPack)
class BriefingPackAdmin(AuditedAdmin):
    # Packs change only through reports.services (generate, summary, publish), never here.
    list_display = ["meeting", "version", "status", "is_public", "generated_at", "pdf_status"]
    list_filter = ["status", "is_public"]
    list_select_related = ["meeting"]
    readonly_fields = [f.name for f in BriefingPack._meta.fields]

    def has_add_permission(self, request):
        return False
