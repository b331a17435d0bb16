"""Admin for users: role groups and force shown in the list."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tracker.models import User


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
