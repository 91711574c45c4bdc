"""Contains shared errors types that can be raised from API functions"""

import json
from typing import Any, TypeVar, cast

from .models.error import Error
from .types import Response

T = TypeVar("T")


class UnexpectedStatus(Exception):
    """Raised by api functions when the response status an undocumented status and Client.raise_on_unexpected_status is True"""

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

        super().__init__(
            f"Unexpected status code: {status_code}\n\nResponse content:\n{content.decode(errors='ignore')}"
        )


class ApiError(Exception):
    """The API refused a request and answered with its error body (Error).

    Raised by ``parsed_or_raise`` and the paging helpers. ``status_code`` is the HTTP status,
    ``error`` the parsed body and ``response`` the whole answer (headers and raw content).
    """

    def __init__(self, status_code: int, error: Error, response: Response[Any]) -> None:
        self.status_code = status_code
        self.error = error
        self.response = response
        shown = json.dumps(error.to_dict(), ensure_ascii=False)
        if len(shown) > 500:
            shown = shown[:500] + "..."
        super().__init__(f"the API refused the request with HTTP {status_code}: {shown}")


class PageLimitExceeded(Exception):
    """Raised by a paging helper when the list has more pages than its ``max_pages``."""

    def __init__(self, max_pages: int, pages: int) -> None:
        self.max_pages = max_pages
        self.pages = pages
        super().__init__(
            f"the list has {pages} pages, more than max_pages={max_pages}: raise max_pages "
            "or narrow the list with its filters"
        )


def parsed_or_raise(response: Response[T | Error]) -> T:
    """The parsed success body of a ``sync_detailed``/``asyncio_detailed`` answer, or an exception.

    Raises:
        ApiError: the answer is the API's error body (Error).
        UnexpectedStatus: the answer's status is not one the spec lists for the operation.

    An answer without a body on a success status (a documented 204) gives ``None``.
    """
    parsed = response.parsed
    if isinstance(parsed, (Error,)):
        raise ApiError(response.status_code, parsed, response)
    if parsed is None and not (200 <= response.status_code < 300 and not response.content):
        raise UnexpectedStatus(response.status_code, response.content)
    return cast(T, parsed)


__all__ = ["ApiError", "PageLimitExceeded", "UnexpectedStatus", "parsed_or_raise"]
