"""Which rule a successful answer's schema problems break: the documented envelope only for
what the documentation states, the assumed ``response-shape`` for the rest."""

from __future__ import annotations

import copy
from typing import Any

from contract_tests.support.response_rules import SHAPE_RULE, answer_problems, envelope_rule
from prevail_contract.spec import load_spec

SPEC = load_spec()
LIST = "list_sessions"


def _listed() -> dict[str, Any]:
    """The list's documented answer example (a body valid by the spec)."""
    rule = SPEC.rule(envelope_rule(SPEC, LIST))
    assert rule.response_example is not None
    return copy.deepcopy(dict(SPEC.example(rule.response_example).value))


def test_the_documented_example_has_no_problem() -> None:
    assert answer_problems(SPEC, LIST, _listed()) == []


def test_null_provider_details_are_the_assumed_shapes_finding() -> None:
    # the documentation describes the field for Zoom Sessions only; null for another Session
    # breaks this contract's reading, not the documented envelope
    body = _listed()
    body["sessions"][0]["provider_specific_details"] = None
    assert {p.rule for p in answer_problems(SPEC, LIST, body)} == {SHAPE_RULE}


def test_a_session_list_that_is_no_list_breaks_the_documented_envelope() -> None:
    body = _listed()
    body["sessions"] = {"not": "a list"}
    assert {p.rule for p in answer_problems(SPEC, LIST, body)} == {envelope_rule(SPEC, LIST)}
