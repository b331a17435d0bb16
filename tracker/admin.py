"""Admin for users (roles given and taken by the rule in tracker.roles, every change in the user's
history), the security event log, and two-factor devices (whose secrets are never shown)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from actions.admin import AuditedAdmin
from actions.models import Force
from tracker import roles, security, services
from tracker.models import Office, SecurityEvent, User

# Changes to these need a reason, kept in the user's history with who made them and when.
NEEDS_REASON = {
    "roles",
    "is_active",
    "office",
    "force",
    "email",
    "is_superuser",
    "user_permissions",
}


class TrackerUserChangeForm(UserChangeForm):
    roles = forms.MultipleChoiceField(
        choices=[(role, role) for role in roles.ROLES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Only a superuser gives or takes OPCC staff and Administrator.",
    )
    change_reason = forms.CharField(
        label="Reason for this change",
        max_length=100,
        required=False,
        help_text="Required when roles, office, force, email or the active flag change; it is "
        "kept in the user's history.",
    )
    # Set per request by TrackerUserAdmin.get_form: the administrator making the change.
    by = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.held = set(
            self.instance.groups.filter(name__in=roles.ROLES).values_list("name", flat=True)
        )
        if "roles" in self.fields:
            self.fields["roles"].initial = sorted(self.held)
        # With one office, everyone is in it: the field starts there.
        offices = list(Office.objects.all()[:2])
        self.sole_office = offices[0] if len(offices) == 1 else None
        self.own_office_id = None
        if self.by is not None and not self.by.is_superuser:
            # An administrator sets their own office only, and a force of it (roles.py).
            self.own_office_id = roles.office_id_of(self.by)
            if "office" in self.fields:
                self.fields["office"].queryset = Office.objects.filter(pk=self.own_office_id)
            if "force" in self.fields:
                forces = self.fields["force"].queryset
                self.fields["force"].queryset = forces.filter(office_id=self.own_office_id)
        if "office" in self.fields and self.instance.office_id is None:
            self.fields["office"].initial = self.sole_office

    def clean(self):
        cleaned = super().clean()
        if "roles" in self.changed_data:
            before = set(self.fields["roles"].initial or [])
            changed = before ^ set(cleaned.get("roles") or [])
            refused = sorted(role for role in changed if not roles.can_grant_role(self.by, role))
            if refused:
                self.add_error("roles", f"Only a superuser can give or take: {', '.join(refused)}.")
        changed = set(self.changed_data)
        if "office" in self.fields:
            self._clean_office(cleaned)
            if cleaned.get("office") == self.instance.office:
                changed.discard("office")
        if changed & NEEDS_REASON and not cleaned.get("change_reason", "").strip():
            self.add_error("change_reason", "Say why: the reason is kept in the user's history.")
        return cleaned

    def _clean_office(self, cleaned):
        """Left blank: an action owner's force's office, the administrator's own office (the
        only one they may give), or the deployment's one office. OPCC staff and Panel members
        need one when there are several (tracker.roles.needs_office); a force in another office
        is refused by User.clean, an office an administrator may not give by roles."""
        if cleaned.get("office") is None:
            force = cleaned.get("force")
            if force is not None:
                cleaned["office"] = force.office
            elif self.own_office_id is not None:
                cleaned["office"] = self.fields["office"].queryset.first()
            else:
                cleaned["office"] = self.sole_office
        office = cleaned["office"]
        if self.by is not None and not roles.administers_office(self.by, office and office.pk):
            self.add_error("office", "You can give people your own office only.")
            return
        wanted = cleaned.get("roles", self.held) if "roles" in self.fields else self.held
        if cleaned["office"] is None and roles.needs_office(wanted) and Office.objects.exists():
            self.add_error(
                "office",
                "Choose their office: OPCC staff work for one and Panel members read for one.",
            )


@admin.register(User)
class TrackerUserAdmin(AuditedAdmin, UserAdmin):
    form = TrackerUserChangeForm
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "office",
        "force",
        "role_title",
        "role_list",
        "is_active",
    ]
    # The office and force filters offer only those of the people listed (an administrator's
    # own office's): another office's name is not theirs to read.
    list_filter = [
        "groups",
        ("office", admin.RelatedOnlyFieldListFilter),
        ("force", admin.RelatedOnlyFieldListFilter),
        "is_active",
        "is_staff",
    ]
    list_select_related = ["office", "force"]
    readonly_fields = ["last_login", "date_joined", "role_list"]
    history_list_display = ["roles_held"]

    def get_queryset(self, request):
        # An administrator lists and opens their own office's people only (roles.py); another
        # office's are not found, as the admin answers for any object outside this queryset.
        users = roles.administered_users(request.user, super().get_queryset(request))
        return users.prefetch_related("groups")

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        return queryset.prefetch_related("historicaluser_groups_set__group")

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # As simple-history does, less the group links: the Roles column shows each row's roles
        # from the prefetch above, and diffing the links would cost two queries a row.
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=["groups"], foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    @admin.display(description="Roles")
    def role_list(self, obj):
        return ", ".join(sorted(group.name for group in obj.groups.all())) or "-"

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        editable = self.has_change_permission(request, obj)
        access = ["is_active", "roles" if editable else "role_list"]
        if request.user.is_superuser:
            # Superuser status and single permissions are for superusers alone; the role groups
            # are set through "roles", so each change is checked and recorded.
            access += ["is_superuser", "user_permissions"]
        fieldsets = [
            (None, {"fields": ["username", "password"]}),
            ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
            ("Roles and access", {"fields": access}),
            ("Organisation", {"fields": ["office", "force", "role_title"]}),
            ("Reminders", {"fields": ["weekly_digest", "notify_changes_at_once"]}),
            ("Important dates", {"fields": ["last_login", "date_joined"]}),
        ]
        if editable:
            fieldsets.append(("Why", {"fields": ["change_reason"]}))
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or roles.can_change_user(request.user, obj))

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, id)
        if user is not None and not roles.can_change_user(request.user, user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if not change:
            # A new account is in the deployment's office when it has one only; one an
            # administrator adds is in their own office (the only one they manage).
            if not request.user.is_superuser:
                obj.office_id = obj.office_id or roles.office_id_of(request.user)
            obj.office_id = obj.office_id or Office.objects.sole_id(create=False)
            return super().save_model(request, obj, form, change)
        reason = form.cleaned_data.get("change_reason", "").strip() or "Changed in the admin site"
        role_change = "roles" in form.changed_data
        if "is_superuser" in form.changed_data:
            # Admin site access follows superuser status and the Administrator role.
            obj.is_staff = obj.is_superuser or roles.ADMINISTRATOR in form.cleaned_data["roles"]
            granted = "Made" if obj.is_superuser else "Removed"
            security.record(
                security.Kind.SUPERUSER_CHANGED,
                request=request,
                detail=f"{granted} {obj.username} superuser. Reason: {reason}",
            )
        obj._history_user = request.user
        obj._change_reason = reason[:100]
        # With a role change, the role service writes the one history row (after the groups).
        if role_change:
            obj.skip_history_when_saving = True
        try:
            admin.ModelAdmin.save_model(self, request, obj, form, change)
        finally:
            if role_change:
                del obj.skip_history_when_saving
        if role_change:
            services.user_roles_set(
                user=obj,
                role_names=form.cleaned_data["roles"],
                by=request.user,
                reason=reason,
                request=request,
            )

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting a user would set roles and flags round the checks above: view only.
        if request.method == "POST":
            raise PermissionDenied
        self._require_administered(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._require_administered(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or roles.administers_office(request.user, obj.office_id))

    def _require_administered(self, request, object_id):
        """simple-history finds a person's history (and old versions) outside get_queryset:
        another office's person's is not found, as their page is not."""
        if not request.user.is_superuser and self.get_object(request, unquote(object_id)) is None:
            raise Http404


class ForceInline(admin.TabularInline):
    """The forces an office oversees, to read: a force moves office on its own admin page."""

    model = Force
    fields = ["name", "monitoring_phase"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Office)
class OfficeAdmin(AuditedAdmin):
    """The offices (name as published, public address, Panel, paper defaults), for superusers
    only: an office decides whose case data OPCC staff and Panel members see. Every change is in
    its history; an office is never deleted (its forces, meetings and people point at it)."""

    list_display = ["name", "slug", "panel_name", "force_list"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ForceInline]
    fieldsets = [
        (None, {"fields": ["name", "slug"]}),
        ("Police and Crime Panel", {"fields": ["panel_name"]}),
        (
            "Panel paper defaults",
            {
                "fields": ["report_of", "contact_name", "contact_role", "contact_email"],
                "description": "Each new Panel paper starts from these; blank ones take the "
                "deployment's defaults.",
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("forces")

    @admin.display(description="Forces")
    def force_list(self, obj):
        return ", ".join(force.name for force in obj.forces.all()) or "-"

    def _superuser(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request):
        return self._superuser(request)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request)

    def has_delete_permission(self, request, obj=None):
        return False


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


class DeviceResetMixin:
    """Two-factor devices: an administrator may list them and delete them (the lost-phone
    reset) and nothing else; the secrets stay hidden (OTP_ADMIN_HIDE_SENSITIVE_DATA), and each
    deletion is a security event."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        security.record(
            security.Kind.TWO_FACTOR_RESET,
            request=request,
            detail=f"Deleted {obj.user.username}'s device {obj.name!r}",
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("user"):
            self.delete_model(request, obj)


for model, model_admin in ((TOTPDevice, TOTPDeviceAdmin), (StaticDevice, StaticDeviceAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (DeviceResetMixin, model_admin), {}))
