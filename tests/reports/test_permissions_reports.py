"""Every meetings, packs and public URL answers every role, of two offices, with exactly the
status in this table.

The rule (tracker/roles.py): signed out -> 302 to sign-in (except /public/); OPCC staff run
their office's meetings and packs; the Panel reads its office's published packs (a draft, or
another office's pack, is 404, as if it did not exist); action owners read the published packs
of their own force's meetings (another's are 404), and /meetings/ lists the published packs a
reader may read; anyone reads a published pack marked public, and a live progress page, at its
office's /public/<office>/ (under another office's address: 404); every other role -> 403. The
addresses from before offices (/public/packs/..., /public/progress/...) redirect to the office's.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from reports import services
from reports.models import BriefingPack
from tests.factories import (
    ActionFactory,
    FindingFactory,
    ForceFactory,
    InspectionFactory,
    MeetingFactory,
    OfficeFactory,
    QuestionFactory,
    kept_for_the_module,
    persona,
    personas,
)
from tracker import roles

pytestmark = pytest.mark.django_db

# Office A (the personas' office): opcc, its OPCC officer; owner, an action owner who owns the
# question; other, an action owner of another of A's forces; panel, A's Panel member. Office B:
# opcc_b and panel_b, its OPCC officer and Panel member. national: a national reader (no office),
# who reads /national/ and the public pages only.
# Targets: A's objects by name (live, hidden: an inspection with its live public progress page
# switched on, and one without); theirs_*: office B's; "*@ours": B's object at A's public address;
# ours, theirs, missing: an office's public page (missing: a slug no office has).
MATRIX = """
url                  target           verb anon opcc owner other panel admin opcc_b panel_b national
meetings             -                GET  302  200  200   200   200   403   200    200     403
national             -                GET  302  403  403   403   403   403   403    403     200
meeting_create       -                GET  302  200  403   403   403   403   200    403     403
meeting_create       -                POST 302  200  403   403   403   403   200    403     403
meeting_detail       meeting          GET  302  200  403   403   403   403   404    403     403
meeting_detail       theirs_meeting   GET  302  404  403   403   403   403   200    403     403
meeting_edit         meeting          GET  302  200  403   403   403   403   404    403     403
meeting_edit         theirs_meeting   GET  302  404  403   403   403   403   200    403     403
question_create      meeting          GET  302  200  403   403   403   403   404    403     403
question_create      theirs_meeting   GET  302  404  403   403   403   403   200    403     403
question_edit        question         GET  302  200  403   403   403   403   404    403     403
question_edit        theirs_question  GET  302  404  403   403   403   403   200    403     403
pack_generate        meeting          POST 302  302  403   403   403   403   404    403     403
pack_generate        theirs_meeting   POST 302  404  403   403   403   403   302    403     403
published            -                GET  302  200  200   200   200   403   200    200     403
pack                 draft            GET  302  200  404   404   404   403   404    404     403
pack                 published        GET  302  200  200   404   200   403   404    404     403
pack                 public           GET  302  200  200   404   200   403   404    404     403
pack                 theirs_draft     GET  302  404  404   404   404   403   200    404     403
pack                 theirs_published GET  302  404  404   404   404   403   200    200     403
pack                 theirs_public    GET  302  404  404   404   404   403   200    200     403
pack_pdf             draft            GET  302  200  404   404   404   403   404    404     403
pack_pdf             published        GET  302  200  200   404   200   403   404    404     403
pack_pdf             theirs_published GET  302  404  404   404   404   403   200    200     403
pack_csv             draft            GET  302  200  404   404   404   403   404    404     403
pack_csv             published        GET  302  200  200   404   200   403   404    404     403
pack_csv             theirs_published GET  302  404  404   404   404   403   200    200     403
pack_xlsx            draft            GET  302  200  404   404   404   403   404    404     403
pack_xlsx            published        GET  302  200  200   404   200   403   404    404     403
pack_xlsx            theirs_published GET  302  404  404   404   404   403   200    200     403
pack_narratives      draft            GET  302  200  403   403   403   403   404    403     403
pack_narratives      theirs_draft     GET  302  404  403   403   403   403   200    403     403
pack_publish         draft            GET  302  200  403   403   403   403   404    403     403
pack_publish         theirs_draft     GET  302  404  403   403   403   403   200    403     403
pack_public          published        GET  302  200  403   403   403   403   404    403     403
pack_public          theirs_published GET  302  404  403   403   403   403   200    403     403
pack_retry_pdf       draft            POST 302  302  403   403   403   403   404    403     403
pack_retry_pdf       theirs_draft     POST 302  404  403   403   403   403   302    403     403
public_list          -                GET  200  200  200   200   200   200   200    200     200
moved_public_list    -                GET  200  200  200   200   200   200   200    200     200
public_office        ours             GET  200  200  200   200   200   200   200    200     200
public_office        theirs           GET  200  200  200   200   200   200   200    200     200
public_office        missing          GET  404  404  404   404   404   404   404    404     404
inspection_public_progress live       GET  302  200  403   403   403   403   404    403     403
inspection_public_progress live       POST 302  302  403   403   403   403   404    403     403
inspection_public_progress theirs_live GET 302  404  403   403   403   403   200    403     403
public_progress      live             GET  200  200  200   200   200   200   200    200     200
public_progress      hidden           GET  404  404  404   404   404   404   404    404     404
public_progress      theirs_live      GET  200  200  200   200   200   200   200    200     200
public_progress      theirs_live@ours GET  404  404  404   404   404   404   404    404     404
public_progress_history live          GET  200  200  200   200   200   200   200    200     200
public_progress_history hidden        GET  404  404  404   404   404   404   404    404     404
public_progress_history theirs_live@ours GET 404  404  404   404   404   404   404    404     404
public_progress_feed live             GET  200  200  200   200   200   200   200    200     200
public_progress_feed hidden           GET  404  404  404   404   404   404   404    404     404
public_progress_feed theirs_live@ours GET  404  404  404   404   404   404   404    404     404
public_pack          public           GET  200  200  200   200   200   200   200    200     200
public_pack          published        GET  404  404  404   404   404   404   404    404     404
public_pack          draft            GET  404  404  404   404   404   404   404    404     404
public_pack          theirs_public    GET  200  200  200   200   200   200   200    200     200
public_pack          theirs_public@ours GET 404  404  404   404   404   404   404    404     404
public_pack_pdf      public           GET  200  200  200   200   200   200   200    200     200
public_pack_pdf      published        GET  404  404  404   404   404   404   404    404     404
public_pack_pdf      theirs_public@ours GET 404  404  404   404   404   404   404    404     404
public_pack_csv      public           GET  200  200  200   200   200   200   200    200     200
public_pack_csv      draft            GET  404  404  404   404   404   404   404    404     404
public_pack_csv      theirs_public@ours GET 404  404  404   404   404   404   404    404     404
public_pack_xlsx     public           GET  200  200  200   200   200   200   200    200     200
public_pack_xlsx     published        GET  404  404  404   404   404   404   404    404     404
public_pack_xlsx     theirs_public@ours GET 404  404  404   404   404   404   404    404     404
moved_public_pack    public           GET  302  302  302   302   302   302   302    302     302
moved_public_pack    theirs_public    GET  302  302  302   302   302   302   302    302     302
moved_public_pack    published        GET  404  404  404   404   404   404   404    404     404
moved_public_pack_pdf public          GET  302  302  302   302   302   302   302    302     302
moved_public_pack_csv public          GET  302  302  302   302   302   302   302    302     302
moved_public_pack_xlsx public         GET  302  302  302   302   302   302   302    302     302
moved_public_pack_xlsx draft          GET  404  404  404   404   404   404   404    404     404
moved_public_progress live            GET  302  302  302   302   302   302   302    302     302
moved_public_progress hidden          GET  404  404  404   404   404   404   404    404     404
moved_public_progress_history live    GET  302  302  302   302   302   302   302    302     302
moved_public_progress_feed theirs_live GET 302  302  302   302   302   302   302    302     302
"""
ROLES = MATRIX.split()[3:12]
ROWS = [line.split() for line in MATRIX.strip().splitlines()[1:]]
CASES = [
    (row[0], row[1], row[2], role, int(code))
    for row in ROWS
    for role, code in zip(ROLES, row[3:], strict=True)
]
# Where each older public address goes: the same page under the office's address.
MOVED_TO = {
    "moved_public_pack": "public_pack",
    "moved_public_pack_pdf": "public_pack_pdf",
    "moved_public_pack_csv": "public_pack_csv",
    "moved_public_pack_xlsx": "public_pack_xlsx",
    "moved_public_progress": "public_progress",
    "moved_public_progress_history": "public_progress_history",
    "moved_public_progress_feed": "public_progress_feed",
}


def _with_pdf(pack):
    pack.pdf.save("v.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    pack.pdf_status = BriefingPack.PdfStatus.READY
    pack.save()
    return pack


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Made once for this module's tests (the matrix's cases): each test's changes are rolled
    back."""
    with kept_for_the_module(django_db_blocker):
        yield build_world(**personas())


def office_papers(meeting, opcc_officer, live):
    """The meeting's packs (a draft, one published to the Panel, one public), its question, and
    `live`'s public progress page switched on."""
    services.inspection_edit_for_public(
        by=opcc_officer, inspection=live, public_progress=True, inspector_summary=""
    )
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
    return {"meeting": meeting, "live": live, **packs}


def other_office():
    """Office B: its force, OPCC officer, Panel member, and a meeting on an inspection of its
    force with papers of each kind."""
    office = OfficeFactory(
        slug="office-b",
        name="Office of the Police and Crime Commissioner for Otherland",
        panel_name="Otherland Police and Crime Panel",
    )
    force = ForceFactory(name="Otherland Police", office=office)
    opcc_b = persona(roles.OPCC_STAFF, username="opcc-b", office=office)
    panel_b = persona(roles.PANEL_MEMBER, username="panel-b", office=office)
    action = ActionFactory(finding=FindingFactory(inspection__force=force), opcc_lead=opcc_b)
    meeting = MeetingFactory(office=office, title="Otherland APM")
    live = action.finding.inspection
    meeting.inspections.add(live)
    objects = office_papers(meeting, opcc_b, live)
    objects["question"] = QuestionFactory(meeting=meeting)
    return {"opcc_b": opcc_b, "panel_b": panel_b}, {
        f"theirs_{name}": obj for name, obj in objects.items()
    }


def build_world(force, owner, opcc_officer, other_force_owner, panel_member, administrator, action):
    meeting = MeetingFactory()
    hidden = InspectionFactory(force=force)
    meeting.inspections.add(action.finding.inspection, hidden)
    ours = office_papers(meeting, opcc_officer, action.finding.inspection)
    question = QuestionFactory(meeting=meeting, owner=owner)
    theirs_people, theirs = other_office()
    people = {
        "anon": None,
        "opcc": opcc_officer,
        "owner": owner,
        "other": other_force_owner,
        "panel": panel_member,
        "admin": administrator,
        **theirs_people,
        # A national reader: no office; /national/ and the public pages only.
        "national": persona(roles.NATIONAL_READER, username="national", office=None),
    }
    offices = {
        "ours": meeting.office,
        "theirs": theirs["theirs_meeting"].office,
        "missing": OfficeFactory.build(slug="nowhere"),
    }
    objects = {**ours, **theirs, **offices, "question": question, "hidden": hidden}
    return people, objects


def url_for(name, target, objects):
    if target == "-":
        return reverse(f"reports:{name}")
    target, _, at = target.partition("@")
    obj = objects[target]
    if name == "public_office":
        return reverse("reports:public_office", args=[obj.slug])
    if name.startswith("moved_public_pack"):
        return reverse(f"reports:{name}", args=[obj.uuid])
    if name.startswith("public_pack"):
        slug = objects[at].slug if at else obj.meeting.office.slug
        return reverse(f"reports:{name}", args=[slug, obj.uuid])
    if name.startswith("public_progress"):
        slug = objects[at].slug if at else obj.force.office.slug
        return reverse(f"reports:{name}", args=[slug, obj.pk])
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
    if expected == 302 and name in MOVED_TO:
        assert response["Location"] == url_for(MOVED_TO[name], target, objects)
    elif expected == 302:
        went_to_sign_in = response["Location"].startswith(reverse("login"))
        assert went_to_sign_in == (role == "anon")


def test_the_matrix_covers_every_reports_url():
    from reports.urls import urlpatterns

    assert {row[0] for row in ROWS} == {pattern.name for pattern in urlpatterns}


def _links(html, objects, names):
    """Which of the packs `names` (keys of objects) html links to, by id or public address."""
    found = set()
    for name in names:
        pack = objects[name]
        if reverse("reports:pack", args=[pack.pk]) in html or str(pack.uuid) in html:
            found.add(name)
    return found


PACKS = ["draft", "published", "public", "theirs_draft", "theirs_published", "theirs_public"]


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        ("panel", {"published", "public"}),
        ("panel_b", {"theirs_published", "theirs_public"}),
    ],
)
def test_a_panel_member_sees_only_their_offices_published_papers_listed(
    reader, expected, world, client
):
    people, objects = world
    client.force_login(people[reader])
    for url in ("/", reverse("reports:published"), reverse("reports:meetings")):
        html = client.get(url).content.decode()
        assert _links(html, objects, PACKS) == expected, url


def test_opcc_staff_see_only_their_offices_meetings_listed(world, client):
    people, objects = world
    for who, ours, theirs in (
        ("opcc", "meeting", "theirs_meeting"),
        ("opcc_b", "theirs_meeting", "meeting"),
    ):
        client.force_login(people[who])
        html = client.get(reverse("reports:meetings")).content.decode()
        assert reverse("reports:meeting_detail", args=[objects[ours].pk]) in html
        assert reverse("reports:meeting_detail", args=[objects[theirs].pk]) not in html


def test_an_offices_public_page_lists_its_public_papers_and_live_pages_only(world, client):
    _people, objects = world
    for office, expected, live, not_live in (
        ("ours", {"public"}, "live", "theirs_live"),
        ("theirs", {"theirs_public"}, "theirs_live", "live"),
    ):
        slug = objects[office].slug
        html = client.get(reverse("reports:public_office", args=[slug])).content.decode()
        assert objects[office].name in html
        assert _links(html, objects, PACKS) == expected
        progress = objects[live]
        assert reverse("reports:public_progress", args=[slug, progress.pk]) in html
        assert f"/progress/{objects[not_live].pk}/" not in html
    # A public paper's "other papers" are its own office's.
    page = client.get(objects["theirs_public"].get_public_url())
    assert page.context["other_papers"] == []
    assert (
        "Otherland Police and Crime Panel"
        in client.get(reverse("reports:public_office", args=["office-b"])).content.decode()
    )


def test_public_lists_the_offices_when_there_are_several(world, client):
    _people, objects = world
    for url in (reverse("reports:public_list"), reverse("reports:moved_public_list")):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        for office in ("ours", "theirs"):
            assert reverse("reports:public_office", args=[objects[office].slug]) in html
            assert objects[office].name in html


def test_a_public_pack_keeps_its_address_when_a_new_version_is_generated(world, client):
    people, objects = world
    opcc_officer = people["opcc"]
    address = objects["public"].get_public_url()
    newer = services.pack_generate(by=opcc_officer, meeting=objects["meeting"], pdf=False)
    # The new version is a draft with an address of its own, which the public cannot open yet.
    assert newer.uuid != objects["public"].uuid
    assert client.get(newer.get_public_url()).status_code == 404
    response = client.get(address)
    assert response.status_code == 200
    assert response.context["pack"].pk == objects["public"].pk
