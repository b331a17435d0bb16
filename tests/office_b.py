"""A second office, B, for the permission matrices: its own force, OPCC officer, action owner,
inspection (with a graded area), finding, action, evidence, pending extension request and
meeting. Office A is the factories' home office (tests/factories.py::home_office)."""

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile

from actions import extension_services
from actions.models import Evidence
from reports.models import Meeting
from tests.factories import (
    ActionFactory,
    EvidenceFactory,
    FindingFactory,
    ForceFactory,
    GradedAreaFactory,
    InspectionFactory,
    MeetingFactory,
    OfficeFactory,
    persona,
)
from tracker import roles
from tracker.models import Office


@dataclass
class OfficeB:
    office: Office
    officer: object
    owner: object
    force: object
    inspection: object
    area: object
    finding: object
    action: object
    evidence: Evidence
    extension: object
    meeting: Meeting

    def object_ids(self):
        """The ids its URLs take, by the URL names of actions/urls.py (and the API's)."""
        return {
            "inspection": self.inspection.pk,
            "graded-area": self.area.pk,
            "finding": self.finding.pk,
            "action": self.action.pk,
            "meeting": self.meeting.pk,
            "evidence": self.evidence.pk,
            "extension": self.extension.pk,
        }


def office_b():
    """Office B and its records; its titles carry "Northshire" so a page that shows them is
    found by searching for the word."""
    office = OfficeFactory(
        slug="northshire", name="Office of the Police and Crime Commissioner for Northshire"
    )
    force = ForceFactory(name="Northshire Police", office=office)
    officer = persona(roles.OPCC_STAFF, username="opcc-north", office=office)
    owner = persona(roles.ACTION_OWNER, username="owner-north", force=force)
    inspection = InspectionFactory(force=force, title="Northshire PEEL 2024")
    area = GradedAreaFactory(inspection=inspection, name="Northshire investigating crime")
    finding = FindingFactory(
        inspection=inspection, area=area, reference="AFI N1", text="Northshire should improve."
    )
    action = ActionFactory(
        finding=finding, owner=owner, opcc_lead=officer, title="Northshire custody review"
    )
    evidence = EvidenceFactory(
        action=action,
        kind=Evidence.Kind.DOCUMENT,
        title="Northshire evidence",
        note="",
        submitted_by=owner,
        original_filename="north.txt",
        content_type="text/plain",
        file=ContentFile(b"Northshire plan.", name="north.txt"),
    )
    extension = extension_services.extension_request(
        by=owner,
        action=action,
        requested_deadline=action.deadline + datetime.timedelta(days=30),
        reason="Northshire's supplier is late.",
    )
    meeting = MeetingFactory(office=office, title="Northshire APM")
    meeting.inspections.add(inspection)
    return OfficeB(
        office=office,
        officer=officer,
        owner=owner,
        force=force,
        inspection=inspection,
        area=area,
        finding=finding,
        action=action,
        evidence=evidence,
        extension=extension,
        meeting=meeting,
    )
