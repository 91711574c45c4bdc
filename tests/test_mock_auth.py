"""Token attacks: every unusable token gets 401 ``unauthorized`` with ``WWW-Authenticate``."""

from __future__ import annotations

import base64
import json
import time
import warnings
from typing import Any

import jwt
import pytest

from tests.plugins.mock import MockUnderTest

TITLE = {"remote_session": {"title": "Changed by an attacker"}}


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _hs512(claims: dict[str, Any], key: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the key is short for HS512, which is beside the point
        return jwt.encode(claims, key, algorithm="HS512")


def _tokens(env: dict[str, str]) -> dict[str, str]:
    key, slug = env["PREVAIL_API_KEY"], env["PREVAIL_COMPANY_ID"]
    later = int(time.time()) + 600
    return {
        "garbage": "not-a-jwt",
        "three-dots-garbage": "a.b.c",
        "wrong-key": jwt.encode({"slug": slug, "exp": later}, "x" * 40, algorithm="HS256"),
        "expired": jwt.encode({"slug": slug, "exp": int(time.time()) - 60}, key, algorithm="HS256"),
        "alg-none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({'slug': slug, 'exp': later})}.",
        "hs512-right-key": _hs512({"slug": slug, "exp": later}, key),
        "unknown-slug": jwt.encode({"slug": "nobody-inc", "exp": later}, key, algorithm="HS256"),
        "no-exp": jwt.encode({"slug": slug}, key, algorithm="HS256"),
        "exp-as-string": jwt.encode({"slug": slug, "exp": str(later)}, key, algorithm="HS256"),
        "no-slug": jwt.encode({"exp": later}, key, algorithm="HS256"),
        "slug-not-string": jwt.encode({"slug": 7, "exp": later}, key, algorithm="HS256"),
        "other-org-key": jwt.encode(
            {"slug": slug, "exp": later},
            "mock-key-globex-court-fedcba9876543210fedcba9876543210",
            algorithm="HS256",
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "garbage",
        "three-dots-garbage",
        "wrong-key",
        "expired",
        "alg-none",
        "hs512-right-key",
        "unknown-slug",
        "no-exp",
        "exp-as-string",
        "no-slug",
        "slug-not-string",
        "other-org-key",
    ],
)
def test_bad_token_401(mock: MockUnderTest, name: str) -> None:
    before = mock.stored()
    token = _tokens(mock.env)[name]
    response = mock.patch(TITLE, token=token)
    assert response.status_code == 401, (name, response.text)
    assert response.json()["code"] == "unauthorized"
    assert response.headers["www-authenticate"].startswith("Bearer")
    via_query = mock.client.patch(mock.url(), params={"jwt_payload": token}, json=TITLE)
    assert via_query.status_code == 401
    assert mock.stored() == before


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "bearer"]
)
def test_missing_or_malformed_header_401(mock: MockUnderTest, header: str | None) -> None:
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["Authorization"] = header
    response = mock.client.patch(mock.url(), json=TITLE, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthorized"
    assert "Bearer" in body["messages"]


def test_query_parameter_token_accepted(mock: MockUnderTest) -> None:
    response = mock.client.patch(
        mock.url(), params={"jwt_payload": mock.env["PREVAIL_TOKEN"]}, json=TITLE
    )
    assert response.status_code == 200


def test_query_parameter_token_sent_twice_is_401(mock: MockUnderTest) -> None:
    token = mock.env["PREVAIL_TOKEN"]
    response = mock.client.patch(
        mock.url(), params=[("jwt_payload", "forged"), ("jwt_payload", token)], json=TITLE
    )
    assert response.status_code == 401
    assert "more than one 'jwt_payload'" in response.json()["messages"]


def test_lowercase_bearer_scheme_accepted(mock: MockUnderTest) -> None:
    headers = {"Authorization": f"bearer {mock.env['PREVAIL_TOKEN']}"}
    assert mock.client.patch(mock.url(), json=TITLE, headers=headers).status_code == 200


def test_token_signed_with_api_key_is_accepted(mock: MockUnderTest) -> None:
    token = jwt.encode(
        {"slug": mock.env["PREVAIL_COMPANY_ID"], "exp": int(time.time()) + 30},
        mock.env["PREVAIL_API_KEY"],
        algorithm="HS256",
    )
    assert mock.patch(TITLE, token=token).status_code == 200
