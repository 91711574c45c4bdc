"""Assumed transport rules: media type, JSON syntax, the body size limit and 405 for other
methods."""

from __future__ import annotations

import json

import pytest

from contract_tests.support.expect import accepted, refused, unchanged_after_refusal
from contract_tests.support.order_probes import body_limit
from contract_tests.support.target import Target
from prevail_contract.check.verdict import Verdicts

BODY = {"remote_session": {"title": "Transport probe"}}


@pytest.mark.rule("media-type", "rejected-changes-nothing")
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
def test_non_json_media_type_is_refused(target: Target, content_type: str | None) -> None:
    v = Verdicts()
    accepted(v, target.edit(BODY, purpose="application/json body"), "media-type", "JSON body")
    before = target.snapshot()
    raw = b"remote_session[title]=Transport probe"
    if content_type == "application/xml":
        raw = b"<remote_session><title>Transport probe</title></remote_session>"
    purpose = f"body sent as {content_type or 'no Content-Type'}"
    ex = target.edit(raw=raw, content_type=content_type, purpose=purpose)
    refused(target.spec, v, ex, "media-type", purpose)
    unchanged_after_refusal(target, v, before, ex, purpose)
    v.raise_if_any()


@pytest.mark.rule("media-type")
def test_json_with_charset_is_accepted(target: Target) -> None:
    v = Verdicts()
    ex = target.edit(
        BODY,
        content_type="application/json; charset=utf-8",
        purpose="application/json; charset=utf-8",
    )
    accepted(v, ex, "media-type", "application/json with a charset parameter")
    v.raise_if_any()


@pytest.mark.rule("malformed-json", "rejected-changes-nothing")
@pytest.mark.parametrize(
    "raw",
    [
        b'{"remote_session": {"title": "x"',
        b"{'remote_session': {}}",
        b'{"remote_session": {"title": "x",}}',
        b"\xff\xfe{}",
        b"",
    ],
)
def test_malformed_json_is_refused(target: Target, raw: bytes) -> None:
    v = Verdicts()
    before = target.snapshot()
    purpose = f"malformed JSON body {raw[:40]!r}"
    ex = target.edit(raw=raw, purpose=purpose)
    refused(target.spec, v, ex, "malformed-json", purpose)
    unchanged_after_refusal(target, v, before, ex, purpose)
    v.raise_if_any()


@pytest.mark.rule("payload-limit", "fields-applied", "rejected-changes-nothing")
def test_body_at_the_limit_is_accepted_and_one_byte_more_refused(target: Target) -> None:
    """The limit (``payload-limit``'s ``x-limits``) approached from under it: a valid body of
    exactly that many bytes (a title, then JSON whitespace) is accepted and applied; one byte
    more is refused for its size alone and changes nothing."""
    v = Verdicts()
    limit = body_limit(target.spec)
    title = f"Body of the size limit {target.seed}"
    shell = json.dumps({"remote_session": {"title": title}}).encode()
    at_limit = shell + b" " * (limit - len(shell))
    ex = target.edit(raw=at_limit, purpose=f"valid body of {limit:,} bytes (the limit)")
    session = accepted(v, ex, "payload-limit", f"a valid body of exactly {limit:,} bytes")
    if session is not None and session.get("title") != title:
        ex.checked.add("fields-applied")
        v.fail("fields-applied", f"sent title={title!r}, answered {session.get('title')!r}", ex)
    before = target.snapshot()
    over = f"body of {limit + 1:,} bytes"
    raw = json.dumps({"remote_session": {"title": f"Over the limit {target.seed}"}}).encode()
    ex = target.edit(raw=raw + b" " * (limit + 1 - len(raw)), purpose=over)
    refused(target.spec, v, ex, "payload-limit", over)
    unchanged_after_refusal(target, v, before, ex, over)
    v.raise_if_any()


@pytest.mark.rule("method-not-allowed")
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_other_methods_answer_405(target: Target, method: str) -> None:
    if method == "DELETE" and not target.embedded:
        pytest.skip("DELETE is only probed on the embedded mock: a live server might obey it")
    v = Verdicts()
    body = json.dumps(BODY).encode() if method in ("POST", "PUT") else None
    headers = target.auth_headers()
    if body is not None:
        headers["Content-Type"] = "application/json"
    ex = target.send(
        method, target.url(), headers=headers, body=body, purpose=f"{method} on the path"
    )
    if ex.status != 405:
        v.fail("method-not-allowed", f"{method} answered {ex.status}, not 405", ex)
    elif "PATCH" not in [
        m.strip().upper() for m in ex.response_headers.get("allow", "").split(",")
    ]:
        v.fail(
            "method-not-allowed",
            f"405 without Allow: PATCH (Allow is {ex.response_headers.get('allow')!r})",
            ex,
        )
    v.raise_if_any()


@pytest.mark.rule("method-not-allowed")
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_other_methods_on_the_list_answer_405(target: Target, method: str) -> None:
    """Embedded only: on a live server another method on /sessions might create something."""
    if not target.embedded:
        pytest.skip("other methods on /sessions are only probed on the embedded mock")
    if not target.reads_by_list:
        pytest.skip("the target does not answer GET /sessions")
    v = Verdicts()
    ex = target.send(method, target.list_url, headers=target.auth_headers(), purpose=method)
    allow = [m.strip().upper() for m in ex.response_headers.get("allow", "").split(",")]
    if ex.status != 405:
        v.fail("method-not-allowed", f"{method} /sessions answered {ex.status}, not 405", ex)
    elif "GET" not in allow:
        v.fail("method-not-allowed", f"405 on /sessions without Allow: GET ({allow})", ex)
    v.raise_if_any()
