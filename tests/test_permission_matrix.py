"""Every URL of the project, for every role, with GET and (where the view takes it) POST.

The URL list comes from the resolver, so a new view without a row in MATRIX fails
`test_every_url_pattern_has_a_row`. Each role's requests run against one world (two forces,
their actions and evidence, a meeting with a draft and a published pack, an import waiting in
the OPCC officer's session); every request runs in a transaction that is rolled back, so a POST
cannot change what the next request sees. Besides the status code, every text response a role
gets is searched for what that role must never see (IDOR): another force's action titles, action
and evidence ids, and the draft pack's id.

Roles: anon (signed out), panel (Panel member), owner (owns the action the URL names),
other (an action owner of another force), opcc (OPCC staff), admin (administrator), opcc_b
(OPCC staff of another office, tests/office_b.py: its own force, action, evidence, meeting and
draft pack, which no other role may find in a page), national (a national reader with no office:
/national/ and the public pages only; the workspace, the Panel's packs and the API are 403).
Objects in the URL are the owner's force's (office A's) unless the row's target says otherwise.
Rules (tracker/roles.py): signed out -> 302 to sign-in; a role without the page -> 403; an
object the role may not see -> 404 as if it did not exist; a draft pack to the Panel -> 404.
(tests/reports/test_permissions_reports.py runs the reports URLs with a second office.)
"""

import datetime
import uuid

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from simple_history.models import HistoricalChanges

from actions import extension_services
from actions.models import Evidence
from reports import services as report_services
from reports.models import BriefingPack
from tests.api.conftest import api_token
from tests.factories import (
    ActionFactory,
    EvidenceFactory,
    MeetingFactory,
    QuestionFactory,
    persona,
)
from tests.office_b import office_b
from tracker import heartbeat, roles
from tracker import services as tracker_services
from tracker.models import AccessToken

pytestmark = pytest.mark.django_db

# name: the URL name (admin: the whole admin site, see ADMIN_ROWS). `target` names the object in
# the URL where a view has more than one kind (pack: draft or published).
MATRIX = """
name                          target    method anon panel owner other opcc admin opcc_b national
home                          -         GET  200  200   302   302   302  200   302    302
health                        -         GET  200  200   200   200   200  200   200    200
login                         -         GET  200  200   200   200   200  200   200    200
login                         -         POST 200  200   200   200   200  200   200    200
logout                        -         POST 302  302   302   302   302  302   302    302
password_change               -         GET  302  200   200   200   200  200   200    200
password_change               -         POST 302  200   200   200   200  200   200    200
password_change_done          -         GET  302  200   200   200   200  200   200    200
password_reset                -         GET  200  200   200   200   200  200   200    200
password_reset                -         POST 200  200   200   200   200  200   200    200
password_reset_done           -         GET  200  200   200   200   200  200   200    200
password_reset_confirm        -         GET  200  200   200   200   200  200   200    200
password_reset_confirm        -         POST 200  200   200   200   200  200   200    200
password_reset_complete       -         GET  200  200   200   200   200  200   200    200
account                       -         GET  302  200   200   200   200  200   200    200
email_preferences             -         GET  302  200   200   200   200  200   200    200
email_preferences             -         POST 302  302   302   302   302  302   302    302
two_factor_setup              -         GET  302  200   200   200   200  200   200    200
two_factor_setup              -         POST 302  200   200   200   200  200   200    200
two_factor_verify             -         GET  302  200   200   200   200  200   200    200
two_factor_verify             -         POST 302  200   200   200   200  200   200    200
admin                         -         GET  302  302   302   302   302  200   302    302
actions:dashboard             -         GET  302  403   200   200   200  403   200    403
actions:list                  -         GET  302  403   200   200   200  403   200    403
actions:export_csv            -         GET  302  403   200   200   200  403   200    403
actions:export_xlsx           -         GET  302  403   200   200   200  403   200    403
actions:bulk_assign           -         POST 302  403   403   403   200  403   200    403
actions:bulk_request_update   -         POST 302  403   403   403   200  403   200    403
actions:bulk_deadline         -         POST 302  403   403   403   200  403   200    403
actions:extension_request     -         GET  302  403   200   404   403  403   404    403
actions:extension_request     -         POST 302  403   200   404   403  403   404    403
actions:extension_decide      -         GET  302  403   403   404   200  403   404    403
actions:extension_decide      -         POST 302  403   403   404   200  403   404    403
actions:detail                -         GET  302  403   200   404   200  403   404    403
actions:history               -         GET  302  403   200   404   200  403   404    403
actions:edit                  -         GET  302  403   403   404   200  403   404    403
actions:edit                  -         POST 302  403   403   404   200  403   404    403
actions:assign                -         GET  302  403   403   404   200  403   404    403
actions:assign                -         POST 302  403   403   404   302  403   404    403
actions:deadline              -         GET  302  403   403   404   200  403   404    403
actions:deadline              -         POST 302  403   403   404   200  403   404    403
actions:share                 -         GET  302  403   403   404   200  403   404    403
actions:share                 -         POST 302  403   403   404   200  403   404    403
actions:unshare               -         GET  302  403   403   404   200  403   404    403
actions:unshare               -         POST 302  403   403   404   200  403   404    403
actions:update                -         GET  302  403   200   404   200  403   404    403
actions:update                -         POST 302  403   200   404   200  403   404    403
actions:propose               -         GET  302  403   200   404   200  403   404    403
actions:propose               -         POST 302  403   200   404   200  403   404    403
actions:close                 -         GET  302  403   403   404   200  403   404    403
actions:close                 -         POST 302  403   403   404   200  403   404    403
actions:sustain               -         GET  302  403   403   404   200  403   404    403
actions:sustain               -         POST 302  403   403   404   200  403   404    403
actions:reopen                -         GET  302  403   403   404   200  403   404    403
actions:reopen                -         POST 302  403   403   404   200  403   404    403
actions:evidence_add          -         GET  302  403   200   404   200  403   404    403
actions:evidence_add          -         POST 302  403   200   404   200  403   404    403
actions:evidence_assure       -         GET  302  403   403   404   200  403   404    403
actions:evidence_assure       -         POST 302  403   403   404   200  403   404    403
actions:evidence_return       -         GET  302  403   403   404   200  403   404    403
actions:evidence_return       -         POST 302  403   403   404   200  403   404    403
actions:return                -         GET  302  403   403   404   200  403   404    403
actions:return                -         POST 302  403   403   404   200  403   404    403
actions:evidence_download     -         GET  302  403   200   404   200  403   404    403
actions:inspections           -         GET  302  403   200   200   200  403   200    403
actions:inspection            -         GET  302  403   200   404   200  403   404    403
actions:inspection_create     -         GET  302  403   403   403   200  403   200    403
actions:inspection_create     -         POST 302  403   403   403   200  403   200    403
actions:inspection_edit       -         GET  302  403   403   403   200  403   404    403
actions:inspection_edit       -         POST 302  403   403   403   200  403   404    403
actions:inspection_response   -         GET  302  403   403   403   200  403   404    403
actions:inspection_response   -         POST 302  403   403   403   200  403   404    403
actions:finding_create        -         GET  302  403   403   404   200  403   404    403
actions:finding_create        -         POST 302  403   403   404   200  403   404    403
actions:finding               -         GET  302  403   200   404   200  403   404    403
actions:finding_share         -         GET  302  403   403   404   200  403   404    403
actions:finding_share         -         POST 302  403   403   404   200  403   404    403
actions:finding_unshare       -         GET  302  403   403   404   200  403   404    403
actions:finding_unshare       -         POST 302  403   403   404   200  403   404    403
actions:finding_edit          -         GET  302  403   403   404   200  403   404    403
actions:finding_edit          -         POST 302  403   403   404   200  403   404    403
actions:area_predecessor      -         GET  302  403   403   404   200  403   404    403
actions:area_predecessor      -         POST 302  403   403   404   200  403   404    403
actions:finding_external_status -       GET  302  403   403   404   200  403   404    403
actions:finding_external_status -       POST 302  403   403   404   200  403   404    403
actions:finding_repeat        -         POST 302  403   403   404   302  403   404    403
actions:action_create         -         GET  302  403   403   404   200  403   404    403
actions:action_create         -         POST 302  403   403   404   200  403   404    403
actions:import_start          -         GET  302  403   403   403   200  403   200    403
actions:import_start          -         POST 302  403   403   403   200  403   200    403
actions:import_review         -         GET  302  403   403   403   302  403   302    403
actions:import_review         -         POST 302  403   403   403   302  403   302    403
actions:import_discard        -         POST 302  403   403   403   302  403   302    403
imports:start                 -         GET  302  403   403   403   200  403   200    403
imports:start                 -         POST 302  403   403   403   200  403   200    403
imports:template_csv          -         GET  302  403   403   403   200  403   200    403
imports:template_xlsx         -         GET  302  403   403   403   200  403   200    403
imports:columns               -         GET  302  403   403   403   200  403   200    403
imports:columns               -         POST 302  403   403   403   200  403   200    403
imports:preview               -         GET  302  403   403   403   200  403   200    403
imports:confirm               -         POST 302  403   403   403   302  403   302    403
imports:done                  -         GET  302  403   403   403   302  403   302    403
imports:skipped               -         GET  302  403   403   403   200  403   200    403
api:inspection-list           -         GET  401  403   200   200   200  403   200    403
api:inspection-detail         -         GET  401  403   200   404   200  403   404    403
api:graded-area-list          -         GET  401  403   200   200   200  403   200    403
api:graded-area-detail        -         GET  401  403   200   404   200  403   404    403
api:finding-list              -         GET  401  403   200   200   200  403   200    403
api:finding-detail            -         GET  401  403   200   404   200  403   404    403
api:action-list               -         GET  401  403   200   200   200  403   200    403
api:action-list               -         POST 401  403   405   405   405  403   405    403
api:action-detail             -         GET  401  403   200   404   200  403   404    403
api:meeting-list              -         GET  401  200   200   200   200  403   200    403
api:meeting-detail            -         GET  401  200   200   404   200  403   404    403
api:pack-list                 -         GET  401  200   403   403   200  403   200    403
api:pack-detail               draft     GET  401  404   403   403   404  403   404    403
api:pack-detail               published GET  401  200   403   403   200  403   404    403
api:schema                    -         GET  200  200   200   200   200  200   200    200
api:calendar_mine             -         GET  404  200   200   200   200  404   200    404
api:calendar_opcc             -         GET  404  404   404   404   200  404   200    404
api:access                    -         GET  302  200   200   200   200  200   200    200
api:access_issue              -         POST 302  200   200   200   200  403   200    403
api:access_revoke             -         POST 302  302   302   302   302  302   302    302
reports:national              -         GET  302  403   403   403   403  403   403    200
reports:meetings              -         GET  302  200   200   200   200  403   200    403
reports:meeting_create        -         GET  302  403   403   403   200  403   200    403
reports:meeting_create        -         POST 302  403   403   403   200  403   200    403
reports:meeting_detail        -         GET  302  403   403   403   200  403   404    403
reports:meeting_edit          -         GET  302  403   403   403   200  403   404    403
reports:meeting_edit          -         POST 302  403   403   403   200  403   404    403
reports:question_create       -         GET  302  403   403   403   200  403   404    403
reports:question_create       -         POST 302  403   403   403   200  403   404    403
reports:question_edit         -         GET  302  403   403   403   200  403   404    403
reports:question_edit         -         POST 302  403   403   403   200  403   404    403
reports:pack_generate         -         POST 302  403   403   403   302  403   404    403
reports:published             -         GET  302  200   200   200   200  403   200    403
reports:pack                  draft     GET  302  404   404   404   200  403   404    403
reports:pack                  published GET  302  200   200   404   200  403   404    403
reports:pack_narratives       draft     GET  302  403   403   403   200  403   404    403
reports:pack_narratives       draft     POST 302  403   403   403   302  403   404    403
reports:pack_publish          draft     GET  302  403   403   403   200  403   404    403
reports:pack_publish          draft     POST 302  403   403   403   302  403   404    403
reports:pack_public           published GET  302  403   403   403   200  403   404    403
reports:pack_public           published POST 302  403   403   403   200  403   404    403
reports:pack_retry_pdf        draft     POST 302  403   403   403   302  403   404    403
reports:pack_pdf              draft     GET  302  404   404   404   200  403   404    403
reports:pack_pdf              published GET  302  200   200   404   200  403   404    403
reports:pack_csv              draft     GET  302  404   404   404   200  403   404    403
reports:pack_csv              published GET  302  200   200   404   200  403   404    403
reports:pack_xlsx             draft     GET  302  404   404   404   200  403   404    403
reports:pack_xlsx             published GET  302  200   200   404   200  403   404    403
reports:inspection_public_progress -    GET  302  403   403   403   200  403   404    403
reports:inspection_public_progress -    POST 302  403   403   403   302  403   404    403
reports:public_progress       -         GET  200  200   200   200   200  200   200    200
reports:public_progress_history -       GET  200  200   200   200   200  200   200    200
reports:public_progress_feed  -         GET  200  200   200   200   200  200   200    200
reports:public_list           -         GET  200  200   200   200   200  200   200    200
reports:moved_public_list     -         GET  200  200   200   200   200  200   200    200
reports:public_office         -         GET  200  200   200   200   200  200   200    200
reports:moved_public_progress -         GET  302  302   302   302   302  302   302    302
reports:moved_public_progress_history - GET  302  302   302   302   302  302   302    302
reports:moved_public_progress_feed -    GET  302  302   302   302   302  302   302    302
reports:moved_public_pack     published GET  302  302   302   302   302  302   302    302
reports:moved_public_pack     draft     GET  404  404   404   404   404  404   404    404
reports:moved_public_pack_pdf published GET  302  302   302   302   302  302   302    302
reports:moved_public_pack_csv published GET  302  302   302   302   302  302   302    302
reports:moved_public_pack_xlsx published GET 302  302   302   302   302  302   302    302
reports:public_pack           published GET  200  200   200   200   200  200   200    200
reports:public_pack           draft     GET  404  404   404   404   404  404   404    404
reports:public_pack_pdf       published GET  200  200   200   200   200  200   200    200
reports:public_pack_csv       published GET  200  200   200   200   200  200   200    200
reports:public_pack_xlsx      published GET  200  200   200   200   200  200   200    200
"""
ROLES = MATRIX.split()[3:11]
# 302s that are not a sign-in: the admin's own, signing out, and the public pages' redirects
# (/public/ to the one office's page; the addresses from before offices to the office's).
PUBLIC_REDIRECTS = {"admin", "logout", "reports:public_list"} | {
    row.split()[0] for row in MATRIX.splitlines() if row.startswith("reports:moved_")
}
ROWS = [line.split() for line in MATRIX.strip().splitlines()[1:]]

# The admin site is Django's own: one row above (its index) stands for all its URLs, and these
# check that an administrator reaches what they administer and nothing else.
ADMIN_ROWS = [
    ("admin:index", 200),
    ("admin:tracker_securityevent_changelist", 200),
    ("admin:actions_reminder_changelist", 200),
    ("admin:actions_action_changelist", 403),
    ("admin:reports_briefingpack_changelist", 403),
]


def url_routes(patterns=None, namespace="", route=""):
    """Every named URL of the project, as ("namespace:name", route), from the resolver."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            if inner == "admin":
                yield "admin", "admin/"  # Django's admin site: one row, and ADMIN_ROWS below
                continue
            prefix = f"{namespace}:{inner}" if namespace and inner else namespace or inner
            yield from url_routes(pattern.url_patterns, prefix, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL {pattern.pattern} has no name, so no row can name it"
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, route + str(pattern.pattern)


ROUTES = dict(url_routes())


def test_every_url_pattern_has_a_row():
    names = set(ROUTES)
    covered = {row[0] for row in ROWS}
    assert names == covered, {
        "no row": sorted(names - covered),
        "no such URL": sorted(covered - names),
    }
    assert len(names) > 80


def audited_counts():
    """Rows in every audited table and its history."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if issubclass(model, HistoricalChanges) or hasattr(model, "history")
    }


def csv_upload(action):
    inspection = action.finding.inspection
    text = (
        "Inspection,Finding reference,Action title,Deadline,Status\n"
        f"{inspection.title},{action.finding.reference},{action.title},01/01/2031,In progress\n"
    )
    return SimpleUploadedFile("plan.csv", text.encode())


def document(action, by, text):
    return EvidenceFactory(
        action=action,
        kind=Evidence.Kind.DOCUMENT,
        title=f"Evidence for {action.title}",
        note="",
        submitted_by=by,
        original_filename="plan.txt",
        content_type="text/plain",
        file=ContentFile(text.encode(), name="plan.txt"),
    )


def with_pdf(pack):
    pack.pdf.save("v.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    pack.pdf_status = BriefingPack.PdfStatus.READY
    pack.save()
    return pack


@pytest.fixture
def world(action, owner, opcc_officer, other_force, other_force_owner, panel_member, administrator):
    heartbeat.heartbeat_record()  # a sweep has run, so /health/ answers 200
    action.title = "Hertfordshire supervision audit"
    action.save()
    evidence = document(action, owner, "The plan.")
    other_action = ActionFactory(
        finding__inspection__force=other_force,
        owner=other_force_owner,
        title="Bedfordshire custody review",
    )
    other_evidence = document(other_action, other_force_owner, "Beds plan.")
    meeting = MeetingFactory(starts_at=datetime.datetime(2030, 1, 10, 10, tzinfo=datetime.UTC))
    meeting.inspections.add(action.finding.inspection)
    question = QuestionFactory(meeting=meeting, owner=owner)
    draft = with_pdf(report_services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False))
    published = BriefingPack.objects.create(
        meeting=meeting,
        version=2,
        generated_at=draft.generated_at,
        generated_by=opcc_officer,
        snapshot=draft.snapshot,
    )
    published = with_pdf(report_services.pack_publish(by=opcc_officer, pack=published, public=True))
    people = {
        "anon": None,
        "panel": panel_member,
        "owner": owner,
        "other": other_force_owner,
        "opcc": opcc_officer,
        "admin": administrator,
    }
    b = office_b()
    people["opcc_b"] = b.officer
    # A national reader (HMICFRS liaison): no office, reads /national/ and the public pages only.
    people["national"] = persona(roles.NATIONAL_READER, username="national", office=None)
    b_draft = report_services.pack_generate(by=b.officer, meeting=b.meeting, pdf=False)
    finding, inspection = action.finding, action.finding.inspection
    office = inspection.force.office
    extension = extension_services.extension_request(
        by=owner,
        action=action,
        requested_deadline=action.deadline + datetime.timedelta(days=30),
        reason="The supplier is late.",
    )
    # Its live public progress page is on: anyone reads it, and it must leak nothing.
    inspection.public_progress = True
    inspection.save()
    kwargs = {
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "actions:bulk_assign": {},
        "actions:bulk_request_update": {},
        "actions:bulk_deadline": {},
        "actions:extension_decide": {"pk": extension.pk},
        "actions:evidence_assure": {"pk": evidence.pk},
        "actions:evidence_return": {"pk": evidence.pk},
        "actions:evidence_download": {"pk": evidence.pk},
        "actions:inspection": {"pk": inspection.pk},
        "actions:inspection_edit": {"pk": inspection.pk},
        "actions:inspection_response": {"pk": inspection.pk},
        "actions:finding_create": {"inspection_pk": inspection.pk},
        "actions:finding": {"pk": finding.pk},
        "actions:finding_edit": {"pk": finding.pk},
        "actions:finding_share": {"pk": finding.pk},
        "actions:finding_unshare": {"pk": finding.pk},
        "actions:finding_external_status": {"pk": finding.pk},
        "actions:area_predecessor": {"pk": finding.area_id},
        "actions:finding_repeat": {"pk": finding.pk},
        "actions:action_create": {"finding_pk": finding.pk},
        "api:inspection-detail": {"pk": inspection.pk},
        "api:graded-area-detail": {"pk": finding.area_id},
        "api:finding-detail": {"pk": finding.pk},
        "api:action-detail": {"pk": action.pk},
        "api:meeting-detail": {"pk": meeting.pk},
        "api:access_issue": {"kind": AccessToken.Kind.CALENDAR},
        "api:access_revoke": {"kind": AccessToken.Kind.CALENDAR},
        "reports:meeting_detail": {"pk": meeting.pk},
        "reports:meeting_edit": {"pk": meeting.pk},
        "reports:question_create": {"meeting_pk": meeting.pk},
        "reports:question_edit": {"pk": question.pk},
        "reports:pack_generate": {"meeting_pk": meeting.pk},
        "reports:inspection_public_progress": {"pk": inspection.pk},
        "reports:public_office": {"office": office.slug},
        "reports:moved_public_progress": {"pk": inspection.pk},
        "reports:moved_public_progress_history": {"pk": inspection.pk},
        "reports:moved_public_progress_feed": {"pk": inspection.pk},
        "reports:public_progress": {"office": office.slug, "pk": inspection.pk},
        "reports:public_progress_history": {"office": office.slug, "pk": inspection.pk},
        "reports:public_progress_feed": {"office": office.slug, "pk": inspection.pk},
    }
    return {
        "people": people,
        "action": action,
        "b_action": b.action,
        "kwargs": kwargs,
        "packs": {"draft": draft, "published": published},
        # What each role must never find in a page: another force's actions and evidence, and
        # (for all but OPCC staff) the draft pack; office B's, for everyone but B's officer;
        # office A's, for B's officer.
        "secrets": {
            "owner": markers(
                [other_action, b.action], [other_evidence, b.evidence], draft, b_draft
            ),
            "other": markers([action, b.action], [evidence, b.evidence], draft, b_draft),
            "panel": markers(
                [action, other_action, b.action],
                [evidence, other_evidence, b.evidence],
                draft,
                b_draft,
            ),
            "anon": markers(
                [action, other_action, b.action],
                [evidence, other_evidence, b.evidence],
                draft,
                b_draft,
            ),
            "admin": markers(
                [action, other_action, b.action],
                [evidence, other_evidence, b.evidence],
                draft,
                b_draft,
            ),
            "national": markers(
                [action, other_action, b.action],
                [evidence, other_evidence, b.evidence],
                draft,
                b_draft,
            ),
            "opcc": markers([b.action], [b.evidence], b_draft),
            "opcc_b": markers([action, other_action], [evidence, other_evidence], draft),
        },
    }


def markers(actions, evidence, *drafts):
    """Ids (as the URLs that carry them) and titles a role must not see."""
    ids = [reverse("actions:detail", args=[a.pk]) for a in actions]
    ids += [reverse("actions:evidence_download", args=[e.pk]) for e in evidence]
    ids += [reverse("reports:pack", args=[draft.pk]) for draft in drafts]
    titles = [a.title for a in actions] + [e.title for e in evidence]
    return {"ids": ids, "titles": titles}


def url_for(name, target, role, world, token):
    """The row's URL for this role: its own calendar secret, its own pending import."""
    if name == "admin":
        return reverse("admin:index")
    if target in world["packs"]:
        pack = world["packs"][target]
        if name.startswith("reports:public_pack"):
            return reverse(name, args=[pack.meeting.office.slug, pack.uuid])
        return reverse(name, args=[pack.uuid if name.startswith("reports:moved_") else pack.pk])
    if name.startswith("api:calendar_"):
        user = world["people"][role]
        secret = "not-a-secret"
        if user is not None and roles.can_have_access_tokens(user):  # not admin, national
            secret = tracker_services.access_token_issue(user=user, kind=AccessToken.Kind.CALENDAR)
        return reverse(name, args=[secret])
    if name.startswith("imports:") and name not in {
        "imports:start",
        "imports:template_csv",
        "imports:template_xlsx",
    }:
        return reverse(name, args=[token])
    kwargs = world["kwargs"].get(name)
    if kwargs is None:
        pattern_takes_pk = "<int:pk>" in ROUTES[name]
        kwargs = {"pk": world["action"].pk} if pattern_takes_pk else {}
    return reverse(name, kwargs=kwargs)


def start_import(client, action):
    """An action-plan import waiting in this client's session; its token."""
    created = client.post(reverse("imports:start"), {"file": csv_upload(action)})
    assert created.status_code == 302, created.content[:500]
    return created["Location"].rstrip("/").split("/")[-2]


def request(client, method, url, role, world):
    headers = {}
    if url.startswith("/api/") and "/schema/" not in url and role != "anon":
        headers["Authorization"] = f"Token {api_token(world['people'][role])}"
    if method == "POST":
        return client.post(url, {}, headers=headers)
    return client.get(url, headers=headers)


def observe(role, world, client):
    """Run every row for one role; returns [(row, response, leaked markers, text body)]."""
    user = world["people"][role]
    token = uuid.uuid4().hex
    if user is not None:
        client.force_login(user)
        if role in ("opcc", "opcc_b"):
            # Each officer's import is a plan for their own office's action.
            token = start_import(client, world["action" if role == "opcc" else "b_action"])
    results = []
    for name, target, method, *_ in ROWS:
        cookies = client.cookies.__class__(client.cookies)
        with transaction.atomic():
            url = url_for(name, target, role, world, token)
            response = request(client, method, url, role, world)
            transaction.set_rollback(True)
        client.cookies = cookies  # signing out (logout) must not sign out the next row
        body = _text(response)
        secrets = world["secrets"][role]
        # A published pack is published: its action titles are meant for every reader.
        forbidden = secrets["ids"] + ([] if target == "published" else secrets["titles"])
        leaked = [marker for marker in forbidden if marker in body]
        results.append(((name, target, method), response, leaked, body))
    return results


DOWNLOADS = ("text/csv", "spreadsheetml", "application/pdf", "text/plain", "octet-stream")


def is_download(response):
    """A file (evidence, an export, a pack): never shown in the browser, always saved."""
    return any(kind in response.get("Content-Type", "") for kind in DOWNLOADS)


def _text(response):
    content_type = response.get("Content-Type", "")
    if response.streaming or not any(
        kind in content_type for kind in ("text/", "json", "calendar")
    ):
        return ""
    return response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_the_matrix_says_and_leaks_nothing(role, world, client):
    column = ROLES.index(role)
    wrong, leaks = [], []
    for row, (key, response, leaked, _) in zip(ROWS, observe(role, world, client), strict=True):
        expected = int(row[3 + column])
        if response.status_code != expected:
            wrong.append(f"{' '.join(key)}: expected {expected}, got {response.status_code}")
        elif expected == 302 and key[0] not in PUBLIC_REDIRECTS:
            # The signed-out are sent to sign in; a signed-in 302 goes somewhere else.
            to_sign_in = response["Location"].startswith(reverse("login"))
            if to_sign_in != (role == "anon"):
                wrong.append(f"{' '.join(key)}: 302 to {response['Location']}")
        if response.status_code == 200 and is_download(response):
            disposition = response.get("Content-Disposition", "")
            if not disposition.startswith("attachment") or (
                response.get("X-Content-Type-Options") != "nosniff"
            ):
                wrong.append(f"{' '.join(key)}: a file not sent as a nosniff attachment")
        if leaked:
            leaks.append(f"{' '.join(key)}: shows {leaked}")
    assert not wrong, "\n".join(wrong)
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize(("name", "expected"), ADMIN_ROWS)
def test_the_admin_site_lets_an_administrator_see_only_what_they_administer(
    name, expected, world, client
):
    client.force_login(world["people"]["admin"])
    assert client.get(reverse(name)).status_code == expected


@pytest.mark.parametrize("role", ["anon", "panel", "owner", "other", "opcc", "opcc_b", "national"])
def test_the_admin_site_sends_everyone_else_to_its_sign_in(role, world, client):
    if world["people"][role] is not None:
        client.force_login(world["people"][role])
    for name, _ in ADMIN_ROWS:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_pending_import_is_not_reachable_from_another_session(world, client):
    """The import token is the officer's session's: another OPCC officer's session gets 404."""
    client.force_login(world["people"]["opcc"])
    token = start_import(client, world["action"])
    client.logout()
    client.force_login(world["people"]["opcc"])
    assert client.get(reverse("imports:preview", args=[token])).status_code == 404


def test_the_leak_check_finds_every_marker_where_it_belongs(world, client):
    """OPCC staff see everything, so the markers are on pages they get (the URLs name the
    owner's force's objects; the other force's action is in the list): the search for leaks
    above looks at real pages, not empty bodies."""
    results = observe("opcc", world, client)
    everything = " ".join(body for *_, body in results)
    # And the download check above has files to look at: exports, evidence, packs, templates.
    downloads = [key for key, response, *_ in results if is_download(response)]
    assert len(downloads) >= 8, downloads
    own_force, other_force = world["secrets"]["other"], world["secrets"]["owner"]
    markers = own_force["ids"] + own_force["titles"]
    markers += [other_force["ids"][0], other_force["titles"][0]]  # the other force's action
    office_b = world["secrets"]["opcc"]
    markers = [m for m in markers if m not in office_b["ids"] + office_b["titles"]]
    assert [m for m in markers if m not in everything] == []


def test_the_other_offices_markers_are_on_its_own_officers_pages(world, client):
    """The leak check for A's officer looks for B's action where B's officer does find it (in
    B's action list, B's exports): the markers are real."""
    everything = " ".join(body for *_, body in observe("opcc_b", world, client))
    office_b = world["secrets"]["opcc"]
    assert office_b["ids"][0] in everything  # B's action's page, linked from B's list
    assert office_b["titles"][0] in everything


def test_a_post_to_a_url_without_a_post_row_changes_nothing(world, client):
    """A view that starts accepting POST needs its POST row above: until then, posting to it
    (as OPCC staff, who may do most) must not change any audited table."""
    with_post = {(name, target) for name, target, method, *_ in ROWS if method == "POST"}
    client.force_login(world["people"]["opcc"])
    token = start_import(client, world["action"])
    checked = 0
    for name, target, method, *_ in ROWS:
        if method != "GET" or (name, target) in with_post or name == "admin":
            continue
        with transaction.atomic():
            before = audited_counts()
            url = url_for(name, target, "opcc", world, token)
            response = request(client, "POST", url, "opcc", world)
            assert audited_counts() == before, f"POST {url} changed data"
            assert response.status_code in {200, 302, 401, 403, 404, 405}, (url, response)
            transaction.set_rollback(True)
        checked += 1
    assert checked > 40
