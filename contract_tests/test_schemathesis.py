"""schemathesis over the spec: examples, coverage and fuzzing phases, every built-in check plus
one custom check per rule that a single response can show broken.

Every request, schemathesis's own included (its checks' no-token and invalid-token probes), goes
through the target (``support/st_transport.py``: the path parameter is the configured session,
invites use reserved domains within the run's cap, the run's bounds apply, tokens stay masked);
schemathesis only generates cases and judges responses. Its own output sanitisation is off
because it would mask the body key ``remote_session``; the suite masks tokens itself. The
schema comes from the ``st_schema`` fixture, built from the run's target when the test runs,
so nothing about the target exists at import; each operation's Hypothesis test is built as
schemathesis's pytest integration builds it (``support/st_runner.py``). The cases go side by
side, at most ``--concurrency`` at a time (see ``test_schemathesis``), except that a Session
never gets two of them at once: the cases for the run's Session go in order, spread over the
lanes' Sessions on a mock (``support/lanes.py``); a cancel case never goes to a real Session.

schemathesis' own stateful phase needs OpenAPI links between operations; the contract declares
none (``NoLinksFound``), so stateful sequences come from the suite's model-based state machine in
``test_stateful.py`` instead. Cases of both operations run; a failure is filed under a rule that
applies to the case's operation (``st_checks.file_failures``). A failure of an assumed rule does
not end the generation (a server that words its refusals otherwise must still have every
documented rule probed): it is collected and filed once every case ran
(``test_assumed_findings_of_the_cases``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
import schemathesis
from schemathesis.core.failures import FailureGroup

from contract_tests.plugins.profiles import SCHEMATHESIS_EXAMPLES, profile_name, run_seed
from contract_tests.support.facts import list_operation
from contract_tests.support.lanes import lanes_for, side_by_side
from contract_tests.support.st_checks import (
    CUSTOM_CHECKS,
    file_failures,
    rules_checked,
)
from contract_tests.support.st_runner import operation_tests
from contract_tests.support.st_transport import (
    LANE,
    TOKEN_STAND_IN,
    SuiteTransport,
    route_through,
    session_of_case,
)
from contract_tests.support.target import Target
from contract_tests.support.transient import ThrottledError
from prevail_contract.runtime.safety import invite_addresses, make_body_safe
from prevail_contract.runtime.verdict import Finding, RuleViolationError
from prevail_contract.spec.paths import spec_path

# The custom checks are registered by @schemathesis.check; with every check enabled in the
# config they run on each response (passing them again would run them twice).
assert CUSTOM_CHECKS


def st_config(target: Target) -> schemathesis.Config:
    """schemathesis's configuration for this run (seed, profile and target read now)."""
    methods = ["GET", "POST", "PUT", "OPTIONS", "TRACE"] + (
        ["DELETE"] if target.is_mock else []  # a live server might obey a DELETE
    )
    return schemathesis.Config.from_dict(
        {
            "seed": run_seed(),
            "base-url": target.api_base,
            # A stand-in: the real token is put in at sending time, so that no case repr (shown
            # in tracebacks and Hypothesis reports) ever holds it.
            "headers": {"Authorization": f"Bearer {TOKEN_STAND_IN}"},
            "parameters": {"remote_session_id": target.session_id},
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
                "coverage": {"enabled": True, "unexpected-methods": methods},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "checks": {"enabled": True},
        }
    )


@pytest.fixture(scope="session")
def st_schema(target: Target) -> Any:
    """The spec as schemathesis loads it for this run, sending through the run's target.

    No ``app`` even for the embedded mock: the target's client reaches it, through the guard.
    """
    schema = schemathesis.openapi.from_path(spec_path(), config=st_config(target))
    return route_through(schema, SuiteTransport(target))


#: Distinct assumed-rule findings kept per rule (the first ones; the rest only counted).
DEFERRED_PER_RULE = 20


@pytest.fixture(scope="session")
def st_deferred() -> list[Finding]:
    """The assumed-rule findings of the schemathesis cases, filed when they all ran."""
    return []


#: Held while a case's assumed-rule findings are added (cases are judged side by side).
_DEFERRING = threading.Lock()


def _wanted(case: Any, target: Target) -> bool:
    """Whether to send the case at all (the suite's transport makes what is sent safe)."""
    list_path = list_operation(target.spec).path
    if case.path == list_path and not target.reads_by_list:
        return False  # the target has no list: its rules are not_run (test_list says why)
    if not target.is_mock and not _live_safe(case, target):
        return False
    remaining = target.budget.remaining()
    # keep half of what is left for the targeted invite checks
    return remaining is None or len(invite_addresses(make_body_safe(case.body))) <= remaining // 2


def _live_safe(case: Any, target: Target) -> bool:
    """Whether a case may go to a live server: a declared operation always (the transport sends
    one whose ``x-operation`` live policy keeps it off the run's Session to a made-up absent
    id); an undeclared method only on a path with an id the guard can make absent (on a live
    ``/sessions`` it might create something)."""
    on_path = target.operations.on_path(case.path)
    declared = next((e for e in on_path if e.method == case.method.upper()), None)
    if declared is not None:
        return True  # the transport sends an absent id where the live policy asks for one
    return "{" in case.path


def _judge_case(case: Any, target: Target, st_deferred: list[Finding]) -> list[Finding]:
    """Send one generated case and judge its answer (schemathesis's checks and ours); the
    documented findings (the assumed ones go to ``st_deferred``).

    Its ``ignored_auth`` gets no per-run memory: it resends every accepted case without and with
    invalid credentials, so a server that ignores them on some requests only (a later page,
    one filter) is caught wherever a case of that kind was accepted."""
    if not _wanted(case, target):
        return []
    try:
        response = case.call()
    except ThrottledError:
        return []  # answered 429/503 on every try: nothing to judge, and not counted as a case
    exchange = target.last_exchange
    assert exchange is not None
    exchange.checked |= rules_checked(case, exchange)
    try:
        case.validate_response(response)
    except FailureGroup as group:
        findings = file_failures(group, exchange, case)
        documented = [f for f in findings if target.spec.rule(f.rule).documented]
        with _DEFERRING:
            for finding in findings:
                if finding not in documented and _keep(st_deferred, finding):
                    st_deferred.append(finding)
        return documented
    return []


def _one_case(case: Any, target: Target, st_deferred: list[Finding]) -> None:
    """The Hypothesis test body when cases are judged as they come (``thorough``: a failing
    case is shrunk to the smallest one)."""
    documented = _judge_case(case, target, st_deferred)
    if documented:
        raise RuleViolationError(documented)


def _judge_in_lane(lane: Target, cases: list[Any], st_deferred: list[Finding]) -> list[Finding]:
    """Judge ``cases`` in order, each sent to ``lane``'s Session."""
    token = LANE.set(lane)
    try:
        return [f for case in cases for f in _judge_case(case, lane, st_deferred)]
    finally:
        LANE.reset(token)


def _drawn(case: Any, sink: list[Any]) -> None:
    """The Hypothesis test body when cases are first drawn, then judged side by side."""
    sink.append(case)


@pytest.mark.rule("response-envelope", "error-status-codes", "error-shape")
def test_schemathesis(target: Target, st_schema: Any, st_deferred: list[Finding]) -> None:
    """Every case of every operation; the documented findings of all of them are raised
    together.

    ``fast`` (no shrinking) draws every case first, as schemathesis generates them, and then
    sends and judges them side by side (``--concurrency``): what is drawn never depends on an
    answer there, so the cases are the same at every concurrency. ``thorough`` judges each
    case as it is drawn, so that a failing one is shrunk, each operation's test beside the
    others'.
    """
    if profile_name() == "fast":
        cases: list[Any] = []
        for test in operation_tests(st_schema, _drawn):
            test(sink=cases)
        # the cases for the run's Session go in order, in lanes (one on a live server, so that
        # it never gets two changes at once); every other case on its own
        own = [c for c in cases if session_of_case(c, target) == target.session_id]
        mine = {id(c) for c in own}
        work: list[Callable[[], list[Finding]]] = [
            partial(_judge_case, c, target, st_deferred) for c in cases if id(c) not in mine
        ]
        work += [
            partial(_judge_in_lane, lane, run, st_deferred) for lane, run in lanes_for(target, own)
        ]
        findings = [f for found in side_by_side(target, work) for f in found]
    else:

        def piece(test: Callable[..., None]) -> list[Finding]:
            try:
                test(target=target, st_deferred=st_deferred)
            except RuleViolationError as error:
                return list(error.findings)
            return []

        tests = operation_tests(st_schema, _one_case)
        findings = [
            f for found in side_by_side(target, [partial(piece, t) for t in tests]) for f in found
        ]
    if findings:
        raise RuleViolationError(findings)


def _keep(kept: list[Finding], finding: Finding) -> bool:
    same_rule = [f for f in kept if f.rule == finding.rule]
    return len(same_rule) < DEFERRED_PER_RULE and all(
        f.summary != finding.summary for f in same_rule
    )


@pytest.mark.rule("error-status-codes", "error-shape")
def test_assumed_findings_of_the_cases(st_deferred: list[Finding]) -> None:
    """File the assumed-rule findings the schemathesis cases collected."""
    if st_deferred:
        raise RuleViolationError(list(st_deferred))
