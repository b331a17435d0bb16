"""Admin for users: role groups and force shown in the list."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tracker.models import SecurityEvent, User


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (
        ("Organisation", {"fields": ("force", "role_title")}),
        ("Reminders", {"fields": ("weekly_digest", "notify_changes_at_once")}),
    )
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "force",
        "role_title",
        "is_active",
    ]
    list_filter = ["groups", "force", "is_active", "is_staff"]
    list_select_related = ["force"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security event log: read-only, for administrators."""

    list_display = ["at", "kind", "username", "ip_address", "path", "detail"]
    list_filter = ["kind", ("at", admin.DateFieldListFilter)]
    search_fields = ["username", "ip_address", "path", "detail"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    readonly_fields = [field.name for field in SecurityEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
