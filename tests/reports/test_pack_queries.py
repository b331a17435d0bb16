"""Generating a pack and reading it run a bounded number of queries at 10 and at 500 actions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Status
from reports import services
from tests.factories import MeetingFactory, actions_for

pytestmark = pytest.mark.django_db

# Generation reads: role, meeting lock, version, previous meeting, agenda, graded areas, previous
# inspection and its grades, finding counts, findings needing a response, actions, history,
# evidence, questions (14). Then two audited saves (the pack, then the PDF request), each with
# full_clean's unique and check-constraint queries, savepoints and a history row (25). Constant
# in the number of actions; it grows only with the inspections on the agenda.
GENERATION_QUERIES = 39


@pytest.fixture(params=[10, 500])
def meeting(request, force, owner):
    actions = actions_for(force, request.param, owner=owner, owner_role_title="ACC Crime")
    for n, action in enumerate(actions):
        if n % 3 == 0:
            action.status = Status.IN_PROGRESS
            action.deadline -= datetime.timedelta(days=90)  # overdue
            action.save()
    MeetingFactory(kind="apm", starts_at=timezone.now() - datetime.timedelta(days=30))
    meeting = MeetingFactory(kind="apm")
    meeting.inspections.add(actions[0].finding.inspection)
    return meeting


def test_pack_generation_runs_a_bounded_number_of_queries(
    meeting, opcc_officer, django_assert_max_num_queries
):
    with django_assert_max_num_queries(GENERATION_QUERIES):
        pack = services.pack_generate(by=opcc_officer, meeting=meeting, pdf=True)
    assert pack.snapshot["totals"]["actions"] in (10, 500)


def test_pack_pages_and_downloads_run_a_bounded_number_of_queries(
    meeting, opcc_officer, panel_member, signed_in, client, django_assert_max_num_queries
):
    pack = services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
    pack = services.pack_publish(by=opcc_officer, pack=pack, public=True)
    staff = signed_in(opcc_officer)
    for url in [
        reverse("reports:pack", args=[pack.pk]),
        reverse("reports:pack_csv", args=[pack.pk]),
        reverse("reports:pack_xlsx", args=[pack.pk]),
        reverse("reports:meeting_detail", args=[meeting.pk]),
    ]:
        with django_assert_max_num_queries(10):
            assert staff.get(url).status_code == 200, url
    client.force_login(panel_member)
    for url in ["/", reverse("reports:published"), reverse("reports:pack", args=[pack.pk])]:
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200, url
    client.logout()
    for url in [
        reverse("reports:public_list"),
        reverse("reports:public_pack", args=[pack.uuid]),
        reverse("reports:public_pack_csv", args=[pack.uuid]),
    ]:
        with django_assert_max_num_queries(2):
            assert client.get(url).status_code == 200, url
