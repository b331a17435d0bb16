"""The admin's history can be read but never reverted: the workflow's checks and reasons hold."""

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from actions import services
from actions.models import Status
from reports.models import BriefingPack
from reports.services import pack_generate, pack_publish, pack_save_narratives
from tests.factories import EvidenceFactory, MeetingFactory, UserFactory, persona
from tracker import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_officer(db):
    """An OPCC officer who also has the admin site (staff), as many offices set them up."""
    return persona(roles.OPCC_STAFF, username="opcc-admin", is_staff=True)


def _first_version(obj):
    return obj.history.order_by("history_id").first()


def _form_data(client, change_url):
    """What the admin's own change form would post for this object, as it stands now."""
    form = client.get(change_url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = value
    return data


def _try_revert(client, app_model, obj):
    """Post the current form to the URL of the object's first version (simple-history's revert)."""
    change_url = reverse(f"admin:{app_model}_change", args=[obj.pk])
    version_url = reverse(
        f"admin:{app_model}_simple_history", args=[obj.pk, _first_version(obj).pk]
    )
    page = client.get(version_url)
    response = client.post(version_url, _form_data(client, change_url))
    return page, response


def _assert_no_revert(page, response):
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert response.status_code in (403, 404)


def test_officer_cannot_revert_a_closed_action_through_the_admin(
    client, action, owner, opcc_officer, staff_officer
):
    EvidenceFactory(
        action=action,
        submitted_by=owner,
        assured_by=UserFactory(role=roles.OPCC_STAFF),
        assured_at=timezone.now(),
    )
    services.action_propose_closure(by=owner, action=action, narrative="All done.")
    services.action_close(by=opcc_officer, action=action, closure_summary="Delivered.")
    history_rows = action.history.count()
    client.force_login(staff_officer)

    _assert_no_revert(*_try_revert(client, "actions_action", action))

    action.refresh_from_db()
    assert action.status == Status.CLOSED
    assert action.closure_summary == "Delivered."
    assert action.closed_by == opcc_officer
    assert action.history.count() == history_rows


def test_officer_cannot_move_a_deadline_back_by_reverting_it(client, action, staff_officer):
    old = action.deadline
    new = old + datetime.timedelta(days=30)
    services.action_change_deadline(
        by=staff_officer, action=action, deadline=new, reason="Waiting for the new IT system."
    )
    history_rows = action.history.count()
    client.force_login(staff_officer)

    _assert_no_revert(*_try_revert(client, "actions_action", action))

    action.refresh_from_db()
    assert action.deadline == new
    assert action.history.count() == history_rows


def test_officer_cannot_take_a_published_pack_back_to_draft(client, action, staff_officer):
    meeting = MeetingFactory(kind="panel", title="Police and Crime Panel")
    meeting.inspections.add(action.finding.inspection)
    pack = pack_generate(by=staff_officer, meeting=meeting, pdf=False)
    pack_save_narratives(by=staff_officer, pack=pack, narratives={"overall": "Good progress."})
    pack_publish(by=staff_officer, pack=pack, public=True)
    history_rows = pack.history.count()
    client.force_login(staff_officer)

    _assert_no_revert(*_try_revert(client, "reports_briefingpack", pack))

    pack.refresh_from_db()
    assert pack.status == BriefingPack.Status.PUBLISHED
    assert pack.is_public
    assert pack.narratives == {"overall": "Good progress."}
    assert pack.history.count() == history_rows


def test_an_old_version_reads_as_text_with_the_history_list_intact(client, action, staff_officer):
    services.action_edit(
        by=staff_officer, action=action, title="Supervise every investigation", description=""
    )
    client.force_login(staff_officer)
    history = client.get(reverse("admin:actions_action_history", args=[action.pk]))
    assert history.status_code == 200
    assert "Supervise every investigation" in history.content.decode()
    version_url = reverse(
        "admin:actions_action_simple_history", args=[action.pk, _first_version(action).pk]
    )
    page = client.get(version_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="title"' not in html
    assert _first_version(action).title in html


@pytest.mark.parametrize(
    "model_admin",
    [m for m in admin.site._registry.values() if isinstance(m, SimpleHistoryAdmin)],
    ids=lambda m: m.model.__name__,
)
def test_no_audited_admin_accepts_a_revert(model_admin):
    """Every admin with history (whichever app registers it) refuses a posted old version."""
    request = RequestFactory().post("/", {"title": "anything"})
    request.user = persona(roles.OPCC_STAFF, is_staff=True, is_superuser=True)
    assert model_admin.revert_disabled(request)
    with pytest.raises(PermissionDenied):
        model_admin.history_form_view(request, "1", "1")
