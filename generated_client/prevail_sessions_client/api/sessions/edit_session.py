from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.edit_session_request import EditSessionRequest
from ...models.edit_session_response import EditSessionResponse
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    remote_session_id: str,
    *,
    body: EditSessionRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/sessions/{remote_session_id}".format(
            remote_session_id=quote(str(remote_session_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> EditSessionResponse | Error | None:
    if response.status_code == 200:
        response_200 = EditSessionResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

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

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[EditSessionResponse | Error]:
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
    body: EditSessionRequest,
) -> Response[EditSessionResponse | Error]:
    """Edit a Session (Self-Service)

     Changes a Session that belongs to the caller's Organization. Only the fields present in
    `remote_session` change; any other field keeps its value (assumed for fields the
    documentation does not name).

    Preconditions (documented):
    - the Session belongs to the caller's Organization;
    - the Session is in state `scheduled` or `ready`;
    - the Organization has Self-Service enabled, which only Prevail staff can switch on.

    Rescheduling (documented): `start_date`, `start_time` and `time_zone` are changed
    together or not at all; a body carrying only one or two of them is refused.

    After a successful edit the Session's `remote_session_id` (and so its URL) is
    unchanged, the sent fields hold their new values, `state` is `ready`, and every newly
    invited participant appears in `invites` and is emailed. Invited participants cannot
    be removed by an edit.

    Checks run in this order (assumed): token (401), Self-Service (403), lookup and
    ownership (404), media type (415), size (413), JSON syntax (400), body validation
    (422, `incomplete_schedule` before `validation_failed`), Session state (409). A
    request with several faults is answered for the first one in that order, and a
    refused request changes nothing. `x-check-order` lists the same order as rule ids
    (`field-formats` stands for every `validation_failed` check).

    Send `Content-Type: application/json` and `Accept: application/json` (documented).
    Every rule is listed with a stable id in the operation's `x-rules` catalogue.

    Args:
        remote_session_id (str):
        body (EditSessionRequest): The request body: the fields to change, wrapped in
            `remote_session`. Other top-level
            members are refused (assumed).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EditSessionResponse | Error]
    """

    kwargs = _get_kwargs(
        remote_session_id=remote_session_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    remote_session_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: EditSessionRequest,
) -> EditSessionResponse | Error | None:
    """Edit a Session (Self-Service)

     Changes a Session that belongs to the caller's Organization. Only the fields present in
    `remote_session` change; any other field keeps its value (assumed for fields the
    documentation does not name).

    Preconditions (documented):
    - the Session belongs to the caller's Organization;
    - the Session is in state `scheduled` or `ready`;
    - the Organization has Self-Service enabled, which only Prevail staff can switch on.

    Rescheduling (documented): `start_date`, `start_time` and `time_zone` are changed
    together or not at all; a body carrying only one or two of them is refused.

    After a successful edit the Session's `remote_session_id` (and so its URL) is
    unchanged, the sent fields hold their new values, `state` is `ready`, and every newly
    invited participant appears in `invites` and is emailed. Invited participants cannot
    be removed by an edit.

    Checks run in this order (assumed): token (401), Self-Service (403), lookup and
    ownership (404), media type (415), size (413), JSON syntax (400), body validation
    (422, `incomplete_schedule` before `validation_failed`), Session state (409). A
    request with several faults is answered for the first one in that order, and a
    refused request changes nothing. `x-check-order` lists the same order as rule ids
    (`field-formats` stands for every `validation_failed` check).

    Send `Content-Type: application/json` and `Accept: application/json` (documented).
    Every rule is listed with a stable id in the operation's `x-rules` catalogue.

    Args:
        remote_session_id (str):
        body (EditSessionRequest): The request body: the fields to change, wrapped in
            `remote_session`. Other top-level
            members are refused (assumed).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EditSessionResponse | Error
    """

    return sync_detailed(
        remote_session_id=remote_session_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    remote_session_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: EditSessionRequest,
) -> Response[EditSessionResponse | Error]:
    """Edit a Session (Self-Service)

     Changes a Session that belongs to the caller's Organization. Only the fields present in
    `remote_session` change; any other field keeps its value (assumed for fields the
    documentation does not name).

    Preconditions (documented):
    - the Session belongs to the caller's Organization;
    - the Session is in state `scheduled` or `ready`;
    - the Organization has Self-Service enabled, which only Prevail staff can switch on.

    Rescheduling (documented): `start_date`, `start_time` and `time_zone` are changed
    together or not at all; a body carrying only one or two of them is refused.

    After a successful edit the Session's `remote_session_id` (and so its URL) is
    unchanged, the sent fields hold their new values, `state` is `ready`, and every newly
    invited participant appears in `invites` and is emailed. Invited participants cannot
    be removed by an edit.

    Checks run in this order (assumed): token (401), Self-Service (403), lookup and
    ownership (404), media type (415), size (413), JSON syntax (400), body validation
    (422, `incomplete_schedule` before `validation_failed`), Session state (409). A
    request with several faults is answered for the first one in that order, and a
    refused request changes nothing. `x-check-order` lists the same order as rule ids
    (`field-formats` stands for every `validation_failed` check).

    Send `Content-Type: application/json` and `Accept: application/json` (documented).
    Every rule is listed with a stable id in the operation's `x-rules` catalogue.

    Args:
        remote_session_id (str):
        body (EditSessionRequest): The request body: the fields to change, wrapped in
            `remote_session`. Other top-level
            members are refused (assumed).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EditSessionResponse | Error]
    """

    kwargs = _get_kwargs(
        remote_session_id=remote_session_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    remote_session_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: EditSessionRequest,
) -> EditSessionResponse | Error | None:
    """Edit a Session (Self-Service)

     Changes a Session that belongs to the caller's Organization. Only the fields present in
    `remote_session` change; any other field keeps its value (assumed for fields the
    documentation does not name).

    Preconditions (documented):
    - the Session belongs to the caller's Organization;
    - the Session is in state `scheduled` or `ready`;
    - the Organization has Self-Service enabled, which only Prevail staff can switch on.

    Rescheduling (documented): `start_date`, `start_time` and `time_zone` are changed
    together or not at all; a body carrying only one or two of them is refused.

    After a successful edit the Session's `remote_session_id` (and so its URL) is
    unchanged, the sent fields hold their new values, `state` is `ready`, and every newly
    invited participant appears in `invites` and is emailed. Invited participants cannot
    be removed by an edit.

    Checks run in this order (assumed): token (401), Self-Service (403), lookup and
    ownership (404), media type (415), size (413), JSON syntax (400), body validation
    (422, `incomplete_schedule` before `validation_failed`), Session state (409). A
    request with several faults is answered for the first one in that order, and a
    refused request changes nothing. `x-check-order` lists the same order as rule ids
    (`field-formats` stands for every `validation_failed` check).

    Send `Content-Type: application/json` and `Accept: application/json` (documented).
    Every rule is listed with a stable id in the operation's `x-rules` catalogue.

    Args:
        remote_session_id (str):
        body (EditSessionRequest): The request body: the fields to change, wrapped in
            `remote_session`. Other top-level
            members are refused (assumed).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EditSessionResponse | Error
    """

    return (
        await asyncio_detailed(
            remote_session_id=remote_session_id,
            client=client,
            body=body,
        )
    ).parsed
