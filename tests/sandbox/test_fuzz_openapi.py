"""Property-based fuzzing of the sandbox's whole API from its own OpenAPI document (schemathesis).

Every operation of `/openapi.json` gets generated requests, valid and invalid (examples, coverage
and fuzzing phases), sent over HTTP to a fresh, empty sandbox as the demo org. Each answer must pass:

- `not_a_server_error`: no 5xx, whatever the input;
- `status_code_conformance`: a status the document declares (the success status, and the error
  statuses `app.py` declares per endpoint, each with the error envelope);
- `content_type_conformance`: the declared `application/json`;
- `response_schema_conformance`: the success model's schema, or the `{data: null, errors}` envelope;
- `unsupported_method`: 405 with `Allow` for a method the path does not take;
- `ignored_auth`: an answer that needed the demo org's credentials is a 401 without them;
- `missing_required_header`: a control call without `X-Sandbox-Control` is refused.

Left out, deliberately: `negative_data_rejection`, because the sandbox reads requests as tolerantly
as the console's models do (a `startOn` filter as epoch seconds as well as ISO text, numbers sent as
strings), which the document's types cannot say; `positive_data_acceptance`, because schema-valid
requests are refused for rules a JSON schema does not state (a badge needs start and end dates, an
owner type the org has not enabled is 714, an unknown id is 404); the stateful phase, whose chains
of creates would make the run unbounded.

The control plane is fuzzed separately, without `/reset` and `/seed` (they would wipe the data
mid-run and take no input beyond a boolean); fault rules, the clock and the network profile are put
back after each case.

Bounded for CI: 25 fuzzed examples per operation, a fixed seed, deterministic generation, no example
database, no deadline (the machine is shared); about 6,000 requests, half a minute on two cores.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from lib.sandbox.server import start_sandbox

DEMO = {"username": "demo", "password": "fe01ce2a7fbac8fafaed7c982a04e229"}  # app.BASIC_HELP
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    unsupported_method,
    ignored_auth,
    missing_required_header,
]
SETTINGS = {
    "seed": 20260501,
    "generation": {"max-examples": 25, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "auth": {"basic": DEMO},
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
}

# Schemathesis sends every operation its generated requests over HTTP: about a minute for the API on a busy machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def fuzzed_sandbox(tmp_path_factory):
    """A sandbox of its own (empty: the demo orgs only), so no other test's data or faults interfere."""
    handle = start_sandbox(tmp_path_factory.mktemp("fuzz") / "fuzz.db", empty=True)
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def sandbox_schema(fuzzed_sandbox):
    config = schemathesis.Config.from_dict(SETTINGS)
    return schemathesis.openapi.from_url(f"{fuzzed_sandbox.base_url}/openapi.json", config=config)


# Filters belong on the lazy schema: the fixture's own filters are replaced when it is resolved.
api = schemathesis.pytest.from_fixture("sandbox_schema").exclude(path_regex="^/_sandbox/")
control = (
    schemathesis.pytest.from_fixture("sandbox_schema")
    .include(path_regex="^/_sandbox/")
    .exclude(path_regex="/(reset|seed)$")
)


@api.parametrize()
def test_the_api_answers_every_generated_request_as_documented(case):
    case.call_and_validate(checks=CHECKS)


@control.parametrize()
def test_the_control_plane_answers_every_generated_request_as_documented(case, fuzzed_sandbox):
    try:
        case.call_and_validate(checks=CHECKS)  # the document makes X-Sandbox-Control: 1 required
    finally:
        fuzzed_sandbox.clear_faults()
        fuzzed_sandbox.set_clock(None)
        fuzzed_sandbox.set_network("off")
