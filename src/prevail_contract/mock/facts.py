"""The contract facts the mock enforces, read once from the spec: states, body limit, check order.

Each fact lives in ``openapi/openapi.yaml`` only (``Session.state``'s ``x-editable-states`` and
``x-state-after-edit``, the ``payload-limit`` rule's ``x-limits``, the ``x-check-order`` of the
operation whose ``x-operation`` role is ``edit``, ``AccessLevel``'s enum and default); a spec
edit changes the mock with no code edit, and a fact the spec lacks is a ``SpecError`` when the
app is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prevail_contract.errors import SpecError
from prevail_contract.spec import Spec
from prevail_contract.spec.operation_registry import EDIT_ROLE, operation_registry

PAYLOAD_RULE = "payload-limit"


@dataclass(frozen=True)
class Facts:
    """What the mock needs to know about the contract beyond the schemas themselves."""

    #: States in which a Session can be edited (rule ``editable-states``), spec order.
    editable_states: tuple[str, ...]
    #: Every state the spec names (``x-extensible-enum``), the first being a new Session's.
    states: tuple[str, ...]
    #: The state every successful edit leaves (rule ``state-ready-after-edit``).
    state_after_edit: str
    #: Largest accepted request body in bytes (rule ``payload-limit``).
    max_body: int
    #: operationId of the edit (the operation whose ``x-operation`` role is ``edit``).
    edit_operation: str
    #: Rule ids of the edit's checks, first to last (``x-check-order``).
    check_order: tuple[str, ...]
    #: The media type the edit's body is sent as (its ``requestBody`` content).
    media_type: str
    #: Access levels an invitee may hold, and the one an email alone gets.
    access_levels: tuple[str, ...]
    default_access: str
    #: The level that sticks only for a registered member (the enum's non-default one).
    member_only_access: tuple[str, ...]


def read_facts(spec: Spec) -> Facts:
    """The facts of ``spec``; a missing or malformed one is a ``SpecError`` naming where."""
    schemas = spec.document.get("components", {}).get("schemas", {})
    state = _node(schemas, ("Session", "properties", "state"), "components/schemas/Session")
    editable = state.get("x-editable-states")
    if not isinstance(editable, list) or not all(isinstance(s, str) for s in editable or [0]):
        raise SpecError("Session.properties.state needs 'x-editable-states', a list of states")
    after = state.get("x-state-after-edit")
    if not isinstance(after, str) or not after:
        raise SpecError("Session.properties.state needs 'x-state-after-edit', a state name")
    states = state.get("x-extensible-enum") or state.get("enum")
    if not isinstance(states, list) or not states or after not in states:
        raise SpecError("Session.properties.state needs 'x-extensible-enum' naming its states")
    levels = _node(schemas, ("AccessLevel",), "components/schemas")
    enum = levels.get("enum")
    default = levels.get("default")
    if not isinstance(enum, list) or default not in enum:
        raise SpecError("AccessLevel needs an 'enum' and a 'default' taken from it")
    edit = operation_registry(spec).role(EDIT_ROLE).operation
    order = edit.node.get("x-check-order")
    if not isinstance(order, list) or not all(isinstance(r, str) for r in order):
        raise SpecError(f"{edit.operation_id} needs 'x-check-order', a list of rule ids")
    content = edit.node.get("requestBody", {}).get("content")
    if not isinstance(content, Mapping) or len(content) != 1:
        raise SpecError(f"{edit.operation_id}'s requestBody needs exactly one content media type")
    return Facts(
        edit_operation=edit.operation_id,
        media_type=str(next(iter(content))).lower(),
        editable_states=tuple(editable),
        states=tuple(str(s) for s in states),
        state_after_edit=after,
        max_body=payload_limit(spec),
        check_order=tuple(order),
        access_levels=tuple(str(v) for v in enum),
        default_access=str(default),
        member_only_access=tuple(str(v) for v in enum if v != default),
    )


def editable_states(spec: Spec) -> tuple[str, ...]:
    """``Session.state``'s ``x-editable-states`` (for readers that need only this fact)."""
    return read_facts(spec).editable_states


def access_levels(spec: Spec) -> tuple[tuple[str, ...], str]:
    """``AccessLevel``'s values and its default (for readers that need only this fact)."""
    facts = read_facts(spec)
    return facts.access_levels, facts.default_access


def payload_limit(spec: Spec) -> int:
    """The byte limit of rule ``payload-limit``: its ``x-limits`` entry with a ``value``."""
    operation = spec.rule_operation(PAYLOAD_RULE)
    for raw in operation.node.get("x-rules") or ():
        if isinstance(raw, Mapping) and raw.get("id") == PAYLOAD_RULE:
            for limit in raw.get("x-limits") or ():
                value = limit.get("value") if isinstance(limit, Mapping) else None
                if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                    return value
    raise SpecError(f"rule {PAYLOAD_RULE!r} needs an 'x-limits' entry with a positive 'value'")


def size_text(size: int) -> str:
    """``1048576`` as ``1 MiB``, ``2048`` as ``2 KiB``, other sizes in bytes."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def _node(root: Mapping[str, Any], path: tuple[str, ...], where: str) -> Mapping[str, Any]:
    node: Any = root
    for part in path:
        node = node.get(part) if isinstance(node, Mapping) else None
    if not isinstance(node, Mapping):
        raise SpecError(f"{where} lacks {'.'.join(path)}")
    return node
