"""Requests with chosen faults, for testing the assumed check order (``x-check-order``).

:func:`build` makes one request that carries exactly the named faults (each a rule id of the
order) and nothing else wrong, so that a pair of faults shows which check the server runs first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from contract_tests.support.target import Target
from prevail_contract.check import tokens
from prevail_contract.check.exchange import Exchange
from prevail_contract.check.session_ids import unknown_session_id

#: The body size limit of rule ``payload-limit`` (1 MiB, assumed).
BODY_LIMIT = 1_048_576
#: A start time that is not the documented zero-padded ``hh:mm AM|PM`` (field-formats).
BAD_TIME = "9:00 AM"
GOOD_DATE = "2031-03-14"
#: The faults :func:`build` knows how to make.
KNOWN_FAULTS = frozenset(
    {
        "auth-required",
        "self-service-required",
        "org-ownership",
        "media-type",
        "payload-limit",
        "malformed-json",
        "schedule-all-three",
        "field-formats",
        "editable-states",
    }
)


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


def order_of(target: Target) -> list[str]:
    """The spec's ``x-check-order`` (rule ids)."""
    return [str(r) for r in target.spec.operation.get("x-check-order") or []]


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
    inner: dict[str, str] = {"title": "Contract check: order probe"}
    if "schedule-all-three" in have:
        inner = {"start_date": GOOD_DATE}
        if "field-formats" in have:
            inner["start_time"] = BAD_TIME
    elif "field-formats" in have:
        zone = sorted(target.spec.time_zones())[0]
        inner = {"start_date": GOOD_DATE, "start_time": BAD_TIME, "time_zone": zone}
    body = json.dumps({"remote_session": inner}).encode()
    if "malformed-json" in have:
        body += b" and then some text"  # a valid JSON value followed by more
    if "payload-limit" in have:
        body += b" " * (BODY_LIMIT + 1 - len(body))  # whitespace: still the same JSON value
    content_type = "text/plain" if "media-type" in have else "application/json"
    return Probe(faults, token, session_id, content_type, body, extra)
