"""Hostile and random input to every form, filter and import endpoint (hypothesis).

Each form's fields are read from the page itself (every input, select and textarea name), so a
field added to a form is fuzzed too. Each example posts a mix of valid choices, long strings,
unicode, HTML/JS, SQL fragments, bad dates, huge numbers and missing fields, as the user the
page is for, inside a transaction rolled back afterwards (every example starts from the same
world). Required of every answer: no server error; a refused post shows its error message and
leaves every audited table and its history exactly as it was; an accepted one leads to a page
that shows what was saved escaped (no raw script or event handler). The number of inputs tried is
printed. FUZZ_EXAMPLES (default 15) sets the examples per endpoint: `make test` runs the full 15
on SQLite and a lighter profile on PostgreSQL (tests/run_layers.py).
"""

import datetime
import os
import uuid
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions import extension_services
from actions.models import Evidence
from reports import services as report_services
from tests.actions.inspection_import.test_import_command import REPORT
from tests.api.conftest import api_token
from tests.factories import ActionFactory, EvidenceFactory, MeetingFactory, QuestionFactory
from tests.test_permission_matrix import audited_counts, csv_upload, start_import

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same inputs every run, so a failure reproduces
    database=None,
    # Every example runs in its own transaction, rolled back, so the function-scoped world is
    # the same for each example: the situation this health check warns about does not arise.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TRIED = {"inputs": 0, "accepted": 0}


@pytest.fixture(scope="module", autouse=True)
def report_inputs_tried(request):
    """After the file's tests, whichever ran and in whatever order: how many inputs were tried."""
    yield
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(
            f"\nfuzzing: {TRIED['inputs']} inputs tried in this run, "
            f"{TRIED['accepted']} posts accepted, the rest refused or filtered"
        )


HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999999999",
    "1e308",
    "NaN",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1",
    "1; DROP TABLE actions_action; --",
    "%00",
    "\x00",
    "../../etc/passwd",
    "2024-02-30",
    "31/12/9999",
    "0000-00-00",
    "2024-13-01T25:61",
    "\u202egnp.exe",
    "𝕿𝖊𝖘𝖙 🚓 Привет مرحبا",
    "x" * 10_000,
    "{{ 7*7 }}",
    "${jndi:ldap://127.0.0.1/a}",
]
RAW_HTML = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda d: d.isoformat()),
)
hostile_file = st.builds(
    lambda name, content: SimpleUploadedFile(name, content),
    st.sampled_from(
        [
            "plan.csv",
            "plan.xlsx",
            "report.pdf",
            "note.txt",
            "../../evil.csv",
            "a.pdf.exe",
            "<script>.txt",
            "x" * 300 + ".csv",
        ]
    ),
    st.one_of(
        st.binary(max_size=2000),
        st.sampled_from(
            [
                b"",
                b"%PDF-1.4\n<script>alert(1)</script>",
                b"PK\x03\x04" + b"\x00" * 100,
                b"<html><script>alert(1)</script></html>",
                "Inspection,Action title\n\u202e,=cmd|' /C calc'!A0\n".encode(),
            ]
        ),
        st.text(max_size=2000).map(lambda text: text.encode("utf-8", "surrogatepass")),
    ),
)


class Fields(HTMLParser):
    """The names a form on the page submits, with the values its options and checkboxes offer."""

    def __init__(self):
        super().__init__()
        self.fields, self.files, self._select = {}, set(), None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "button" and name:
            self.fields.setdefault(name, []).append(attrs.get("value", ""))
        elif tag in {"input", "select", "textarea"} and name and name != "csrfmiddlewaretoken":
            self.fields.setdefault(name, [])
            if attrs.get("type") == "file":
                self.files.add(name)
            if attrs.get("type") in {"radio", "checkbox", "hidden"} and "value" in attrs:
                self.fields[name].append(attrs["value"])
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select:
            self.fields[self._select].append(attrs.get("value", ""))


def form_fields(client, url, headers=None):
    page = client.get(url, headers=headers or {})
    assert page.status_code == 200, url
    parser = Fields()
    parser.feed(page.content.decode())
    assert parser.fields, f"no form fields found on {url}"
    return parser.fields, parser.files


def field_value(valid, is_file):
    if is_file:
        return hostile_file
    if valid:
        return st.one_of(st.sampled_from(valid), hostile_text)
    return hostile_text


def submissions(fields, files):
    """Each field either missing (None) or a valid or hostile value."""
    return st.fixed_dictionaries(
        {
            name: st.one_of(st.none(), field_value(valid, name in files))
            for name, valid in fields.items()
        }
    )


@pytest.fixture
def world(action, owner, opcc_officer, other_force_owner, panel_member):
    evidence = EvidenceFactory(action=action, kind=Evidence.Kind.NOTE, submitted_by=owner)
    ActionFactory(finding__inspection__force=other_force_owner.force, owner=other_force_owner)
    meeting = MeetingFactory(starts_at=datetime.datetime(2030, 1, 10, 10, tzinfo=datetime.UTC))
    meeting.inspections.add(action.finding.inspection)
    question = QuestionFactory(meeting=meeting, owner=owner)
    pack = report_services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
    return {
        "action": action,
        "evidence": evidence,
        "finding": action.finding,
        "inspection": action.finding.inspection,
        "meeting": meeting,
        "question": question,
        "pack": pack,
        "opcc": opcc_officer,
        "owner": owner,
    }


def pending_extension(w):
    return extension_services.extension_request(
        by=w["owner"],
        action=w["action"],
        requested_deadline=w["action"].deadline + datetime.timedelta(days=30),
        reason="The supplier is late.",
    )


# (URL name, how to build its arguments, who posts). The owner posts on the pages for owners.
FORMS = [
    ("actions:inspection_create", lambda w: [], "opcc"),
    ("actions:inspection_edit", lambda w: [w["inspection"].pk], "opcc"),
    ("actions:inspection_response", lambda w: [w["inspection"].pk], "opcc"),
    ("actions:finding_create", lambda w: [w["inspection"].pk], "opcc"),
    ("actions:finding_edit", lambda w: [w["finding"].pk], "opcc"),
    ("actions:finding_external_status", lambda w: [w["finding"].pk], "opcc"),
    ("actions:action_create", lambda w: [w["finding"].pk], "opcc"),
    ("actions:edit", lambda w: [w["action"].pk], "opcc"),
    ("actions:assign", lambda w: [w["action"].pk], "opcc"),
    ("actions:deadline", lambda w: [w["action"].pk], "opcc"),
    ("actions:update", lambda w: [w["action"].pk], "owner"),
    ("actions:propose", lambda w: [w["action"].pk], "owner"),
    ("actions:evidence_add", lambda w: [w["action"].pk], "owner"),
    ("actions:close", lambda w: [w["action"].pk], "opcc"),
    ("actions:sustain", lambda w: [w["action"].pk], "opcc"),
    ("actions:reopen", lambda w: [w["action"].pk], "opcc"),
    ("actions:evidence_assure", lambda w: [w["evidence"].pk], "opcc"),
    ("actions:evidence_return", lambda w: [w["evidence"].pk], "opcc"),
    ("actions:return", lambda w: [w["action"].pk], "opcc"),
    ("actions:extension_request", lambda w: [w["action"].pk], "owner"),
    ("actions:extension_decide", lambda w: [pending_extension(w).pk], "opcc"),
    ("reports:meeting_create", lambda w: [], "opcc"),
    ("reports:meeting_edit", lambda w: [w["meeting"].pk], "opcc"),
    ("reports:question_create", lambda w: [w["meeting"].pk], "opcc"),
    ("reports:question_edit", lambda w: [w["question"].pk], "opcc"),
    ("reports:pack_narratives", lambda w: [w["pack"].pk], "opcc"),
    ("reports:pack_publish", lambda w: [w["pack"].pk], "opcc"),
    ("email_preferences", lambda w: [], "owner"),
    ("two_factor_setup", lambda w: [], "owner"),
    ("password_change", lambda w: [], "owner"),
    ("password_reset", lambda w: [], None),
    ("login", lambda w: [], None),
    ("imports:start", lambda w: [], "opcc"),
    ("actions:import_start", lambda w: [], "opcc"),
]
# Forms whose fields are not on a page of their own: the list's bulk assignment and the
# finding page's repeat link.
EXTRA_FORMS = [
    ("actions:bulk_assign", ["actions", "owner", "opcc_lead", "return_query"]),
    ("actions:bulk_request_update", ["actions", "message", "return_query"]),
    ("actions:bulk_deadline", ["actions", "deadline", "reason", "return_query"]),
    ("actions:finding_repeat", ["earlier", "do"]),
]


def sign_in(client, world, who):
    if who is not None:
        client.force_login(world[who])


GOVUK_ERRORS = ("govuk-error-summary", "govuk-error-message")


def refused_cleanly(response, before, errors=GOVUK_ERRORS):
    """A refusal shows why (one of `errors`, the page's error classes) and saves nothing."""
    assert response.status_code in {200, 400, 403, 404}, response.status_code
    if response.status_code == 200 and "text/html" in response["Content-Type"]:
        body = response.content.decode()
        assert any(error in body for error in errors)
    assert audited_counts() == before


def post_and_check(client, url, data, before, headers=None, errors=GOVUK_ERRORS, check=None):
    """Post `data`; `check()`, when given, runs after the post, before the rollback."""
    TRIED["inputs"] += 1
    payload = {name: value for name, value in data.items() if value is not None}
    for value in payload.values():
        if hasattr(value, "seek"):
            value.seek(0)
    with transaction.atomic():
        response = client.post(url, payload, headers=headers or {})
        if response.status_code in {301, 302, 303}:
            # Accepted: the page it leads to shows what was saved, escaped.
            TRIED["accepted"] += 1
            shown = client.get(response["Location"], headers=headers or {})
            assert shown.status_code in {200, 302}, shown.status_code
            assert not any(html in shown.content.decode() for html in RAW_HTML)
        else:
            refused_cleanly(response, before, errors)
        if check is not None:
            check()
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize(("name", "args", "who"), FORMS, ids=[f[0] for f in FORMS])
def test_hostile_input_to_a_form_never_errors_and_a_refusal_saves_nothing(
    name, args, who, world, client, capsys
):
    sign_in(client, world, who)
    url = reverse(name, args=args(world))
    fields, files = form_fields(client, url)
    before = audited_counts()

    @FUZZ
    @given(data=submissions(fields, files))
    def fuzz(data):
        post_and_check(client, url, data, before)

    start = TRIED["inputs"]
    fuzz()
    with capsys.disabled():
        print(f"\n{name}: {TRIED['inputs'] - start} inputs, fields {sorted(fields)}")


@pytest.mark.parametrize(("name", "names"), EXTRA_FORMS, ids=[f[0] for f in EXTRA_FORMS])
def test_hostile_input_to_a_form_without_its_own_page(name, names, world, client, capsys):
    sign_in(client, world, "opcc")
    ids = [str(world["action"].pk), str(world["finding"].pk)]
    url = reverse(name) if name.startswith("actions:bulk_") else reverse(name, args=[ids[1]])
    before = audited_counts()

    @FUZZ
    @given(data=submissions(dict.fromkeys(names, ids), set()))
    def fuzz(data):
        post_and_check(client, url, data, before)

    start = TRIED["inputs"]
    fuzz()
    with capsys.disabled():
        print(f"\n{name}: {TRIED['inputs'] - start} inputs")


def test_hostile_column_choices_in_an_action_plan_import(world, client, capsys):
    sign_in(client, world, "opcc")
    token = start_import(client, world["action"])
    url = reverse("imports:columns", args=[token])
    fields, files = form_fields(client, url)
    before = audited_counts()

    @FUZZ
    @given(data=submissions(fields, files))
    def fuzz(data):
        post_and_check(client, url, data, before)

    start = TRIED["inputs"]
    fuzz()
    confirm = client.post(reverse("imports:confirm", args=[uuid.uuid4().hex]))
    assert confirm.status_code == 404  # a made-up import token is nobody's import
    with capsys.disabled():
        print(f"\nimports:columns: {TRIED['inputs'] - start} inputs, fields {sorted(fields)}")


def test_hostile_edits_on_the_report_import_review(world, client, capsys):
    """The review screen of an imported report: every field of the draft and every button."""
    sign_in(client, world, "opcc")
    pasted = client.post(reverse("actions:import_start"), {"text": REPORT})
    assert pasted.status_code == 302
    url = reverse("actions:import_review")
    fields, files = form_fields(client, url)
    assert "do" in fields
    before = audited_counts()

    @FUZZ
    @given(data=submissions(fields, files))
    def fuzz(data):
        post_and_check(client, url, data, before)

    start = TRIED["inputs"]
    fuzz()
    with capsys.disabled():
        print(f"\nactions:import_review: {TRIED['inputs'] - start} inputs, {len(fields)} fields")


# Filters: the action list, its CSV export, and the API's action list (the same FilterSet).
FILTERS = ["actions:list", "actions:export_csv", "api:action-list"]


@pytest.mark.parametrize("name", FILTERS)
def test_hostile_filters_never_error(name, world, client, capsys):
    sign_in(client, world, "opcc")
    headers = {}
    if name.startswith("api:"):
        headers["Authorization"] = f"Token {api_token(world['opcc'])}"
    url = reverse(name)
    fields, _ = form_fields(client, reverse("actions:list"))
    fields = {**fields, "page": ["1", "2"], "page_size": ["50", "200"]}

    @FUZZ
    @given(data=submissions(fields, set()))
    def fuzz(data):
        TRIED["inputs"] += 1
        query = {key: value for key, value in data.items() if value is not None}
        response = client.get(url, query, headers=headers)
        assert response.status_code in {200, 400, 404}, response.status_code
        if response.status_code == 400:
            assert response.json(), "a refused filter names the parameter"

    start = TRIED["inputs"]
    fuzz()
    with capsys.disabled():
        print(f"\n{name}: {TRIED['inputs'] - start} filter inputs, fields {sorted(fields)}")


def test_a_refused_upload_leaves_no_import_behind(world, client):
    """A file the import cannot read is refused with its reason and nothing is stored."""
    sign_in(client, world, "opcc")
    bad = SimpleUploadedFile("plan.csv", b"\x00\x01\x02 not a spreadsheet")
    response = client.post(reverse("imports:start"), {"file": bad})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert client.session.get("action_imports") in (None, {})
    ok = client.post(reverse("imports:start"), {"file": csv_upload(world["action"])})
    assert ok.status_code == 302


# Out-of-range numbers (issue 20 item 10): an id or numeric filter beyond the database's 64-bit
# integers is a 400 or a 404, never a server error (SQLite raised OverflowError), on every
# database. Deterministic, so each runs every time rather than when hypothesis happens to draw it.
OUT_OF_RANGE = ["9223372036854775808", "9" * 20, "9" * 40]


def int_routes(patterns=None, prefix=""):
    """(URL name, path with each <int:...> replaced by {}) for every route taking an int."""
    from django.urls import URLPattern, URLResolver, get_resolver

    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from (
                (name, str(entry.pattern) + route)
                for name, route in int_routes(entry.url_patterns, namespace)
            )
        elif isinstance(entry, URLPattern) and "<int:" in str(entry.pattern):
            yield f"{prefix}{entry.name}", str(entry.pattern)


def fill(route, number):
    import re

    path = re.sub(r"<int:\w+>", number, route)
    path = re.sub(r"<uuid:\w+>", str(uuid.UUID(int=1)), path)
    return "/" + re.sub(r"<(?:str|slug|path):\w+>", "x", path).lstrip("^").rstrip("$")


def test_out_of_range_ids_in_every_path_answer_404(world, client):
    from tests.factories import UserFactory

    routes = sorted(set(int_routes()))
    assert len(routes) > 20
    superuser = UserFactory(is_staff=True, is_superuser=True)
    headers = {"Authorization": f"Token {api_token(world['opcc'])}"}
    for name, route in routes:
        # The admin's own pages as a superuser (who may open all of them), the rest as OPCC staff.
        client.force_login(superuser if name.startswith("admin:") else world["opcc"])
        for number in OUT_OF_RANGE:
            url = fill(route, number)
            response = client.get(url, headers=headers)
            assert response.status_code in {400, 403, 404, 405}, (name, url, response.status_code)


NUMERIC_FILTERS = [
    ("actions:list", ["inspection_id", "owner", "opcc_lead", "page"]),
    ("actions:export_csv", ["inspection_id", "owner", "opcc_lead"]),
    ("api:action-list", ["inspection_id", "owner", "opcc_lead", "page", "page_size"]),
    ("api:inspection-list", ["force", "page"]),
    ("api:graded-area-list", ["inspection", "page"]),
    ("api:finding-list", ["inspection", "area", "page"]),
    ("api:meeting-list", ["page"]),
    ("api:pack-list", ["page"]),
]


@pytest.mark.parametrize(("name", "params"), NUMERIC_FILTERS, ids=[n for n, _ in NUMERIC_FILTERS])
def test_out_of_range_numeric_filters_are_refused(name, params, world, client):
    """The API names the refused parameter in a 400 (a page number past the end is its 404; a
    person, typed as a name or an id, matches nobody); the list page and its export show the
    filter's error and leave that filter out, as they do for any value a filter cannot take."""
    client.force_login(world["opcc"])
    headers = {"Authorization": f"Token {api_token(world['opcc'])}"}
    for param in params:
        for number in [*OUT_OF_RANGE, f"-{OUT_OF_RANGE[0]}"]:
            response = client.get(reverse(name), {param: number}, headers=headers)
            if not name.startswith("api:"):
                assert response.status_code == 200, (param, number, response.status_code)
            elif param == "page":
                assert response.status_code == 404, (param, number, response.status_code)
            elif param in {"owner", "opcc_lead"}:  # a name or an id: a number no id has matches
                assert response.json()["count"] == 0, (param, number)
            elif param != "page_size":  # a page size is capped at 200, never refused
                assert response.status_code == 400, (param, number, response.status_code)
                assert param in response.json(), response.json()
