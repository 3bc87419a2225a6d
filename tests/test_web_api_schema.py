"""Property-based check of the JSON API against its own OpenAPI schema (schemathesis): whatever the
generated parameters, no operation answers with a server error, and every 2xx body matches its schema."""

from __future__ import annotations

import tempfile
from pathlib import Path

import hypothesis
import pytest

schemathesis = pytest.importorskip("schemathesis")

from globewire.settings import load_settings
from globewire.store import open_store
from globewire.web.app import create_app
from tests.browser.webcorpus import fill_store

# Generated cases per operation: small enough for a ~20 s run on 2 cores, large enough to hit the
# pattern/length/range edges of every parameter (schemathesis adds its boundary examples on top).
MAX_EXAMPLES = 25

_tmp = Path(tempfile.mkdtemp(prefix="gw-schema-"))
_store = open_store(str(_tmp / "schema.db"))
fill_store(_store)
APP = create_app(_store, load_settings(data_dir=_tmp))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_api_conforms(case: schemathesis.Case) -> None:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

    response = case.call()
    assert response.status_code < 500, (case.path, case.query, response.text[:300])
    if 200 <= response.status_code < 300:
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance,
                                                 content_type_conformance])
