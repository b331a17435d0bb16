"""The admin base for audited models: history to read, never to revert."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin with its "Revert" taken away.

    Reverting saves a whole old version over the current row, status, closure, deadline and a
    pack's publication included, with none of the services' checks or reasons. The workflow
    (reopen, move a deadline, withdraw a pack) goes through the workspace instead; here an old
    version can only be looked at.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Hiding the button is not enough: simple-history saves whatever is posted to this URL.
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        # An old version is shown as text, not as a form that looks as if it could be saved.
        if _viewing_old_version(request):
            fields = [*self.opts.fields, *self.opts.many_to_many]
            editable = [field.name for field in fields if field.editable]
            return list(dict.fromkeys([*super().get_readonly_fields(request, obj), *editable]))
        return super().get_readonly_fields(request, obj)


def _viewing_old_version(request):
    match = request.resolver_match
    return match is not None and match.url_name.endswith("_simple_history")
