"""The national view (/national/): what offices have published, across every office, for national
readers only; never unpublished text or names; a fixed number of queries."""

import datetime
import json

import pytest
from django.urls import reverse

from actions.models import ExternalStatus, Inspection, Status
from reports import national, services, tasks
from reports.models import NationalFigures
from tests.factories import (
    ActionFactory,
    FindingFactory,
    ForceFactory,
    GradedAreaFactory,
    InspectionFactory,
    MeetingFactory,
    OfficeFactory,
    UpdateFactory,
    persona,
)
from tests.tracker.test_admin_users import change_url, form_data
from tracker import roles

pytestmark = pytest.mark.django_db

URL = "/national/"
SUPERVISION = "The force should improve how it supervises investigations."
SUPERVISION_AGAIN = "The constabulary should make sure supervisors oversee its investigations."
SECRET_ACTION = "Operation Nightjar: second analyst post"
SECRET_UPDATE = "Two analysts left for Operation Nightjar."
SECRET_WORDING = "Covert surveillance authorisations are not reviewed."


@pytest.fixture
def national_reader(db):
    return persona(roles.NATIONAL_READER, username="national", first_name="Nadia", office=None)


def _public_inspection(force, title, **fields):
    return InspectionFactory(force=force, title=title, public_progress=True, **fields)


@pytest.fixture
def two_offices(opcc_officer):
    """Two offices: Testshire's inspection has its public page on; Northshire's is published
    only in a pack; Westshire's inspection is not published at all."""
    north = OfficeFactory(name="Office of the PCC for Northshire", slug="northshire")
    west = OfficeFactory(name="Office of the PCC for Westshire", slug="westshire")
    testshire = ForceFactory(name="Testshire Police")
    northshire = ForceFactory(name="Northshire Police", office=north)
    westshire = ForceFactory(name="Westshire Police", office=west)

    live = _public_inspection(testshire, "Testshire PEEL 2025")
    done = FindingFactory(inspection=live, kind="recommendation", text=SUPERVISION)
    ActionFactory(finding=done, status=Status.CLOSED, closure_summary="Done", title=SECRET_ACTION)
    started = FindingFactory(inspection=live, kind="afi", text="Answer 101 calls faster.")
    UpdateFactory(
        action=ActionFactory(finding=started, status=Status.IN_PROGRESS), narrative=SECRET_UPDATE
    )
    FindingFactory(inspection=live, kind="afi", external_status=ExternalStatus.SUPERSEDED)

    packed = InspectionFactory(force=northshire, title="Northshire PEEL 2025")
    FindingFactory(
        inspection=packed, kind="cause_of_concern", text="Secret", public_text=SUPERVISION_AGAIN
    )
    FindingFactory(inspection=packed, kind="afi", text="Improve custody records.")
    north_staff = persona(roles.OPCC_STAFF, office=north)
    meeting = MeetingFactory(office=north)
    meeting.inspections.add(packed)
    pack = services.pack_generate(by=north_staff, meeting=meeting, pdf=False)
    services.pack_publish(by=north_staff, pack=pack, public=False)

    hidden = InspectionFactory(force=westshire, title="Westshire unpublished inspection")
    FindingFactory(inspection=hidden, kind="recommendation", text=SECRET_WORDING)
    draft_meeting = MeetingFactory(office=west)
    draft_meeting.inspections.add(hidden)
    services.pack_generate(by=persona(roles.OPCC_STAFF, office=west), meeting=draft_meeting)
    return {"live": live, "packed": packed, "hidden": hidden, "pack": pack}


# Who may see it


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    "role", [roles.OPCC_STAFF, roles.ACTION_OWNER, roles.PANEL_MEMBER, roles.ADMINISTRATOR]
)
def test_other_roles_are_refused(role, signed_in):
    fields = {"force": ForceFactory()} if role == roles.ACTION_OWNER else {}
    assert signed_in(persona(role, **fields)).get(URL).status_code == 403


def test_user_with_no_role_is_refused(signed_in):
    assert signed_in(persona(None)).get(URL).status_code == 403


def test_national_reader_reads_the_page(national_reader, signed_in):
    response = signed_in(national_reader).get(URL)
    assert response.status_code == 200
    assert "No office has published anything yet." in response.content.decode()


def test_superuser_reads_the_page(signed_in, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    assert signed_in(admin).get(URL).status_code == 200


def test_national_reader_lands_on_the_national_view(national_reader, signed_in):
    response = signed_in(national_reader).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:national")


def test_national_reader_sees_no_office_work(national_reader, signed_in, two_offices):
    client = signed_in(national_reader)
    assert client.get(reverse("actions:list")).status_code == 403
    assert client.get(reverse("reports:published")).status_code == 403
    assert client.get(reverse("reports:pack", args=[two_offices["pack"].pk])).status_code == 403
    assert not roles.sees_personal_names(national_reader)


def test_administrator_gives_the_role_in_the_user_admin(signed_in, django_user_model):
    administrator = persona(roles.ADMINISTRATOR, is_staff=True)
    liaison = persona(None, username="liaison")
    client = signed_in(administrator)
    response = client.post(
        change_url(liaison),
        form_data(liaison, roles=[roles.NATIONAL_READER], change_reason="HMICFRS liaison"),
    )
    assert response.status_code == 302
    liaison = django_user_model.objects.get(pk=liaison.pk)
    assert roles.role_names(liaison) == {roles.NATIONAL_READER}
    assert signed_in(liaison).get(URL).status_code == 200


def test_role_group_is_made_with_no_model_permissions():
    roles.sync_role_groups()
    from django.contrib.auth.models import Group

    assert not Group.objects.get(name=roles.NATIONAL_READER).permissions.exists()


# What it shows


def test_only_published_inspections_across_offices(national_reader, signed_in, two_offices):
    page = signed_in(national_reader).get(URL).content.decode()
    assert "Testshire PEEL 2025" in page
    assert "Northshire PEEL 2025" in page
    assert "Westshire" not in page
    assert SECRET_WORDING not in page
    assert 'href="/public/testshire/"' in page
    assert 'href="/public/northshire/"' in page


def test_no_unpublished_text_or_names(national_reader, signed_in, two_offices, opcc_officer):
    page = signed_in(national_reader).get(URL).content.decode()
    for secret in (SECRET_ACTION, SECRET_UPDATE, "Secret", opcc_officer.last_name):
        assert secret not in page


def _counted():
    return national.with_counts(national.published_inspections())


def test_counts_live_and_from_the_published_pack(two_offices):
    by_title = {i.title: i for i in _counted()}
    live = by_title["Testshire PEEL 2025"]
    assert live.as_at is None
    assert live.counts == {
        "recommendations": {"open": 0, "complete": 1},
        "afis": {"open": 1, "complete": 0},
        "closed": 1,
    }
    packed = by_title["Northshire PEEL 2025"]
    assert packed.as_at == two_offices["pack"].generated_at
    assert packed.counts == {
        "recommendations": {"open": 1, "complete": 0},
        "afis": {"open": 1, "complete": 0},
        "closed": 0,
    }


def test_pack_figures_are_frozen_at_generation(two_offices):
    """A later change does not move the figures of an inspection published only in a pack."""
    finding = two_offices["packed"].findings.get(kind="afi")
    ActionFactory(finding=finding, status=Status.CLOSED, closure_summary="Done")
    packed = next(i for i in _counted() if i.title.startswith("North"))
    assert packed.counts["afis"] == {"open": 1, "complete": 0}


def test_pack_made_before_finding_figures_is_read_from_its_snapshot(two_offices):
    pack = two_offices["pack"]
    key = str(two_offices["packed"].pk)
    figures = {key: {k: v for k, v in pack.figures[key].items() if k != "findings"}}
    type(pack).objects.filter(pk=pack.pk).update(figures=figures)
    packed = next(i for i in _counted() if i.title.startswith("North"))
    assert packed.counts["recommendations"] == {"open": 1, "complete": 0}


def test_findings_recurring_across_forces_in_their_published_wording(
    national_reader, signed_in, two_offices
):
    page = signed_in(national_reader).get(URL).content.decode()
    recurring = national.figures_compute()["recurring"]
    assert len(recurring) == 1
    assert recurring[0]["forces"] == ["Northshire Police", "Testshire Police"]
    assert recurring[0]["text"] in (SUPERVISION, SUPERVISION_AGAIN)
    assert "Northshire Police, Testshire Police" in page


def test_a_finding_repeated_in_one_force_only_does_not_recur():
    texts = [
        ("A Police", SUPERVISION, 2),
        ("A Police", SUPERVISION_AGAIN, 1),
        ("B Police", "Improve custody records.", 1),
    ]
    assert national.recurring(texts) == []


def test_direction_of_travel_by_area_across_forces(national_reader, signed_in):
    for name, before, now in [("One", "good", "adequate"), ("Two", "inadequate", "adequate")]:
        force = ForceFactory(name=f"{name} Police")
        earlier = InspectionFactory(force=force, kind="peel", published_on="2022-03-01")
        GradedAreaFactory(inspection=earlier, name="Investigating crime", grade=before)
        later = _public_inspection(force, f"{name} PEEL 2025", kind="peel")
        GradedAreaFactory(inspection=later, name="Investigating crime", grade=now)
    rows = national.directions_by_area(national.published_inspections())
    assert rows == [
        {
            "area": "Investigating crime",
            "forces": 2,
            "improved": 1,
            "same": 0,
            "declined": 1,
            "not_comparable": 0,
            "none": 0,
        }
    ]
    page = signed_in(national_reader).get(URL).content.decode()
    assert "Investigating crime" in page


def test_page_is_accessible_markup(national_reader, signed_in, two_offices):
    page = signed_in(national_reader).get(URL).content.decode()
    assert page.count("<table") == page.count("<caption") == 3
    assert 'scope="row"' in page
    assert 'scope="colgroup"' in page


# Queries


@pytest.mark.parametrize("forces", [2, 12])
def test_query_count_does_not_grow_with_forces(
    forces, national_reader, signed_in, django_assert_max_num_queries
):
    for n in range(forces):
        office = OfficeFactory()
        inspection = _public_inspection(ForceFactory(office=office), f"PEEL {n}", kind="peel")
        GradedAreaFactory(inspection=inspection, name="Investigating crime", grade="good")
        for _ in range(3):
            ActionFactory(finding=FindingFactory(inspection=inspection, text=SUPERVISION))
    services.national_figures_refresh()  # the task's job, not the request's
    client = signed_in(national_reader)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.content.decode().count("Investigating crime") == 1


def test_inspections_come_a_page_at_a_time(national_reader, signed_in, monkeypatch):
    monkeypatch.setattr(national, "INSPECTIONS_PER_PAGE", 2)
    force = ForceFactory(name="Pageshire Police")
    for n in range(3):
        _public_inspection(force, f"Inspection number {n}", published_on=f"202{n}-01-01")
    client = signed_in(national_reader)
    first = client.get(URL).content.decode()
    assert "Inspection number 2" in first and "Inspection number 0" not in first
    assert "Page 1 of 2" in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert "Inspection number 0" in second and "Inspection number 2" not in second


# The stored figures: computed by the Celery task, read by the page


@pytest.fixture
def queued(monkeypatch):
    """Refreshes queued, recorded instead of run (as with a broker and no worker yet)."""
    calls = []
    monkeypatch.setattr(services, "queue_national_refresh", lambda: calls.append(1) or True)
    return calls


def test_with_nothing_stored_the_page_says_so_and_queues_the_task_once(
    national_reader, signed_in, two_offices, queued
):
    client = signed_in(national_reader)
    first = client.get(URL).content.decode()
    assert "are being prepared" in first
    assert "Figures as at" not in first
    assert "Northshire Police, Testshire Police" not in first
    assert "Testshire PEEL 2025" in first  # the inspections' live figures are not held up
    assert "being prepared" in client.get(URL).content.decode()
    assert queued == [1]
    assert not NationalFigures.objects.exists()


def test_the_page_reads_the_stored_figures_in_few_queries(
    national_reader, signed_in, two_offices, queued, django_assert_max_num_queries
):
    summer = datetime.datetime(2026, 7, 1, 12, 5, tzinfo=datetime.UTC)
    services.national_figures_refresh(now=summer)
    client = signed_in(national_reader)
    client.get(reverse("home"))  # the session's first-request bookkeeping, out of the count
    with django_assert_max_num_queries(7):
        response = client.get(URL)
    page = response.content.decode()
    assert "Figures as at 1 July 2026, 13:05 (UK time)" in page  # Europe/London: BST
    assert "Northshire Police, Testshire Police" in page
    assert "being prepared" not in page
    assert queued == []


def test_the_task_computes_the_figures_from_published_data_only(two_offices, opcc_officer):
    tasks.refresh_national_figures.delay()
    stored = NationalFigures.objects.get()
    figures = stored.figures
    assert figures["inspection_ids"] == sorted([two_offices["live"].pk, two_offices["packed"].pk])
    [theme] = figures["recurring"]
    assert theme["forces"] == ["Northshire Police", "Testshire Police"]
    assert theme["text"] in (SUPERVISION, SUPERVISION_AGAIN)
    assert theme["findings"] == 3  # the superseded finding has the factory's same wording
    held = json.dumps(figures)
    for secret in (SECRET_WORDING, SECRET_ACTION, SECRET_UPDATE, "Secret", "Westshire"):
        assert secret not in held
    assert opcc_officer.last_name not in held


def test_figures_that_read_a_withdrawn_inspection_are_not_shown(
    national_reader, signed_in, two_offices, queued
):
    services.national_figures_refresh()
    Inspection.objects.filter(pk=two_offices["live"].pk).update(public_progress=False)
    page = signed_in(national_reader).get(URL).content.decode()
    assert SUPERVISION not in page
    assert "Testshire" not in page
    assert "being prepared" in page
    assert queued == [1]


def test_publishing_a_pack_refreshes_the_figures_once_it_commits(
    opcc_officer, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "queue_pack_pdf", lambda pack_id: None)
    force = ForceFactory(name="Eastshire Police")
    inspection = InspectionFactory(force=force, title="Eastshire PEEL 2025")
    FindingFactory(inspection=inspection, text=SUPERVISION)
    meeting = MeetingFactory()
    meeting.inspections.add(inspection)
    pack = services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.pack_publish(by=opcc_officer, pack=pack, public=False)
        assert not NationalFigures.objects.exists()  # not before the publication commits
    assert NationalFigures.objects.get().figures["inspection_ids"] == [inspection.pk]


def test_switching_a_progress_page_queues_a_refresh_once_it_commits(
    opcc_officer, queued, django_capture_on_commit_callbacks
):
    inspection = InspectionFactory(force=ForceFactory(name="Southshire Police"))
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_edit_for_public(
            by=opcc_officer, inspection=inspection, public_progress=True, inspector_summary=""
        )
        assert queued == []
    assert queued == [1]
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_edit_for_public(
            by=opcc_officer, inspection=inspection, public_progress=True, inspector_summary="New"
        )
    assert queued == [1]  # the summary alone changes nothing the national view reads


def test_beat_refreshes_the_figures_every_few_minutes(settings):
    from tracker.celery import app

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["refresh-national-figures"]
    assert entry["task"] == "reports.tasks.refresh_national_figures"
    assert entry["schedule"] == settings.NATIONAL_VIEW_REFRESH_MINUTES * 60 == 15 * 60
