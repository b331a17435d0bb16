"""Every workspace URL, for every role, answers with exactly the status code in this table.

The rule (tracker/roles.py): signed out -> 302 to sign-in; signed in without a workspace role
(Panel member, administrator) -> 403; an object of another force, or of another office for OPCC
staff -> 404; an object the user can see but a change they may not make -> 403.

Two offices: the objects in the URLs are office A's (the factories' home office); office_b is an
OPCC officer of office B (tests/office_b.py), who must find every A object missing. The same
column is checked the other way round: A's OPCC officer asks for every URL of B's objects.
"""

import datetime
import io

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from actions import extension_services
from actions.models import Evidence
from tests.factories import (
    EvidenceFactory,
    GradedAreaFactory,
    kept_for_the_module,
    persona,
    personas,
)
from tests.office_b import office_b
from tracker import roles

pytestmark = pytest.mark.django_db

# owner: owns the action. colleague: an action owner in the same force who does not own it.
# other: an action owner in another force (the wrong-object case: 404, as if it did not exist).
# office_b: an OPCC officer of another office (404 on every object of office A).
MATRIX = """
url                       method  anon  opcc  owner  colleague  other  panel  admin  office_b
dashboard                 GET     302   200   200    200        200    403    403    200
list                      GET     302   200   200    200        200    403    403    200
export_csv                GET     302   200   200    200        200    403    403    200
export_xlsx               GET     302   200   200    200        200    403    403    200
bulk_assign               POST    302   200   403    403        403    403    403    200
bulk_request_update       POST    302   200   403    403        403    403    403    200
bulk_deadline             POST    302   200   403    403        403    403    403    200
inspections               GET     302   200   200    200        200    403    403    200
inspection                GET     302   200   200    200        404    403    403    404
inspection_create         GET     302   200   403    403        403    403    403    200
inspection_edit           GET     302   200   403    403        403    403    403    404
inspection_response       GET     302   200   403    403        403    403    403    404
area_predecessor          GET     302   200   403    403        404    403    403    404
finding_create            GET     302   200   403    403        404    403    403    404
finding_edit              GET     302   200   403    403        404    403    403    404
finding_external_status   GET     302   200   403    403        404    403    403    404
finding_share             GET     302   200   403    403        404    403    403    404
finding_unshare           GET     302   200   403    403        404    403    403    404
action_create             GET     302   200   403    403        404    403    403    404
detail                    GET     302   200   200    200        404    403    403    404
history                   GET     302   200   200    200        404    403    403    404
edit                      GET     302   200   403    403        404    403    403    404
assign                    GET     302   200   403    403        404    403    403    404
deadline                  GET     302   200   403    403        404    403    403    404
share                     GET     302   200   403    403        404    403    403    404
unshare                   GET     302   200   403    403        404    403    403    404
close                     GET     302   200   403    403        404    403    403    404
sustain                   GET     302   200   403    403        404    403    403    404
reopen                    GET     302   200   403    403        404    403    403    404
extension_request         GET     302   403   200    403        404    403    403    404
extension_decide          GET     302   200   403    403        404    403    403    404
update                    GET     302   200   200    403        404    403    403    404
propose                   GET     302   200   200    403        404    403    403    404
evidence_add              GET     302   200   200    403        404    403    403    404
evidence_assure           GET     302   200   403    403        404    403    403    404
evidence_return           GET     302   200   403    403        404    403    403    404
return                    GET     302   200   403    403        404    403    403    404
evidence_download         GET     302   200   200    200        404    403    403    404
finding                   GET     302   200   200    200        404    403    403    404
finding_repeat            POST    302   302   403    403        404    403    403    404
import_start              GET     302   200   403    403        403    403    403    200
import_review             GET     302   302   403    403        403    403    403    302
import_discard            POST    302   302   403    403        403    403    403    302
"""
ROLES = MATRIX.split()[2:10]
ROWS = [line.split() for line in MATRIX.strip().splitlines()[1:]]
CASES = [
    (row[0], row[1], role, int(code))
    for row in ROWS
    for role, code in zip(ROLES, row[2:], strict=True)
]


def build_world(
    action, owner, opcc_officer, other_force_owner, panel_member, administrator, b=None
):
    evidence = EvidenceFactory(
        action=action,
        kind=Evidence.Kind.DOCUMENT,
        note="",
        submitted_by=owner,
        original_filename="plan.txt",
        content_type="text/plain",
        file=ContentFile(b"The plan.", name="plan.txt"),
    )
    colleague = persona(roles.ACTION_OWNER, username="colleague", force=owner.force)
    people = {
        "anon": None,
        "opcc": opcc_officer,
        "owner": owner,
        "colleague": colleague,
        "other": other_force_owner,
        "panel": panel_member,
        "admin": administrator,
        "office_b": b.officer if b else None,
    }
    finding = action.finding
    area = GradedAreaFactory(inspection=finding.inspection)
    extension = extension_services.extension_request(
        by=owner,
        action=action,
        requested_deadline=action.deadline + datetime.timedelta(days=30),
        reason="The supplier is late.",
    )
    return people, object_args(finding, area, extension, evidence), action


def object_args(finding, area, extension, evidence):
    """The URL arguments of the URLs that name an object other than the action."""
    return {
        "inspection_edit": [finding.inspection_id],
        "inspection_response": [finding.inspection_id],
        "area_predecessor": [area.pk],
        "extension_decide": [extension.pk],
        "inspection": [finding.inspection_id],
        "finding_create": [finding.inspection_id],
        "finding_edit": [finding.pk],
        "finding_external_status": [finding.pk],
        "finding_share": [finding.pk],
        "finding_unshare": [finding.pk],
        "finding": [finding.pk],
        "finding_repeat": [finding.pk],
        "action_create": [finding.pk],
        "evidence_assure": [evidence.pk],
        "evidence_return": [evidence.pk],
        "evidence_download": [evidence.pk],
    }


def url_for(name, action, args):
    if name in args:
        return reverse(f"actions:{name}", args=args[name])
    if name in {
        "dashboard",
        "list",
        "export_csv",
        "export_xlsx",
        "bulk_assign",
        "bulk_request_update",
        "bulk_deadline",
        "inspections",
        "inspection_create",
        "import_start",
        "import_review",
        "import_discard",
    }:
        return reverse(f"actions:{name}")
    return reverse(f"actions:{name}", args=[action.pk])


class TestEveryWorkspaceUrl:
    """The matrix's cases share one world, made once for this class (not for each of its 270-odd
    cases); each case runs in its own transaction, rolled back, as every test does."""

    @pytest.fixture(scope="class")
    @classmethod
    def world(cls, django_db_setup, django_db_blocker):
        with kept_for_the_module(django_db_blocker):
            made = personas()
            del made["force"]
            yield build_world(**made, b=office_b())

    @pytest.mark.parametrize(("name", "method", "role", "expected"), CASES)
    def test_answers_each_role_with_the_expected_status(
        self, name, method, role, expected, world, client
    ):
        people, args, action = world
        if people[role] is not None:
            client.force_login(people[role])
        url = url_for(name, action, args)
        response = client.post(url, {}) if method == "POST" else client.get(url)
        assert response.status_code == expected, f"{role} {method} {url}"
        if expected == 302:
            # Signed out: to sign-in. Signed in (a finished POST, or no draft to review): not there.
            assert response["Location"].startswith(reverse("login")) == (role == "anon")


def test_the_matrix_covers_every_workspace_url():
    from actions.urls import urlpatterns

    assert {row[0] for row in ROWS} == {pattern.name for pattern in urlpatterns}


def test_an_id_that_does_not_exist_is_404_for_opcc_staff(opcc_officer, signed_in):
    response = signed_in(opcc_officer).get(reverse("actions:detail", args=[999999]))
    assert response.status_code == 404


def test_owner_cannot_post_an_update_to_another_forces_action_by_guessing_its_id(
    other_force_owner, action, signed_in
):
    response = signed_in(other_force_owner).post(
        reverse("actions:update", args=[action.pk]),
        {"narrative": "x", "status": "in_progress", "rag": "green", "percent_complete": 10},
    )
    assert response.status_code == 404
    assert not action.updates.exists()


def test_colleague_in_the_same_force_cannot_post_an_update_to_an_action_they_do_not_own(
    owner, action, signed_in
):
    colleague = persona(roles.ACTION_OWNER, username="colleague", force=owner.force)
    response = signed_in(colleague).post(
        reverse("actions:update", args=[action.pk]),
        {"narrative": "x", "status": "in_progress", "rag": "green", "percent_complete": 10},
    )
    assert response.status_code == 403
    assert not action.updates.exists()


class TestAnotherOfficesObjects:
    """Office A's OPCC officer asks for every URL naming office B's objects: the office_b column
    (404 for every object, as a missing one), and no list or export shows B's records."""

    @pytest.fixture(scope="class")
    @classmethod
    def world(cls, django_db_setup, django_db_blocker):
        with kept_for_the_module(django_db_blocker):
            made = personas()
            b = office_b()
            args = object_args(b.finding, b.area, b.extension, b.evidence)
            yield made["opcc_officer"], b, args

    @pytest.mark.parametrize(
        ("name", "method", "expected"),
        [(name, method, code) for name, method, role, code in CASES if role == "office_b"],
    )
    def test_office_as_officer_gets_what_bs_officer_gets_for_a(
        self, name, method, expected, world, client
    ):
        officer, b, args = world
        client.force_login(officer)
        url = url_for(name, b.action, args)
        response = (
            client.post(url, {"actions": [b.action.pk]}) if method == "POST" else (client.get(url))
        )
        assert response.status_code == expected, f"{method} {url}"
        if response.status_code == 200:
            assert "Northshire" not in body_of(response), f"{method} {url} shows B's records"

    @pytest.mark.parametrize(
        "name", ["list", "dashboard", "inspections", "export_csv", "export_xlsx"]
    )
    def test_b_sees_its_own_records_in_its_lists(self, name, world, client):
        """The check above is not vacuous: B's officer finds B's records on the same pages."""
        _, b, _ = world
        client.force_login(b.officer)
        response = client.get(reverse(f"actions:{name}"))
        assert response.status_code == 200
        body = body_of(response)
        assert "Northshire" in body
        assert "Hertfordshire" not in body


def body_of(response):
    """A response's text: a page, a streamed CSV, or every cell of a spreadsheet."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    if "spreadsheetml" in response["Content-Type"]:
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return response.content.decode()
