"""Every write the tracker offers leaves a history row with the user, and the reason where one is
required: each public function of tracker/audit.py, actions/services.py, evidence_services.py,
actions/inspection_import/services.py and reports/services.py (the UI, imports, tasks and
commands all call these), and the admin site's change, add and delete forms for every audited
model. A new service function without a row in WRITES fails
`test_every_service_function_is_exercised_here`. (The scan forbidding update(), bulk_update()
and raw SQL on audited models is tests/actions/test_history.py.)
"""

import datetime
import inspect
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges

from actions import (
    bulk_services,
    collaboration_services,
    evidence_services,
    extension_services,
    finding_services,
    services,
)
from actions.admin import AuditedAdmin
from actions.inspection_import import services as import_services
from actions.models import Action, Evidence, Finding, Force, Inspection, Rag, Status
from reports import services as report_services
from reports.models import Meeting, Question
from tests.factories import (
    ActionFactory,
    EvidenceFactory,
    FindingFactory,
    ForceFactory,
    GradedAreaFactory,
    InspectionFactory,
    MeetingFactory,
    QuestionFactory,
    UserFactory,
)
from tracker import audit

pytestmark = pytest.mark.django_db

LATER = datetime.date(2031, 6, 30)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def proposed(w):
    """The world's action, proposed by its owner with an assured piece of evidence."""
    services.action_propose_closure(by=w["owner"], action=fresh(w["action"]), narrative="Done.")
    evidence = evidence_services.evidence_add(
        by=w["owner"], action=fresh(w["action"]), kind="note", title="Audit", note="All checked."
    )
    # Assured by another officer than the one who closes or sustains it.
    evidence_services.evidence_assure(by=w["opcc2"], evidence=evidence, note="Seen.")
    return fresh(w["action"])


def closed(w):
    action = proposed(w)
    services.action_close(by=w["opcc"], action=action, closure_summary="Working well.")
    return fresh(action)


def renamed_area(w, *, linked):
    """An area of a later PEEL round under its new name, and the earlier round's under its old
    one; the later round records the earlier as its previous when `linked`."""
    earlier = InspectionFactory(force=w["force"], published_on=datetime.date(2022, 7, 14))
    old = GradedAreaFactory(inspection=earlier, name="Preventing crime and anti-social behaviour")
    later = InspectionFactory(
        force=w["force"],
        published_on=datetime.date(2025, 3, 13),
        previous=earlier if linked else None,
    )
    return GradedAreaFactory(inspection=later, name="Preventing crime"), old


def shared(w, partner):
    return lambda by: collaboration_services.action_share(
        by=by, action=fresh(w["action"]), force=partner, reason="Joint unit"
    )


def shared_then_unshared(w):
    partner = ForceFactory()
    collaboration_services.action_share(
        by=w["opcc"], action=w["action"], force=partner, reason="Joint unit"
    )
    return lambda by: collaboration_services.action_unshare(
        by=by, action=fresh(w["action"]), force=partner, reason="Unit disbanded"
    )


def finding_shared(w):
    partner = ForceFactory()
    return lambda by: collaboration_services.finding_share(
        by=by, finding=fresh(w["action"]).finding, force=partner, reason="Joint unit"
    )


def finding_shared_then_unshared(w):
    partner = ForceFactory()
    finding = w["action"].finding
    collaboration_services.finding_share(
        by=w["opcc"], finding=finding, force=partner, reason="Joint unit"
    )
    return lambda by: collaboration_services.finding_unshare(
        by=by, finding=finding, force=partner, reason="Unit disbanded"
    )


def new_action_of_a_shared_finding(w):
    finding = w["action"].finding
    collaboration_services.finding_share(
        by=w["opcc"], finding=finding, force=ForceFactory(), reason="Joint unit"
    )
    action = ActionFactory(finding=finding)
    return lambda by: collaboration_services.share_with_finding_partners(by=by, action=action)


def draft_pack(w):
    return report_services.pack_generate(by=w["opcc"], meeting=w["meeting"], pdf=False)


def published_pack(w):
    return report_services.pack_publish(by=w["opcc"], pack=draft_pack(w), public=False)


def earlier_finding(w):
    inspection = InspectionFactory(
        force=w["action"].finding.inspection.force, published_on=datetime.date(2016, 1, 1)
    )
    return FindingFactory(inspection=inspection)


# Each row: the service, who acts ("opcc", "opcc2" or "owner"), a setup returning the call to
# make, and the text the reason must hold (None: no reason is required for this change).
# The setup's own writes are not counted: only rows written by the call itself.
WRITES = {
    "tracker.audited_save": (
        "opcc",
        lambda w: (
            lambda by: audit.audited_save(
                Force(name="Kent Police", office=w["force"].office), by=by, reason="Added by hand"
            )
        ),
        "Added by hand",
    ),
    "actions.force_create": (
        "opcc",
        lambda w: lambda by: finding_services.force_create(by=by, name="Essex Police"),
        None,
    ),
    "actions.inspection_create": (
        "opcc",
        lambda w: (
            lambda by: finding_services.inspection_create(
                by=by, force=w["force"], title="Crime data integrity", reason="Source added by hand"
            )
        ),
        "Source added by hand",
    ),
    "actions.inspection_edit": (
        "opcc",
        lambda w: (
            lambda by: finding_services.inspection_edit(
                by=by,
                inspection=fresh(w["action"].finding.inspection),
                revisit_on=datetime.date(2026, 3, 2),
                reason="Revisit date from HMICFRS's letter",
            )
        ),
        "Revisit date from HMICFRS's letter",
    ),
    "actions.inspection_record_response": (
        "opcc",
        lambda w: (
            lambda by: finding_services.inspection_record_response(
                by=by,
                inspection=fresh(w["action"].finding.inspection),
                published_on=datetime.date(2025, 2, 3),
            )
        ),
        "Response recorded as published on 3 February 2025",
    ),
    "actions.inspection_set_previous": (
        "opcc",
        lambda w: (
            lambda pair: (
                lambda by: finding_services.inspection_set_previous(
                    by=by,
                    inspection=pair[0].inspection,
                    previous=pair[1].inspection,
                    reason="The last PEEL round",
                )
            )
        )(renamed_area(w, linked=False)),
        "The last PEEL round",
    ),
    "actions.graded_areas_map_predecessors": (
        "opcc",
        lambda w: (
            lambda area: (
                lambda by: finding_services.graded_areas_map_predecessors(
                    by=by, inspection=area.inspection, reason="Mapped to the previous inspection"
                )
            )
        )(renamed_area(w, linked=True)[0]),
        "Mapped to the previous inspection",
    ),
    "actions.graded_area_set_predecessor": (
        "opcc",
        lambda w: (
            lambda pair: (
                lambda by: finding_services.graded_area_set_predecessor(
                    by=by, area=pair[0], predecessor=pair[1], reason="Same area, renamed"
                )
            )
        )(renamed_area(w, linked=True)),
        "Same area, renamed",
    ),
    "actions.graded_area_create": (
        "opcc",
        lambda w: (
            lambda by: finding_services.graded_area_create(
                by=by, inspection=w["action"].finding.inspection, name="Leadership", grade="good"
            )
        ),
        None,
    ),
    "actions.finding_create": (
        "opcc",
        lambda w: (
            lambda by: finding_services.finding_create(
                by=by,
                inspection=w["action"].finding.inspection,
                kind="afi",
                reference="AFI 9",
                text="The force should answer 999 calls faster.",
            )
        ),
        None,
    ),
    "actions.finding_edit": (
        "opcc",
        lambda w: (
            lambda by: finding_services.finding_edit(
                by=by, finding=fresh(w["action"].finding), text="Reworded."
            )
        ),
        "Edited",
    ),
    "actions.finding_set_external_status": (
        "opcc",
        lambda w: (
            lambda by: finding_services.finding_set_external_status(
                by=by,
                finding=fresh(w["action"].finding),
                status="discharged",
                on=datetime.date(2025, 1, 1),
                note="Letter of 1 January",
            )
        ),
        "Letter of 1 January",
    ),
    "actions.finding_record_no_action_reason": (
        "opcc",
        lambda w: (
            lambda by: finding_services.finding_record_no_action_reason(
                by=by, finding=fresh(w["action"].finding), reason="National programme covers it"
            )
        ),
        "National programme covers it",
    ),
    "actions.action_create": (
        "opcc",
        lambda w: (
            lambda by: services.action_create(
                by=by, finding=w["action"].finding, title="New action", deadline=LATER
            )
        ),
        "Created",
    ),
    "actions.action_share": (
        "opcc",
        lambda w: shared(w, ForceFactory()),
        "Joint unit",
    ),
    "actions.action_unshare": (
        "opcc",
        lambda w: shared_then_unshared(w),
        "Unit disbanded",
    ),
    "actions.finding_share": ("opcc", finding_shared, "Joint unit"),
    "actions.finding_unshare": ("opcc", finding_shared_then_unshared, "Unit disbanded"),
    "actions.share_with_finding_partners": (
        "opcc",
        new_action_of_a_shared_finding,
        "with its finding: Joint unit",
    ),
    "actions.action_assign": (
        "opcc",
        lambda w: (
            lambda by: services.action_assign(
                by=by, action=fresh(w["action"]), owner=w["owner"], opcc_lead=w["opcc2"]
            )
        ),
        "Assigned",
    ),
    "actions.action_bulk_assign": (
        "opcc",
        lambda w: (
            lambda by: services.action_bulk_assign(
                by=by, actions=[fresh(w["action"])], opcc_lead=w["opcc2"]
            )
        ),
        "Bulk-assigned",
    ),
    "actions.action_bulk_change_deadline": (
        "opcc",
        lambda w: (
            lambda by: bulk_services.action_bulk_change_deadline(
                by=by, actions=[fresh(w["action"])], deadline=LATER, reason="Moved together"
            )
        ),
        "Moved together",
    ),
    "actions.extension_request": (
        "owner",
        lambda w: (
            lambda by: extension_services.extension_request(
                by=by, action=fresh(w["action"]), requested_deadline=LATER, reason="Supplier late"
            )
        ),
        "requested",
    ),
    "actions.extension_approve": (
        "opcc",
        lambda w: (
            lambda request: lambda by: extension_services.extension_approve(by=by, request=request)
        )(
            extension_services.extension_request(
                by=w["owner"], action=fresh(w["action"]), requested_deadline=LATER, reason="Late"
            )
        ),
        "Extension approved: Late",
    ),
    "actions.extension_decline": (
        "opcc",
        lambda w: (
            lambda request: (
                lambda by: extension_services.extension_decline(
                    by=by, request=request, decision_reason="Not justified"
                )
            )
        )(
            extension_services.extension_request(
                by=w["owner"], action=fresh(w["action"]), requested_deadline=LATER, reason="Late"
            )
        ),
        "declined: Not justified",
    ),
    "actions.action_edit": (
        "opcc",
        lambda w: (
            lambda by: services.action_edit(
                by=by, action=fresh(w["action"]), title="Renamed", description=""
            )
        ),
        "Edited",
    ),
    "actions.action_post_update": (
        "owner",
        lambda w: (
            lambda by: services.action_post_update(
                by=by,
                action=fresh(w["action"]),
                narrative="Half done.",
                status=Status.IN_PROGRESS,
                rag=Rag.AMBER,
                percent_complete=50,
            )
        ),
        "Progress update",
    ),
    "actions.action_propose_closure": (
        "owner",
        lambda w: (
            lambda by: services.action_propose_closure(
                by=by, action=fresh(w["action"]), narrative="All done."
            )
        ),
        None,
    ),
    "actions.action_change_deadline": (
        "opcc",
        lambda w: (
            lambda by: services.action_change_deadline(
                by=by, action=fresh(w["action"]), deadline=LATER, reason="Auditor ill"
            )
        ),
        "Auditor ill",
    ),
    "actions.action_close": (
        "opcc",
        lambda w: (
            lambda action: (
                lambda by: services.action_close(
                    by=by, action=action, closure_summary="Working well"
                )
            )
        )(proposed(w)),
        "Working well",
    ),
    "actions.action_sustain": (
        "opcc",
        lambda w: (
            lambda action: (
                lambda by: services.action_sustain(
                    by=by, action=action, until=LATER, reason="Watch the summer peak"
                )
            )
        )(proposed(w)),
        "Watch the summer peak",
    ),
    "actions.action_reopen": (
        "opcc",
        lambda w: (
            lambda action: (
                lambda by: services.action_reopen(
                    by=by,
                    action=action,
                    reason="Plan not followed",
                    rag="amber",
                    percent_complete=60,
                )
            )
        )(closed(w)),
        "Plan not followed",
    ),
    "actions.action_block": (
        "owner",
        lambda w: (
            lambda by: services.action_block(by=by, action=fresh(w["action"]), reason="No trainers")
        ),
        None,  # the reason is the update's narrative, checked in test_blocking_keeps_its_reason
    ),
    "actions.evidence_add": (
        "owner",
        lambda w: (
            lambda by: evidence_services.evidence_add(
                by=by, action=fresh(w["action"]), kind="note", title="Dip sample", note="94%"
            )
        ),
        "Evidence submitted",
    ),
    "actions.evidence_assure": (
        "opcc",
        lambda w: (
            lambda by: evidence_services.evidence_assure(
                by=by, evidence=w["evidence"], note="Checked the sample"
            )
        ),
        "Checked the sample",
    ),
    "actions.action_return": (
        "opcc",
        lambda w: (
            lambda action: (
                lambda by: evidence_services.action_return(
                    by=by, action=action, reason="Need the audit"
                )
            )
        )(proposed(w)),
        "Need the audit",
    ),
    "actions.evidence_return": (
        "opcc",
        lambda w: (
            lambda by: evidence_services.evidence_return(
                by=by, evidence=w["evidence"], reason="Only one month sampled"
            )
        ),
        "Only one month sampled",
    ),
    "actions.report_import": (
        "opcc",
        lambda w: (
            lambda by: import_services.report_import(
                by=by,
                force=w["force"],
                title="PEEL 2027",
                kind="peel",
                published_on=datetime.date(2027, 1, 1),
                graded_areas=[{"name": "Investigating crime", "grade": "good"}],
                findings=[
                    {
                        "kind": "afi",
                        "reference": "AFI 1",
                        "area": "Investigating crime",
                        "parent": None,
                        "text": "The force should supervise investigations.",
                        "repeats": [],
                    }
                ],
                source_name="peel-2027.pdf",
            )
        ),
        "Imported from peel-2027.pdf",
    ),
    "actions.finding_link_repeat": (
        "opcc",
        lambda w: (
            lambda earlier: (
                lambda by: import_services.finding_link_repeat(
                    by=by, finding=fresh(w["action"].finding), earlier=earlier
                )
            )
        )(earlier_finding(w)),
        "Linked as a repeat",
    ),
    "actions.finding_unlink_repeat": (
        "opcc",
        lambda w: (
            lambda earlier: (
                import_services.finding_link_repeat(
                    by=w["opcc"], finding=fresh(w["action"].finding), earlier=earlier
                ),
                lambda by: import_services.finding_unlink_repeat(
                    by=by, finding=fresh(w["action"].finding), earlier=earlier
                ),
            )[1]
        )(earlier_finding(w)),
        "Unlinked from",
    ),
    "reports.meeting_create": (
        "opcc",
        lambda w: (
            lambda by: report_services.meeting_create(
                by=by, kind="apm", title="APM June", starts_at=timezone.now()
            )
        ),
        "Created",
    ),
    "reports.meeting_edit": (
        "opcc",
        lambda w: (
            lambda by: report_services.meeting_edit(
                by=by, meeting=fresh(w["meeting"]), inspections=[], title="APM (moved)"
            )
        ),
        "Edited",
    ),
    "reports.question_create": (
        "opcc",
        lambda w: (
            lambda by: report_services.question_create(
                by=by, meeting=w["meeting"], text="Will 999 times improve?"
            )
        ),
        "Raised",
    ),
    "reports.question_edit": (
        "opcc",
        lambda w: (
            lambda by: report_services.question_edit(
                by=by,
                question=fresh(w["question"]),
                text="Will 999 times improve?",
                kind="question",
                owner=None,
                owner_role_title="",
                due_on=None,
                answer="Yes, by June.",
            )
        ),
        "Answered",
    ),
    "reports.pack_generate": (
        "opcc",
        lambda w: lambda by: report_services.pack_generate(by=by, meeting=w["meeting"], pdf=False),
        "Generated version",
    ),
    "reports.pack_save_narratives": (
        "opcc",
        lambda w: (
            lambda pack: (
                lambda by: report_services.pack_save_narratives(
                    by=by, pack=pack, narratives={"overall": "Good progress."}
                )
            )
        )(draft_pack(w)),
        "Panel paper edited",
    ),
    "reports.inspection_edit_for_public": (
        "opcc",
        lambda w: (
            lambda by: report_services.inspection_edit_for_public(
                by=by,
                inspection=w["action"].finding.inspection,
                public_progress=True,
                inspector_summary="",
            )
        ),
        "Public progress page switched on",
    ),
    "reports.pack_publish": (
        "opcc",
        lambda w: (
            lambda pack: lambda by: report_services.pack_publish(by=by, pack=pack, public=True)
        )(draft_pack(w)),
        "Published",
    ),
    "reports.pack_set_public": (
        "opcc",
        lambda w: (
            lambda pack: (
                lambda by: report_services.pack_set_public(
                    by=by, pack=pack, public=True, reason="Panel agreed"
                )
            )
        )(published_pack(w)),
        "Panel agreed",
    ),
    "reports.pack_request_pdf": (
        "opcc",
        lambda w: (
            lambda pack: lambda by: report_services.pack_request_pdf(by=by, pack=pack, force=True)
        )(draft_pack(w)),
        "PDF requested",
    ),
    "reports.pack_store_pdf": (
        "opcc",
        lambda w: (
            lambda pack: (
                lambda by: report_services.pack_store_pdf(
                    by=by,
                    pack_id=pack.pk,
                    content=b"%PDF-1.4",
                    rendered_from=report_services.pdf_inputs(pack),
                )
            )
        )(draft_pack(w)),
        "PDF generated",
    ),
    "reports.pack_pdf_failed": (
        "opcc",
        lambda w: (lambda pack: lambda by: report_services.pack_pdf_failed(by=by, pack_id=pack.pk))(
            draft_pack(w)
        ),
        "PDF generation failed",
    ),
}
# Public functions that write nothing: a permission check and a read.
NOT_WRITES = {
    # Writes only outbox rows (the notices to owners), not audited data.
    "actions.action_bulk_request_update",
    "actions.check_finding_links",
    # Reads the shipped mapping of renamed areas.
    "actions.predecessor_for",
    "actions.require_worker",
    # The national view's figures: derived from published data, replaced whole, no history;
    # and the queueing of their refresh.
    "reports.national_figures_refresh",
    "reports.national_figures_request",
    "reports.pdf_inputs",
    "reports.queue_national_refresh",
    "reports.queue_pack_pdf",
    "tracker.apply_changes",
    "tracker.require_change",
    "tracker.require_finding_change",
    "tracker.require_opcc_staff",
    "tracker.require_sees_force",
    "tracker.require_text",
}


def public_functions():
    modules = (
        ("actions", services),
        ("actions", bulk_services),
        ("actions", collaboration_services),
        ("actions", evidence_services),
        ("actions", extension_services),
        ("actions", finding_services),
        ("actions", import_services),
        ("reports", report_services),
        ("tracker", audit),
    )
    for prefix, module in modules:
        for name, obj in inspect.getmembers(module, inspect.isfunction):
            if obj.__module__ == module.__name__ and not name.startswith("_"):
                yield f"{prefix}.{name}"


def test_every_service_function_is_exercised_here():
    assert set(public_functions()) - NOT_WRITES == set(WRITES)


def history_models():
    from django.apps import apps

    # The history of each audited model (not the m2m link tables, whose rows hang off these).
    return [
        m
        for m in apps.get_models()
        if issubclass(m, HistoricalChanges)
        and any(f.name == "history_user" for f in m._meta.fields)
    ]


def newest_history_ids():
    return {
        model: model.objects.order_by("-history_id").values_list("history_id", flat=True).first()
        or 0
        for model in history_models()
    }


def history_since(marks):
    rows = []
    for model, last in marks.items():
        rows += list(model.objects.filter(history_id__gt=last))
    return rows


@pytest.fixture
def world(action, owner, opcc_officer, second_opcc_officer, force):
    evidence = EvidenceFactory(action=action, kind="note", submitted_by=owner)
    meeting = MeetingFactory()
    meeting.inspections.add(action.finding.inspection)
    return {
        "action": action,
        "owner": owner,
        "opcc": opcc_officer,
        "opcc2": second_opcc_officer,
        "force": force,
        "evidence": evidence,
        "meeting": meeting,
        "question": QuestionFactory(meeting=meeting),
    }


@pytest.mark.parametrize("name", sorted(WRITES))
def test_each_service_write_leaves_history_with_the_user_and_reason(name, world):
    who, setup, reason = WRITES[name]
    call = setup(world)
    marks = newest_history_ids()
    call(world[who])
    rows = history_since(marks)
    assert rows, f"{name} wrote no history"
    for row in rows:
        assert row.history_user_id == world[who].pk, (name, row)
    if reason is not None:
        reasons = [row.history_change_reason or "" for row in rows]
        assert any(reason in text for text in reasons), (name, reasons)


def test_blocking_keeps_its_reason(world):
    services.action_block(by=world["owner"], action=fresh(world["action"]), reason="No trainers")
    action = fresh(world["action"])
    assert action.status == Status.BLOCKED
    update = action.updates.get()
    assert update.narrative == "No trainers"
    assert update.history.get().history_user == world["owner"]


# The admin site: superusers may add, change and delete audited rows directly; each is recorded
# under their name with a reason saying it was done in the admin site.
ADMIN_CHANGES = [
    (
        Force,
        lambda w: w["force"],
        {"name": "Hertfordshire Constabulary", "monitoring_phase": "scan"},
    ),
    (Meeting, lambda w: w["meeting"], None),
    (Question, lambda w: w["question"], None),
    (Inspection, lambda w: w["action"].finding.inspection, None),
    (Finding, lambda w: w["action"].finding, None),
    (Action, lambda w: w["action"], None),
    (Evidence, lambda w: w["evidence"], None),
]


class BrowserForm(HTMLParser):
    """The admin form's fields as a browser would submit them back, unchanged."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"file", "submit", "button"}:
            if attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.add(name, attrs.get("value", "on"))
            else:
                self.add(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.add(self._select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.add(name, "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the one newline that follows <textarea>.
            value = self.data[self._textarea][-1]
            self.data[self._textarea][-1] = value[1:] if value.startswith("\n") else value
            self._textarea = None


def admin_form_data(client, url):
    page = client.get(url)
    assert page.status_code == 200, url
    parser = BrowserForm()
    parser.feed(page.content.decode())
    data = {name: values for name, values in parser.data.items() if values}
    data["_save"] = "Save"
    return data


@pytest.mark.parametrize(("model", "get"), [(m, g) for m, g, _ in ADMIN_CHANGES])
def test_an_admin_change_form_save_is_in_the_history_with_user_and_reason(
    model, get, world, client
):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    obj = get(world)
    info = model._meta.app_label, model._meta.model_name
    url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
    marks = newest_history_ids()
    response = client.post(url, admin_form_data(client, url))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rows = [r for r in history_since(marks) if r.instance_type is model]
    assert rows, f"saving {model.__name__} in the admin wrote no history"
    for row in rows:
        assert row.history_user == superuser
        assert row.history_change_reason == "Changed in the admin site"


def test_an_admin_add_and_delete_are_in_the_history_with_user_and_reason(world, client):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    add = reverse("admin:actions_force_add")
    # The add page starts at the deployment's only office.
    office = client.get(add).context["adminform"].form["office"].value()
    assert office == world["force"].office_id
    added = client.post(add, {"name": "Kent Police", "office": office, "monitoring_phase": "scan"})
    assert added.status_code == 302
    kent = Force.objects.get(name="Kent Police")
    row = kent.history.get()
    assert (row.history_user, row.history_change_reason) == (superuser, "Added in the admin site")
    deleted = client.post(reverse("admin:actions_force_delete", args=[kent.pk]), {"post": "yes"})
    assert deleted.status_code == 302
    row = Force.history.filter(id=kent.pk).latest("history_id")
    assert row.history_type == "-"
    assert (row.history_user, row.history_change_reason) == (
        superuser,
        "Deleted in the admin site",
    )


def test_every_audited_model_in_the_admin_records_who_and_why():
    audited = {getattr(m, "instance_type", None) for m in history_models()} - {None}
    offered = [model for model in audited if model in admin.site._registry]
    assert {Force, Inspection, Finding, Action, Evidence, Meeting, Question} <= set(offered)
    for model in offered:
        assert isinstance(admin.site._registry[model], AuditedAdmin), model
