"""The contract facts the suite probes (fields, bounds, enums, states), read from the spec.

Nothing here is typed in by hand: the editable fields are ``RemoteSessionEdit``'s properties, the
schedule fields its ``dependentRequired`` group, the states ``Session.state``'s
``x-editable-states`` and ``x-state-after-edit``, the access levels and zone names their enums.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prevail_contract.errors import SpecError
from prevail_contract.runtime.safety import invite_names
from prevail_contract.spec import Spec, load_spec
from prevail_contract.spec.operation_registry import LIST_ROLE, operation_registry
from prevail_contract.spec.operations import Operation


@dataclass(frozen=True)
class Facts:
    """What one spec says about the request body and the Session's states."""

    spec: Spec
    #: The ``remote_session`` schema (references followed).
    edit_schema: Mapping[str, Any]
    #: Every field an edit may send, in the spec's order.
    editable: tuple[str, ...]
    #: The fields that go together (``dependentRequired``), in the spec's order.
    schedule: tuple[str, ...]
    editable_states: tuple[str, ...]
    state_after_edit: str
    #: Every state the spec lists for a Session.
    states: tuple[str, ...]
    access_levels: tuple[str, ...]
    zones: tuple[str, ...]
    #: The list field of invitees, and the object form's email and access-level members.
    invite_field: str
    invite_email: str
    invite_level: str

    def field(self, name: str) -> Mapping[str, Any]:
        """The schema of one editable field (references followed)."""
        node = self.spec.deref(self.edit_schema["properties"][name])
        assert isinstance(node, Mapping)
        return node

    @property
    def value_fields(self) -> tuple[str, ...]:
        """Editable fields whose sent value the Session shows as it was sent."""
        return tuple(
            name
            for name in self.editable
            if self.field(name).get("type") in ("string", "number", "integer")
        )

    def examples(self, name: str) -> list[Any]:
        """The field's own ``examples`` (those of a referenced schema too)."""
        raw = self.edit_schema["properties"][name]
        found = list(raw.get("examples") or []) if isinstance(raw, Mapping) else []
        return found + list(self.field(name).get("examples") or [])


def list_operation(spec: Spec) -> Operation:
    """The read operation (List Sessions): the one whose ``x-operation`` role is ``list``."""
    return operation_registry(spec).role(LIST_ROLE).operation


def list_parameter(spec: Spec, name: str) -> Mapping[str, Any]:
    """The schema of one query parameter of the list operation (references followed)."""
    for ref in list_operation(spec).node.get("parameters") or ():
        param = spec.deref(ref)
        if isinstance(param, Mapping) and param.get("name") == name:
            schema = spec.deref(param.get("schema") or {})
            assert isinstance(schema, Mapping)
            return schema
    raise SpecError(f"{list_operation(spec).label} has no query parameter {name!r}")


def _edit_schema(spec: Spec) -> Mapping[str, Any]:
    request = spec.document["components"]["schemas"]["EditSessionRequest"]
    node = spec.deref(request["properties"][invite_names(spec).envelope])
    if not isinstance(node, Mapping) or not isinstance(node.get("properties"), Mapping):
        raise SpecError("EditSessionRequest.remote_session must be an object schema")
    return node


def read_facts(spec: Spec) -> Facts:
    """Read the facts from ``spec``, naming what is missing."""
    edit = _edit_schema(spec)
    fields = tuple(edit["properties"])
    group: set[str] = set()
    for name, needs in (edit.get("dependentRequired") or {}).items():
        group |= {name, *needs}
    state = spec.document["components"]["schemas"]["Session"]["properties"]["state"]
    editable_states = tuple(state.get("x-editable-states") or ())
    after = state.get("x-state-after-edit")
    if not editable_states or not isinstance(after, str):
        raise SpecError("Session.state needs x-editable-states and x-state-after-edit")
    schemas = spec.document["components"]["schemas"]
    names = invite_names(spec)
    invite_field, invite_email = names.field, names.email
    invite_level = next(n for n in schemas["InviteObject"]["properties"] if n != invite_email)
    return Facts(
        spec=spec,
        edit_schema=edit,
        editable=fields,
        schedule=tuple(f for f in fields if f in group),
        editable_states=editable_states,
        state_after_edit=after,
        states=tuple(state.get("x-extensible-enum") or state.get("enum") or ()),
        access_levels=tuple(schemas["AccessLevel"]["enum"]),
        zones=tuple(spec.time_zones()),
        invite_field=invite_field,
        invite_email=invite_email,
        invite_level=invite_level,
    )


@functools.lru_cache(maxsize=4)
def _cached(spec: Spec) -> Facts:
    return read_facts(spec)


def facts(spec: Spec | None = None) -> Facts:
    """The facts of ``spec`` (default: the spec the run checks against)."""
    return _cached(spec if spec is not None else load_spec())
