"""Requests with chosen faults, for testing the assumed check order (``x-check-order``).

:func:`build` makes one request that carries exactly the named faults (each a rule id of the
order) and nothing else wrong, so that a pair of faults shows which check the server runs first.
Every body fault is read from the spec (a too-long value from a field's ``maxLength``, a bad
format the spec's own reading refuses, a partial ``dependentRequired`` group, a field the edit
schema lacks) and checked with that reading before it is sent; the body limit is the
``payload-limit`` rule's ``x-limits``.

The order lists ``field-formats`` for every check answered like it (``422 validation_failed``):
:func:`order_pairs` puts ``field-limits`` and ``unknown-fields-rejected`` at its place, so a
too-long title or an unknown field is probed (and filed) under its own rule.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from contract_tests.support.body_rules import body_rules
from contract_tests.support.facts import Facts, facts
from contract_tests.support.probes import base_schedule, good_value
from contract_tests.support.strategies import bad_formats
from contract_tests.support.target import Target
from prevail_contract.errors import SpecError
from prevail_contract.runtime import tokens
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.session_ids import unknown_session_id
from prevail_contract.spec import Spec
from prevail_contract.spec.operation_registry import EDIT_ROLE, operation_registry

#: The faults that live in the request body (the spec's reading of the body must agree).
BODY_FAULTS = frozenset(
    {"schedule-all-three", "field-formats", "field-limits", "unknown-fields-rejected"}
)
#: The faults :func:`build` knows how to make.
KNOWN_FAULTS = BODY_FAULTS | frozenset(
    {
        "auth-required",
        "self-service-required",
        "org-ownership",
        "media-type",
        "payload-limit",
        "malformed-json",
        "editable-states",
    }
)
#: A field name no edit schema has (the ``unknown-fields-rejected`` fault).
UNKNOWN_FIELD = "contract_check_unknown_field"


class MissingFixtureError(LookupError):
    """A fault needs a fixture this target was not given (the message names the variable)."""


@dataclass
class Probe:
    """One request with its faults, ready to send."""

    faults: tuple[str, ...]
    token: str
    session_id: str
    content_type: str
    body: bytes
    #: Faults added only because a fixture was missing (the probe leans on the order).
    extra: tuple[str, ...] = ()

    def send(self, target: Target) -> Exchange:
        """Send the probe (tokens masked in every report)."""
        target.masker.add(self.token)
        return target.edit(
            raw=self.body,
            session_id=self.session_id,
            token=self.token,
            content_type=self.content_type,
            purpose="check order: " + " + ".join(self.faults),
        )


def declared_order(spec: Spec) -> list[str]:
    """The spec's ``x-check-order`` (rule ids) as written."""
    edit = operation_registry(spec).role(EDIT_ROLE).operation
    return [str(r) for r in edit.node.get("x-check-order") or []]


def order_of(target: Target) -> list[str]:
    """The spec's ``x-check-order`` (rule ids)."""
    return declared_order(target.spec)


def answer_of(spec: Spec, rule_id: str) -> tuple[object, object]:
    """The status and code a refusal under ``rule_id`` has."""
    rule = spec.rule(rule_id)
    return rule.status, rule.code


def stand_ins(spec: Spec, rule_id: str) -> list[str]:
    """Rules the order does not list that are answered like ``rule_id``, so share its place
    (only those whose fault can be built)."""
    listed = set(declared_order(spec))
    wanted = answer_of(spec, rule_id)
    return [
        r.id
        for r in spec.rules_of(spec.rule(rule_id).operation)
        if r.id not in listed
        and r.id in KNOWN_FAULTS
        and r.kind == "rejection"
        and answer_of(spec, r.id) == wanted
    ]


def all_pairs(spec: Spec) -> list[tuple[str, str]]:
    """Every rule at one place of ``x-check-order`` (the listed one and its stand-ins) with
    every rule at the next."""
    places = [[r, *stand_ins(spec, r)] for r in declared_order(spec)]
    return [(a, b) for here, then in itertools.pairwise(places) for a in here for b in then]


def order_pairs(spec: Spec) -> list[tuple[str, str]]:
    """The pairs whose answer shows the order (two rules answered alike show nothing)."""
    return [(a, b) for a, b in all_pairs(spec) if answer_of(spec, a) != answer_of(spec, b)]


def _too_long(f: Facts) -> dict[str, Any]:
    """A value one past a ``maxLength`` of the spec (the ``field-limits`` fault)."""
    for name in f.value_fields:
        most = f.field(name).get("maxLength")
        if name not in f.schedule and isinstance(most, int):
            return {name: "x" * (most + 1)}
    raise SpecError("no editable field outside the schedule group has a maxLength")


def _bad_format(f: Facts, present: list[str]) -> dict[str, Any]:
    """A value of one of ``present`` that the spec refuses as ``field-formats``."""
    for name in present:
        for value in bad_formats().get(name, ()):
            if isinstance(value, str):
                return {name: value}
    raise SpecError(f"no bad format the spec refuses is known for {present}")


def body_faults(spec: Spec, have: set[str]) -> dict[str, Any]:
    """The ``remote_session`` object carrying exactly the body faults in ``have``."""
    f = facts(spec)
    schedule = base_schedule(f)
    inner: dict[str, Any] = {}
    if "schedule-all-three" in have:
        schedule.pop(f.schedule[-1])  # the group without its last member
        inner.update(schedule)
    if "field-formats" in have:
        if not inner:
            inner.update(schedule)
        inner.update(_bad_format(f, list(inner)))
    if "field-limits" in have:
        inner.update(_too_long(f))
    if "unknown-fields-rejected" in have:
        inner[UNKNOWN_FIELD] = "an unknown field"
    if not inner:
        name = next(n for n in f.value_fields if n not in f.schedule)
        inner = {name: good_value(name, spec)}
    wanted = have & BODY_FAULTS
    broken = body_rules(spec).broken({"remote_session": inner}) & BODY_FAULTS
    if broken != wanted:
        raise SpecError(
            f"the order probe {inner} breaks {sorted(broken)} by the spec, not {sorted(wanted)}"
        )
    return inner


def body_limit(spec: Spec) -> int:
    """The largest body ``payload-limit`` allows, from its ``x-limits``."""
    for rule in spec.rule_operation("payload-limit").node.get("x-rules") or ():
        if isinstance(rule, dict) and rule.get("id") == "payload-limit":
            for limit in rule.get("x-limits") or ():
                if isinstance(limit.get("value"), int):
                    return int(limit["value"])
    raise SpecError("payload-limit has no x-limits value (the body size limit)")


def build(target: Target, faults: tuple[str, ...]) -> Probe:
    """A request carrying exactly ``faults``; :class:`MissingFixtureError` if one cannot be made."""
    have = set(faults)
    token, session_id = target.token, target.session_id
    extra: tuple[str, ...] = ()
    if "self-service-required" in have:
        if target.config.no_self_service_token is None:
            raise MissingFixtureError("needs PREVAIL_NO_SELF_SERVICE_TOKEN")
        token = target.config.no_self_service_token
        if target.no_self_service_session_id is not None:
            session_id = target.no_self_service_session_id
        else:
            extra = ("org-ownership",)  # that Organization's token on our Session
    if "auth-required" in have:
        token = tokens.wrong_signature(tokens.claims_of(token) or {"slug": "unknown"})
    if "org-ownership" in have:
        session_id = unknown_session_id(target.seed)
    if "editable-states" in have:
        if target.config.locked_session_id is None:
            raise MissingFixtureError("needs PREVAIL_LOCKED_SESSION_ID")
        session_id = target.config.locked_session_id
    body = json.dumps({"remote_session": body_faults(target.spec, have)}).encode()
    if "malformed-json" in have:
        body += b" and then some text"  # a valid JSON value followed by more
    if "payload-limit" in have:
        limit = body_limit(target.spec)
        body += b" " * (limit + 1 - len(body))  # whitespace: still the same JSON value
    content_type = "text/plain" if "media-type" in have else "application/json"
    return Probe(faults, token, session_id, content_type, body, extra)
