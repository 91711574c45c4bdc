"""Every named request example of the spec, sent as its ``x-request-setup`` says, answer compared.

The answer is compared with the rule's response example on what must not vary (status, error
``code``, the fields the request set, ``state``); message texts, details, ids and other fields
legitimately differ between servers and are ignored.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from contract_tests.support.answers import session_of
from contract_tests.support.carriers import past_leeway_token
from contract_tests.support.expect import accepted, refused
from contract_tests.support.facts import facts
from contract_tests.support.probes import future_dated
from contract_tests.support.response_rules import SHAPE_RULE
from contract_tests.support.target import DEFAULT, Target
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.verdict import Verdicts
from prevail_contract.spec import Example, Spec, load_spec


def _session_fields(spec: Spec) -> tuple[str, ...]:
    """The fields a Session always has (``Session.required``) and its invitees."""
    required = spec.document["components"]["schemas"]["Session"]["required"]
    return (*required, facts(spec).invite_field)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One case per request example of the spec in use, read at collection."""
    if metafunc.function is test_named_example:
        metafunc.parametrize(("request_name", "rule_id", "response_name"), _cases(load_spec()))


def _cases(spec: Spec) -> list[Any]:
    """(request example, rule id, response example) for every request example in ``spec``."""
    cases: list[Any] = []
    seen: set[str] = set()
    for rule in spec.rules:
        if rule.request_example is None:
            continue
        seen.add(rule.request_example)
        cases.append(
            pytest.param(
                rule.request_example,
                rule.id,
                rule.response_example,
                id=rule.request_example,
                marks=pytest.mark.rule(rule.id),
            )
        )
    body: dict[str, Any] = {}
    for operation in spec.operations:
        content = (operation.node.get("requestBody") or {}).get("content") or {}
        body.update((content.get("application/json") or {}).get("examples") or {})
    for node in body.values():
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            cases.append(
                pytest.param(
                    name, "fields-applied", None, id=name, marks=pytest.mark.rule("fields-applied")
                )
            )
    return cases


def _set_path(value: Any, dotted: str, new: Any) -> Any:
    head, _, rest = dotted.partition(".")
    copy = dict(value)
    copy[head] = _set_path(value[head], rest, new) if rest else new
    return copy


def _padded(example: Example) -> bytes:
    field, size = str(example.setup["pad-field"]), int(example.setup["pad-to-bytes"])
    shell = json.dumps(_set_path(example.value, field, "")).encode()
    return json.dumps(_set_path(example.value, field, "x" * (size - len(shell)))).encode()


def send_example(target: Target, example: Example, rule_id: str | None = None) -> Exchange:
    """Send a request example the way its ``x-request-setup`` describes; an example of a rule
    whose operation's suite module has its own ``send_example`` is sent by that module."""
    if rule_id is not None:
        own = target.operations[target.spec.rule(rule_id).operation].suite_module()
        sender = getattr(own, "send_example", None)
        if sender is not None:
            sent: Exchange = sender(target, example)
            return sent
    setup = example.setup
    if setup.get("in") == "query":
        if not target.reads_by_list:
            pytest.skip("the target does not answer GET /sessions (404/405 or no Session list)")
        query = {str(k): str(v) for k, v in dict(example.value).items()}
        return target.list_page(params=query, purpose=f"example {example.name}")
    token: Any = DEFAULT
    session_id = None
    if setup.get("token") == "none":
        token = None
    elif setup.get("token") == "expired-past-leeway":
        token = past_leeway_token(target)
    elif setup.get("token") == "no-self-service":
        token = target.require("no_self_service_token", "needs a token without Self-Service")
        session_id = target.no_self_service_session_id
    if setup.get("session") == "foreign":
        session_id = target.require("foreign_session_id", "needs another Organization's session")
    elif setup.get("session") == "locked":
        session_id = target.require("locked_session_id", "needs a non-editable session")
    content_type = str(setup.get("content-type", "application/json"))
    raw: bytes | None = None
    if setup.get("raw"):
        raw = str(example.value).encode()
    elif "pad-to-bytes" in setup:
        raw = _padded(example)
    return target.edit(
        example.value,
        raw=raw,
        session_id=session_id,
        token=token,
        content_type=content_type,
        purpose=f"example {example.name}",
    )


def _sent_fields(example: Example) -> dict[str, Any]:
    value = example.value
    edit = value.get("remote_session") if isinstance(value, dict) else None
    return dict(edit) if isinstance(edit, dict) else {}


def test_named_example(
    target: Target, request_name: str, rule_id: str, response_name: str | None
) -> None:
    v = Verdicts()
    spec = target.spec
    f = facts(spec)
    rule = spec.rule(rule_id)
    example = spec.example(request_name)
    if rule.kind != "rejection":  # a past date moved ahead (a past schedule is not documented)
        example = dataclasses.replace(example, value=future_dated(f, example.value))
    ex = send_example(target, example, rule_id)
    purpose = f"example {request_name}"
    if rule.kind == "rejection":
        if refused(spec, v, ex, rule_id, purpose) and response_name is not None:
            expected = spec.example(response_name).value
            body = ex.json if isinstance(ex.json, dict) else {}
            if body.get("code") != expected.get("code"):
                v.fail(
                    "error-status-codes",
                    f"{purpose}: code {body.get('code')!r}, the "
                    f"example answer {response_name} has {expected.get('code')!r}",
                    ex,
                )
    elif example.setup.get("in") == "query":
        _listed_like(spec, v, ex, rule_id, purpose, response_name)
    else:
        session = accepted(v, ex, rule_id, purpose)
        if session is not None:
            sent = _sent_fields(example)
            for name, value in sent.items():
                if name == f.invite_field:
                    have = {str(x).lower() for x in session.get(f.invite_field) or []}
                    email = f.invite_email
                    want = {(i if isinstance(i, str) else i[email]).lower() for i in value}
                    if not want <= have:
                        v.fail(
                            "invites-additive",
                            f"{purpose}: {sorted(want - have)} not in invites",
                            ex,
                        )
                elif session.get(name) != value:
                    v.fail(
                        "fields-applied",
                        f"{purpose}: {name} is {session.get(name)!r}, sent {value!r}",
                        ex,
                    )
            if session.get("state") != f.state_after_edit:
                v.fail("state-ready-after-edit", f"{purpose}: state {session.get('state')!r}", ex)
            if response_name is not None:
                expected = session_of(spec.example(response_name).value) or {}
                body = ex.json
                if not (isinstance(body, dict) and isinstance(body.get("sessions"), list)):
                    v.fail(
                        "response-envelope",
                        f"{purpose}: answer is not shaped like "
                        f'{response_name} ({{"sessions": [Session]}})',
                        ex,
                    )
                fields = _session_fields(spec)
                missing = [k for k in fields if k in expected and k not in session]
                if missing:  # that every field is always present is assumed
                    ex.checked.add(SHAPE_RULE)
                    v.fail(SHAPE_RULE, f"{purpose}: Session lacks {missing}", ex)
    v.raise_if_any()


def _listed_like(
    spec: Spec, v: Verdicts, ex: Exchange, rule_id: str, purpose: str, response_name: str | None
) -> None:
    """An accepted list answer shaped like the response example (members, not values)."""
    ex.checked.add(rule_id)
    if not ex.accepted:
        v.fail(rule_id, f"{purpose}: a valid list request was refused with {ex.status}", ex)
        return
    if response_name is None:
        return
    expected = spec.example(response_name).value
    body = ex.json if isinstance(ex.json, dict) else {}
    missing = [k for k in expected if k not in body]
    raw_pagy = body.get("pagy")
    pagy: dict[str, Any] = raw_pagy if isinstance(raw_pagy, dict) else {}
    missing += [f"pagy.{k}" for k in expected.get("pagy", {}) if k not in pagy]
    if missing:
        v.fail(rule_id, f"{purpose}: the answer lacks {missing}, which {response_name} has", ex)
