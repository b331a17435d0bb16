"""Published briefing packs through the API: never drafts; names only for OPCC staff."""

import pytest
from django.urls import reverse

from reports.services import pack_generate, pack_publish
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def packs(action, opcc_officer):
    meeting = MeetingFactory(kind="apm", title="APM: PEEL progress")
    meeting.inspections.add(action.finding.inspection)
    published = pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
    pack_publish(by=opcc_officer, pack=published, public=True)
    draft = pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
    return published, draft


@pytest.mark.parametrize("persona", ["opcc_officer", "panel_member"])
def test_the_list_holds_published_packs_only(persona, packs, request, api_get):
    published, draft = packs
    body = api_get(request.getfixturevalue(persona), reverse("api:pack-list")).json()
    assert [row["id"] for row in body["results"]] == [published.pk]
    row = body["results"][0]
    assert row["meeting"]["title"] == "APM: PEEL progress"
    assert row["public_url"].endswith(f"/public/testshire/packs/{published.uuid}/")
    response = api_get(
        request.getfixturevalue(persona), reverse("api:pack-detail", args=[draft.pk])
    )
    assert response.status_code == 404


def test_names_go_to_opcc_staff_and_role_titles_to_the_panel(
    packs, action, opcc_officer, panel_member, api_get
):
    published, _ = packs
    url = reverse("api:pack-detail", args=[published.pk])
    staff = api_get(opcc_officer, url).json()
    panel = api_get(panel_member, url).json()
    assert staff["totals"] == panel["totals"]
    assert [row["id"] for row in panel["actions"]] == [action.pk]
    assert str(action.owner) in staff["actions"][0]["owner"]
    assert str(action.owner) not in str(panel)
    assert "owner_name" not in panel["actions"][0]


@pytest.mark.parametrize("rows", [1, 20])
def test_the_pack_list_query_count_is_constant(
    rows, action, opcc_officer, api_get, django_assert_max_num_queries
):
    for _ in range(rows):
        meeting = MeetingFactory(kind="apm")
        meeting.inspections.add(action.finding.inspection)
        pack_publish(
            by=opcc_officer,
            pack=pack_generate(by=opcc_officer, meeting=meeting, pdf=False),
            public=False,
        )
    # Token and user, roles, count, page (meetings joined): the same at 1 and 20 packs.
    with django_assert_max_num_queries(6):
        assert api_get(opcc_officer, reverse("api:pack-list")).status_code == 200
