"""Custom schemathesis checks (one per rule a single response can show) and failure filing.

Built-in schemathesis failures name a check, not one of our rules; :func:`file_failures` maps each
to the catalogue rule it concerns (a 2xx for invalid data is filed under the rule the data broke,
by :mod:`contract_tests.support.body_rules`). A failure is filed only under a rule of the
operation the case called (``Spec.rules_of``): a ``GET /sessions`` failure never lands on an
edit rule. What is particular to one operation (its envelope rule, the rules one exchange
judges, its own filing of built-in failures) is in its module
``contract_tests.operations.<operationId>``, found through the operation registry.
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import schemathesis

from contract_tests.support.answers import session_of
from contract_tests.support.body_rules import broken_rules, rule_broken_by
from contract_tests.support.facts import facts, list_parameter
from contract_tests.support.response_rules import answer_problems, echoes_a_bad_value
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.verdict import Finding
from prevail_contract.spec import load_spec
from prevail_contract.spec.operation_registry import EDIT_ROLE, LIST_ROLE, operation_registry


def _operation_id(role: str) -> str:
    """The operationId of the spec's operation of ``role`` (by its ``x-operation``)."""
    return operation_registry(load_spec()).role(role).operation_id


class RuleBreachError(AssertionError):
    """A custom check's failure, naming the catalogue rule it shows broken."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        super().__init__(f"[{rule}] {message}")


def _request_body(case: Any) -> Any:
    body = case.body
    if isinstance(body, bytes | str):
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            return None
    return body


def _response_json(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, TypeError, RecursionError):
        return None


def _is_edit(response: Any, case: Any) -> bool:
    return bool(
        operation_of(case) == _operation_id(EDIT_ROLE) and 200 <= response.status_code < 300
    )


def operation_of(case: Any) -> str:
    """The operationId of the operation a case belongs to ("" for an undeclared method)."""
    definition = getattr(getattr(case, "operation", None), "definition", None)
    raw = getattr(definition, "raw", None)
    op_id = raw.get("operationId") if isinstance(raw, dict) else None
    if case.method.upper() != str(getattr(case.operation, "method", "")).upper():
        return ""
    return str(op_id or "")


def _is_list(response: Any, case: Any) -> bool:
    return bool(
        operation_of(case) == _operation_id(LIST_ROLE) and 200 <= response.status_code < 300
    )


@schemathesis.check
def rule_list_page_size(ctx: Any, response: Any, case: Any) -> None:
    """An accepted list page holds at most ``items`` Sessions and names the page asked for."""
    if not _is_list(response, case):
        return
    body = _response_json(response)
    pagy = body.get("pagy") if isinstance(body, dict) else None
    sessions = body.get("sessions") if isinstance(body, dict) else None
    if not isinstance(pagy, dict) or not isinstance(sessions, list):
        return  # the envelope's own problem: response_schema_conformance files it
    query = case.query if isinstance(case.query, dict) else {}
    items = pagy.get("items")
    if isinstance(items, int) and len(sessions) > items:
        raise RuleBreachError(
            "list-pagination-consistent", f"{len(sessions)} Sessions on a page of {items}"
        )
    asked = query.get("page")
    # a page outside the parameter's schema is list-query-validated's case, not this rule's
    if (
        isinstance(asked, int)
        and _within(list_parameter(load_spec(), "page"), asked)
        and (pagy.get("page") != asked)
    ):
        raise RuleBreachError(
            "list-pagination-consistent", f"asked for page {asked}, answered {pagy.get('page')}"
        )


def _within(schema: Any, value: int) -> bool:
    """Whether ``value`` keeps the numeric bounds of ``schema``."""
    low, high = schema.get("minimum"), schema.get("maximum")
    return (low is None or value >= low) and (high is None or value <= high)


@schemathesis.check
def rule_response_envelope(ctx: Any, response: Any, case: Any) -> None:
    """A successful edit answers ``{"sessions": [Session, ...]}`` (that it holds exactly one
    item is the assumed ``response-shape``, which the schema check files)."""
    if not _is_edit(response, case):
        return
    body = _response_json(response)
    sessions = body.get("sessions") if isinstance(body, dict) else None
    if not isinstance(sessions, list) or not sessions or not isinstance(sessions[0], dict):
        raise RuleBreachError("response-envelope", 'success body is not {"sessions": [Session]}')


@schemathesis.check
def rule_id_stable(ctx: Any, response: Any, case: Any) -> None:
    """The answered Session has the id of the path."""
    if not _is_edit(response, case):
        return
    session = session_of(_response_json(response))
    wanted = case.path_parameters.get("remote_session_id")
    if session is not None and session.get("remote_session_id") != wanted:
        raise RuleBreachError(
            "id-stable", f"answered id {session.get('remote_session_id')!r}, edited {wanted!r}"
        )


@schemathesis.check
def rule_state_ready_after_edit(ctx: Any, response: Any, case: Any) -> None:
    """The answered Session is ``ready``."""
    if not _is_edit(response, case):
        return
    session = session_of(_response_json(response))
    if session is not None and session.get("state") != facts().state_after_edit:
        raise RuleBreachError(
            "state-ready-after-edit", f"state {session.get('state')!r} after an edit"
        )


@schemathesis.check
def rule_fields_applied(ctx: Any, response: Any, case: Any) -> None:
    """Every editable field of an accepted valid body holds the sent value."""
    body = _request_body(case)
    if not _is_edit(response, case) or broken_rules(body):
        return
    session = session_of(_response_json(response))
    if session is None:
        return
    for name in facts().value_fields:
        if name in body["remote_session"] and session.get(name) != body["remote_session"][name]:
            raise RuleBreachError(
                "fields-applied",
                f"sent {name}={body['remote_session'][name]!r}, answered {session.get(name)!r}",
            )


@schemathesis.check
def rule_invites_additive(ctx: Any, response: Any, case: Any) -> None:
    """Every address of an accepted valid invite list is in the answered ``invites``."""
    body = _request_body(case)
    if not _is_edit(response, case) or broken_rules(body):
        return
    session = session_of(_response_json(response))
    sent = body["remote_session"].get("invites") or []
    if session is None or not sent:
        return
    have = {str(x).lower() for x in session.get("invites") or []}
    missing = [
        e
        for e in ((i if isinstance(i, str) else i["email"]).lower() for i in sent)
        if e not in have
    ]
    if missing:
        raise RuleBreachError("invites-additive", f"invited {missing[:3]} but not in invites")


@schemathesis.check
def rule_invites_no_duplicates(ctx: Any, response: Any, case: Any) -> None:
    """The answered ``invites`` holds each address once, ignoring letter case."""
    if not _is_edit(response, case):
        return
    session = session_of(_response_json(response))
    invites = [str(x).lower() for x in (session or {}).get("invites") or []]
    if len(invites) != len(set(invites)):
        raise RuleBreachError("invites-no-duplicates", "an address appears twice in invites")


@schemathesis.check
def rule_body_rules(ctx: Any, response: Any, case: Any) -> None:
    """A body breaking the envelope, the all-three rule, formats or limits is not accepted."""
    if not _is_edit(response, case):
        return
    rule = rule_broken_by(_request_body(case))
    if rule is not None:
        raise RuleBreachError(rule, "accepted a body that breaks the rule")


@schemathesis.check
def rule_error_shape(ctx: Any, response: Any, case: Any) -> None:
    """Every 4xx except 405 has an ``Error`` body."""
    if not 400 <= response.status_code < 500 or response.status_code == 405:
        return
    errors = list(load_spec().validator("Error").iter_errors(_response_json(response)))
    if errors:
        raise RuleBreachError(
            "error-shape", f"refusal body breaks Error: {errors[0].message[:200]}"
        )


CUSTOM_CHECKS = (
    rule_list_page_size,
    rule_response_envelope,
    rule_id_stable,
    rule_state_ready_after_edit,
    rule_fields_applied,
    rule_invites_additive,
    rule_invites_no_duplicates,
    rule_body_rules,
    rule_error_shape,
)

#: schemathesis built-in check name -> our rule (status-dependent ones handled in code).
BUILTIN_RULES = {
    "not_a_server_error": "error-status-codes",
    "status_code_conformance": "error-status-codes",
    "ignored_auth": "auth-required",
    "missing_required_header": "auth-required",
    "unsupported_method": "method-not-allowed",
    "allow_header_conformance": "method-not-allowed",
    "positive_data_acceptance": "field-limits",
}


def _rule_for(failure: Any, exchange: Exchange, operation: str = "") -> str | None:
    inner = getattr(failure, "exception", None)
    if isinstance(inner, RuleBreachError):
        return inner.rule
    checks = tuple(getattr(failure, "checks", ()) or ())
    name = checks[0] if checks else ""
    own = _suite_module(operation).builtin_rule(name, exchange) if operation else None
    if own is not None:
        return str(own)
    if name == "negative_data_rejection":
        # Only a body our own reading also calls invalid counts; negative path, query or header
        # values are the auth and lookup rules' business and have their own checks.
        return rule_broken_by(exchange.request_json()) if exchange.body else None
    if name in (
        "response_schema_conformance",
        "content_type_conformance",
        "response_headers_conformance",
    ):
        if exchange.status == 405:
            return "method-not-allowed"
        if not exchange.accepted:
            return "error-shape"
        # a stored value of the wrong form is a response problem too: the request that stored
        # it was judged when it was sent; only keywords the spec marks assumed (lengths, the
        # one-item count, fields always present) make it the assumed response-shape
        if name == "response_schema_conformance" and operation:
            problems = answer_problems(load_spec(), operation, exchange.json)
            sent = rule_broken_by(exchange.request_json()) if exchange.body else None
            if sent is not None and echoes_a_bad_value(problems):
                # this very request sent the bad value and got it echoed: one breach, of the
                # rule that refuses such a value (as the suite's own edit checks file it)
                return sent
            if problems:
                return problems[0].rule
        return _own_shape_rule(operation)
    if BUILTIN_RULES.get(name) == "auth-required":
        # the documented rule is broken only when a request without usable credentials was
        # accepted; a refusal with another status than 401 is the assumed status's business
        # (ignored_auth judges its own probes: its title says whether one was accepted)
        title = str(getattr(failure, "title", "")).lower()
        taken = "accepts" in title if name == "ignored_auth" else exchange.accepted
        return "auth-required" if taken else "error-status-codes"
    return BUILTIN_RULES.get(name, "error-status-codes")


def rules_checked(case: Any, exchange: Exchange) -> set[str]:
    """The rules whose custom check judged this exchange (for the per-rule case counts)."""
    checked = {"error-status-codes"}
    if 400 <= exchange.status < 500 and exchange.status != 405:
        checked.add("error-shape")
    if exchange.status == 405:
        checked.add("method-not-allowed")
    operation = operation_of(case)
    if operation:
        checked |= set(_suite_module(operation).rules_checked(case, exchange))
    return checked


def file_failures(failures: Any, exchange: Exchange, case: Any = None) -> list[Finding]:
    """Findings for a schemathesis ``FailureGroup``, each under a rule of the case's operation,
    in the order of their rules and texts: schemathesis gathers a case's failures in a set,
    whose order changes from run to run, and the same seed must give the same report."""
    findings: list[Finding] = []
    operation = operation_of(case) if case is not None else ""
    spec = load_spec()
    applicable = {r.id for r in spec.rules_of(operation)} if operation else None
    for failure in getattr(failures, "exceptions", [failures]):
        rule = _rule_for(failure, exchange, operation)
        if rule is None:
            continue
        if applicable is not None and rule not in applicable:
            # a rule of another operation cannot be what this case broke
            rule = "error-status-codes" if not exchange.accepted else _own_shape_rule(operation)
        title = str(getattr(failure, "title", type(failure).__name__))
        message = str(getattr(failure, "message", "")).strip().splitlines()
        text = f"schemathesis {title}" + (f": {message[0]}" if message else "")
        findings.append(Finding(rule, text[:400], exchange))
    return sorted(findings, key=lambda finding: (finding.rule, finding.summary))


def _own_shape_rule(operation: str) -> str:
    """The envelope rule of the case's operation (the edit's for an undeclared method)."""
    return str(_suite_module(operation or _operation_id(EDIT_ROLE)).SHAPE_RULE)


def _suite_module(operation: str) -> ModuleType:
    return operation_registry(load_spec())[operation].suite_module()


__all__ = ["CUSTOM_CHECKS", "RuleBreachError", "file_failures", "rules_checked"]
