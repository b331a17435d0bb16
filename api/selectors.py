"""Reads for the API: the same visible_to rules as the workspace, each list a fixed number of
queries however many rows a page holds."""

from django.db.models import Prefetch

from actions.models import Action, Finding, GradedArea, Inspection
from actions.selectors import action_rows
from reports.models import Meeting
from reports.selectors import published_packs


def inspections(*, user):
    return (
        Inspection.objects.visible_to(user)
        .select_related("force")
        .order_by("-published_on", "title", "pk")
    )


def graded_areas(*, user):
    return GradedArea.objects.visible_to(user).order_by("inspection_id", "position", "name", "pk")


def findings(*, user):
    return (
        Finding.objects.visible_to(user)
        .prefetch_related(
            Prefetch(
                "repeats",
                queryset=Finding.objects.visible_to(user).only("pk"),
                to_attr="visible_repeats",
            )
        )
        .order_by("inspection_id", "position", "reference", "pk")
    )


def actions(*, user):
    """The action list's rows (actions.selectors.action_rows), limited to what user may see,
    with their partner forces (one prefetch) for `collaboration`."""
    return action_rows(Action.objects.visible_to(user)).select_related("delegate").with_partners()


def meetings(*, user):
    return (
        Meeting.objects.visible_to(user)
        .prefetch_related(
            Prefetch(
                "inspections",
                queryset=Inspection.objects.visible_to(user).only("pk"),
                to_attr="visible_inspections",
            )
        )
        .order_by("-starts_at", "pk")
    )


def packs(*, user):
    """Published briefing packs of the user's office, newest meeting first. Drafts are never in
    the API: OPCC staff read those on the pages."""
    return published_packs(user=user)
