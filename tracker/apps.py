"""App config for the project package (it owns the User model and the role groups)."""

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def create_role_groups(**kwargs):
    # Permissions for every app must exist before the groups can be given them.
    from django.contrib.auth.management import create_permissions

    from tracker.roles import sync_role_groups

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    sync_role_groups()


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Users and roles"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from tracker import security
        from tracker.middleware import stamp_session
        from tracker.two_factor import note_enrolment

        # After every migrate the role groups exist with exactly their permissions.
        post_migrate.connect(create_role_groups, sender=self)
        user_logged_in.connect(stamp_session, dispatch_uid="tracker-stamp-session")
        user_logged_in.connect(note_enrolment, dispatch_uid="tracker-two-factor-enrolment")
        security.connect_lockouts()
