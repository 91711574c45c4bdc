"""The mock's list (``GET {base}/sessions``): scoping, filters, ordering and pages.

Query limits (``page``, ``items``, the two filters) are read from the parameters of the
operation :mod:`.operations.list_sessions` hands over, and so is which of them may repeat: a
parameter whose schema is not an array, sent twice (``items=1000&items=1``), is refused naming
it rather than one value picked. Sessions come from the same store the edits change
(``Store.sessions``). A start instant is ``start_date`` and ``start_time`` read in the IANA
zone the spec's ``TimeZoneName`` maps ``time_zone`` to (``zoneinfo``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from prevail_contract.mock.auth import Authenticator, token_from
from prevail_contract.mock.errors import ApiError, Detail
from prevail_contract.mock.fixtures import Organization, StoredSession
from prevail_contract.mock.presentation import PageSizes, Presentation
from prevail_contract.mock.responses import json_response
from prevail_contract.spec import Spec
from prevail_contract.spec.operations import Operation

_WHOLE = re.compile(r"-?[0-9]+")
#: Significant digits past which a whole number is beyond every int64 bound: it is read as just
#: past the bound on its side, not converted (which costs time quadratic in its length).
_DIGITS = 20
_BEYOND = int("1" + "0" * _DIGITS)
#: The query parameters the list reads (the rest, such as ``jwt_payload``, are not its own).
PARAMETERS = ("start_time", "end_time", "page", "items")

#: Planted bugs of the list's rules (``--bug RULE_ID``).
LIST_BUGS = (
    "list-envelope",
    "list-org-scoped",
    "list-pagination-consistent",
    "list-filters-by-start-time",
    "list-query-validated",
    "list-reflects-edits",
    "list-pagination-consistent:items-default",
)
#: With the planted ``list-pagination-consistent:items-default``: the page size when the query
#: names none is half the spec's default (a server with its own idea of the default).
_WRONG_DEFAULT_SHARE = 2
#: Not a rule: the mock answers 404 on ``/sessions``, like a server without the list.
LIST_ABSENT = "list-sessions-absent"


@dataclass(frozen=True)
class Query:
    """A validated list query."""

    page: int
    items: int
    start_time: int | None
    end_time: int | None


def start_instant(fields: Mapping[str, Any], zones: Mapping[str, str]) -> float | None:
    """Epoch seconds of a Session's start, or None when its schedule cannot be read."""
    try:
        iana = zones[str(fields["time_zone"])]
        return _instant(str(fields["start_date"]), str(fields["start_time"]), iana)
    except KeyError:
        return None


#: Schedules whose instant is kept: every list page orders the whole Organization by start, and
#: ``strptime`` was nine tenths of a page's time with thousands of Sessions.
INSTANTS_KEPT = 16384


@lru_cache(maxsize=INSTANTS_KEPT)
def _instant(start_date: str, start_time: str, iana: str) -> float | None:
    try:
        day = dt.date.fromisoformat(start_date)
        clock = dt.datetime.strptime(start_time, "%I:%M %p").time()
        zone = _zone(iana)
    except (ValueError, ZoneInfoNotFoundError):
        return None
    return dt.datetime.combine(day, clock, tzinfo=zone).timestamp()


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class QueryReader:
    """Reads ``page``, ``items`` and the filters, with the limits and defaults of the spec."""

    def __init__(
        self,
        spec: Spec,
        operation: Operation,
        bugs: Collection[str],
        presentation: Presentation | None = None,
    ) -> None:
        self.spec = spec
        shown = presentation or Presentation()
        self.wrong_default = "list-pagination-consistent:items-default" in bugs
        self.schemas: dict[str, Mapping[str, Any]] = {}
        #: Query parameters that take one value (their schema is not an array).
        self.single: list[str] = []
        for ref in operation.node.get("parameters") or ():
            param = spec.deref(ref)
            self.schemas[str(param["name"])] = param.get("schema") or {}
            if param.get("in") == "query" and (param.get("schema") or {}).get("type") != "array":
                self.single.append(str(param["name"]))
        sizes: PageSizes = shown.page_sizes(self.schemas.get("items", {}))
        self.schemas["items"] = {
            **self.schemas.get("items", {}),
            "default": sizes.default,
            "maximum": sizes.maximum,
        }
        #: Clamp out-of-range values (the planted bug, and the documented-only reading) ...
        self.lenient = "list-query-validated" in bugs or sizes.lenient
        #: ... and take a malformed one as absent (the documented-only reading).
        self.ignore_malformed = sizes.lenient

    def __call__(self, params: QueryParams) -> Query:
        values: dict[str, int | None] = {}
        details: list[Detail] = []
        for name in self.single:
            sent = len(params.getlist(name))
            if sent > 1:
                details.append(Detail(name, f"Sent {sent} times; send it once."))
        if details and not self.ignore_malformed:  # the documented-only reading takes the last
            raise self._refused(details)
        for name in PARAMETERS:
            schema = self.schemas.get(name, {})
            raw = params.get(name)
            default = schema.get("default")
            if raw is None:
                values[name] = int(default) if default is not None else None
                if name == "items" and self.wrong_default and default is not None:
                    values[name] = max(1, int(default) // _WRONG_DEFAULT_SHARE)
                continue
            low, high = schema.get("minimum"), schema.get("maximum")
            if not _WHOLE.fullmatch(raw) and self.ignore_malformed:
                values[name] = int(default) if default is not None else None
                continue
            if not _WHOLE.fullmatch(raw):
                details.append(Detail(name, f"Must be a whole number, got {raw[:40]!r}."))
                continue
            value = _whole(raw)
            outside = (low is not None and value < low) or (high is not None and value > high)
            if outside and self.lenient:
                value = max(int(low or 0), min(int(high or value), value))
            elif outside:
                details.append(Detail(name, f"Must be a whole number from {low} to {high}."))
                continue
            values[name] = value
        if details:
            raise self._refused(details)
        return Query(
            page=int(values["page"] or 1),
            items=int(values["items"] or 1),
            start_time=values["start_time"],
            end_time=values["end_time"],
        )

    def _refused(self, details: list[Detail]) -> ApiError:
        noun = "parameter" if len(details) == 1 else "parameters"
        return ApiError.for_rule(
            self.spec,
            "list-query-validated",
            f"The query has {len(details)} invalid {noun}.",
            details,
        )


class ListSessionsEndpoint:
    """The list (``GET {base}/sessions``); any other method answers 405 with ``Allow`` naming
    the operation's method."""

    def __init__(
        self,
        spec: Spec,
        operation: Operation,
        authenticator: Authenticator,
        sessions: Callable[[Organization], Awaitable[list[StoredSession]]],
        originals: Mapping[str, StoredSession],
        order: tuple[str, ...],
        bugs: Collection[str],
        presentation: Presentation | None = None,
    ) -> None:
        self.spec = spec
        self.allowed = operation.method.upper()
        self.presentation = presentation or Presentation()
        self.authenticator = authenticator
        self.sessions = sessions
        #: The fixture Sessions as loaded (served instead of the store's under a planted bug).
        self.originals = originals
        self.order = order
        self.bugs = frozenset(bugs)
        self.zones = spec.time_zones()
        self.read_query = QueryReader(spec, operation, bugs, self.presentation)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method not in (self.allowed, "HEAD"):
            response = self.presentation.method_not_allowed(request.method, self.allowed)
        else:
            try:
                response = json_response(await self.answer(request))
            except ApiError as error:
                response = self.presentation.error(error)
        await response(scope, receive, send)

    async def answer(self, request: Request) -> dict[str, Any]:
        """The list body for this request (raises ``ApiError`` to refuse)."""
        params = request.query_params
        org = await self.authenticator(token_from(self.spec, request.headers, params))
        query = self.read_query(params)
        chosen = [self._shown(s) for s in await self.sessions(org)]
        if "list-org-scoped" not in self.bugs:
            chosen = [s for s in chosen if s.organization == org.slug]
        timed = [(start_instant(s.fields, self.zones), s) for s in chosen]
        if query.start_time is not None:
            timed = [(t, s) for t, s in timed if t is not None and t >= query.start_time]
        if query.end_time is not None and "list-filters-by-start-time" not in self.bugs:
            timed = [(t, s) for t, s in timed if t is not None and t < query.end_time]
        timed.sort(
            key=lambda pair: (math.inf if pair[0] is None else pair[0], pair[1].remote_session_id)
        )
        count = len(timed)
        first = (query.page - 1) * query.items
        if "list-pagination-consistent" in self.bugs and query.page > 1:
            first -= 1  # each later page repeats the last Session of the page before
        page = [s.session(self.order) for _, s in timed[first : first + query.items]]
        pagy: dict[str, int] = {
            "page": query.page,
            "items": query.items,
            "count": count,
            "pages": max(1, math.ceil(count / query.items)),
        }
        if "list-envelope" in self.bugs:
            pagy["per_page"] = pagy.pop("items")
        return {"pagy": pagy, "sessions": page}

    def _shown(self, session: StoredSession) -> StoredSession:
        if "list-reflects-edits" in self.bugs:
            return self.originals.get(session.remote_session_id, session)
        return session


def _whole(raw: str) -> int:
    """The whole number ``raw`` (``-?[0-9]+``), or ±10**20 when it has more significant digits
    (leading zeros are dropped first: they cost no conversion)."""
    digits = raw.lstrip("-").lstrip("0")
    value = _BEYOND if len(digits) > _DIGITS else int(digits or "0")
    return -value if raw.startswith("-") else value
