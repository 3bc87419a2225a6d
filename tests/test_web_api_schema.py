"""Property-based check of the JSON API against its own OpenAPI schema (schemathesis): whatever the
generated parameters, no operation answers with a server error, and every 2xx body matches its schema — over
a SQLite store and over a PostgreSQL one (a fresh schema, dropped at exit)."""

from __future__ import annotations

import atexit
import tempfile
import uuid
from pathlib import Path
from typing import Any

import hypothesis
import pytest

schemathesis = pytest.importorskip("schemathesis")

from globewire.settings import load_settings
from globewire.store import open_store
from globewire.web.app import create_app
from tests.browser.webcorpus import fill_store
from tests.test_store_contract import PG_BASE, drop_schema, pg_reachable

# Generated cases per operation: small enough for a ~20 s run on 2 cores, large enough to hit the
# pattern/length/range edges of every parameter (schemathesis adds its boundary examples on top).
MAX_EXAMPLES = 25

_tmp = Path(tempfile.mkdtemp(prefix="gw-schema-"))


def _app(url: str) -> Any:
    store = open_store(url)
    fill_store(store)
    return create_app(store, load_settings(data_dir=_tmp))


APP = _app(str(_tmp / "schema.db"))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
PG_REASON = pg_reachable()
if PG_REASON is None:
    _pg_schema = "t_" + uuid.uuid4().hex[:12]
    atexit.register(drop_schema, _pg_schema)
    schema_pg = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _app(f"{PG_BASE}?schema={_pg_schema}"))
else:  # the same operations, each skipped with the reason
    schema_pg = schema


SETTINGS = hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None,
                               suppress_health_check=list(hypothesis.HealthCheck))


@schema.parametrize()
@SETTINGS
def test_api_conforms(case: schemathesis.Case) -> None:
    check_case(case)


@schema_pg.parametrize()
@SETTINGS
def test_api_conforms_on_postgresql(case: schemathesis.Case) -> None:
    if PG_REASON is not None:
        pytest.skip(PG_REASON)
    check_case(case)


def check_case(case: schemathesis.Case) -> None:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

    response = case.call()
    assert response.status_code < 500, (case.path, case.query, response.text[:300])
    if 200 <= response.status_code < 300:
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance,
                                                 content_type_conformance])
