"""Every meetings, packs and public URL answers every role with exactly the status in this table.

The rule (tracker/roles.py): signed out -> 302 to sign-in (except /public/); OPCC staff run
meetings and packs; the Panel reads published packs (a draft is 404, as if it did not exist);
action owners read the published packs of their own force's meetings (another's are 404), and
/meetings/ lists the published packs a reader may read;
anyone reads a published pack marked public at /public/; every other role -> 403.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from reports import services
from reports.models import BriefingPack
from tests.factories import (
    InspectionFactory,
    MeetingFactory,
    QuestionFactory,
    kept_for_the_module,
    personas,
)

pytestmark = pytest.mark.django_db

# owner: an action owner who owns the question. other: an action owner of another force.
# live, hidden: an inspection with its live public progress page switched on, and one without.
MATRIX = """
url                 target     method  anon  opcc  owner  other  panel  admin
meetings            -          GET     302   200   200    200    200    403
meeting_create      -          GET     302   200   403    403    403    403
meeting_create      -          POST    302   200   403    403    403    403
meeting_detail      meeting    GET     302   200   403    403    403    403
meeting_edit        meeting    GET     302   200   403    403    403    403
question_create     meeting    GET     302   200   403    403    403    403
question_edit       question   GET     302   200   403    403    403    403
pack_generate       meeting    POST    302   302   403    403    403    403
published           -          GET     302   200   200    200    200    403
pack                draft      GET     302   200   404    404    404    403
pack                published  GET     302   200   200    404    200    403
pack                public     GET     302   200   200    404    200    403
pack_pdf            draft      GET     302   200   404    404    404    403
pack_pdf            published  GET     302   200   200    404    200    403
pack_csv            draft      GET     302   200   404    404    404    403
pack_csv            published  GET     302   200   200    404    200    403
pack_xlsx           draft      GET     302   200   404    404    404    403
pack_xlsx           published  GET     302   200   200    404    200    403
pack_narratives     draft      GET     302   200   403    403    403    403
pack_publish        draft      GET     302   200   403    403    403    403
pack_public         published  GET     302   200   403    403    403    403
pack_retry_pdf      draft      POST    302   302   403    403    403    403
public_list         -          GET     200   200   200    200    200    200
inspection_public_progress  live     GET     302   200   403    403    403    403
inspection_public_progress  live     POST    302   302   403    403    403    403
public_progress     live       GET     200   200   200    200    200    200
public_progress     hidden     GET     404   404   404    404    404    404
public_progress_history live   GET     200   200   200    200    200    200
public_progress_history hidden GET     404   404   404    404    404    404
public_progress_feed live      GET     200   200   200    200    200    200
public_progress_feed hidden    GET     404   404   404    404    404    404
public_pack         public     GET     200   200   200    200    200    200
public_pack         published  GET     404   404   404    404    404    404
public_pack         draft      GET     404   404   404    404    404    404
public_pack_pdf     public     GET     200   200   200    200    200    200
public_pack_pdf     published  GET     404   404   404    404    404    404
public_pack_csv     public     GET     200   200   200    200    200    200
public_pack_csv     draft      GET     404   404   404    404    404    404
public_pack_xlsx    public     GET     200   200   200    200    200    200
public_pack_xlsx    published  GET     404   404   404    404    404    404
"""
ROLES = MATRIX.split()[3:9]
ROWS = [line.split() for line in MATRIX.strip().splitlines()[1:]]
CASES = [
    (row[0], row[1], row[2], role, int(code))
    for row in ROWS
    for role, code in zip(ROLES, row[3:], strict=True)
]


def _with_pdf(pack):
    pack.pdf.save("v.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    pack.pdf_status = BriefingPack.PdfStatus.READY
    pack.save()
    return pack


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Made once for this module's tests (240 matrix cases): each test's changes are rolled back."""
    with kept_for_the_module(django_db_blocker):
        yield build_world(**personas())


def build_world(force, owner, opcc_officer, other_force_owner, panel_member, administrator, action):
    meeting = MeetingFactory()
    hidden = InspectionFactory(force=force)
    meeting.inspections.add(action.finding.inspection, hidden)
    live = action.finding.inspection
    services.inspection_edit_for_public(
        by=opcc_officer, inspection=live, public_progress=True, inspector_summary=""
    )
    question = QuestionFactory(meeting=meeting, owner=owner)
    # One real generation; the other versions reuse its snapshot.
    first = services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
    packs = {"draft": _with_pdf(first)}
    for version, name in enumerate(("published", "public"), start=2):
        pack = BriefingPack.objects.create(
            meeting=meeting,
            version=version,
            generated_at=first.generated_at,
            generated_by=opcc_officer,
            snapshot=first.snapshot,
        )
        pack = services.pack_publish(by=opcc_officer, pack=pack, public=name == "public")
        packs[name] = _with_pdf(pack)
    people = {
        "anon": None,
        "opcc": opcc_officer,
        "owner": owner,
        "other": other_force_owner,
        "panel": panel_member,
        "admin": administrator,
    }
    objects = {"meeting": meeting, "question": question, "live": live, "hidden": hidden}
    return people, {**objects, **packs}


def url_for(name, target, objects):
    if target == "-":
        return reverse(f"reports:{name}")
    obj = objects[target]
    if name.startswith("public_pack"):
        return reverse(f"reports:{name}", args=[obj.uuid])
    return reverse(f"reports:{name}", args=[obj.pk])


@pytest.mark.parametrize(("name", "target", "method", "role", "expected"), CASES)
def test_every_reports_url_answers_each_role_with_the_expected_status(
    name, target, method, role, expected, world, client
):
    people, objects = world
    if people[role] is not None:
        client.force_login(people[role])
    url = url_for(name, target, objects)
    response = client.post(url, {}) if method == "POST" else client.get(url)
    assert response.status_code == expected, f"{role} {method} {url}"
    if expected == 302:
        went_to_sign_in = response["Location"].startswith(reverse("login"))
        assert went_to_sign_in == (role == "anon")


def test_the_matrix_covers_every_reports_url():
    from reports.urls import urlpatterns

    assert {row[0] for row in ROWS} == {pattern.name for pattern in urlpatterns}


def test_a_draft_pack_is_listed_nowhere_the_panel_or_public_look(world, client):
    people, objects = world
    client.force_login(people["panel"])
    home = client.get("/").content.decode()
    listed = client.get(reverse("reports:published")).content.decode()
    for html in (home, listed):
        assert reverse("reports:pack", args=[objects["published"].pk]) in html
        assert reverse("reports:pack", args=[objects["draft"].pk]) not in html
    client.logout()
    public = client.get(reverse("reports:public_list")).content.decode()
    assert str(objects["public"].uuid) in public
    assert str(objects["published"].uuid) not in public
    assert str(objects["draft"].uuid) not in public


def test_a_public_pack_keeps_its_address_when_a_new_version_is_generated(world, client):
    people, objects = world
    opcc_officer = people["opcc"]
    address = reverse("reports:public_pack", args=[objects["public"].uuid])
    newer = services.pack_generate(by=opcc_officer, meeting=objects["meeting"], pdf=False)
    # The new version is a draft with an address of its own, which the public cannot open yet.
    assert newer.uuid != objects["public"].uuid
    assert client.get(reverse("reports:public_pack", args=[newer.uuid])).status_code == 404
    response = client.get(address)
    assert response.status_code == 200
    assert response.context["pack"].pk == objects["public"].pk
