"""The mock's HTTP answers: JSON bodies for refusals, 405, unknown paths, an unreachable store
and crashes, and the optional check of each edit answer against the spec's responses
(``--validate-responses``)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping

import jsonschema
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from prevail_contract.mock.errors import ApiError, dump_json
from prevail_contract.mock.faults import ConnectionDropped
from prevail_contract.mock.store import StoreUnavailableError
from prevail_contract.spec import Spec

log = logging.getLogger("prevail_contract.mock")

JSON_HEADERS = {"content-type": "application/json"}
#: The answer while the store cannot be reached (mock limit, assumed; not a contract status).
STORE_UNAVAILABLE = "store_unavailable"
#: Seconds a client is told to wait before trying again (``Retry-After``).
RETRY_AFTER = 1
#: Seconds between two log lines about the store being out of reach.
LOG_EVERY = 10.0


def json_response(body: object, status: int = 200) -> Response:
    """``body`` as a compact JSON answer."""
    return Response(dump_json(body), status, headers=JSON_HEADERS)


def error_response(error: ApiError) -> Response:
    """The spec's ``Error`` body for a refusal, with its status and headers."""
    return Response(
        dump_json(error.body()), error.status, headers={**JSON_HEADERS, **error.headers}
    )


def method_not_allowed(method: str, allowed: str) -> Response:
    """405 naming the one method the path declares, in ``Allow`` and in words."""
    body = {
        "code": "method_not_allowed",
        "messages": f"{method} is not allowed here; this path accepts {allowed} only.",
    }
    return Response(dump_json(body), 405, headers={**JSON_HEADERS, "allow": allowed})


class ResponseChecker:
    """Validates an operation's answers against the schemas of its declared responses."""

    def __init__(
        self, spec: Spec, operation_id: str, allowed: str, *, refusals: bool = True
    ) -> None:
        self.allowed = allowed
        #: Whether refusals are checked too (not when their shape is deliberately another).
        self.refusals = refusals
        self.validators: dict[int, jsonschema.Draft202012Validator] = {}
        responses = spec.operation_by_id(operation_id).node.get("responses") or {}
        for status, response in responses.items():
            content = (spec.deref(response).get("content") or {}).get("application/json")
            if content and "schema" in content:
                self.validators[int(status)] = spec.validator(content["schema"])

    def problem(self, response: Response) -> str | None:
        """Why ``response`` breaks the operation's responses, or None if it does not."""
        status = response.status_code
        if not self.refusals and status >= 400:
            return None
        if status == 405:
            allow = response.headers.get("allow")
            return None if allow == self.allowed else f"405 without 'Allow: {self.allowed}'"
        validator = self.validators.get(status)
        if validator is None:
            return f"status {status} is not declared for the operation"
        try:
            body = json.loads(bytes(response.body))
        except ValueError:
            return f"the {status} body is not JSON"
        errors = list(validator.iter_errors(body))
        if not errors:
            return None
        first = min(errors, key=lambda e: len(e.absolute_path))
        where = ".".join(str(p) for p in first.absolute_path) or "(body)"
        return f"status {status}, at {where}: {first.message[:500]}"

    def checked(self, response: Response) -> Response:
        """The response itself if it matches the spec, else a 500 saying how it does not."""
        problem = self.problem(response)
        if problem is None:
            return response
        log.error("mock response does not match the spec: %s", problem)
        error = ApiError(
            500,
            "mock_response_invalid",
            f"The mock's own response does not match the spec: {problem}",
        )
        return error_response(error)


def exception_handlers(paths: str) -> dict[type[Exception], object]:
    """Starlette handlers: an unknown path answers 404 naming ``paths`` (what the mock
    serves), another HTTP error its status, and a crash a 500 that says it is the mock's bug."""

    async def http_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return json_response(
                {
                    "code": "not_found",
                    "messages": f"No such path {request.url.path[:200]!r}; the API answers "
                    f"{paths}, and the mock admin API lives under /__mock__/.",
                },
                404,
            )
        headers: Mapping[str, str] = exc.headers or {}
        body = {"code": f"http_{exc.status_code}", "messages": str(exc.detail)}
        return Response(dump_json(body), exc.status_code, headers={**JSON_HEADERS, **headers})

    last_logged = [0.0]

    async def store_unavailable(request: Request, exc: Exception) -> Response:
        now = time.monotonic()
        if now - last_logged[0] >= LOG_EVERY:
            last_logged[0] = now
            log.warning("answering 503 %s: %s", STORE_UNAVAILABLE, exc)
        body = {
            "code": STORE_UNAVAILABLE,
            "messages": "The mock's store (Redis) cannot be reached right now; send the "
            f"request again in {RETRY_AFTER} s (an edit that did reach it is not applied twice).",
        }
        return Response(
            dump_json(body), 503, headers={**JSON_HEADERS, "retry-after": str(RETRY_AFTER)}
        )

    async def crash(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, ConnectionDropped):  # an injected fault, re-raised for the caller
            log.exception("the mock failed on %s %s", request.method, request.url.path)
        body = {
            "code": "mock_internal_error",
            "messages": f"The mock server failed: {type(exc).__name__}. This is a bug in the mock.",
        }
        return json_response(body, 500)

    return {
        HTTPException: http_exception,
        StoreUnavailableError: store_unavailable,
        Exception: crash,
    }
