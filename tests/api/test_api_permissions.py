"""Every API URL, for every role, answers with exactly the status code in this table.

The rule is the workspace's (tracker/roles.py): no token -> 401; a role without the workspace
(Panel member, administrator) -> 403 for inspections, graded areas, findings and actions; another
force's object -> 404, as if it did not exist. Meetings are also open to Panel members (APMs
and Panel meetings); an owner sees the meetings with their force's inspections on the agenda.
Published briefing packs are for OPCC staff and the Panel, as on the pages.

Two offices: the objects are office A's; office_b is an OPCC officer of office B
(tests/office_b.py), for whom every A object is missing and whose lists hold only B's rows.
"""

import pytest
from django.urls import reverse

from reports.services import pack_generate, pack_publish
from tests.factories import MeetingFactory, kept_for_the_module, persona, personas
from tests.office_b import office_b
from tracker import roles

pytestmark = pytest.mark.django_db

# owner: owns the action. other: an action owner in another force. office_b: an OPCC officer of
# another office. national: a national reader (no office), who reads /national/ only.
MATRIX = """
url                anon opcc owner other panel admin office_b national
inspection-list    401  200  200   200   403   403   200      403
inspection-detail  401  200  200   404   403   403   404      403
graded-area-list   401  200  200   200   403   403   200      403
graded-area-detail 401  200  200   404   403   403   404      403
finding-list       401  200  200   200   403   403   200      403
finding-detail     401  200  200   404   403   403   404      403
action-list        401  200  200   200   403   403   200      403
action-detail      401  200  200   404   403   403   404      403
meeting-list       401  200  200   200   200   403   200      403
meeting-detail     401  200  200   404   200   403   404      403
pack-list          401  200  403   403   200   403   200      403
pack-detail        401  200  403   403   200   403   404      403
schema             200  200  200   200   200   200   200      200
"""
ROLES = MATRIX.split()[1:9]
ROWS = [line.split() for line in MATRIX.strip().splitlines()[1:]]
CASES = [
    (row[0], role, int(code)) for row in ROWS for role, code in zip(ROLES, row[1:], strict=True)
]


@pytest.fixture
def world(action, opcc_officer, owner, other_force_owner, panel_member, administrator):
    return build_world(action, opcc_officer, owner, other_force_owner, panel_member, administrator)


def build_world(
    action, opcc_officer, owner, other_force_owner, panel_member, administrator, b=None
):
    meeting = MeetingFactory(kind="apm")
    meeting.inspections.add(action.finding.inspection)
    pack = pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
    pack_publish(by=opcc_officer, pack=pack, public=False)
    people = {
        "anon": None,
        "opcc": opcc_officer,
        "owner": owner,
        "other": other_force_owner,
        "panel": panel_member,
        "admin": administrator,
        "office_b": b.officer if b else None,
        # A national reader (no office) holding a token: no workspace, so 403 as an admin's.
        "national": persona(roles.NATIONAL_READER, username="national", office=None),
    }
    ids = {
        "inspection": action.finding.inspection_id,
        "graded-area": action.finding.area_id,
        "finding": action.finding_id,
        "action": action.pk,
        "meeting": meeting.pk,
        "pack": pack.pk,
    }
    return people, ids


def url_for(name, ids):
    if name.endswith("-detail"):
        return reverse(f"api:{name}", args=[ids[name.removesuffix("-detail")]])
    return reverse(f"api:{name}")


class TestEveryApiUrl:
    """The matrix's cases share one world, made once for this class (not for each of its 78
    cases); each case runs in its own transaction, rolled back, as every test does."""

    @pytest.fixture(scope="class")
    @classmethod
    def world(cls, django_db_setup, django_db_blocker):
        with kept_for_the_module(django_db_blocker):
            made = personas()
            del made["force"]
            b = office_b()
            pack_publish(
                by=b.officer,
                pack=pack_generate(by=b.officer, meeting=b.meeting, pdf=False),
                public=False,
            )
            yield build_world(**made, b=b)

    @pytest.mark.parametrize(("name", "role", "expected"), CASES)
    def test_answers_each_role_with_the_expected_status(self, name, role, expected, world, api_get):
        people, ids = world
        response = api_get(people[role], url_for(name, ids))
        assert response.status_code == expected, f"{role} {name}"
        if expected == 401:
            assert response["WWW-Authenticate"] == 'Token realm="api"'
        if expected == 404:
            # Exactly what an id that never existed gets.
            missing = api_get(people[role], reverse(f"api:{name}", args=[999999]))
            assert (missing.status_code, missing.json()) == (404, response.json())

    @pytest.mark.parametrize(
        "name", ["inspection", "graded-area", "finding", "action", "meeting", "pack"]
    )
    def test_each_offices_lists_hold_only_its_own_rows(self, name, world, api_get):
        people, ids = world
        url = reverse(f"api:{name}-list")
        a_rows = api_get(people["opcc"], url).json()["results"]
        b_rows = api_get(people["office_b"], url).json()["results"]
        assert ids[name] in [row["id"] for row in a_rows]
        assert ids[name] not in [row["id"] for row in b_rows]
        # B's officer has B's own rows (the check is not vacuous), and A's officer none of them.
        assert b_rows
        assert not {row["id"] for row in a_rows} & {row["id"] for row in b_rows}

    @pytest.mark.parametrize("name", ["inspection", "graded-area", "finding", "action", "meeting"])
    def test_as_officer_gets_404_for_each_of_bs_objects(self, name, world, api_get):
        people, _ = world
        b_ids = api_get(people["office_b"], reverse(f"api:{name}-list")).json()["results"]
        for row in b_ids:
            response = api_get(people["opcc"], reverse(f"api:{name}-detail", args=[row["id"]]))
            assert response.status_code == 404, (name, row["id"])


def test_the_matrix_covers_every_api_url():
    from api.urls import router

    basenames = [basename for _, _, basename in router.registry]
    names = {f"{basename}-{kind}" for basename in basenames for kind in ("list", "detail")}
    assert {row[0] for row in ROWS} == names | {"schema"}


def test_another_forces_objects_are_missing_from_the_owners_lists(world, api_get):
    people, ids = world
    for name in ["inspection", "graded-area", "finding", "action", "meeting"]:
        listed = api_get(people["other"], reverse(f"api:{name}-list")).json()
        assert listed["count"] == 0, name
        assert ids[name] not in [row["id"] for row in listed["results"]]


@pytest.mark.parametrize(
    "header",
    [
        "Token wrong",
        "Bearer api_not-a-real-token",
        "Token",
        "Token two words",
        "Basic dXNlcjpwYXNz",
    ],
)
def test_a_wrong_or_malformed_token_is_401_and_reveals_nothing(client, action, header):
    response = client.get(reverse("api:action-list"), headers={"Authorization": header})
    assert response.status_code == 401
    assert action.title not in response.content.decode()


def test_bearer_works_like_token(client, action, opcc_officer):
    from tracker import services
    from tracker.models import AccessToken

    secret = services.access_token_issue(user=opcc_officer, kind=AccessToken.Kind.API)
    response = client.get(reverse("api:action-list"), headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [action.pk]


def test_a_revoked_or_replaced_api_token_stops_working(client, action, opcc_officer):
    from tracker import services
    from tracker.models import AccessToken

    url = reverse("api:action-list")
    old = services.access_token_issue(user=opcc_officer, kind=AccessToken.Kind.API)
    new = services.access_token_issue(user=opcc_officer, kind=AccessToken.Kind.API)
    assert client.get(url, headers={"Authorization": f"Token {old}"}).status_code == 401
    assert client.get(url, headers={"Authorization": f"Token {new}"}).status_code == 200
    services.access_token_revoke(user=opcc_officer, kind=AccessToken.Kind.API)
    assert client.get(url, headers={"Authorization": f"Token {new}"}).status_code == 401


def test_the_calendar_secret_is_not_an_api_token(client, action, opcc_officer, calendar_secret):
    secret = calendar_secret(opcc_officer)
    response = client.get(reverse("api:action-list"), headers={"Authorization": f"Token {secret}"})
    assert response.status_code == 401


def test_a_signed_in_session_is_not_enough_for_the_api(signed_in, opcc_officer, action):
    response = signed_in(opcc_officer).get(reverse("api:action-list"))
    assert response.status_code == 401


def test_the_api_is_read_only(client, opcc_officer, action):
    from tracker import services
    from tracker.models import AccessToken

    secret = services.access_token_issue(user=opcc_officer, kind=AccessToken.Kind.API)
    headers = {"Authorization": f"Token {secret}"}
    detail = reverse("api:action-detail", args=[action.pk])
    assert client.post(reverse("api:action-list"), {}, headers=headers).status_code == 405
    for method in (client.put, client.patch, client.delete):
        assert method(detail, headers=headers).status_code == 405
    action.refresh_from_db()
    assert action.history.count() == 1
