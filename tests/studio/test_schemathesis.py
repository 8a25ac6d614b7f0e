"""schemathesis against the OpenAPI schema: every operation, bounded examples, a fixed seed, real
ids from a demo world; zero 5xx and the response-conformance checks (status code, content type,
response body against the documented schema) pass.

Bounded: SCHEMATHESIS_EXAMPLES examples per operation (default 8), no shrinking, no example
database; `derandomize=True` makes each run generate the same cases. Runs in `make test`; the
package is pinned in requirements.lock. Marked `slow`: at ~30 s it is a tenth of the fast loop, and
tests/studio/test_api_probe.py covers every operation there.
"""

from __future__ import annotations

import os

import pytest
import schemathesis

from tests.studio import api_probe

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))


def _checks() -> list:
    from schemathesis.specs.openapi import checks as openapi_checks

    return [
        schemathesis.checks.not_a_server_error,
        openapi_checks.status_code_conformance,
        openapi_checks.content_type_conformance,
        openapi_checks.response_schema_conformance,
    ]


def _run_operation(operation, *, ids: dict[str, str], auth: str, checks: list) -> None:
    from hypothesis import HealthCheck, Phase, given, settings

    @settings(
        max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        if case.path_parameters:
            case.path_parameters = {**case.path_parameters, **api_probe.path_parameters(operation.path, ids)}
        # identity: the in-process WSGI client does not undo gzip (studio/http/compression.py), which
        # is a transport encoding, not part of the documented bodies
        case.headers = {**(case.headers or {}), "Authorization": f"Token {auth}", "Accept-Encoding": "identity"}
        case.call_and_validate(checks=checks)

    run()


@pytest.fixture
def connections_kept_open():
    """Like Django's test client: the request signals must not close the test's connection (the WSGI
    app is called in process, inside the test's transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("connections_kept_open")
def test_schemathesis_finds_no_server_error_and_no_nonconformance(openapi_schema, probe_world):
    from studio.wsgi import application

    _producer, ids, key = probe_world
    schema = schemathesis.openapi.from_dict(openapi_schema)
    schema.app = application  # called in process through its WSGI test client
    checks = _checks()
    failures, count = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        count += 1
        try:
            _run_operation(operation, ids=ids, auth=key, checks=checks)
        except Exception as exc:  # noqa: BLE001 - every operation's failure is reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:800]}")
    assert count == len(list(api_probe.operations(openapi_schema)))
    assert not failures, f"{len(failures)} of {count} operations failed:\n\n" + "\n\n".join(failures)
