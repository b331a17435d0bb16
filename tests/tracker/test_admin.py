"""Admin: every model registered with history, changelists without N+1 queries."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from tests.factories import ActionFactory, EvidenceFactory, UpdateFactory, UserFactory

pytestmark = pytest.mark.django_db

DOMAIN_APPS = {"actions", "reports"}


def test_every_domain_model_is_registered_with_history_views():
    for model in apps.get_models():
        # Audited models, not the history tables (a many-to-many one has a `history` field too).
        audited = hasattr(model._meta, "simple_history_manager_attribute")
        if model._meta.app_label in DOMAIN_APPS and audited:
            model_admin = admin.site._registry.get(model)
            assert isinstance(model_admin, SimpleHistoryAdmin), model.__name__


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def _changelist_queries(client, url, django_assert_max_num_queries, bound):
    with django_assert_max_num_queries(bound):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("rows", [10, 60])
@pytest.mark.parametrize(
    ("model", "factory"),
    [("action", ActionFactory), ("update", UpdateFactory), ("evidence", EvidenceFactory)],
)
def test_changelists_use_a_constant_number_of_queries(
    rows, model, factory, client, superuser, django_assert_max_num_queries
):
    factory.create_batch(rows)
    client.force_login(superuser)
    url = reverse(f"admin:actions_{model}_changelist")
    response = _changelist_queries(client, url, django_assert_max_num_queries, 12)
    assert response.context["cl"].result_count == rows


@pytest.mark.parametrize("name", ["finding", "inspection", "gradedarea", "force"])
def test_other_changelists_and_history_pages_load(name, client, superuser):
    action = ActionFactory()
    objects = {
        "finding": action.finding,
        "inspection": action.finding.inspection,
        "gradedarea": action.finding.area,
        "force": action.finding.inspection.force,
    }
    client.force_login(superuser)
    assert client.get(reverse(f"admin:actions_{name}_changelist")).status_code == 200
    url = reverse(f"admin:actions_{name}_history", args=[objects[name].pk])
    assert client.get(url).status_code == 200


def test_action_workflow_fields_are_read_only_in_admin(client, superuser):
    action = ActionFactory()
    client.force_login(superuser)
    page = client.get(reverse("admin:actions_action_change", args=[action.pk])).content.decode()
    assert 'name="status"' not in page
    assert 'name="deadline"' not in page
    for service_field in ("owner", "opcc_lead", "delegate", "finding", "rag"):
        assert f'name="{service_field}"' not in page
    assert 'name="title"' in page


def test_a_posted_update_and_who_added_evidence_are_read_only_in_admin(client, superuser):
    from tests.factories import EvidenceFactory, UpdateFactory

    update = UpdateFactory(narrative="Cohort one trained.")
    evidence = EvidenceFactory()
    client.force_login(superuser)
    page = client.get(reverse("admin:actions_update_change", args=[update.pk])).content.decode()
    for field in ("narrative", "author", "status", "action"):
        assert f'name="{field}"' not in page
    assert 'name="public_narrative"' in page
    page = client.get(reverse("admin:actions_evidence_change", args=[evidence.pk]))
    page = page.content.decode()
    for field in ("submitted_by", "action", "assured_by", "returned_by"):
        assert f'name="{field}"' not in page


def test_a_document_evidence_change_page_links_to_the_checked_download(client, superuser):
    from django.core.files.base import ContentFile

    from tests.test_audit_completeness import admin_form_data

    evidence = EvidenceFactory(
        kind="document",
        note="",
        original_filename="plan <v2>.txt",
        content_type="text/plain",
        file=ContentFile(b"The plan.", name="plan.txt"),
    )
    client.force_login(superuser)
    page = client.get(reverse("admin:actions_evidence_change", args=[evidence.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    download = reverse("actions:evidence_download", args=[evidence.pk])
    assert f'<a href="{download}">plan &lt;v2&gt;.txt</a>' in text
    assert 'type="file"' not in text
    url = reverse("admin:actions_evidence_change", args=[evidence.pk])
    saved = client.post(url, {**admin_form_data(client, url), "title": "Renamed"})
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    evidence.refresh_from_db()
    assert (evidence.title, evidence.file.read()) == ("Renamed", b"The plan.")
