"""The import preview reads in a fixed number of queries, however many rows the file has."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from actions.plan_import import files
from tests.factories import actions_for

pytestmark = pytest.mark.django_db

# Includes one for the reminder-heartbeat banner OPCC staff see (cached after the first page)
# and one for the officer's office's forces (the scope's keys, tracker.roles.force_scope).
PREVIEW_QUERIES = 11


def plan_file(actions, owner, new_rows):
    """Half the rows are the existing actions (one with a changed deadline), half are new."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(files.template_headings())
    for n, action in enumerate(actions):
        deadline = action.deadline + datetime.timedelta(days=30 if n == 0 else 0)
        sheet.append(
            [
                None,
                action.finding.inspection.title,
                action.finding.reference,
                None,
                action.title,
                owner.email,
                None,
                None,
                deadline.strftime("%d/%m/%Y"),
            ]
        )
    inspection = actions[0].finding.inspection
    for n in range(new_rows):
        sheet.append(
            [None, inspection.title, f"AFI new {n}", "New finding.", f"New action {n}", "owner"]
            + [None, None, "1 Dec 2026", "In progress", "Amber", "10%", "Started."]
        )
    stream = io.BytesIO()
    workbook.save(stream)
    return SimpleUploadedFile("plan.xlsx", stream.getvalue())


@pytest.mark.parametrize("rows", [10, 200])
def test_the_preview_uses_a_fixed_number_of_queries(
    rows, force, owner, opcc_officer, signed_in, django_assert_max_num_queries
):
    actions = actions_for(force, rows // 2, owner=owner)
    client = signed_in(opcc_officer)
    response = client.post(
        reverse("imports:start"), {"file": plan_file(actions, owner, rows - rows // 2)}
    )
    url = response["Location"]
    with django_assert_max_num_queries(PREVIEW_QUERIES):
        page = client.get(url)
    counts = page.context["counts"]
    assert counts == {
        "create": rows - rows // 2,
        "update": 1,
        "unchanged": rows // 2 - 1,
        "error": 0,
    }


def test_the_query_count_does_not_grow_with_the_file(force, owner, opcc_officer, signed_in):
    client = signed_in(opcc_officer)
    used = []
    for rows in (10, 200):
        actions = actions_for(force, rows // 2, owner=owner)
        response = client.post(
            reverse("imports:start"), {"file": plan_file(actions, owner, rows - rows // 2)}
        )
        cache.clear()  # both measured with the heartbeat banner's answer not yet cached
        with CaptureQueriesContext(connection) as queries:
            client.get(response["Location"])
        used.append(len(queries))
    assert used[0] == used[1]
