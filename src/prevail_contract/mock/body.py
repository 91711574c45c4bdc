"""Reading an edit's body within the spec's byte limit (rule ``payload-limit``), never holding more.

The limit is the ``payload-limit`` rule's ``x-limits`` value. A body over it is refused (413)
after what is left of it has been read and thrown away, up to ``DRAIN_FACTOR`` times the limit
and ``DRAIN_TIMEOUT`` seconds, so that a client still sending can read the answer; past that
the connection is simply closed. The timeouts are the mock's own, not contract facts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import ClientDisconnect, Request

from prevail_contract.mock.errors import ApiError
from prevail_contract.mock.facts import PAYLOAD_RULE, size_text
from prevail_contract.spec import Spec

#: How much of a refused body is drained, in multiples of the limit (mock limit).
DRAIN_FACTOR = 8
#: Seconds a body may take to arrive, and to be drained after a 413, before the mock stops
#: waiting and closes the connection (a client that declares more than it sends).
BODY_TIMEOUT = 10.0
DRAIN_TIMEOUT = 1.0
CLOSE = {"connection": "close"}


class BodyReader:
    """Reads request bodies of at most ``max_body`` bytes; built once per app."""

    def __init__(self, spec: Spec, max_body: int) -> None:
        self.spec = spec
        self.max_body = max_body
        self.drain_limit = DRAIN_FACTOR * max_body

    async def read(self, request: Request) -> bytes:
        """The body, or a 413 for one over the limit (declared or as it arrives).

        A body that stalls past ``BODY_TIMEOUT`` or whose client goes away is answered as
        malformed JSON (it never became a complete document), on a connection that is closed.
        """
        declared = request.headers.get("content-length")
        stream = request.stream()
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await self._drain(request, stream, 0)
            raise self.too_large()
        chunks: list[bytes] = []
        total = 0
        try:
            async with asyncio.timeout(BODY_TIMEOUT):
                async for chunk in stream:
                    total += len(chunk)
                    if total > self.max_body:
                        await self._drain(request, stream, total)
                        raise self.too_large()
                    chunks.append(chunk)
        except TimeoutError as exc:
            raise self._incomplete(f"did not arrive within {BODY_TIMEOUT:g} s") from exc
        except ClientDisconnect as exc:
            raise self._incomplete("was cut off: the client disconnected") from exc
        return b"".join(chunks)

    async def _drain(self, request: Request, stream: AsyncIterator[bytes], seen: int) -> None:
        """Read and discard the rest of a refused body, within the drain limits."""
        if "100-continue" in request.headers.get("expect", "").lower():
            return
        try:
            async with asyncio.timeout(DRAIN_TIMEOUT):
                async for chunk in stream:
                    seen += len(chunk)
                    if seen > self.drain_limit:
                        return
        except (TimeoutError, ClientDisconnect):
            pass  # the 413 is still the answer, on a connection that is then closed

    def _incomplete(self, what: str) -> ApiError:
        return ApiError.for_rule(
            self.spec,
            "malformed-json",
            f"The body {what}, so it is not a complete JSON document.",
            headers=CLOSE,
        )

    def too_large(self) -> ApiError:
        """The 413 refusal of a body over the limit."""
        limit, text = self.max_body, size_text(self.max_body)
        shown = text if text == f"{limit} bytes" else f"{limit} bytes ({text})"
        return ApiError.for_rule(
            self.spec,
            PAYLOAD_RULE,
            f"The body is larger than {shown}; send a smaller body.",
            headers=CLOSE,
        )
