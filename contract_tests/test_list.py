"""The list's own rules: envelope, Organization scoping, pages, start-time filters, query limits.

Start instants are computed here from ``start_date``, ``start_time`` and the IANA zone the
spec maps ``time_zone`` to, independently of the mock. A run against a mock creates enough
Sessions (admin API) to page and filter; a live run uses what the Organization has and says
``not_run`` when that is too little.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pytest

from contract_tests.support.expect import PRECONDITION_REFUSALS, listed_as_answered, refused
from contract_tests.support.facts import facts, list_operation, list_parameter
from contract_tests.support.list_reads import start_instant
from contract_tests.support.response_rules import SHAPE_RULE, answer_problems
from contract_tests.support.target import DEFAULT, Target
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.verdict import Verdicts
from prevail_contract.spec import Spec


@dataclass(frozen=True)
class Bounds:
    """The list's query bounds, as the parameters' schemas state them."""

    items_min: int
    items_max: int
    items_default: int
    page_min: int


def bounds(spec: Spec) -> Bounds:
    """The query bounds of ``spec``'s list."""
    items, page = list_parameter(spec, "items"), list_parameter(spec, "page")
    return Bounds(
        int(items["minimum"]), int(items["maximum"]), int(items["default"]), int(page["minimum"])
    )


#: Sessions the embedded run adds to the Organization: (start_date, start_time, time_zone).
#: Two share an instant (10:00 in London in winter is 10:00 UTC) to show the id tie-break.
EXTRA_SCHEDULES = [
    ("2034-01-10", "10:00 AM", "London"),
    ("2034-01-10", "10:00 AM", "UTC"),
    ("2034-01-10", "09:00 AM", "Eastern Time (US & Canada)"),
    ("2034-02-01", "01:30 AM", "Tokyo"),
    ("2034-03-15", "11:45 PM", "Hawaii"),
    ("2034-05-20", "07:15 AM", "Berlin"),
    ("2034-07-04", "12:00 PM", "Pacific Time (US & Canada)"),
]
PAGE_ITEMS = 3
#: Pages of ``PAGE_ITEMS`` the paging check asks for at most: the first ones and the last two
#: (an Organization with thousands of Sessions is not paged through three at a time).
PAGED = 12
#: Distinct start instants a filter window spans at most (so that it holds few Sessions).
SPAN = 6


def _needs_list(target: Target) -> None:
    if not target.reads_by_list:
        pytest.skip("the target does not answer GET /sessions (404/405 or no Session list)")


def _enough_sessions(target: Target) -> None:
    """On a mock: add the extra Sessions once, so that there are pages and instants to pick."""
    if target.admin is None or "list" in target.created or target.organization is None:
        return
    created = target.created.setdefault("list", [])
    states = facts().editable_states
    for index, (day, clock, zone) in enumerate(EXTRA_SCHEDULES):
        created.append(
            target.admin.create(
                target.organization,
                states[index % len(states)],
                remote_session_id=f"list-probe-{index:02d}",
                title=f"List probe {index}",
                start_date=day,
                start_time=clock,
                time_zone=zone,
            )
        )


def instant(target: Target, session: dict[str, Any]) -> float | None:
    """A Session's start instant in epoch seconds (None when its schedule cannot be read)."""
    return start_instant(target.spec, session)


def _page(v: Verdicts, ex: Exchange, rule: str, purpose: str) -> dict[str, Any] | None:
    """The body of an accepted list page, or None after filing why there is none."""
    ex.checked.add(rule)
    body = ex.json
    if not ex.accepted:
        blamed = PRECONDITION_REFUSALS.get(ex.status, rule)
        if blamed in ("self-service-required", "org-ownership", "editable-states"):
            blamed = rule  # no such precondition on a list
        v.fail(blamed, f"{purpose}: refused with {ex.status}", ex)
        return None
    if not isinstance(body, dict) or not isinstance(body.get("sessions"), list):
        v.fail("list-envelope", f"{purpose}: the body holds no sessions list", ex)
        return None
    return body


def _ids(sessions: list[dict[str, Any]]) -> list[str]:
    return [str(s.get("remote_session_id")) for s in sessions]


def _pagy(body: dict[str, Any], name: str) -> int | None:
    pagy = body.get("pagy")
    value = pagy.get(name) if isinstance(pagy, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@pytest.mark.rule("list-envelope", "response-shape")
@pytest.mark.parametrize("which", [0, 1, 2], ids=["query0", "query1", "query2"])
def test_list_envelope(target: Target, which: int) -> None:
    b = bounds(target.spec)
    query = [{}, {"page": str(b.page_min), "items": str(b.items_default)}, {"page": "999"}][which]
    _needs_list(target)
    v = Verdicts()
    ex = target.list_page(params=query, purpose=f"list {query or 'defaults'}")
    body = _page(v, ex, "list-envelope", f"GET /sessions {query}")
    if body is not None:
        ex.checked.add(SHAPE_RULE)
        # a keyword the spec marks assumed (a length, a bound) is response-shape's
        problems = answer_problems(target.spec, list_operation(target.spec).operation_id, body)
        for rule in dict.fromkeys(p.rule for p in problems):
            first = next(p for p in problems if p.rule == rule)
            v.fail(rule, f"the list body breaks ListSessionsResponse {first}", ex)
    v.raise_if_any()


@pytest.mark.rule("list-org-scoped")
def test_list_holds_only_the_organizations_sessions(target: Target) -> None:
    _needs_list(target)
    v = Verdicts()
    listed = target.list_all(purpose="scoping")
    if listed is None:
        v.fail("list-org-scoped", "the Organization's listing was refused", target.last_exchange)
        v.raise_if_any()
        return
    ids = set(_ids(listed[0]))
    last = listed[1][-1]
    last.checked.add("list-org-scoped")
    own = [target.session_id, target.config.locked_session_id]
    for sid in [s for s in own if s]:
        if sid not in ids:
            v.fail("list-org-scoped", f"the Organization's Session {sid!r} is not listed", last)
    foreign = target.config.foreign_session_id
    if foreign is None:
        target.note("list-org-scoped", "no foreign Session probed: set PREVAIL_FOREIGN_SESSION_ID")
    elif foreign in ids:
        v.fail("list-org-scoped", f"another Organization's Session {foreign!r} is listed", last)
    other = target.config.no_self_service_token
    if other is None:
        target.note(
            "list-org-scoped",
            "listing without Self-Service not probed: set PREVAIL_NO_SELF_SERVICE_TOKEN",
        )
    else:
        theirs = target.list_all(token=other, purpose="scoping, no Self-Service")
        if theirs is None:
            v.fail(
                "list-org-scoped",
                "an Organization without Self-Service could not list its Sessions "
                "(listing needs no Self-Service, assumed)",
                target.last_exchange,
            )
        else:
            theirs[1][-1].checked.add("list-org-scoped")
            their_ids = set(_ids(theirs[0]))
            if target.session_id in their_ids:
                v.fail(
                    "list-org-scoped",
                    f"another Organization lists your Session {target.session_id!r}",
                    theirs[1][-1],
                )
            mine = target.no_self_service_session_id
            if mine is not None and mine not in their_ids:
                v.fail(
                    "list-org-scoped",
                    f"the Organization without Self-Service does not list its Session {mine!r}",
                    theirs[1][-1],
                )
    v.raise_if_any()


@pytest.mark.rule("list-pagination-consistent")
def test_pages_neither_repeat_nor_skip(target: Target) -> None:
    _needs_list(target)
    _enough_sessions(target)
    v = Verdicts()
    rule = "list-pagination-consistent"
    whole = target.list_all(purpose="all Sessions, largest pages")
    if whole is None:
        v.fail(rule, "the full listing was refused", target.last_exchange)
        v.raise_if_any()
        return
    everything = whole[0]
    if len(everything) < 2:
        pytest.skip("paging needs at least 2 Sessions in the Organization")
    items = PAGE_ITEMS if len(everything) > PAGE_ITEMS else 1
    first = target.list_page(params={"page": "1", "items": str(items)}, purpose="page 1")
    body = _page(v, first, rule, "page 1")
    count = _pagy(body, "count") if body is not None else None
    pages = _pagy(body, "pages") if body is not None else None
    if body is None or count is None or pages is None:
        v.raise_if_any()
        return
    if count != len(everything):
        v.fail(rule, f"count is {count} but {len(everything)} Sessions are listed", first)
    if pages != max(1, math.ceil(count / items)):
        v.fail(rule, f"pages is {pages} for count {count} and items {items}", first)
    seen: list[dict[str, Any]] = list(body["sessions"])
    bodies = [(1, first, body)]
    numbers = range(2, pages + 1) if pages <= PAGED else [*range(2, PAGED - 1), pages - 1, pages]
    for number in numbers:
        ex = target.list_page(params={"page": str(number), "items": str(items)}, purpose="page")
        got = _page(v, ex, rule, f"page {number}")
        if got is None:
            break
        bodies.append((number, ex, got))
        seen += got["sessions"]
    for number, ex, got in bodies:
        ex.checked.add(rule)
        size = len(got["sessions"])
        want = items if number < pages else count - items * (pages - 1)
        if size != want:
            v.fail(rule, f"page {number} of {pages} holds {size} Sessions, not {want}", ex)
        if _pagy(got, "count") not in (None, count):
            v.fail(rule, f"page {number} says count {_pagy(got, 'count')}, page 1 {count}", ex)
        if _pagy(got, "page") not in (None, number):
            v.fail(rule, f"page {number} answers pagy.page {_pagy(got, 'page')}", ex)
        if _pagy(got, "items") not in (None, items):
            v.fail(rule, f"asked for {items} a page, pagy.items is {_pagy(got, 'items')}", ex)
    ids = _ids(seen)
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    asked = [everything[(n - 1) * items : n * items] for n, _, _ in bodies]
    skipped = sorted({i for part in asked for i in _ids(part)} - set(ids))
    if repeated:
        v.fail(rule, f"pages of {items} repeat {repeated[:5]}", bodies[-1][1])
    if skipped:
        v.fail(rule, f"pages of {items} skip {skipped[:5]}", bodies[-1][1])
    keys = [(instant(target, s), str(s.get("remote_session_id"))) for s in seen]
    timed = [(t, i) for t, i in keys if t is not None]
    if timed != sorted(timed):
        v.fail(rule, "pages are not ordered by start instant, then remote_session_id", first)
    past = target.list_page(params={"page": str(pages + 1), "items": str(items)}, purpose="past")
    got = _page(v, past, rule, f"page {pages + 1} of {pages}")
    if got is not None and got["sessions"]:
        v.fail(rule, f"page {pages + 1} of {pages} is not empty", past)
    default = target.list_page(purpose="default page size")
    got = _page(v, default, rule, "default page size")
    if got is not None:
        items_default = bounds(target.spec).items_default
        if len(got["sessions"]) != min(count, items_default):
            held = len(got["sessions"])
            v.fail(rule, f"without items a page holds {held}, not {items_default} or all", default)
        pagy = got.get("pagy")
        stated = pagy.get("items", items_default) if isinstance(pagy, dict) else items_default
        if stated != items_default:  # (a pagy without items is list-envelope's finding)
            v.fail(
                rule,
                f"without items, pagy.items is {stated!r}, not the default {items_default}",
                default,
            )
    v.raise_if_any()


@pytest.mark.rule("list-filters-by-start-time")
def test_filters_select_by_start_instant(target: Target) -> None:
    _needs_list(target)
    _enough_sessions(target)
    v = Verdicts()
    rule = "list-filters-by-start-time"
    whole = target.list_all(purpose="all Sessions, for the filters")
    if whole is None:
        v.fail(rule, "the full listing was refused", target.last_exchange)
        v.raise_if_any()
        return
    timed = [(instant(target, s), str(s.get("remote_session_id"))) for s in whole[0]]
    instants = sorted({t for t, _ in timed if t is not None})
    if len(instants) < 3:
        pytest.skip("the filters need Sessions with at least 3 different start instants")
    # narrow windows (a few instants each), so that a big Organization is not listed whole
    low, high = int(instants[1]), int(instants[min(1 + SPAN, len(instants) - 1)])
    late = int(instants[max(1, len(instants) - SPAN)])
    windows: dict[str, tuple[dict[str, str], set[str]]] = {
        "start_time and end_time": (
            {"start_time": str(low), "end_time": str(high)},
            {i for t, i in timed if t is not None and low <= t < high},
        ),
        "start_time only": (
            {"start_time": str(late)},
            {i for t, i in timed if t is not None and t >= late},
        ),
        "end_time only": (
            {"end_time": str(low)},
            {i for t, i in timed if t is not None and t < low},
        ),
    }
    for label, (query, wanted) in windows.items():
        got = target.list_all(params=query, purpose=f"filter {label}")
        if got is None:
            v.fail(rule, f"{label}: the filtered listing was refused", target.last_exchange)
            continue
        last = got[1][-1]
        last.checked.add(rule)
        have = set(_ids(got[0]))
        if have != wanted:
            v.fail(
                rule,
                f"{label} {query}: listed {sorted(have - wanted)[:3]} too many and "
                f"{sorted(wanted - have)[:3]} missing",
                last,
            )
        count = _pagy(last.json if isinstance(last.json, dict) else {}, "count")
        if count is not None and count != len(wanted):
            v.fail(rule, f"{label}: count is {count}, {len(wanted)} Sessions match", last)
    v.raise_if_any()


def bad_queries(b: Bounds) -> list[dict[str, str]]:
    """Queries past the bounds, or not numbers."""
    return [
        {"items": str(b.items_min - 1)},
        {"items": str(b.items_max + 1)},
        {"page": str(b.page_min - 1)},
        {"page": str(b.page_min - 2)},
        {"page": "two"},
        {"page": ""},
        {"items": "2.5"},
        {"start_time": "yesterday"},
        {"end_time": "1e3"},
    ]


def good_queries(b: Bounds) -> list[dict[str, str]]:
    """Queries at the bounds."""
    return [
        {"items": str(b.items_min)},
        {"items": str(b.items_max)},
        {"page": str(b.page_min)},
        {"start_time": "0"},
    ]


@pytest.mark.rule("list-query-validated")
def test_query_values_outside_the_limits_are_refused(target: Target) -> None:
    _needs_list(target)
    v = Verdicts()
    for query in good_queries(bounds(target.spec)):
        _page(
            v,
            target.list_page(params=query, purpose=f"list {query}"),
            "list-query-validated",
            str(query),
        )
    for query in bad_queries(bounds(target.spec)):
        ex = target.list_page(params=query, purpose=f"list {query}")
        refused(target.spec, v, ex, "list-query-validated", f"GET /sessions {query}")
    v.raise_if_any()


@pytest.mark.rule("list-reflects-edits")
def test_list_shows_an_accepted_edit(target: Target) -> None:
    _needs_list(target)
    v = Verdicts()
    edit = {"title": f"Listed after an edit {target.seed}", "estimated_duration": 2.25}
    ex = target.edit({"remote_session": edit}, token=DEFAULT, purpose="edit, then list")
    ex.checked.add("list-reflects-edits")
    body = ex.json
    sessions = body.get("sessions") if isinstance(body, dict) else None
    if ex.accepted and isinstance(sessions, list) and sessions:
        listed_as_answered(target, v, sessions[0], "edit, then list")
        if target.last_exchange is not None:
            target.last_exchange.checked.add("list-reflects-edits")
    v.raise_if_any()
