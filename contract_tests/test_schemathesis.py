"""schemathesis over the spec: examples, coverage and fuzzing phases, every built-in check plus
one custom check per rule that a single response can show broken.

Requests go through the target (so the path parameter is the configured session, invites use
reserved domains within the run's cap, tokens stay masked); schemathesis only generates cases
and judges responses. Its own output sanitisation is off because it would mask the body key
``remote_session``; the suite masks tokens itself.

schemathesis' own stateful phase needs OpenAPI links between operations; the contract declares
none (``NoLinksFound``), so stateful sequences come from the suite's model-based state machine in
``test_stateful.py`` instead. Cases of both operations run; a failure is filed under a rule that
applies to the case's operation (``st_checks.file_failures``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.core.failures import FailureGroup

from contract_tests.plugins.profiles import SCHEMATHESIS_EXAMPLES, profile_name, run_seed
from contract_tests.plugins.target import get_target
from contract_tests.support.st_checks import (
    CUSTOM_CHECKS,
    file_failures,
    rules_checked,
)
from contract_tests.support.st_transport import route_through
from contract_tests.support.transient import ThrottledError
from prevail_contract.check.safety import invite_addresses, make_body_safe
from prevail_contract.check.verdict import RuleViolationError
from prevail_contract.paths import spec_path

# The custom checks are registered by @schemathesis.check; with every check enabled in the
# config they run on each response (passing them again would run them twice).
assert CUSTOM_CHECKS
TARGET = get_target()
TOKEN_STAND_IN = "contract-check-token"
LIST_PATH = TARGET.spec.operation_by_id("list_sessions").path
UNEXPECTED_METHODS = ["GET", "POST", "PUT", "OPTIONS", "TRACE"] + (
    ["DELETE"] if TARGET.embedded else []  # a live server might obey a DELETE
)
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": run_seed(),
        "base-url": TARGET.api_base,
        # A stand-in: the real token is put in by _send, so that no case repr (shown in
        # tracebacks and Hypothesis reports) ever holds it.
        "headers": {"Authorization": f"Bearer {TOKEN_STAND_IN}"},
        "parameters": {"remote_session_id": TARGET.session_id},
        "output": {"sanitization": {"enabled": False}},
        "generation": {
            "max-examples": SCHEMATHESIS_EXAMPLES[profile_name()],
            "mode": "all",
            "database": "none",
            "no-shrink": profile_name() == "fast",
            # NUL bytes and lone surrogates: the contract is silent on them and servers (the
            # mock too) refuse them; a refusal there says nothing about a catalogue rule.
            "allow-x00": False,
            "codec": "utf-8",
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True, "unexpected-methods": UNEXPECTED_METHODS},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "checks": {"enabled": True},
    }
)
SCHEMA = schemathesis.openapi.from_path(spec_path(), config=CONFIG)
if TARGET.embedded:
    SCHEMA.app = TARGET.app
# schemathesis' own probes (ignored_auth) go through the target too, Retry-After honoured.
route_through(SCHEMA, lambda case: _send_prepared(case)[0])


def _send(case: Any) -> tuple[httpx.Response, dict[str, str]] | None:
    """Send a case through the target; ``None`` when the invite cap leaves no room for it or
    the server only ever answered it 429/503."""
    if case.path == LIST_PATH and not TARGET.reads_by_list:
        return None  # the target has no list: its rules are not_run (test_list says why)
    if case.path == LIST_PATH and case.method.upper() != "GET" and not TARGET.embedded:
        return None  # an undeclared method on a live /sessions might create something
    if isinstance(case.path_parameters, dict) and "remote_session_id" in case.path_parameters:
        case.path_parameters["remote_session_id"] = TARGET.session_id
    if isinstance(case.query, dict):
        case.query.pop("jwt_payload", None)  # the header carries the token
    case.body = make_body_safe(case.body)
    remaining = TARGET.budget.remaining()
    if remaining is not None and len(invite_addresses(case.body)) > remaining // 2:
        return None  # keep half of what is left for the targeted invite checks
    try:
        return _send_prepared(case)
    except ThrottledError:
        return None  # answered 429/503 on every try: nothing to judge (and not counted)


def _send_prepared(case: Any) -> tuple[httpx.Response, dict[str, str]]:
    kwargs = case.as_transport_kwargs(base_url=TARGET.api_base)
    headers = {str(k): str(v) for k, v in (kwargs.get("headers") or {}).items()}
    if not any(k.lower() == "accept" and "json" in v for k, v in headers.items()):
        headers = {k: v for k, v in headers.items() if k.lower() != "accept"}
        headers["Accept"] = "application/json"  # documented request header
    if any(k.lower() == "authorization" and TOKEN_STAND_IN in v for k, v in headers.items()):
        # the stand-in becomes the real token; a probe's own (removed or forged) auth stays
        headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        headers["Authorization"] = f"Bearer {TARGET.token}"
    body: bytes | None = None
    if "json" in kwargs:
        body = httpx.Request("POST", "http://x", json=kwargs["json"]).content
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        body = data if isinstance(data, bytes) else str(data).encode()
    params = {str(k): str(v) for k, v in (kwargs.get("params") or {}).items()}
    exchange = TARGET.send(
        str(kwargs["method"]),
        str(kwargs["url"]),
        headers=headers,
        body=body,
        params=params or None,
        purpose="schemathesis",
    )
    request = httpx.Request(exchange.method, exchange.url, headers=headers, content=body)
    # the body is already decoded: drop the headers that would make httpx decode it again
    shown = {
        k: v
        for k, v in exchange.response_headers.items()
        if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    }
    response = httpx.Response(
        exchange.status,
        headers=shown,
        content=exchange.response_body,
        request=request,
    )
    response._elapsed = dt.timedelta(seconds=exchange.elapsed)  # schemathesis reads .elapsed
    return response, headers


@pytest.mark.rule("response-envelope", "error-status-codes", "error-shape")
@SCHEMA.parametrize()
def test_schemathesis(case: Any) -> None:
    sent = _send(case)
    if sent is None:
        return
    response, headers = sent
    # the case's own exchange: schemathesis' probes (sent during validation) come after it
    exchange = TARGET.last_exchange
    assert exchange is not None
    exchange.checked |= rules_checked(case, exchange)
    try:
        case.validate_response(response, headers=headers)
    except FailureGroup as group:
        findings = file_failures(group, exchange, case)
        if findings:
            raise RuleViolationError(findings) from None
