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
from dataclasses import dataclass, field
from typing import Any, ClassVar

from starlette.requests import Request

from prevail_contract.errors import SpecError
from prevail_contract.mock import auth, offload
from prevail_contract.mock.auth import Authenticator, token_from
from prevail_contract.mock.body import BodyReader
from prevail_contract.mock.errors import ApiError, Detail
from prevail_contract.mock.facts import Facts
from prevail_contract.mock.fixtures import Organization, StoredSession
from prevail_contract.mock.json_syntax import (
    check_content_encoding,
    check_media_type,
    parse_json,
)
from prevail_contract.mock.presentation import Presentation
from prevail_contract.mock.rules import (
    HIDDEN_RULE,
    check_editable,
    check_owned,
    check_self_service,
)
from prevail_contract.mock.sandboxes import world_of
from prevail_contract.mock.store import Store, Worlds
from prevail_contract.mock.validation import EMAIL_RULE, BodyValidator
from prevail_contract.spec import Spec

#: Planted: the request's headers counted into the body's size limit (bodies somewhat under
#: it are refused).
EARLY_LIMIT = "payload-limit:early"
#: Planted: text lengths counted in UTF-16 code units instead of characters.
UTF16_LENGTHS = "field-limits:utf16"
#: Planted bug of rule ``check-order`` itself: the state check moves up to run right after
#: the Session is found, before the body is looked at.
STATE_FIRST = "check-order:state-first"
ORDER_BUGS = (STATE_FIRST,)
#: Planted bug of rule ``rejected-changes-nothing`` (see ``leaks``): a body over the limit is
#: read anyway (up to ``SIZE_LEAK_FACTOR`` times the limit), so that its title can be stored.
SIZE_LEAK = "rejected-changes-nothing:size"
SIZE_LEAK_FACTOR = 4


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
    #: How refusals are answered (the contract's, or the documented-only reading's).
    presentation: Presentation = field(default_factory=Presentation)


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
    bugs = ("org-ownership", "org-ownership:query", HIDDEN_RULE)
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
        check_content_encoding(self.spec, call.request.headers.getlist("content-encoding"))


class PayloadLimitCheck(Check):
    rule = "payload-limit"
    bugs = (SIZE_LEAK, EARLY_LIMIT)
    gives = "the body's bytes"

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.generous = BodyReader(self.spec, SIZE_LEAK_FACTOR * services.reader.max_body)

    async def __call__(self, call: EditCall) -> None:
        if SIZE_LEAK in call.bugs:
            call.raw = await self.generous.read(call.request)
            if len(call.raw) > self.services.reader.max_body:
                raise self.services.reader.too_large()  # refused, but the body was kept (planted)
        else:
            call.raw = await self.services.reader.read(call.request)
        if EARLY_LIMIT in call.bugs:  # planted: the request's headers counted into the limit
            head = sum(len(k) + len(v) + 4 for k, v in call.request.headers.raw)
            if len(call.raw) + head > self.services.reader.max_body:
                raise ApiError.for_rule(
                    self.spec, self.rule, "The request is larger than the limit; send less."
                )


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
    bugs = (
        "field-formats",
        "field-formats:zone-case",
        "request-envelope",
        EMAIL_RULE,
        UTF16_LENGTHS,
    )
    needs = ("malformed-json",)
    gives = "the edit"

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.folded = {z.casefold(): z for z in self.spec.time_zones()}
        fields = self.spec.document["components"]["schemas"]["RemoteSessionEdit"]["properties"]
        #: The ``maxLength`` of each edit field that has one (for the planted UTF-16 count).
        self.max_lengths = {
            name: int(node["maxLength"])
            for name, node in ((n, self.spec.deref(v)) for n, v in fields.items())
            if "maxLength" in node
        }

    async def __call__(self, call: EditCall) -> None:
        validator = self.services.validator
        if "field-formats:zone-case" in call.bugs:  # planted: " hawaii" taken for "Hawaii"
            call.payload = self._fold_zone(call.payload, validator.envelope_name)
        payload = call.payload
        call.edit = await offload.run(len(call.raw), lambda: validator.validate(payload))
        if UTF16_LENGTHS in call.bugs:
            self._utf16_lengths(call.edit, validator.envelope_name)

    def _utf16_lengths(self, edit: dict[str, Any], envelope: str) -> None:
        """Planted ``field-limits:utf16``: lengths counted in UTF-16 code units, as JavaScript
        does, so a text of ``maxLength`` characters outside the BMP is refused."""
        for name, limit in self.max_lengths.items():
            value = edit.get(name)
            if isinstance(value, str) and len(value.encode("utf-16-le")) // 2 > limit:
                raise ApiError.for_rule(
                    self.spec,
                    "field-limits",
                    f"{name} is longer than {limit} characters.",
                    [Detail(f"{envelope}.{name}", f"At most {limit} characters.")],
                )

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


def documented_order(order: Sequence[str]) -> tuple[str, ...]:
    """Another order a server may check in (the order is assumed): ``order`` reversed, each
    step as early as that reversal puts it once every step it needs has run."""
    pending = list(reversed(order))
    placed: list[str] = []
    while pending:
        ready = next(
            (r for r in pending if all(n in placed for n in _needs(r) if n in order)),
            pending[0],
        )
        pending.remove(ready)
        placed.append(ready)
    return tuple(placed)


def _needs(rule_id: str) -> tuple[str, ...]:
    step = CHECKS.get(rule_id)
    return step.needs if step is not None else ()


def build_pipeline(
    services: Services, order: Sequence[str], bugs: Collection[str] = ()
) -> tuple[Check, ...]:
    """The steps in ``order`` (the spec's ``x-check-order``), checked for sense."""
    where = f"{services.facts.edit_operation} x-check-order"
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
