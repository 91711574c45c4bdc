"""The edit's checks as data: one step per rule id, run in the order of ``x-check-order``.

Each step carries the rule id it enforces, the planted bugs (``--bug``) that break it, and the
steps it needs earlier (the caller's Organization comes from ``auth-required``, the Session
from ``org-ownership``, the body's bytes from ``payload-limit``, the parsed body from
``malformed-json``). ``build_pipeline`` turns the spec's list into steps once, when the app is
built: an id that is no check of the edit, a check left out or listed twice, and a step placed
before one it needs are each a ``SpecError`` naming the fix. Swapping two entries of the list
in the spec changes which refusal a request with both faults gets, with no code edit.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from starlette.requests import Request

from prevail_contract.errors import SpecError
from prevail_contract.mock import auth, offload
from prevail_contract.mock.auth import Authenticator, token_from
from prevail_contract.mock.body import BodyReader
from prevail_contract.mock.facts import EDIT_OPERATION, Facts
from prevail_contract.mock.fixtures import Organization, StoredSession
from prevail_contract.mock.json_syntax import check_media_type, parse_json
from prevail_contract.mock.rules import check_editable, check_owned, check_self_service
from prevail_contract.mock.sandboxes import world_of
from prevail_contract.mock.store import Store, Worlds
from prevail_contract.mock.validation import BodyValidator
from prevail_contract.spec import Spec

#: Planted bug of rule ``check-order`` itself: the state check moves up to run right after
#: the Session is found, before the body is looked at.
STATE_FIRST = "check-order:state-first"
ORDER_BUGS = (STATE_FIRST,)


@dataclass
class EditCall:
    """One edit request on its way through the steps; each step fills in what it finds."""

    request: Request
    remote_session_id: str
    #: The planted bugs active for this request.
    bugs: frozenset[str]
    org: Organization | None = None
    store: Store | None = None
    session: StoredSession | None = None
    raw: bytes = b""
    payload: Any = None
    parsed: bool = False
    edit: dict[str, Any] | None = None


@dataclass(frozen=True)
class Services:
    """What the steps check with, built once per app."""

    spec: Spec
    facts: Facts
    authenticator: Authenticator
    worlds: Worlds
    reader: BodyReader
    validator: BodyValidator


class Check:
    """One step of the edit's checks: refuses (raises ``ApiError``) or lets the call on."""

    #: The rule the step enforces (an id of the catalogue and of ``x-check-order``).
    rule: ClassVar[str]
    #: Planted bugs that break the step's rule (``rule`` or ``rule:kind``).
    bugs: ClassVar[tuple[str, ...]] = ()
    #: Steps that must run earlier, and what this one takes from them.
    needs: ClassVar[tuple[str, ...]] = ()
    #: What the step leaves on the call for later steps (for messages about the order).
    gives: ClassVar[str] = ""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.spec = services.spec

    async def __call__(self, call: EditCall) -> None:
        raise NotImplementedError


class AuthCheck(Check):
    rule = "auth-required"
    bugs = auth.BUGS
    gives = "the caller's Organization"

    async def __call__(self, call: EditCall) -> None:
        headers, query = call.request.headers, call.request.query_params
        org = await self.services.authenticator(token_from(self.spec, headers, query))
        call.org = org
        call.store = await world_of(self.spec, self.services.worlds, org)


class SelfServiceCheck(Check):
    rule = "self-service-required"
    bugs = ("self-service-required", "self-service-required:query")
    needs = ("auth-required",)

    async def __call__(self, call: EditCall) -> None:
        assert call.org is not None
        check_self_service(self.spec, call.org, call.bugs)


class OwnershipCheck(Check):
    rule = "org-ownership"
    bugs = ("org-ownership", "org-ownership:query", "org-ownership:leaky-message")
    needs = ("auth-required",)
    gives = "the Session"

    async def __call__(self, call: EditCall) -> None:
        assert call.org is not None
        assert call.store is not None
        found = await call.store.get(call.remote_session_id)
        call.session = check_owned(self.spec, found, call.remote_session_id, call.org, call.bugs)


class MediaTypeCheck(Check):
    rule = "media-type"

    async def __call__(self, call: EditCall) -> None:
        content_type = call.request.headers.get("content-type")
        check_media_type(self.spec, content_type, self.services.facts.media_type)


class PayloadLimitCheck(Check):
    rule = "payload-limit"
    gives = "the body's bytes"

    async def __call__(self, call: EditCall) -> None:
        call.raw = await self.services.reader.read(call.request)


class JsonSyntaxCheck(Check):
    rule = "malformed-json"
    needs = ("payload-limit",)
    gives = "the parsed body"

    async def __call__(self, call: EditCall) -> None:
        raw, enveloped = call.raw, self.services.validator.enveloped
        call.payload = await offload.run(len(raw), lambda: enveloped(parse_json(self.spec, raw)))
        call.parsed = True


class ScheduleCheck(Check):
    rule = "schedule-all-three"
    bugs = ("schedule-all-three",)
    needs = ("malformed-json",)

    async def __call__(self, call: EditCall) -> None:
        if "schedule-all-three" not in call.bugs:
            self.services.validator.check_schedule(call.payload)


class FieldFormatsCheck(Check):
    """Every ``validation_failed`` check: the envelope, formats, limits and unknown fields."""

    rule = "field-formats"
    bugs = ("field-formats", "field-formats:zone-case", "request-envelope")
    needs = ("malformed-json",)
    gives = "the edit"

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.folded = {z.casefold(): z for z in self.spec.time_zones()}

    async def __call__(self, call: EditCall) -> None:
        validator = self.services.validator
        if "field-formats:zone-case" in call.bugs:  # planted: " hawaii" taken for "Hawaii"
            call.payload = self._fold_zone(call.payload, validator.envelope_name)
        payload = call.payload
        call.edit = await offload.run(len(call.raw), lambda: validator.validate(payload))

    def _fold_zone(self, body: Any, envelope: str) -> Any:
        inner = body.get(envelope) if isinstance(body, dict) else None
        field = self.services.validator.schedule_zone_field
        zone = inner.get(field) if isinstance(inner, dict) and field else None
        if isinstance(inner, dict) and isinstance(zone, str):
            inner[str(field)] = self.folded.get(zone.strip().casefold(), zone)
        return body


class StateCheck(Check):
    rule = "editable-states"
    bugs = ("editable-states", "editable-states:query", "editable-states:initial")
    needs = ("org-ownership",)

    async def __call__(self, call: EditCall) -> None:
        assert call.session is not None
        check_editable(self.spec, self.services.facts, call.session, call.bugs)


#: Every check of the edit, by the rule it enforces.
CHECKS: dict[str, type[Check]] = {
    step.rule: step
    for step in (
        AuthCheck,
        SelfServiceCheck,
        OwnershipCheck,
        MediaTypeCheck,
        PayloadLimitCheck,
        JsonSyntaxCheck,
        ScheduleCheck,
        FieldFormatsCheck,
        StateCheck,
    )
}


def step_bugs() -> tuple[str, ...]:
    """The planted bugs the steps (and the order itself) carry, in step order."""
    return (*(bug for step in CHECKS.values() for bug in step.bugs), *ORDER_BUGS)


def build_pipeline(
    services: Services, order: Sequence[str], bugs: Collection[str] = ()
) -> tuple[Check, ...]:
    """The steps in ``order`` (the spec's ``x-check-order``), checked for sense."""
    where = f"{EDIT_OPERATION} x-check-order"
    for rule_id in order:
        services.spec.rule(rule_id)  # an id the catalogue lacks: its own SpecError
        if rule_id not in CHECKS:
            raise SpecError(
                f"{where} names {rule_id!r}, which is not one of the edit's checks; "
                f"the checks are {', '.join(CHECKS)}"
            )
    repeated = sorted({r for r in order if list(order).count(r) > 1})
    if repeated:
        raise SpecError(f"{where} lists {', '.join(repeated)} more than once")
    missing = [r for r in CHECKS if r not in order]
    if missing:
        raise SpecError(f"{where} lacks {', '.join(missing)}: place every check of the edit")
    steps = list(order)
    for index, rule_id in enumerate(steps):
        for need in CHECKS[rule_id].needs:
            if steps.index(need) > index:
                raise SpecError(
                    f"{where} puts {rule_id!r} before {need!r}, but {rule_id!r} needs "
                    f"{CHECKS[need].gives}, which {need!r} finds; list {need!r} first"
                )
    if STATE_FIRST in bugs:
        steps.remove(StateCheck.rule)
        after = max(steps.index(need) for need in StateCheck.needs)
        steps.insert(after + 1, StateCheck.rule)
    return tuple(CHECKS[rule_id](services) for rule_id in steps)
