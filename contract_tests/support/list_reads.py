"""Bounded reads through the list (``GET /sessions``): how much of an Organization's list one
read may page through, and in how long.

A read of one Session first asks for a narrow ``start_time``/``end_time`` window around the start
instant it was last seen with (one page, whatever the size of the Organization), and pages
through the whole list only when the window does not show it, stopping at the page that does.
Every read is held to a page budget and a time budget (a share of the run's deadline); a read
cut by either earns no verdict: the test is skipped with the reason, so a rule with no other
evidence is ``not_run``, never ``passed``. Start instants are computed here, independently of
the mock, from ``start_date``, ``start_time`` and the IANA zone the spec maps ``time_zone`` to.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from contract_tests.support.facts import list_parameter
from prevail_contract.runtime.bounds import RUN
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.spec import Spec

#: Pages one read may take (at the spec's largest page size): a bound for a live server.
PAGE_BUDGET = 50
#: Share of the run's deadline one read may take (a slow list cannot use up the run).
TIME_SHARE = 0.05
#: Half the width of the window a Session is first looked for in, around its start instant:
#: a day and more, so that a server reading a zone or a daylight-saving gap otherwise still
#: lists it there.
WINDOW_SECONDS = 26 * 3600
#: Pages a window may take before the read falls back to paging through everything.
WINDOW_PAGES = 2


class ReadCutError(Exception):
    """A read reached its page or time budget before it was complete."""


@dataclass
class Listing:
    """What one read of the list saw: the Sessions in order and the pages that held them."""

    sessions: list[dict[str, Any]] = field(default_factory=list)
    pages: list[Exchange] = field(default_factory=list)


def start_instant(spec: Spec, session: Mapping[str, Any]) -> float | None:
    """A Session's start instant in epoch seconds (None when its schedule cannot be read)."""
    zones = spec.time_zones()
    try:
        day = dt.date.fromisoformat(str(session["start_date"]))
        clock = dt.datetime.strptime(str(session["start_time"]), "%I:%M %p").time()
        zone = ZoneInfo(zones[str(session["time_zone"])])
    except (KeyError, ValueError, ZoneInfoNotFoundError):
        return None
    return dt.datetime.combine(day, clock, tzinfo=zone).timestamp()


def window_around(spec: Spec, instant: float) -> dict[str, str]:
    """The filter query of the window a Session starting at ``instant`` is first looked for in
    (kept within the bounds the spec gives each filter)."""
    query: dict[str, str] = {}
    for name, value in (
        ("start_time", math.floor(instant) - WINDOW_SECONDS),
        ("end_time", math.ceil(instant) + WINDOW_SECONDS),
    ):
        schema = list_parameter(spec, name)
        low, high = schema.get("minimum"), schema.get("maximum")
        value = max(value, int(low)) if low is not None else value
        query[name] = str(min(value, int(high)) if high is not None else value)
    return query


def time_budget() -> float:
    """Seconds one read may take: its share of the run's deadline."""
    return RUN.limits.deadline * TIME_SHARE


def read_pages(
    fetch: Callable[[dict[str, str]], Exchange],
    params: Mapping[str, str],
    size: int,
    *,
    pages: int = PAGE_BUDGET,
    until: Callable[[dict[str, Any]], bool] | None = None,
) -> Listing | None:
    """Page through the list for ``params`` with ``size`` Sessions a page.

    Stops after the last page (``pagy.pages``, or an empty page), or at the first Session
    ``until`` accepts. None when a page is refused or holds no ``sessions`` list; raises
    :class:`ReadCutError` when ``pages`` pages or the time budget did not reach the end.
    """
    listing = Listing()
    started = time.monotonic()
    seconds = time_budget()
    for number in range(1, pages + 1):
        if number > 1 and time.monotonic() - started > seconds:
            raise ReadCutError(
                f"reading the list took more than its {seconds:g} s ({TIME_SHARE:.0%} of the "
                f"run's deadline) and stopped after {number - 1} page(s) of {size}"
            )
        ex = fetch({**params, "page": str(number), "items": str(size)})
        listing.pages.append(ex)
        body = ex.json
        listed = body.get("sessions") if isinstance(body, dict) and ex.accepted else None
        if not isinstance(listed, list):
            return None
        for item in listed:
            if isinstance(item, dict):
                listing.sessions.append(item)
                if until is not None and until(item):
                    return listing
        pagy = body.get("pagy")
        last = pagy.get("pages") if isinstance(pagy, dict) else None
        if not listed or not isinstance(last, int) or number >= last:
            return listing
    raise ReadCutError(
        f"the list holds more than the {pages} pages of {size} Sessions one read may take"
    )


def not_earned(error: ReadCutError, purpose: str) -> NoReturn:
    """Skip the test whose verdict needed a read that was cut (it earns no verdict)."""
    pytest.skip(f"not checked: {purpose}: {error}")
