"""The OpenAPI schema: served, valid OpenAPI 3, listing every endpoint; and schemathesis
generating requests from it against the WSGI app, with no server error (5xx)."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from api.urls import router
from tests.api.conftest import api_token
from tests.factories import MeetingFactory, actions_for

pytestmark = pytest.mark.django_db

# Examples per operation and generation mode (valid, then deliberately invalid, inputs).
# SCHEMA_EXAMPLES sets it: `make test` runs the full 25 on SQLite and fewer on PostgreSQL.
EXAMPLES = int(os.environ.get("SCHEMA_EXAMPLES", "25"))


def test_schema_is_served_without_a_token_and_is_valid_openapi_3(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["ApiToken"]["in"] == "header"


def test_schema_lists_every_endpoint_read_only(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    expected = set()
    for prefix, _, _basename in router.registry:
        expected |= {f"/api/{prefix}/", f"/api/{prefix}/{{id}}/"}
    assert set(schema["paths"]) == expected
    for path, methods in schema["paths"].items():
        assert set(methods) - {"parameters"} == {"get"}, path
        assert methods["get"]["security"] == [{"ApiToken": []}], path


def test_action_list_schema_documents_the_list_pages_filters(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    names = {p["name"] for p in schema["paths"]["/api/actions/"]["get"]["parameters"]}
    from actions.filters import ActionFilter

    assert set(ActionFilter.base_filters) | {"page", "page_size"} == names


def fuzz(operation, mode, headers, tally):
    """Run EXAMPLES generated requests for one operation; count them and their status codes."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(headers=headers)
        tally["cases"] += 1
        tally["statuses"][response.status_code] = tally["statuses"].get(response.status_code, 0) + 1
        checks = [not_a_server_error]
        if mode == schemathesis.GenerationMode.POSITIVE and response.status_code == 200:
            checks.append(response_schema_conformance)
        case.validate_response(response, checks=checks, headers=headers)
        assert response.status_code < 500

    run()


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, kept on the test's database connection (as Django's test client
    does): otherwise each request's end closes the connection and its test transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["opcc_officer", "owner"])
def test_schemathesis_finds_no_server_error(
    persona, request, force, owner, opcc_officer, capsys, wsgi_app
):
    actions = actions_for(force, 12, owner=owner, opcc_lead=opcc_officer)
    MeetingFactory().inspections.add(actions[0].finding.inspection)
    user = request.getfixturevalue(persona)
    headers = {"Authorization": f"Token {api_token(user)}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)

    tally = {"operations": 0, "cases": 0, "statuses": {}}
    for result in schema.get_all_operations():
        operation = result.ok()
        tally["operations"] += 1
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            fuzz(operation, mode, headers, tally)

    with capsys.disabled():
        print(
            f"\nschemathesis ({persona}): {tally['cases']} cases over "
            f"{tally['operations']} operations, status codes {sorted(tally['statuses'].items())}"
        )
    assert tally["operations"] == 2 * len(router.registry)
    assert tally["statuses"].get(200, 0) > 0
    assert not [code for code in tally["statuses"] if code >= 500]
