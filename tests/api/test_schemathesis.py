"""Schemathesis over every operation of the committed schema (docs/openapi.yaml), through the
WSGI app on the test database: generated requests, valid and invalid, never get a server error
or an answer the schema does not describe. The stateful run follows the schema's links (create,
then read, update and act on what was made)."""

import hashlib
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis.config import SchemathesisConfig

from hls.api.models import ApiKey
from hls.api.scopes import ALL_SCOPES
from hls.api.services import PREFIX_LENGTH
from hls.tenancy.context import tenant_scope
from tests.api.api_objects import make_theme

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"

# Everything Schemathesis checks, with two adjustments. "A schema-valid request must be
# accepted" cannot hold for an API whose rules reach past the schema (ids the caller cannot see,
# a session in the past, a theme name already taken): those are 400s with the field named, by
# design. And a missing If-Match is 428 Precondition Required (RFC 6585), the status made for it.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {"enabled": False},
            "missing_required_header": {"expected-statuses": [400, 401, 403, 406, 415, 422, 428]},
        }
    }
)
schema = schemathesis.openapi.from_path(COMMITTED, config=CONFIG)
schema.app = get_wsgi_application()

SETTINGS = hypothesis.settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's WSGI handler closes the connection after each request; the test transaction
    must survive it (the test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# One fixed key, made afresh in each test's transaction: Schemathesis applies auth while it
# builds cases (some before any fixture runs), so the secret must be known in advance.
RAW_KEY = "hls_5c4e11a7_schemathesis-key-for-tests-only"


@schema.auth(refresh_interval=None)
class PartnerKey:
    """Applied the way Schemathesis can also take it away, to check that requests without it,
    or with a forged one, are refused."""

    def get(self, case, context):
        return RAW_KEY

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def auth(admin, workspace, settings):
    """Riverside's admin's all-scopes key (not throttled: every test uses the same one), and
    something in the workspace to find."""
    settings.API_RATE = "100000/min"
    with tenant_scope(workspace_id=workspace.pk):
        make_theme(workspace, admin)
        ApiKey.objects.create(
            workspace=workspace,
            name="Schemathesis",
            prefix=RAW_KEY[:PREFIX_LENGTH],
            secret_hash=hashlib.sha256(RAW_KEY.encode()).hexdigest(),
            scopes=ALL_SCOPES,
            created_by=admin.user,
        )


@schema.parametrize()
@SETTINGS
def test_no_operation_answers_with_a_server_error(case, auth):
    response = case.call_and_validate()
    if (case.headers or {}).get("Authorization") == f"Bearer {RAW_KEY}":
        assert response.status_code != 401, "the key was refused: the run would prove nothing"


def test_stateful_sequences_follow_the_links(auth):
    schema.as_state_machine().run(
        settings=hypothesis.settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
