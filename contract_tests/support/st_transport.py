"""Route every request schemathesis sends (its own probes included) through the target.

schemathesis' ``ignored_auth`` check sends extra probe requests through the schema's transport,
not through the test; without this they would bypass the target's ``Retry-After`` handling,
safety checks and exchange log. The schema object's class is swapped for a subclass whose
``transport`` property returns :class:`RoutedTransport`, because schemathesis 4 offers no
setting for a custom transport.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.schemas import OpenApiSchema
from schemathesis.transport.requests import REQUESTS_TRANSPORT, RequestsTransport


class RoutedTransport(RequestsTransport):
    """A transport whose ``send`` is the given function (a case in, an httpx answer out)."""

    def __init__(self, send: Callable[[Any], httpx.Response]) -> None:
        super().__init__()
        self._copy_serializers_from(REQUESTS_TRANSPORT)
        self._send = send

    def send(self, case: Any, *, session: Any = None, **kwargs: Any) -> Response:
        return Response.from_httpx(self._send(case), verify=False)


def route_through(schema: OpenApiSchema, send: Callable[[Any], httpx.Response]) -> None:
    """Make every request of ``schema`` (cases and check probes) go through ``send``."""
    transport = RoutedTransport(send)

    class Routed(OpenApiSchema):
        __slots__ = ()

        @property
        def transport(self) -> RoutedTransport:
            return transport

    schema.__class__ = Routed
