"""`manage.py benchmark plan-import`: the plan-import section of the one benchmark command."""

import io
import re

import pytest
from django.core.management import call_command

from actions.models import Action, Inspection

pytestmark = pytest.mark.django_db


def test_the_plan_import_section_times_the_preview_and_apply_and_leaves_nothing_behind():
    out = io.StringIO()
    call_command("benchmark", "plan-import", "--rows", "40", "--apply", stdout=out)
    printed = out.getvalue()
    counts = re.search(r"Preview of 40 rows: (\d+) to create, (\d+) to update", printed)
    assert counts and int(counts[1]) + int(counts[2]) > 0
    assert "apply:" in printed and "Rolled back" in printed
    assert not Action.objects.exists() and not Inspection.objects.exists()
