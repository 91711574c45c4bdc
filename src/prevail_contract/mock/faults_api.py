"""The admin API of injected faults: ``/__mock__/faults`` for the default world and
``/__mock__/sandboxes/{id}/faults`` for a sandbox (add one, list them, clear them)."""

from __future__ import annotations

import json

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from prevail_contract.mock.admin import AdminBodyTooLargeError, read_limited
from prevail_contract.mock.errors import dump_json
from prevail_contract.mock.faults import FaultBook, FaultRequestError, read_fault
from prevail_contract.mock.store import MAIN_WORLD, Worlds
from prevail_contract.spec import Spec

PATH = "/__mock__/faults"
SANDBOX_PATH = "/__mock__/sandboxes/{sandbox_id}/faults"
#: Largest fault request (a handful of fields).
MAX_BODY = 4096
_HEADERS = {"content-type": "application/json"}


def _error(status: int, code: str, messages: str) -> Response:
    return Response(dump_json({"code": code, "messages": messages}), status, headers=_HEADERS)


def routes(book: FaultBook, worlds: Worlds, spec: Spec) -> list[Route]:
    """The fault routes of one app: ``POST`` adds a fault, ``GET`` lists, ``DELETE`` clears."""
    operations = [op.operation_id for op in spec.operations]

    async def gone_worlds() -> set[str]:
        """The worlds holding faults whose sandbox is deleted or expired."""
        return {
            w for w in book.worlds() if w != MAIN_WORLD and await worlds.peek_sandbox(w) is None
        }

    async def world_of(request: Request) -> str | Response:
        sandbox_id = request.path_params.get("sandbox_id")
        if sandbox_id is None:
            return MAIN_WORLD
        if await worlds.sandbox(str(sandbox_id)) is None:
            gone = f"No sandbox {str(sandbox_id)[:40]!r} (deleted or expired)."
            return _error(404, "sandbox_not_found", gone)
        return str(sandbox_id)

    async def faults(request: Request) -> Response:
        world = await world_of(request)
        if isinstance(world, Response):
            return world
        if request.method == "DELETE":
            book.clear(world)
            return Response(status_code=204)
        if request.method == "GET":
            listed = [f.as_json() for f in book.faults(world)]
            return Response(dump_json({"faults": listed}), headers=_HEADERS)
        if book.unavailable is not None:
            return _error(409, "faults_unavailable", book.unavailable)
        try:
            raw = await read_limited(request, MAX_BODY)
            body = json.loads(raw)
        except AdminBodyTooLargeError:
            return _error(413, "payload_too_large", f"A fault request is at most {MAX_BODY} bytes.")
        except ClientDisconnect:
            return _error(400, "malformed_json", "The body was cut off.")
        except (ValueError, RecursionError) as exc:
            return _error(400, "malformed_json", f"The body is not usable JSON: {str(exc)[:200]}.")
        try:
            fault = read_fault(body, operations, book.next_id())
        except FaultRequestError as exc:
            return _error(422, "validation_failed", str(exc))
        gone = await gone_worlds()
        refused = book.add(world, fault, lambda w: w not in gone)
        if refused is not None:
            return _error(409, "too_many_faults", refused)
        return Response(dump_json(fault.as_json()), 201, headers=_HEADERS)

    methods = ["GET", "POST", "DELETE"]
    return [Route(PATH, faults, methods=methods), Route(SANDBOX_PATH, faults, methods=methods)]
