from collections.abc import AsyncIterator, Iterator
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.list_sessions_response import ListSessionsResponse
from ...models.session import Session
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
    page: int | Unset = 1,
    items: int | Unset = 20,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["start_time"] = start_time

    params["end_time"] = end_time

    params["page"] = page

    params["items"] = items

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/sessions",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | ListSessionsResponse | None:
    if response.status_code == 200:
        response_200 = ListSessionsResponse.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | ListSessionsResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
    page: int | Unset = 1,
    items: int | Unset = 20,
) -> Response[Error | ListSessionsResponse]:
    """List the Organization's Sessions

     Lists the Sessions of the caller's Organization, one page at a time, with the
    documented `start_time`/`end_time` filters and the documented
    `{"pagy": {...}, "sessions": [...]}` envelope. Prevail's Edit Sessions page points
    here to find `remote_session_id` values. A list is a read: it changes nothing.

    Decided by this contract (assumed): Sessions in every state are listed; Self-Service
    is not needed to list; pages are chosen with `page` (from 1) and `items` (1 to 100,
    default 20); Sessions are ordered by their start instant (`start_date` and
    `start_time` read in `time_zone`), then by `remote_session_id`; a page past the last
    answers an empty `sessions`; each listed Session is the same `Session` an edit
    answers. A missing or unusable token is 401 `unauthorized` as for an edit, and a
    query value outside these limits is 422 `validation_failed`.

    Every rule is listed with a stable id in the operation's `x-rules` catalogue; the
    entries that are plain ids are rules declared on another operation that apply here
    too.

    Args:
        start_time (int | Unset):
        end_time (int | Unset):
        page (int | Unset):  Default: 1.
        items (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListSessionsResponse]
    """

    kwargs = _get_kwargs(
        start_time=start_time,
        end_time=end_time,
        page=page,
        items=items,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
    page: int | Unset = 1,
    items: int | Unset = 20,
) -> Error | ListSessionsResponse | None:
    """List the Organization's Sessions

     Lists the Sessions of the caller's Organization, one page at a time, with the
    documented `start_time`/`end_time` filters and the documented
    `{"pagy": {...}, "sessions": [...]}` envelope. Prevail's Edit Sessions page points
    here to find `remote_session_id` values. A list is a read: it changes nothing.

    Decided by this contract (assumed): Sessions in every state are listed; Self-Service
    is not needed to list; pages are chosen with `page` (from 1) and `items` (1 to 100,
    default 20); Sessions are ordered by their start instant (`start_date` and
    `start_time` read in `time_zone`), then by `remote_session_id`; a page past the last
    answers an empty `sessions`; each listed Session is the same `Session` an edit
    answers. A missing or unusable token is 401 `unauthorized` as for an edit, and a
    query value outside these limits is 422 `validation_failed`.

    Every rule is listed with a stable id in the operation's `x-rules` catalogue; the
    entries that are plain ids are rules declared on another operation that apply here
    too.

    Args:
        start_time (int | Unset):
        end_time (int | Unset):
        page (int | Unset):  Default: 1.
        items (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListSessionsResponse
    """

    return sync_detailed(
        client=client,
        start_time=start_time,
        end_time=end_time,
        page=page,
        items=items,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
    page: int | Unset = 1,
    items: int | Unset = 20,
) -> Response[Error | ListSessionsResponse]:
    """List the Organization's Sessions

     Lists the Sessions of the caller's Organization, one page at a time, with the
    documented `start_time`/`end_time` filters and the documented
    `{"pagy": {...}, "sessions": [...]}` envelope. Prevail's Edit Sessions page points
    here to find `remote_session_id` values. A list is a read: it changes nothing.

    Decided by this contract (assumed): Sessions in every state are listed; Self-Service
    is not needed to list; pages are chosen with `page` (from 1) and `items` (1 to 100,
    default 20); Sessions are ordered by their start instant (`start_date` and
    `start_time` read in `time_zone`), then by `remote_session_id`; a page past the last
    answers an empty `sessions`; each listed Session is the same `Session` an edit
    answers. A missing or unusable token is 401 `unauthorized` as for an edit, and a
    query value outside these limits is 422 `validation_failed`.

    Every rule is listed with a stable id in the operation's `x-rules` catalogue; the
    entries that are plain ids are rules declared on another operation that apply here
    too.

    Args:
        start_time (int | Unset):
        end_time (int | Unset):
        page (int | Unset):  Default: 1.
        items (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListSessionsResponse]
    """

    kwargs = _get_kwargs(
        start_time=start_time,
        end_time=end_time,
        page=page,
        items=items,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
    page: int | Unset = 1,
    items: int | Unset = 20,
) -> Error | ListSessionsResponse | None:
    """List the Organization's Sessions

     Lists the Sessions of the caller's Organization, one page at a time, with the
    documented `start_time`/`end_time` filters and the documented
    `{"pagy": {...}, "sessions": [...]}` envelope. Prevail's Edit Sessions page points
    here to find `remote_session_id` values. A list is a read: it changes nothing.

    Decided by this contract (assumed): Sessions in every state are listed; Self-Service
    is not needed to list; pages are chosen with `page` (from 1) and `items` (1 to 100,
    default 20); Sessions are ordered by their start instant (`start_date` and
    `start_time` read in `time_zone`), then by `remote_session_id`; a page past the last
    answers an empty `sessions`; each listed Session is the same `Session` an edit
    answers. A missing or unusable token is 401 `unauthorized` as for an edit, and a
    query value outside these limits is 422 `validation_failed`.

    Every rule is listed with a stable id in the operation's `x-rules` catalogue; the
    entries that are plain ids are rules declared on another operation that apply here
    too.

    Args:
        start_time (int | Unset):
        end_time (int | Unset):
        page (int | Unset):  Default: 1.
        items (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListSessionsResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            start_time=start_time,
            end_time=end_time,
            page=page,
            items=items,
        )
    ).parsed


def iterate_sessions(
    *,
    client: AuthenticatedClient | Client,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
    items: int = 100,
    max_pages: int = 1000,
) -> Iterator[Session]:
    """Yield every Session of the list, walking its pages from the first to the last.

    Each page is asked for with ``items`` Sessions (by default the
    most a page holds: the spec's ``maxItems`` of ``sessions``),
    from page 1 (the default of
    ``page``) until the last page (``pagy.pages``)
    or an empty one. The other arguments are sent with every request as they are.

    Args:
        max_pages: the most pages walked; a longer list raises ``errors.PageLimitExceeded``
            once the Sessions of the first ``max_pages`` pages are yielded.

    Raises:
        errors.ApiError: the API refused a page; the exception carries its error body.
        errors.UnexpectedStatus: a page answered a status the spec does not list.
        errors.PageLimitExceeded: the list has more than ``max_pages`` pages.
        httpx.TimeoutException: a request took longer than Client.timeout.
    """

    page, walked = 1, 0
    while True:
        listed = errors.parsed_or_raise(
            sync_detailed(
                client=client,
                start_time=start_time,
                end_time=end_time,
                page=page,
                items=items,
            )
        )
        yield from listed.sessions
        walked += 1
        if walked >= listed.pagy.pages or not listed.sessions:
            return
        if walked >= max_pages:
            raise errors.PageLimitExceeded(max_pages, listed.pagy.pages)
        page += 1


async def aiterate_sessions(
    *,
    client: AuthenticatedClient | Client,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
    items: int = 100,
    max_pages: int = 1000,
) -> AsyncIterator[Session]:
    """Asynchronously yield every Session of the list, walking its pages from the first to the last.

    Each page is asked for with ``items`` Sessions (by default the
    most a page holds: the spec's ``maxItems`` of ``sessions``),
    from page 1 (the default of
    ``page``) until the last page (``pagy.pages``)
    or an empty one. The other arguments are sent with every request as they are.

    Args:
        max_pages: the most pages walked; a longer list raises ``errors.PageLimitExceeded``
            once the Sessions of the first ``max_pages`` pages are yielded.

    Raises:
        errors.ApiError: the API refused a page; the exception carries its error body.
        errors.UnexpectedStatus: a page answered a status the spec does not list.
        errors.PageLimitExceeded: the list has more than ``max_pages`` pages.
        httpx.TimeoutException: a request took longer than Client.timeout.
    """

    page, walked = 1, 0
    while True:
        listed = errors.parsed_or_raise(
            await asyncio_detailed(
                client=client,
                start_time=start_time,
                end_time=end_time,
                page=page,
                items=items,
            )
        )
        for sessions_item in listed.sessions:
            yield sessions_item
        walked += 1
        if walked >= listed.pagy.pages or not listed.sessions:
            return
        if walked >= max_pages:
            raise errors.PageLimitExceeded(max_pages, listed.pagy.pages)
        page += 1
