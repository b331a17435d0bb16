"""Every import URL, for every role, answers with exactly the status code in this table.

Only OPCC staff may import. An import belongs to the officer who uploaded it (it lives in their
session): another officer asking for it gets 404, as if it did not exist.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action
from tests.factories import persona
from tracker import roles

pytestmark = pytest.mark.django_db

# uploader: the OPCC officer whose import it is. opcc2: another OPCC officer.
MATRIX = """
url            method  anon  uploader  opcc2  owner  other  panel  admin
start          GET     302   200       200    403    403    403    403
start          POST    302   302       302    403    403    403    403
template_csv   GET     302   200       200    403    403    403    403
template_xlsx  GET     302   200       200    403    403    403    403
columns        GET     302   200       404    403    403    403    403
preview        GET     302   200       404    403    403    403    403
confirm        GET     302   405       405    403    403    403    403
confirm        POST    302   302       404    403    403    403    403
done           GET     302   302       404    403    403    403    403
skipped        GET     302   200       404    403    403    403    403
"""
ROLES = MATRIX.split()[2:9]
ROWS = [line.split() for line in MATRIX.strip().splitlines()[1:]]
CASES = [
    (row[0], row[1], role, int(code))
    for row in ROWS
    for role, code in zip(ROLES, row[2:], strict=True)
]
TOKEN_URLS = {"columns", "preview", "confirm", "done", "skipped"}


@pytest.fixture
def people(opcc_officer, second_opcc_officer, owner, other_force_owner, panel_member):
    return {
        "anon": None,
        "uploader": opcc_officer,
        "opcc2": second_opcc_officer,
        "owner": owner,
        "other": other_force_owner,
        "panel": panel_member,
        "admin": persona(roles.ADMINISTRATOR, username="sysadmin", is_staff=True),
    }


def csv_file(action):
    inspection = action.finding.inspection
    text = (
        "Inspection,Finding reference,Action title,Deadline,Status\n"
        f"{inspection.title},{action.finding.reference},{action.title},01/01/2031,In progress\n"
    )
    return SimpleUploadedFile("plan.csv", text.encode())


@pytest.mark.parametrize(("name", "method", "role", "expected"), CASES)
def test_every_import_url_answers_each_role_with_the_expected_status(
    name, method, role, expected, people, action, client
):
    # The uploader's import lives in the uploader's session; signing in as anyone else (or
    # signing out) starts a fresh session, as a different browser would.
    client.force_login(people["uploader"])
    created = client.post(reverse("imports:start"), {"file": csv_file(action)})
    token = created["Location"].rstrip("/").split("/")[-2]
    if role == "anon":
        client.logout()
    elif role != "uploader":
        client.force_login(people[role])
    url = reverse(f"imports:{name}", args=[token] if name in TOKEN_URLS else [])
    before = Action.objects.get(pk=action.pk).status
    if method == "POST":
        data = {"file": csv_file(action)} if name == "start" else {}
        response = client.post(url, data)
    else:
        response = client.get(url)
    assert response.status_code == expected, f"{role} {method} {url}"
    if expected == 302 and role == "anon":
        assert response["Location"].startswith(reverse("login"))
    applied = role == "uploader" and name == "confirm" and method == "POST"
    assert (Action.objects.get(pk=action.pk).status != before) == applied


def test_the_matrix_covers_every_import_url():
    from actions.plan_import.urls import urlpatterns

    assert {row[0] for row in ROWS} == {pattern.name for pattern in urlpatterns}


def test_an_owner_cannot_start_an_import_and_nothing_is_stored(owner, action, signed_in):
    client = signed_in(owner)
    response = client.post(reverse("imports:start"), {"file": csv_file(action)})
    assert response.status_code == 403
    assert "action_imports" not in client.session


def test_the_template_downloads_are_private(opcc_officer, signed_in):
    response = signed_in(opcc_officer).get(reverse("imports:template_xlsx"))
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'attachment; filename="action-plan-template.xlsx"'
    assert io.BytesIO(response.content).read(4) == b"PK\x03\x04"
