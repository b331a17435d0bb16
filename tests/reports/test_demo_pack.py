"""The demo holds one published, public pack for the APM of 14 November 2024, loaded once."""

import pytest
from django.urls import reverse

from actions.sample_data.demo import load_demo
from reports.models import BriefingPack

pytestmark = pytest.mark.django_db


def test_demo_publishes_one_public_pack_for_the_november_apm_and_loading_again_adds_none(client):
    load_demo()
    load_demo()
    pack = BriefingPack.objects.select_related("meeting").get()
    assert pack.meeting.starts_at.date().isoformat() == "2024-11-14"
    assert (pack.version, pack.status, pack.is_public) == (1, "published", True)
    assert pack.snapshot["totals"]["actions"] > 0
    html = client.get(reverse("reports:public_pack", args=[pack.uuid])).content.decode()
    assert "Recording data about crime inadequate" in html
