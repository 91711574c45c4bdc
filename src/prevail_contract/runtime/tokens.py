"""Mint and forge the JWTs the auth checks send, with PyJWT and the algorithm pinned to HS256.

``alg: none`` tokens are assembled by hand because PyJWT (rightly) makes unsigned tokens
awkward to produce; every other token goes through ``jwt.encode``.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

import jwt

#: The one algorithm the contract names (assumed: the docs say HMAC).
ALGORITHM = "HS256"
#: Lifetime of the tokens the suite mints.
DEFAULT_TTL_SECONDS = 300


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint(company_id: str, api_key: str, *, ttl: int = DEFAULT_TTL_SECONDS) -> str:
    """A valid token for ``company_id`` signed with its API key, expiring in ``ttl`` seconds."""
    payload = {"slug": company_id, "exp": int(time.time()) + ttl}
    return jwt.encode(payload, api_key, algorithm=ALGORITHM)


def claims_of(token: str) -> dict[str, Any]:
    """The claims of a token, read without checking the signature (for forging variants)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": False})
    except jwt.PyJWTError:
        return {}
    return dict(claims)


def expired(company_id: str, api_key: str, *, ago: int = 3600) -> str:
    """A correctly signed token whose ``exp`` lies ``ago`` seconds (default an hour) in the past."""
    payload = {"slug": company_id, "exp": int(time.time()) - ago}
    return jwt.encode(payload, api_key, algorithm=ALGORITHM)


def without_claim(company_id: str, api_key: str, claim: str) -> str:
    """A correctly signed token for ``company_id`` that lacks ``claim`` (``slug`` or ``exp``)."""
    payload: dict[str, Any] = {"slug": company_id, "exp": int(time.time()) + DEFAULT_TTL_SECONDS}
    payload.pop(claim)
    return jwt.encode(payload, api_key, algorithm=ALGORITHM)


def signed_for_other(other_slug: str, api_key: str) -> str:
    """Another Organization's ``slug`` signed with this Organization's key (not its own)."""
    payload = {"slug": other_slug, "exp": int(time.time()) + DEFAULT_TTL_SECONDS}
    return jwt.encode(payload, api_key, algorithm=ALGORITHM)


def wrong_signature(claims: dict[str, Any]) -> str:
    """A well-formed HS256 token with the given claims, signed with a random key."""
    payload = {**claims, "exp": int(time.time()) + DEFAULT_TTL_SECONDS}
    return jwt.encode(payload, secrets.token_hex(32), algorithm=ALGORITHM)


def unsigned(claims: dict[str, Any]) -> str:
    """An ``alg: none`` token with the given claims and an empty signature."""
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = {**claims, "exp": int(time.time()) + DEFAULT_TTL_SECONDS}
    body = _b64(json.dumps(payload).encode())
    return f"{header}.{body}."


def unknown_company(api_key: str) -> str:
    """A token signed with the right key but naming a Company ID nobody has."""
    payload = {"slug": f"no-such-company-{secrets.token_hex(4)}", "exp": int(time.time()) + 300}
    return jwt.encode(payload, api_key, algorithm=ALGORITHM)


def garbage() -> str:
    """A string that is not a JWT at all."""
    return "not-a-jwt-" + secrets.token_hex(8)
