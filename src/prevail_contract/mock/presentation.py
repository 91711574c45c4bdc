"""How the mock words its answers where the documentation is silent: the contract's own choices,
or, for the documented-only reading (``--contract documented``), another faithful server's.

The contract (``full``) answers each refusal with the status and ``code`` its rule lists, in the
assumed ``Error`` body, checks in ``x-check-order``, pages 20 Sessions by default, and so on.
The documented reading keeps every documented rule and relaxes the rest, the way a real server
that read the same documentation could: a small policy, applied here to what the spec states
(nothing is listed per rule):

- statuses: a state conflict answers 422 and a wrong media type 400 (as Rails apps often do),
  another Organization's Session 403 (the documentation allows the leak);
- codes: the HTTP reason phrase of the status (``unprocessable_entity``), never the catalogue's;
- body: ``{"error": {"status", "code", "message", "fields"}}``, not the ``Error`` schema;
- 405: no ``Allow`` header, a plain-text body;
- order: the spec's ``x-check-order`` reversed, as far as each check's needs allow
  (:func:`prevail_contract.mock.pipeline.documented_order`);
- list pages: half the spec's largest ``items`` as the largest, twice its default as the
  default (within that), out-of-range values clamped and malformed ones ignored;
- the clock-skew leeway on ``exp``: five minutes (:data:`prevail_contract.mock.auth.LONG_LEEWAY`);
- invites: only an address spelled the same way is a duplicate (letter case counts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

from starlette.responses import Response

from prevail_contract.errors import ConfigError
from prevail_contract.mock.errors import ApiError, dump_json
from prevail_contract.mock.responses import JSON_HEADERS, error_response, method_not_allowed

Contract = Literal["full", "documented"]
#: The readings of the contract the mock can serve.
CONTRACTS: tuple[Contract, ...] = ("full", "documented")


@dataclass(frozen=True)
class PageSizes:
    """How a list reads ``items``: its default, its largest value, and what happens outside."""

    default: int | None
    maximum: int | None
    #: Clamp an out-of-range ``page``/``items`` and ignore a malformed value, instead of 422.
    lenient: bool = False


class Presentation:
    """The contract's own answers (``full``)."""

    contract: Contract = "full"

    @property
    def documented(self) -> bool:
        """Whether this is the documented-only reading."""
        return self.contract == "documented"

    def error(self, error: ApiError) -> Response:
        """The answer to a refusal."""
        return error_response(error)

    def method_not_allowed(self, method: str, allowed: str) -> Response:
        """The answer to a method the path does not declare."""
        return method_not_allowed(method, allowed)

    def page_sizes(self, items: Mapping[str, Any]) -> PageSizes:
        """The list's page sizes, from the ``items`` parameter's schema."""
        return PageSizes(_int(items.get("default")), _int(items.get("maximum")))


class DocumentedPresentation(Presentation):
    """Another server's equally faithful answers (see the module docstring)."""

    contract: Contract = "documented"
    #: Statuses this server answers instead of the contract's (assumed) ones.
    STATUSES: Mapping[int, int] = {409: 422, 415: 400}
    #: The answer to another Organization's Session (the contract's: like an unknown id).
    FOREIGN = 403

    def status(self, error: ApiError) -> int:
        """The status this server answers a refusal with."""
        if error.variant == "foreign":
            return self.FOREIGN
        return self.STATUSES.get(error.status, error.status)

    def error(self, error: ApiError) -> Response:
        status = self.status(error)
        code = HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
        inner: dict[str, Any] = {"status": status, "code": code, "message": error.messages}
        body = error.body()  # cut to the spec's lengths
        if "details" in body:
            inner["fields"] = {d["field"]: d["message"] for d in body["details"]}
        return Response(
            dump_json({"error": inner}), status, headers={**JSON_HEADERS, **error.headers}
        )

    def method_not_allowed(self, method: str, allowed: str) -> Response:
        return Response(b"Method Not Allowed", 405, headers={"content-type": "text/plain"})

    def page_sizes(self, items: Mapping[str, Any]) -> PageSizes:
        maximum, default = _int(items.get("maximum")), _int(items.get("default"))
        if maximum is not None:
            maximum = max(1, maximum // 2)
        if default is not None:
            default = default * 2 if maximum is None else min(maximum, default * 2)
        return PageSizes(default, maximum, lenient=True)


def presentation(contract: str) -> Presentation:
    """The presentation of a reading of the contract (a ``ConfigError`` for an unknown one)."""
    if contract == "full":
        return Presentation()
    if contract == "documented":
        return DocumentedPresentation()
    raise ConfigError(f"unknown contract {contract!r}; choose from {', '.join(CONTRACTS)}")


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None
