"""The body's negative space from the schema, and the body and method as a whole: every
invalid candidate refused under the rule it breaks, every valid edge accepted."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import pytest

from contract_tests.support.answers import session_of
from contract_tests.support.body_rules import rule_broken_by
from contract_tests.support.expect import accepted, changed_fields, refused
from contract_tests.support.lanes import in_lanes
from contract_tests.support.methods import judge_405, method_targets
from contract_tests.support.negative import Candidate, candidates, repeated_invites
from contract_tests.support.order_probes import body_limit
from contract_tests.support.target import Target
from contract_tests.support.watch import RefusalWatch
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.safety import invite_addresses
from prevail_contract.runtime.verdict import Finding, Verdicts


def _addresses(target: Target, tag: str) -> Iterator[str]:
    return (f"neg-{tag}-{target.seed}-{i}@example.com" for i in itertools.count())


def _judge(target: Target, v: Verdicts, c: Candidate) -> Exchange | None:
    valid = target.spec.validator("EditSessionRequest").is_valid(c.body)
    rule = None if valid else rule_broken_by(c.body)
    if not valid and rule is None:
        target.note("field-limits", f"{c.purpose}: invalid by the spec, but no rule names it")
        return None
    if valid and c.edit.get("invites") and not target.embedded:
        return None  # valid invites to a live server: the invite tests' budget, not this one
    remaining = target.budget.remaining()
    if remaining is not None and len(invite_addresses(c.body)) > remaining // 2:
        target.note(rule or "field-limits", f"{c.purpose}: not sent, the invite cap leaves no room")
        return None
    ex = target.edit(c.body, purpose=f"negative space: {c.purpose}")
    if valid:
        accepted(v, ex, "field-limits", f"{c.purpose} (valid by the schema)")
    else:
        assert rule is not None
        refused(target.spec, v, ex, rule, c.purpose)
    return ex


@pytest.mark.rule("field-formats", "field-limits", "rejected-changes-nothing")
def test_every_field_outside_its_schema_is_refused(target: Target) -> None:
    """The invalid candidates, in runs on Sessions of their own side by side on a mock
    (``support/lanes.py``), each run's Session read before and after; then the valid ones."""
    valid = target.spec.validator("EditSessionRequest").is_valid
    drawn = list(candidates(target.spec, target.seed, addresses=_addresses(target, "field")))

    def run(lane: Target, invalid: list[Candidate]) -> list[Finding]:
        v = Verdicts()
        refused_probes: list[Exchange] = []
        before = lane.snapshot()
        for c in invalid:
            ex = _judge(lane, v, c)
            if ex is not None:
                refused_probes.append(ex)
        after = lane.snapshot()
        changed = [n for n in changed_fields(before, after) if n != "title"]
        # only when every probe was refused can a change be blamed on a refusal
        if changed and refused_probes and not any(ex.accepted for ex in refused_probes):
            v.fail(
                "rejected-changes-nothing",
                f"refusals changed {', '.join(changed)}",
                refused_probes[-1],
            )
        return v.findings

    invalid = [c for c in drawn if not valid(c.body)]
    v = Verdicts([f for found in in_lanes(target, invalid, run) for f in found])
    for c in drawn:
        if valid(c.body):
            _judge(target, v, c)
    v.raise_if_any()


@pytest.mark.rule("invites-no-duplicates")
def test_repeated_invites_in_one_request(target: Target) -> None:
    """Refusing or accepting once are both faithful; a second entry is not."""
    v = Verdicts()
    for c in repeated_invites(_addresses(target, "dup")):
        ex = target.edit(c.body, purpose=c.purpose)
        ex.checked.add("invites-no-duplicates")
        session = session_of(ex.json) if ex.accepted else None
        invites = [str(i).lower() for i in (session or {}).get("invites") or []]
        if len(invites) != len(set(invites)):
            v.fail("invites-no-duplicates", f"{c.purpose}: an address appears twice", ex)
    v.raise_if_any()


@pytest.mark.rule("malformed-json")
def test_valid_json_followed_by_text_is_malformed(target: Target) -> None:
    v = Verdicts()
    good = json.dumps({"remote_session": {"title": "Contract check: trailing"}})
    for tail in ("x", " {}", "\n[]", '"more"'):
        ex = target.edit(raw=(good + tail).encode(), purpose=f"JSON then {tail!r}")
        refused(target.spec, v, ex, "malformed-json", f"valid JSON followed by {tail!r}")
    v.raise_if_any()


def _chunks(size: int) -> Iterator[bytes]:
    """A valid edit padded with whitespace to ``size`` bytes: only its size is wrong."""
    head = json.dumps({"remote_session": {"title": "Contract check: chunked oversized"}}).encode()
    yield head
    left = size - len(head)
    while left > 0:
        yield b" " * min(65536, left)
        left -= 65536


@pytest.mark.rule("payload-limit", "rejected-changes-nothing")
def test_oversized_chunked_body_is_refused(target: Target) -> None:
    """Without Content-Length (chunked) a body over the limit is refused too."""
    v = Verdicts()
    size = body_limit(target.spec) + 1
    watch = RefusalWatch(target, "size (chunked)").own(target.session_id).start()
    ex = target.send(
        target.edit_operation.method,
        target.url(),
        headers={**target.auth_headers(), "Content-Type": "application/json"},
        body=lambda: _chunks(size),
        shown_body=b"<chunked body of %d bytes>" % size,
        purpose="chunked body over the limit",
    )
    refused(target.spec, v, ex, "payload-limit", f"chunked body of {size} bytes")
    watch.add(ex, f"chunked body of {size} bytes")
    watch.check(v)
    v.raise_if_any()


@pytest.mark.rule("method-not-allowed")
@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "TRACE"])
def test_head_options_trace_answer_405(target: Target, method: str) -> None:
    v = Verdicts()
    for what, sid in method_targets(target):
        shown = f"{method} on {what}"
        ex = target.send(method, target.url(sid), headers=target.auth_headers(), purpose=shown)
        judge_405(v, ex, shown, target.edit_operation.method)
    v.raise_if_any()
