"""The action list: URL filters, sorting, pagination, bulk assignment, constant queries."""

import datetime
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import finding_services, selectors, views
from actions.models import Action, Inspection, Rag, Status
from tests.factories import (
    ActionFactory,
    FindingFactory,
    GradedAreaFactory,
    UserFactory,
    actions_for,
)
from tracker import roles

pytestmark = pytest.mark.django_db

LIST = reverse("actions:list")
# Session, user, roles, the office's forces (the scope's keys, tracker.roles.force_scope), the
# graded-area dropdown's choices, the count and the page of rows. The
# heartbeat banner's query runs once a minute per process (tracker/heartbeat.py), so each test
# asks for the page once first and counts the second request, as nearly every request is.
MAX_LIST_QUERIES = 7


def titles(response):
    return [action.title for action in response.context["page"].object_list]


@pytest.mark.parametrize("rows", [10, 500])
def test_action_list_query_count_is_the_same_at_10_and_500_rows(
    rows, force, owner, opcc_officer, signed_in, django_assert_max_num_queries
):
    actions_for(force, rows, owner=owner, opcc_lead=opcc_officer)
    client = signed_in(opcc_officer)
    client.get(LIST)
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = client.get(LIST, {"status": ["not_started"], "sort": "-rag", "page": "2"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == rows


@pytest.mark.parametrize("rows", [10, 500])
def test_owner_list_query_count_is_the_same_at_10_and_500_rows(
    rows, force, owner, opcc_officer, signed_in, django_assert_max_num_queries
):
    actions_for(force, rows, owner=owner, opcc_lead=opcc_officer)
    client = signed_in(owner)
    client.get(LIST)
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = client.get(LIST, {"mine": "on", "overdue": "no", "q": "Action"})
    assert response.context["page"].paginator.count == rows


def test_a_search_stops_counting_at_its_limit_and_its_pages_end_there(
    force, opcc_officer, signed_in, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_LIMIT", 4)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    actions_for(force, 7, title="Custody review")
    ActionFactory(finding__inspection__force=force, title="Vetting")
    client = signed_in(opcc_officer)
    client.get(LIST)
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = client.get(LIST, {"q": "custody", "page": "2"})
    html = response.content.decode()
    paginator = response.context["page"].paginator
    assert (paginator.capped, paginator.count, paginator.num_pages) == (True, 4, 2)
    assert "More than 4 actions found, showing 3 to 4." in html
    assert "Page 2 of 2" in html and 'rel="next"' not in html
    # Below the limit the count is exact, and without a search nothing is capped.
    exact = client.get(LIST, {"q": "vetting"}).context["page"].paginator
    assert (exact.capped, exact.count) == (False, 1)
    unfiltered = client.get(LIST).context["page"].paginator
    assert (unfiltered.capped, unfiltered.count) == (False, 8)
    assert "8 actions found" in client.get(LIST).content.decode()


def test_list_is_paginated_fifty_a_page(force, opcc_officer, signed_in):
    actions_for(force, 60)
    response = signed_in(opcc_officer).get(LIST, {"page": 2})
    assert len(response.context["page"].object_list) == 10
    assert "Page 2 of 2" in response.content.decode()


def test_owner_sees_only_their_forces_actions(force, other_force, owner, signed_in):
    mine = ActionFactory(finding__inspection__force=force, title="Herts action")
    ActionFactory(finding__inspection__force=other_force, title="Beds action")
    response = signed_in(owner).get(LIST)
    assert titles(response) == [mine.title]


def test_filters_by_status_rag_and_text_and_keeps_the_filter_in_links(
    force, opcc_officer, signed_in
):
    finding = FindingFactory(inspection__force=force, text="Supervision of investigations")
    wanted = ActionFactory(finding=finding, status=Status.IN_PROGRESS, rag=Rag.AMBER, title="A")
    ActionFactory(finding=finding, status=Status.IN_PROGRESS, rag=Rag.GREEN, title="B")
    ActionFactory(status=Status.NOT_STARTED, rag=Rag.AMBER, title="C")
    response = signed_in(opcc_officer).get(
        LIST, {"status": "in_progress", "rag": "amber", "q": "supervision"}
    )
    assert titles(response) == [wanted.title]
    html = response.content.decode()
    assert "export.csv?status=in_progress&amp;rag=amber&amp;q=supervision" in html


def test_overdue_filter_uses_the_deadline_and_counts_overdue_as_red(force, opcc_officer, signed_in):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = ActionFactory(finding__inspection__force=force, deadline=yesterday, rag=Rag.GREEN)
    ActionFactory(
        finding__inspection__force=force,
        deadline=yesterday,
        status=Status.CLOSED,
        closure_summary="Done",
    )
    ActionFactory(finding__inspection__force=force)
    client = signed_in(opcc_officer)
    assert titles(client.get(LIST, {"overdue": "yes"})) == [late.title]
    assert titles(client.get(LIST, {"rag": "red"})) == [late.title]
    assert late.title not in titles(client.get(LIST, {"overdue": "no"}))


def test_filters_by_inspection_area_grade_kind_owner_lead_and_deadline(
    force, owner, opcc_officer, signed_in
):
    area = GradedAreaFactory(
        inspection__force=force, name="Investigating crime", grade="requires_improvement"
    )
    finding = FindingFactory(inspection=area.inspection, area=area, kind="recommendation")
    target = ActionFactory(
        finding=finding, owner=owner, opcc_lead=opcc_officer, deadline=datetime.date(2030, 3, 1)
    )
    ActionFactory(finding__inspection__force=force, deadline=datetime.date(2030, 3, 1))
    ActionFactory(finding=finding, deadline=datetime.date(2031, 1, 1))
    params = {
        "inspection_id": area.inspection.pk,
        "area": "Investigating crime",
        "grade": "requires_improvement",
        "kind": "recommendation",
        "owner": owner.pk,
        "opcc_lead": opcc_officer.pk,
        "deadline_from": "2030-01-01",
        "deadline_to": "2030-12-31",
    }
    assert titles(signed_in(opcc_officer).get(LIST, params)) == [target.title]


def test_an_invalid_filter_value_is_reported_not_a_crash(opcc_officer, signed_in):
    response = signed_in(opcc_officer).get(LIST, {"deadline_from": "31/02/2030", "sort": "x"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_sorting_by_title_both_ways(force, opcc_officer, signed_in):
    for title in ["Beta", "Alpha", "Gamma"]:
        ActionFactory(finding__inspection__force=force, title=title)
    client = signed_in(opcc_officer)
    assert titles(client.get(LIST, {"sort": "title"})) == ["Alpha", "Beta", "Gamma"]
    response = client.get(LIST, {"sort": "-title"})
    assert titles(response) == ["Gamma", "Beta", "Alpha"]
    assert 'aria-sort="descending"' in response.content.decode()


def test_sorting_by_rag_puts_red_first(force, opcc_officer, signed_in):
    ActionFactory(finding__inspection__force=force, title="green", rag=Rag.GREEN)
    ActionFactory(finding__inspection__force=force, title="red", rag=Rag.RED)
    ActionFactory(finding__inspection__force=force, title="amber", rag=Rag.AMBER)
    assert titles(signed_in(opcc_officer).get(LIST, {"sort": "rag"})) == ["red", "amber", "green"]


def test_sorting_by_rag_counts_an_overdue_action_as_red(force, opcc_officer, signed_in):
    late = timezone.localdate() - datetime.timedelta(days=1)
    ActionFactory(finding__inspection__force=force, title="amber", rag=Rag.AMBER)
    ActionFactory(finding__inspection__force=force, title="late green", rag="green", deadline=late)
    ActionFactory(finding__inspection__force=force, title="green", rag=Rag.GREEN)
    client = signed_in(opcc_officer)
    assert titles(client.get(LIST, {"sort": "rag"})) == ["late green", "amber", "green"]
    assert titles(client.get(LIST, {"sort": "-rag"})) == ["green", "amber", "late green"]


def test_status_and_rag_are_shown_as_words(action, opcc_officer, signed_in):
    html = signed_in(opcc_officer).get(LIST).content.decode()
    assert "Not started</strong>" in html
    assert 'app-rag--green">Green</strong>' in html


def test_opcc_bulk_assigns_owner_and_lead_with_history_on_each(
    force, owner, opcc_officer, second_opcc_officer, signed_in
):
    first, second = actions_for(force, 2)
    response = signed_in(opcc_officer).post(
        reverse("actions:bulk_assign"),
        {
            "actions": [first.pk, second.pk],
            "owner": owner.pk,
            "opcc_lead": second_opcc_officer.pk,
            "return_query": "status=not_started",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=not_started"
    for action in (first, second):
        action.refresh_from_db()
        assert (action.owner, action.opcc_lead) == (owner, second_opcc_officer)
        latest = action.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (
            opcc_officer,
            "Bulk-assigned",
        )


def test_bulk_assign_changes_only_what_was_asked_and_counts_what_changed(
    force, owner, opcc_officer, second_opcc_officer, signed_in
):
    first, second = actions_for(force, 2)
    for action in (first, second):
        action.owner, action.owner_role_title = owner, "Head of Crime Recording"
        action.save()
    second.opcc_lead = second_opcc_officer
    second.save()
    rows_before = second.history.count()
    client = signed_in(opcc_officer)
    client.post(
        reverse("actions:bulk_assign"),
        {"actions": [first.pk, second.pk], "owner": owner.pk, "opcc_lead": second_opcc_officer.pk},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    # The owner stayed the same, so their public role title on each action is kept.
    assert first.owner_role_title == second.owner_role_title == "Head of Crime Recording"
    assert first.opcc_lead == second_opcc_officer
    # Nothing to change on the second: no history row saying nothing changed.
    assert second.history.count() == rows_before
    messages = [str(m) for m in client.get(LIST).context["messages"]]
    assert "1 action assigned." in messages


def test_bulk_assign_of_an_owner_from_another_force_changes_nothing(
    force, other_force_owner, opcc_officer, signed_in
):
    first, second = actions_for(force, 2)
    response = signed_in(opcc_officer).post(
        reverse("actions:bulk_assign"),
        {"actions": [first.pk, second.pk], "owner": other_force_owner.pk},
    )
    assert response.status_code == 200
    assert "not an action owner in" in response.content.decode()
    assert not Action.objects.filter(owner=other_force_owner).exists()


def test_bulk_assign_needs_a_selection_and_a_person(force, opcc_officer, signed_in):
    actions_for(force, 1)
    response = signed_in(opcc_officer).post(reverse("actions:bulk_assign"), {})
    html = response.content.decode()
    assert "Select at least one action to assign." in html
    assert "Choose an owner, an OPCC lead, or both." in html


def test_owner_cannot_bulk_assign(force, owner, signed_in):
    (action,) = actions_for(force, 1)
    response = signed_in(owner).post(
        reverse("actions:bulk_assign"), {"actions": [action.pk], "owner": owner.pk}
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.owner is None


def test_a_page_past_the_depth_cap_says_how_to_reach_it_and_shows_page_one(
    force, opcc_officer, signed_in, monkeypatch
):
    monkeypatch.setattr("actions.views.MAX_PAGE", 2)
    actions_for(force, 160)  # four pages of fifty
    client = signed_in(opcc_officer)
    response = client.get(LIST, {"page": "3", "status": "not_started"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Only the first 2 pages (100 actions) can be shown" in html
    assert response.context["page"].number == 1
    last = client.get(LIST, {"page": "2"}).content.decode()
    assert "Page 2 of 4" in last and 'rel="next"' not in last


def test_owner_and_lead_filters_take_a_typed_name_or_email(
    force, owner, opcc_officer, second_opcc_officer, signed_in
):
    mine = ActionFactory(finding__inspection__force=force, owner=owner, opcc_lead=opcc_officer)
    ActionFactory(finding__inspection__force=force, opcc_lead=second_opcc_officer)
    client = signed_in(opcc_officer)
    assert titles(client.get(LIST, {"owner": "owner@example.org"})) == [mine.title]
    assert titles(client.get(LIST, {"opcc_lead": "priya shah"})) == [mine.title]
    assert titles(client.get(LIST, {"opcc_lead": "Nobody Known"})) == []


def test_the_list_page_lists_no_people_in_dropdowns(force, owner, opcc_officer, signed_in):
    actions_for(force, 3, owner=owner)
    html = signed_in(opcc_officer).get(LIST).content.decode()
    assert 'name="owner"' in html and 'name="opcc_lead"' in html
    assert f"{owner.get_full_name()}</option>" not in html
    assert "Username or email address" in html


def test_bulk_assign_by_username_and_a_clear_message_for_an_unknown_person(
    force, owner, opcc_officer, signed_in
):
    (action,) = actions_for(force, 1)
    client = signed_in(opcc_officer)
    response = client.post(
        reverse("actions:bulk_assign"), {"actions": [action.pk], "owner": "no-such-person"}
    )
    assert "There is no active action owner no-such-person" in response.content.decode()
    action.refresh_from_db()
    assert action.owner is None
    client.post(reverse("actions:bulk_assign"), {"actions": [action.pk], "owner": "OWNER"})
    action.refresh_from_db()
    assert action.owner == owner


def test_inspection_filter_takes_words_of_the_title_or_an_id(force, opcc_officer, signed_in):
    (custody,) = actions_for(force, 1)
    (vetting,) = actions_for(force, 1)
    Inspection.objects.filter(pk=custody.finding.inspection_id).update(title="PEEL 2025 custody")
    Inspection.objects.filter(pk=vetting.finding.inspection_id).update(title="Vetting 2025")
    client = signed_in(opcc_officer)
    assert titles(client.get(LIST, {"inspection": "peel CUSTODY"})) == [custody.title]
    assert set(titles(client.get(LIST, {"inspection": "2025"}))) == {custody.title, vetting.title}
    by_id = {"inspection_id": vetting.finding.inspection_id}
    assert titles(client.get(LIST, by_id)) == [vetting.title]
    html = client.get(LIST, by_id).content.decode()
    assert f'type="hidden" name="inspection_id" value="{vetting.finding.inspection_id}"' in html
    # The link's inspection is named in a tag whose link shows every inspection's actions again.
    tags = client.get(LIST, by_id).context["filterset"].tags()
    assert [(tag.label, tag.remove_query) for tag in tags] == [("Inspection: Vetting 2025", "")]
    assert "Selected filters" in html
    assert "Selected filters" not in client.get(LIST).content.decode()
    assert titles(client.get(LIST, {"inspection": "9" * 30})) == []


def test_inspection_filter_is_a_text_box_that_keeps_and_escapes_the_words(
    force, opcc_officer, signed_in
):
    actions_for(force, 1)
    html = signed_in(opcc_officer).get(LIST, {"inspection": 'PEEL <b>"2025"</b>'}).content.decode()
    assert 'type="text" name="inspection" value="PEEL &lt;b&gt;&quot;2025&quot;&lt;/b&gt;"' in html
    assert '<select name="inspection"' not in html


def test_search_and_type_filter_follow_the_finding_when_it_is_edited(
    force, opcc_officer, signed_in
):
    finding = FindingFactory(inspection__force=force, reference="AFI 7", text="Custody records")
    action = ActionFactory(finding=finding, title="Audit", description="")
    ActionFactory(finding__inspection__force=force, title="Other", description="")
    client = signed_in(opcc_officer)
    assert titles(client.get(LIST, {"q": "custody afi"})) == ["Audit"]
    history_rows = action.history.count()
    assert titles(client.get(LIST, {"kind": "afi"})) == ["Audit", "Other"]
    finding_services.finding_edit(
        by=opcc_officer,
        finding=finding,
        text="Vetting backlog",
        kind="recommendation",
        reason="Typo",
    )
    assert titles(client.get(LIST, {"q": "custody"})) == []
    assert titles(client.get(LIST, {"q": "vetting"})) == ["Audit"]
    assert titles(client.get(LIST, {"kind": "afi"})) == ["Other"]
    assert titles(client.get(LIST, {"kind": "recommendation"})) == ["Audit"]
    # The copy is derived: the action's audit history neither holds it nor grows with it.
    assert action.history.count() == history_rows
    history_fields = {f.name for f in action.history.model._meta.fields}
    assert not history_fields & {"finding_search_text", "finding_kind"}


def test_search_follows_an_action_moved_to_another_finding(force, opcc_officer, signed_in):
    action = ActionFactory(finding__inspection__force=force, finding__text="Custody records")
    other = FindingFactory(
        inspection=action.finding.inspection, text="Vetting backlog", kind="cause_of_concern"
    )
    action = Action.objects.get(pk=action.pk)
    action.finding = other
    action.save(update_fields=["finding"])
    client = signed_in(opcc_officer)
    assert titles(client.get(LIST, {"q": "vetting"})) == [action.title]
    assert titles(client.get(LIST, {"q": "custody"})) == []
    assert titles(client.get(LIST, {"kind": "cause_of_concern"})) == [action.title]


class _Ids(HTMLParser):
    """Every id attribute on a page, and every label's for."""

    def __init__(self):
        super().__init__()
        self.ids, self.fors = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.fors.append(attrs["for"])


def test_the_action_list_repeats_no_id_and_each_label_names_its_own_field(
    force, owner, opcc_officer, signed_in
):
    actions_for(force, 3, owner=owner)
    parser = _Ids()
    parser.feed(signed_in(opcc_officer).get(LIST).content.decode())
    repeated = [name for name, count in Counter(parser.ids).items() if count > 1]
    assert repeated == []
    # The bulk form's "New owner" label points at the bulk form's own field, not the filter's.
    assert "bulk-owner" in parser.fors and "bulk-opcc_lead" in parser.fors
    assert set(parser.fors) <= set(parser.ids)


def test_bulk_assign_with_an_unknown_owner_says_so_and_not_that_none_was_chosen(
    force, opcc_officer, signed_in
):
    (action,) = actions_for(force, 1)
    response = signed_in(opcc_officer).post(
        reverse("actions:bulk_assign"), {"actions": [action.pk], "owner": "nobody-here"}
    )
    html = response.content.decode()
    assert "There is no active action owner nobody-here" in html
    assert "Choose an owner, an OPCC lead, or both." not in html


def test_bulk_assign_refuses_a_member_of_the_owners_group_without_a_force(
    force, opcc_officer, signed_in
):
    # Not an action owner (roles.is_action_owner needs a force), so not offered: the form's
    # people are User.objects.action_owners(), the same rule.
    no_force = UserFactory(role=roles.ACTION_OWNER, username="floating")
    (action,) = actions_for(force, 1)
    response = signed_in(opcc_officer).post(
        reverse("actions:bulk_assign"), {"actions": [action.pk], "owner": "floating"}
    )
    assert response.status_code == 200
    assert "There is no active action owner floating" in response.content.decode()
    assert not Action.objects.filter(owner=no_force).exists()
