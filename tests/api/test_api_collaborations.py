"""The API marks a collaboration (an action shared with partner forces, issue 23): each action's
`collaboration` is null, or the office that manages it and the forces it is shared with, for
every reader; the schema says so; the list's query count does not grow with them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    ActionFactory,
    ActionPartnerFactory,
    ForceFactory,
    OfficeFactory,
    actions_for,
    persona,
)
from tracker import roles

pytestmark = pytest.mark.django_db

HOME = "Office of the Police and Crime Commissioner for Testshire"
# As tests/api/test_api_lists.py: token, roles, the office's forces, count, page rows, prefetch.
MAX_API_QUERIES = 6


@pytest.fixture
def world(force, other_force, owner, opcc_officer):
    """A Testshire action shared with Cambridgeshire (another office) and Bedfordshire (the
    home office's other force), and one not shared."""
    cambs_office = OfficeFactory(name="Cambridgeshire's office", slug="cambridgeshire")
    cambs = ForceFactory(name="Cambridgeshire Constabulary", office=cambs_office)
    shared = ActionFactory(finding__inspection__force=force, title="Tri-force unit review")
    for partner in (cambs, other_force):
        ActionPartnerFactory(action=shared, force=partner, shared_by=opcc_officer)
    unshared = ActionFactory(finding__inspection__force=force, title="Testshire only")
    return {
        "cambs": cambs,
        "shared": shared,
        "unshared": unshared,
        "people": {
            "owning_staff": opcc_officer,
            "owner": owner,
            "partner_staff": persona(roles.OPCC_STAFF, username="opcc-c", office=cambs_office),
            "partner_owner": persona(roles.ACTION_OWNER, username="owner-c", force=cambs),
        },
    }


SHARED = {
    "managed_by": HOME,
    "shared_with": ["Bedfordshire Police", "Cambridgeshire Constabulary"],
}


@pytest.mark.parametrize("who", ["owning_staff", "owner", "partner_staff", "partner_owner"])
def test_every_reader_sees_the_collaboration_in_the_list_and_the_detail(world, api_get, who):
    user = world["people"][who]
    rows = api_get(user, reverse("api:action-list")).json()["results"]
    found = {row["title"]: row["collaboration"] for row in rows}
    assert found["Tri-force unit review"] == SHARED
    if who in ("owning_staff", "owner"):
        assert found["Testshire only"] is None
    else:
        assert "Testshire only" not in found
    detail = api_get(user, reverse("api:action-detail", args=[world["shared"].pk])).json()
    assert detail["collaboration"] == SHARED


def test_an_action_not_shared_has_a_null_collaboration(world, api_get):
    url = reverse("api:action-detail", args=[world["unshared"].pk])
    assert api_get(world["people"]["owning_staff"], url).json()["collaboration"] is None


@pytest.mark.parametrize("who", ["owning_staff", "partner_staff"])
def test_the_list_reads_the_same_number_of_queries_with_2_and_40_shared_actions(
    world, force, other_force, api_get, who, django_assert_max_num_queries
):
    user = world["people"][who]
    api_get(user, reverse("api:action-list"))  # makes the token outside the counted block
    counts = []
    for more in (1, 39):
        for action in actions_for(force, more):
            for partner in (world["cambs"], other_force):
                ActionPartnerFactory(action=action, force=partner)
        with (
            django_assert_max_num_queries(MAX_API_QUERIES),
            CaptureQueriesContext(connection) as queries,
        ):
            response = api_get(user, reverse("api:action-list"), page_size=200)
        shared = [row for row in response.json()["results"] if row["collaboration"]]
        assert len(shared) == 1 + (1 if more == 1 else 40)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_schema_describes_collaboration_as_null_or_an_office_and_forces(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    components = schema["components"]["schemas"]
    field = components["Action"]["properties"]["collaboration"]
    assert field.get("nullable") is True or {"type": "null"} in field.get("oneOf", [])
    assert "collaboration" in components["Action"]["required"]
    ref = next(
        part["$ref"] for part in field.get("allOf", field.get("oneOf", [])) if "$ref" in part
    )
    collaboration = components[ref.rsplit("/", 1)[-1]]
    assert collaboration["properties"]["managed_by"]["type"] == "string"
    assert collaboration["properties"]["shared_with"] == {
        "type": "array",
        "items": {"type": "string"},
        "description": "The partner forces' names, A to Z.",
    }
