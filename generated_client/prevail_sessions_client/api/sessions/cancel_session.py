from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.cancel_session_response import CancelSessionResponse
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    remote_session_id: str,
    *,
    cancel_without_email: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cancel_without_email"] = cancel_without_email

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/sessions/{remote_session_id}/cancel".format(
            remote_session_id=quote(str(remote_session_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CancelSessionResponse | Error | None:
    if response.status_code == 200:
        response_200 = CancelSessionResponse.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CancelSessionResponse | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    remote_session_id: str,
    *,
    client: AuthenticatedClient | Client,
    cancel_without_email: bool | Unset = False,
) -> Response[CancelSessionResponse | Error]:
    """Cancel a Session (Self-Service)

     Cancels a Session that belongs to the caller's Organization: its `state` becomes
    `canceled` and its join URL stops working (documented). A Session in state `initial`,
    `scheduled` or `ready` can be canceled (documented, `Session.state`'s
    `x-cancelable-states`); the participants are notified unless `cancel_without_email` is
    `true`. Removing a participant is done by cancelling and scheduling a new Session.

    Decided by this contract (assumed): the same token (401), Self-Service (403) and
    lookup-and-ownership (404) answers as an edit, checked in that order, then the query
    (422 `validation_failed`), then the state (409 `session_not_cancelable`; a second
    cancel is refused this way); a body, if one is sent, is ignored; a refused cancel
    changes nothing; the invitees are kept. Any other method on the path answers 405.

    Send `Accept: application/json` (documented; the documented `Content-Type:
    application/json` header does no harm). Every rule is listed with a stable id in the
    operation's `x-rules` catalogue; the entries that are plain ids are rules declared on
    the edit that apply here too.

    Args:
        remote_session_id (str):
        cancel_without_email (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CancelSessionResponse | Error]
    """

    kwargs = _get_kwargs(
        remote_session_id=remote_session_id,
        cancel_without_email=cancel_without_email,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    remote_session_id: str,
    *,
    client: AuthenticatedClient | Client,
    cancel_without_email: bool | Unset = False,
) -> CancelSessionResponse | Error | None:
    """Cancel a Session (Self-Service)

     Cancels a Session that belongs to the caller's Organization: its `state` becomes
    `canceled` and its join URL stops working (documented). A Session in state `initial`,
    `scheduled` or `ready` can be canceled (documented, `Session.state`'s
    `x-cancelable-states`); the participants are notified unless `cancel_without_email` is
    `true`. Removing a participant is done by cancelling and scheduling a new Session.

    Decided by this contract (assumed): the same token (401), Self-Service (403) and
    lookup-and-ownership (404) answers as an edit, checked in that order, then the query
    (422 `validation_failed`), then the state (409 `session_not_cancelable`; a second
    cancel is refused this way); a body, if one is sent, is ignored; a refused cancel
    changes nothing; the invitees are kept. Any other method on the path answers 405.

    Send `Accept: application/json` (documented; the documented `Content-Type:
    application/json` header does no harm). Every rule is listed with a stable id in the
    operation's `x-rules` catalogue; the entries that are plain ids are rules declared on
    the edit that apply here too.

    Args:
        remote_session_id (str):
        cancel_without_email (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CancelSessionResponse | Error
    """

    return sync_detailed(
        remote_session_id=remote_session_id,
        client=client,
        cancel_without_email=cancel_without_email,
    ).parsed


async def asyncio_detailed(
    remote_session_id: str,
    *,
    client: AuthenticatedClient | Client,
    cancel_without_email: bool | Unset = False,
) -> Response[CancelSessionResponse | Error]:
    """Cancel a Session (Self-Service)

     Cancels a Session that belongs to the caller's Organization: its `state` becomes
    `canceled` and its join URL stops working (documented). A Session in state `initial`,
    `scheduled` or `ready` can be canceled (documented, `Session.state`'s
    `x-cancelable-states`); the participants are notified unless `cancel_without_email` is
    `true`. Removing a participant is done by cancelling and scheduling a new Session.

    Decided by this contract (assumed): the same token (401), Self-Service (403) and
    lookup-and-ownership (404) answers as an edit, checked in that order, then the query
    (422 `validation_failed`), then the state (409 `session_not_cancelable`; a second
    cancel is refused this way); a body, if one is sent, is ignored; a refused cancel
    changes nothing; the invitees are kept. Any other method on the path answers 405.

    Send `Accept: application/json` (documented; the documented `Content-Type:
    application/json` header does no harm). Every rule is listed with a stable id in the
    operation's `x-rules` catalogue; the entries that are plain ids are rules declared on
    the edit that apply here too.

    Args:
        remote_session_id (str):
        cancel_without_email (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CancelSessionResponse | Error]
    """

    kwargs = _get_kwargs(
        remote_session_id=remote_session_id,
        cancel_without_email=cancel_without_email,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    remote_session_id: str,
    *,
    client: AuthenticatedClient | Client,
    cancel_without_email: bool | Unset = False,
) -> CancelSessionResponse | Error | None:
    """Cancel a Session (Self-Service)

     Cancels a Session that belongs to the caller's Organization: its `state` becomes
    `canceled` and its join URL stops working (documented). A Session in state `initial`,
    `scheduled` or `ready` can be canceled (documented, `Session.state`'s
    `x-cancelable-states`); the participants are notified unless `cancel_without_email` is
    `true`. Removing a participant is done by cancelling and scheduling a new Session.

    Decided by this contract (assumed): the same token (401), Self-Service (403) and
    lookup-and-ownership (404) answers as an edit, checked in that order, then the query
    (422 `validation_failed`), then the state (409 `session_not_cancelable`; a second
    cancel is refused this way); a body, if one is sent, is ignored; a refused cancel
    changes nothing; the invitees are kept. Any other method on the path answers 405.

    Send `Accept: application/json` (documented; the documented `Content-Type:
    application/json` header does no harm). Every rule is listed with a stable id in the
    operation's `x-rules` catalogue; the entries that are plain ids are rules declared on
    the edit that apply here too.

    Args:
        remote_session_id (str):
        cancel_without_email (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CancelSessionResponse | Error
    """

    return (
        await asyncio_detailed(
            remote_session_id=remote_session_id,
            client=client,
            cancel_without_email=cancel_without_email,
        )
    ).parsed
