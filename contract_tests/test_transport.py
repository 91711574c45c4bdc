"""Assumed transport rules: media type, JSON syntax, the 1 MiB limit and 405 for other methods,
each refusal followed by reads showing it changed nothing.

Undeclared methods go, against a live server, only to an id no real Session can have (the made-up
absent id): a server that obeys them harms nothing and still fails (2xx or 404 instead of 405),
and the reads around them show that no Session appeared or changed. On a mock (embedded, or
served with its admin API) they also go to a Session made for them, whose reads show whether a
refused method's body was applied.
"""

from __future__ import annotations

import json

import pytest

from contract_tests.support.discovered import UNAPPLICABLE_BODY
from contract_tests.support.expect import accepted, refused, unchanged_after_refusal
from contract_tests.support.methods import judge_405, method_targets
from contract_tests.support.order_probes import body_limit
from contract_tests.support.target import Target
from contract_tests.support.watch import RefusalWatch
from prevail_contract.runtime.verdict import Verdicts
from prevail_contract.spec.operation_registry import LIST_ROLE

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


@pytest.mark.rule("media-type", "rejected-changes-nothing")
def test_json_body_under_another_media_type_changes_nothing(target: Target) -> None:
    """A server that ignores the declared media type would read these bodies as JSON."""
    v = Verdicts()
    watch = RefusalWatch(target, "media type").own(target.session_id).start()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        purpose = f"a JSON edit sent as {content_type}"
        body = {"remote_session": {"title": f"Transport probe as {content_type}"}}
        ex = target.edit(body, content_type=content_type, purpose=purpose)
        refused(target.spec, v, ex, "media-type", purpose)
        watch.add(ex, purpose)
    watch.check(v)
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


def padded(title: str, size: int) -> bytes:
    """A valid edit of ``title``, padded with JSON whitespace to ``size`` bytes: only its size
    can be wrong, so a server that ignores the limit would apply it."""
    head = json.dumps({"remote_session": {"title": title}}).encode()
    return head + b" " * (size - len(head))


@pytest.mark.rule("payload-limit", "fields-applied", "rejected-changes-nothing")
def test_body_at_the_limit_is_accepted_and_one_byte_more_refused(target: Target) -> None:
    """The limit (``payload-limit``'s ``x-limits``) approached from under it: a valid body of
    exactly that many bytes (a title, then JSON whitespace) is accepted and applied; one byte
    more is refused for its size alone and changes nothing."""
    v = Verdicts()
    limit = body_limit(target.spec)
    title = f"Body of the size limit {target.seed}"
    ex = target.edit(raw=padded(title, limit), purpose=f"valid body of {limit:,} bytes (the limit)")
    session = accepted(v, ex, "payload-limit", f"a valid body of exactly {limit:,} bytes")
    if session is not None and session.get("title") != title:
        ex.checked.add("fields-applied")
        v.fail("fields-applied", f"sent title={title!r}, answered {session.get('title')!r}", ex)
    over = f"body of {limit + 1:,} bytes"
    watch = RefusalWatch(target, "size").own(target.session_id).start()
    ex = target.edit(raw=padded(f"Over the limit {target.seed}", limit + 1), purpose=over)
    refused(target.spec, v, ex, "payload-limit", over)
    watch.add(ex, over)
    watch.check(v)
    v.raise_if_any()


BODY_METHODS = ("POST", "PUT")


@pytest.mark.rule("method-not-allowed", "rejected-changes-nothing")
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_other_methods_answer_405(target: Target, method: str) -> None:
    v = Verdicts()
    places = method_targets(target)
    watch = RefusalWatch(target, "method").own(*(sid for _, sid in places)).start()
    for what, sid in places:
        headers = target.auth_headers()
        body = None
        if method in BODY_METHODS:
            body = json.dumps({"remote_session": {"title": f"Transport probe {method}"}}).encode()
            headers["Content-Type"] = "application/json"
        shown = f"{method} on {what}"
        ex = target.send(method, target.url(sid), headers=headers, body=body, purpose=shown)
        judge_405(v, ex, shown, target.edit_operation.method)
        watch.add(ex, shown)
    watch.check(v)
    v.raise_if_any()


@pytest.mark.rule("method-not-allowed", "rejected-changes-nothing")
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_other_methods_on_the_list_answer_405(target: Target, method: str) -> None:
    """Against a live server a body no server can apply, and no DELETE at all: another method
    on /sessions could create or remove Sessions."""
    if not target.reads_by_list:
        pytest.skip("the target does not answer GET /sessions")
    if method == "DELETE" and not target.is_mock:
        target.note(
            "method-not-allowed",
            "DELETE /sessions is sent to a mock only (a server obeying it could remove every "
            "Session)",
        )
        return
    v = Verdicts()
    headers = target.auth_headers()
    body = None
    if method != "DELETE":
        # a mock may get a body it could apply; a live server only one that cannot be parsed
        body = (
            json.dumps({"remote_session": {"title": f"List probe {method}"}}).encode()
            if target.is_mock
            else UNAPPLICABLE_BODY
        )
        headers["Content-Type"] = "application/json"
    watch = RefusalWatch(target, "method").own().start()
    what = f"{method} /sessions"
    ex = target.send(method, target.list_url, headers=headers, body=body, purpose=what)
    judge_405(v, ex, what, target.operations.role(LIST_ROLE).method)
    watch.add(ex, what)
    watch.check(v)
    v.raise_if_any()
