"""Admin for the audited domain: history views on every model, no N+1 on changelists.

Workflow fields (status, owner, finding, deadline, closure, assurance, a posted update's words)
are read-only here: those changes need a reason or a rule check, so they go through the
workspace, which calls actions.services. For the same reason an old version in the history can be
viewed but not reverted to.
"""

from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from actions.models import (
    Action,
    ActionPartner,
    Evidence,
    ExtensionRequest,
    Finding,
    FindingPartner,
    Force,
    GradedArea,
    Inspection,
    Reminder,
    Update,
)
from actions.reminders import outbox
from tracker.history_admin import ReadOnlyHistoryAdmin
from tracker.models import Office


class AuditedAdmin(ReadOnlyHistoryAdmin):
    """Every add, change and delete made here is in the history under the signed-in user, with a
    reason saying it was done in the admin site (the workspace's services give their own)."""

    # A link typed without a scheme is taken as https, as the workspace's forms do.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @staticmethod
    def change_reason_for(obj, request, reason):
        obj._history_user = request.user
        obj._change_reason = reason

    def save_model(self, request, obj, form, change):
        reason = "Changed in the admin site" if change else "Added in the admin site"
        self.change_reason_for(obj, request, reason)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        self.change_reason_for(obj, request, "Deleted in the admin site")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # One by one (not queryset.delete()), so each history row carries the reason.
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            self.change_reason_for(obj, request, "Deleted in the admin site")
            obj.delete()
        for obj in instances:
            reason = "Changed in the admin site" if obj.pk else "Added in the admin site"
            self.change_reason_for(obj, request, reason)
            obj.save()
        formset.save_m2m()


@admin.register(Force)
class ForceAdmin(AuditedAdmin):
    list_display = ["name", "office", "monitoring_phase", "monitoring_phase_since"]
    list_filter = ["office", "monitoring_phase"]
    list_select_related = ["office"]

    def get_changeform_initial_data(self, request):
        # A new force starts in the deployment's office when it has only one.
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("office", Office.objects.sole_id(create=False))
        return initial

    search_fields = ["name"]


class GradedAreaInline(admin.TabularInline):
    model = GradedArea
    extra = 0
    # Not a select of every area in the country.
    raw_id_fields = ["predecessor"]


@admin.register(Inspection)
class InspectionAdmin(AuditedAdmin):
    list_display = [
        "title",
        "force",
        "kind",
        "source_type",
        "published_on",
        "response_published_on",
    ]
    list_filter = ["kind", "source_type", "force"]
    list_select_related = ["force"]
    search_fields = ["title"]
    date_hierarchy = "published_on"
    inlines = [GradedAreaInline]
    raw_id_fields = ["previous"]


@admin.register(GradedArea)
class GradedAreaAdmin(AuditedAdmin):
    list_display = ["name", "grade", "inspection"]
    raw_id_fields = ["predecessor"]
    list_filter = ["grade", "inspection__force"]
    list_select_related = ["inspection"]
    search_fields = ["name", "inspection__title"]


@admin.register(Finding)
class FindingAdmin(AuditedAdmin):
    list_display = ["reference", "kind", "inspection", "area", "external_status"]
    list_filter = ["kind", "external_status", "inspection__force"]
    list_select_related = ["inspection", "area"]
    search_fields = ["reference", "text", "inspection__title"]
    raw_id_fields = ["inspection", "area", "parent", "repeats"]


@admin.register(Action)
class ActionAdmin(AuditedAdmin):
    list_display = ["title", "finding", "owner", "opcc_lead", "deadline", "status", "rag"]
    list_filter = ["status", "rag", "finding__inspection__force", "finding__kind"]
    list_select_related = ["finding", "owner", "opcc_lead"]
    search_fields = ["title", "description", "finding__reference", "finding__text"]
    date_hierarchy = "deadline"
    raw_id_fields = ["finding", "owner", "delegate", "opcc_lead"]
    readonly_fields = ["status", "rag", "closure_summary", "sustain_until", "percent_complete"]
    # Set when the action is added; changed later only through the workspace's services, which
    # check who may be assigned and record the reason a deadline moved.
    SERVICE_FIELDS = ["finding", "owner", "owner_role_title", "delegate", "opcc_lead", "deadline"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return list(dict.fromkeys([*fields, *self.SERVICE_FIELDS])) if obj else fields


@admin.register(Update)
class UpdateAdmin(AuditedAdmin):
    list_display = ["action", "author", "status", "rag", "percent_complete", "created_at"]
    list_filter = ["status", "rag"]
    list_select_related = ["action", "author"]
    search_fields = ["narrative", "action__title"]
    raw_id_fields = ["action", "author"]

    def get_readonly_fields(self, request, obj=None):
        # A posted update is the record of what its author said: the admin may correct only its
        # public wording.
        fields = super().get_readonly_fields(request, obj)
        if obj is None:
            return fields
        posted = ["action", "author", "narrative", "status", "rag", "percent_complete"]
        return list(dict.fromkeys([*fields, *posted, "created_at"]))


@admin.register(Evidence)
class EvidenceAdmin(AuditedAdmin):
    list_display = ["title", "kind", "action", "submitted_by", "submitted_at", "assured_at"]
    list_filter = ["kind", ("assured_at", admin.EmptyFieldListFilter)]
    list_select_related = ["action", "submitted_by"]
    search_fields = ["title", "action__title"]
    raw_id_fields = ["action", "submitted_by", "assured_by"]
    # Evidence files have no public URL (MEDIA_URL is None), so the admin's file widget cannot
    # draw one: the file is a link to the permission-checked download instead.
    exclude = ["file"]
    readonly_fields = [
        "document",
        "assured_by",
        "assured_at",
        "assurance_note",
        "returned_by",
        "returned_at",
        "return_reason",
    ]

    def get_readonly_fields(self, request, obj=None):
        # Who added it, and to which action, is part of the assurance record (the assurer must
        # be someone else), so it is fixed once added.
        fields = super().get_readonly_fields(request, obj)
        return list(dict.fromkeys([*fields, "action", "submitted_by"])) if obj else fields

    @admin.display(description="File")
    def document(self, obj):
        if not obj.file:
            return "-"
        url = reverse("actions:evidence_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_filename or "Download")


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(AuditedAdmin):
    """Read only: a request is made and decided in the workspace (actions/extension_services.py),
    where the deadline moves with its reason; the admin shows it and its history."""

    list_display = ["action", "requested_by", "requested_deadline", "status", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["action", "requested_by", "decided_by"]
    search_fields = ["action__title", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActionPartner)
class ActionPartnerAdmin(AuditedAdmin):
    """Read only: an action is shared and unshared on its page (actions/collaboration_services.py),
    with a reason; the admin shows who shared it with which force, and the history of unsharing."""

    list_display = ["action", "force", "shared_by", "shared_at"]
    list_filter = ["force"]
    list_select_related = ["action", "force", "shared_by"]
    search_fields = ["action__title", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FindingPartner)
class FindingPartnerAdmin(ActionPartnerAdmin):
    """Read only, as ActionPartnerAdmin: a finding is shared and unshared on its page."""

    list_display = ["finding", "force", "shared_by", "shared_at"]
    list_select_related = ["finding", "force", "shared_by"]
    search_fields = ["finding__reference", "finding__text", "reason"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The outbox: every reminder and change notification, waiting, sent, skipped or failed.

    Read-only: rows are written by the sweep and the services, and sent by the digest task. The
    one thing an administrator does here is send failed reminders again once the cause is fixed.
    """

    actions = ["send_again"]

    list_display = ["created_at", "recipient", "kind", "action", "meeting", "status", "attempts"]
    list_filter = [
        "status",
        "kind",
        ("sent_at", admin.DateFieldListFilter),
        ("last_error", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["recipient", "action", "meeting"]
    search_fields = ["recipient__username", "recipient__email", "action__title", "period"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the selected failed reminders again", permissions=["view"])
    def send_again(self, request, queryset):
        count = outbox.reminders_send_again(
            reminder_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request, f"{count} failed reminder{'s' if count != 1 else ''} back in the outbox."
        )
